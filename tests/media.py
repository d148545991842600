"""Test media made with the real ffmpeg (nothing large is committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.demo import generate_command


def make_clip(
    folder: Path,
    name: str,
    seconds: float,
    size: str = "640x360",
    rate: int = 30,
    audio: bool = True,
) -> Path:
    """A testsrc2 clip with a tone, cached in ``folder`` by name."""
    target = folder / name
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"partial-{name}"
        argv = generate_command(
            find_tools().ffmpeg, str(partial), seconds=seconds, size=size, rate=rate, audio=audio
        )
        subprocess.run(argv, check=True, capture_output=True)
        partial.rename(target)
    return target
