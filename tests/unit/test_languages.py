"""languages: tags and names from the table written from langcodes and CLDR."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from viewra_desktop.core import languages
from viewra_desktop.core.language_table import NAMES

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_is_what_the_script_writes():
    spec = importlib.util.spec_from_file_location(
        "make_table", ROOT / "scripts/make_language_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == module.TARGET.read_text("utf-8"), "run scripts/make_language_table.py"
    assert len(NAMES) > 180


def test_the_app_does_not_load_langcodes():
    code = (
        "import sys; from viewra_desktop.core import languages; languages.name('fre'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langcodes', 'language_data')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("code", "tag", "name"),
    [("eng", "en", "English"), ("fre", "fr", "French"), ("fra", "fr", "French"),
     ("ger", "de", "German"), ("pt-BR", "pt-BR", "Portuguese (Brazil)"), ("jpn", "ja", "Japanese"),
     ("und", "", ""), ("", "", ""), ("xx-invalid-!", "", "")],
)  # fmt: skip
def test_language_tags_and_names(code, tag, name):
    assert languages.tag(code) == tag
    assert languages.name(code) == name


def test_same_language():
    assert languages.same("eng", "en-GB") and languages.same("fre", "fr")
    assert not languages.same("eng", "fra") and not languages.same("", "")


def test_system_language_from_the_environment(monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    assert languages.system() == "fr-CA"
