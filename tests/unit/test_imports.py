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
