"""Language tags and names.

Files tag their tracks with ISO 639-2 codes ("eng", "fre", "ger"), sometimes with two-letter
codes or full BCP 47 tags ("pt-BR"). Manifests want BCP 47 ("en", "fr", "de": RFC 5646, as
HLS LANGUAGE and DASH @lang say), and the window wants names ("English").

The names and codes come from langcodes and CLDR (``language_table``, written by
``scripts/make_language_table.py``): the app reads that table rather than importing
langcodes, whose data takes 0.16 s to load, on the way to the first frame.
"""

from __future__ import annotations

import functools
import locale
import os

from .language_table import ALPHA3, NAMES, REGIONS, SCRIPTS


@functools.lru_cache(maxsize=256)
def tag(code: str) -> str:
    """The BCP 47 tag for a file's language code, or "" when it names no known language."""
    parts = code.strip().replace("_", "-").split("-")
    language = parts[0].lower()
    language = ALPHA3.get(language, language)
    if language not in NAMES:
        return ""
    rest = []
    for part in parts[1:]:
        if len(part) == 4 and part.title() in SCRIPTS:
            rest.append(part.title())
        elif part.upper() in REGIONS:
            rest.append(part.upper())
    return "-".join([language, *rest])


@functools.lru_cache(maxsize=256)
def name(code: str) -> str:
    """The language's name in English ("French", "Portuguese (Brazil)"), or ""."""
    found = tag(code)
    if not found:
        return ""
    language, *rest = found.split("-")
    details = [SCRIPTS.get(part) or REGIONS.get(part, part) for part in rest]
    return f"{NAMES[language]} ({', '.join(details)})" if details else NAMES[language]


def same(first: str, second: str) -> bool:
    """Do two codes name the same language (its primary subtag: "en-GB" is "eng")?"""
    a, b = tag(first), tag(second)
    return bool(a) and a.split("-")[0] == b.split("-")[0]


def system() -> str:
    """The user's language from the system locale, as a BCP 47 tag ("" when unknown)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return tag(value.split(".")[0].split(":")[0])
    found = locale.getlocale()[0] or ""
    return tag(found.split(".")[0])
