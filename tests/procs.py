"""Test helpers: finding what a test left behind (processes and FIFOs), and waiting."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path


def processes_using(folder: Path, skip: Callable[[str], bool] = lambda cmdline: False) -> list[str]:
    """Processes (other than this one) whose command line or working directory is inside
    ``folder``, except those whose command line ``skip`` accepts."""
    text = str(folder.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        if (text in cmdline or cwd.startswith(text)) and not skip(cmdline):
            found.append(f"{entry.name}: {cmdline}")
    return found


def fifos_under(folder: Path) -> list[Path]:
    result = []
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            try:
                if stat.S_ISFIFO(path.lstat().st_mode):
                    result.append(path)
            except OSError:
                pass
    return result


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
