"""Opening with nothing in the page cache: the tools, Python, Qt and the source read from
disk again, as after a reboot (``echo 3 > /proc/sys/vm/drop_caches``: root only)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import window
from .players import first_frame


def can_drop_caches() -> bool:
    return os.geteuid() == 0 and os.access("/proc/sys/vm/drop_caches", os.W_OK)


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def measure_cold_starts(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    """serve's first frame after dropping the page cache, and warm, in turns."""
    found: dict[str, list[float]] = {"cold": [], "warm": []}
    for index in range(runs):
        for name in ("cold", "warm"):
            if name == "cold":
                drop_caches()
            cache = scratch / f"cold-{name}-{index}"
            found[name].append(first_frame(src, cache).frame)
            shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_first_demo(runs: int, scratch: Path) -> list[dict]:
    """The demo from a new user's first launch (no cache, no demo clip, page cache dropped):
    when the window was exposed, and when the demo's first frame was on screen."""
    results = []
    for index in range(runs):
        home = scratch / f"first-demo-{index}"
        drop_caches()
        results.append(window.measure([], home, demo=True))
        shutil.rmtree(home, ignore_errors=True)
    return results
