"""Write viewra_desktop/core/language_table.py from langcodes and CLDR's names (language_data).

    .venv/bin/python scripts/make_language_table.py

The app reads the table instead of importing langcodes: loading its data costs 0.16 s, on
the way to the first frame. tests/unit/test_languages.py checks the file is this script's
output.
"""

from __future__ import annotations

import json
import string
import sys
from pathlib import Path

import langcodes

TARGET = Path(__file__).resolve().parent.parent / "viewra_desktop" / "core" / "language_table.py"
# Languages files name with a three-letter code only (no ISO 639-1 code).
THREE_LETTER = ["ast", "ckb", "cmn", "fil", "gsw", "hak", "haw", "kab", "mni", "nan", "nds",
                "sat", "sco", "wuu", "yue"]  # fmt: skip
SCRIPTS = ["Arab", "Cyrl", "Deva", "Hans", "Hant", "Latn"]
NOT_REGIONS = {"AA", "ZZ", *(f"Q{c}" for c in "MNOPQRSTUVWXYZ")}
NOT_REGIONS |= {f"X{c}" for c in string.ascii_uppercase}


def known(name: str) -> bool:
    return bool(name) and not name.startswith("Unknown")


def render() -> str:
    names: dict[str, str] = {}
    alpha3: dict[str, str] = {}
    for code in (a + b for a in string.ascii_lowercase for b in string.ascii_lowercase):
        language = langcodes.Language.get(code)
        name = language.display_name("en")
        if not known(name) or code in ("qa", "qb"):
            continue
        names[code] = name
        for variant in ("T", "B"):
            alpha3[language.to_alpha3(variant=variant)] = code
    for code in THREE_LETTER:
        names[code] = langcodes.Language.get(code).display_name("en")
    regions = {}
    for code in (a + b for a in string.ascii_uppercase for b in string.ascii_uppercase):
        name = langcodes.Language.make(territory=code).territory_name("en")
        if known(name) and code not in NOT_REGIONS:
            regions[code] = name
    scripts = {code: langcodes.Language.make(script=code).script_name("en") for code in SCRIPTS}
    lines = [
        '"""Language, region and script names in English, and ISO 639-2 codes to ISO 639-1.',
        "",
        "Written by scripts/make_language_table.py from langcodes and CLDR's names: do not edit.",
        '"""',
    ]
    for variable, table in (("NAMES", names), ("ALPHA3", alpha3), ("REGIONS", regions),
                            ("SCRIPTS", scripts)):  # fmt: skip
        lines += ["", f"{variable} = {{"]
        lines += [f"    {json.dumps(k)}: {json.dumps(v)}," for k, v in sorted(table.items())]
        lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), "utf-8")
    sys.exit(0)
