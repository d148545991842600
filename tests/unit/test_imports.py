"""The core must stay importable without Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import viewra_desktop.core

SCRIPT = """
import importlib, pkgutil, sys
import viewra_desktop.core as core
names = sorted(m.name for m in pkgutil.iter_modules(core.__path__, core.__name__ + "."))
for name in names:
    importlib.import_module(name)
print(len(names))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
"""


def test_core_modules_do_not_import_qt():
    expected = len(list(pkgutil.iter_modules(viewra_desktop.core.__path__)))
    assert expected >= 15  # probe, plan, commands, ... : the walk did find the package
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == expected


# The Qt layer's plain-text modules: tested here, in tests/unit, so they must stay Qt-free too.
QT_FREE_APP_MODULES = (
    "viewra_desktop.app.formatting",
    "viewra_desktop.app.status_text",
    "viewra_desktop.app.rung_choice",
)

APP_SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
print(len(sys.argv) - 1)
"""


def test_the_status_text_and_formatting_modules_do_not_import_qt():
    done = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT, *QT_FREE_APP_MODULES],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == len(QT_FREE_APP_MODULES)
