"""Benchmark measures of publishing: exporting a finished package.

``measure_export`` finishes one encode (``viewra-desktop serve`` until the cache entry is
complete), then times ``viewra-desktop export`` of the same file and profile ``runs`` times:
the export repackages the entry into 4 s segments and writes the player page, and encodes
nothing, so it should take a small part of the encode's time.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .players import PROFILE, VIEWRA, serve, wait_complete


@dataclass
class ExportTimes:
    encode: float  # seconds from serve's start to the complete entry
    exports: list[float]  # seconds of each export, wall time of the whole command


def measure_export(src: Path, runs: int, scratch: Path) -> ExportTimes:
    cache = scratch / "export-cache"
    with serve(src, cache) as served:
        wait_complete(cache)
        encode = time.monotonic() - served.started
    exports = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run(
            [*VIEWRA, "export", str(src), "--profile", PROFILE, "--cache-dir", str(cache),
             "--to", str(scratch / "exported")],
            check=True, capture_output=True,
        )  # fmt: skip
        exports.append(time.monotonic() - began)
    shutil.rmtree(cache, ignore_errors=True)
    return ExportTimes(encode, exports)
