"""The floor: ffmpeg encodes with the 720p profile's x264 settings (``-tune zerolatency``)
straight into a FIFO, and an already-running libmpv plays it. No probe, packager, HTTP or
seeking: what any design of this pipeline costs at least, on this machine, now."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.profiles import get_profile

from .players import PROFILE, Watch


def floor_command(ffmpeg: str, src: Path, out: str) -> list[str]:
    """The 720p profile's encode (size, preset, quality, cap, audio) with no delay, into a
    Matroska stream (its header needs no seeking back)."""
    profile = get_profile(PROFILE)
    (rung,) = profile.rungs
    assert rung.short_side is not None and rung.maxrate_kbps is not None
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "quiet", "-i", str(src),
        "-map", "0:v:0", "-map", "0:a:0", "-sn", "-dn",
        "-vf", f"scale=-2:{rung.short_side}:flags=bicubic,setsar=1,format=yuv420p",
        "-c:v", "libx264", "-preset", profile.preset, "-tune", "zerolatency",
        "-crf", str(profile.crf), "-maxrate", f"{rung.maxrate_kbps}k",
        "-bufsize", f"{2 * rung.maxrate_kbps}k", "-profile:v", "high",
        "-c:a", "aac", "-b:a", f"{profile.audio_kbps}k", "-ac", "2", "-ar", "48000",
        "-f", "matroska", "-flush_packets", "1", "-y", out,
    ]  # fmt: skip


def floor_first_frame(src: Path, plain: bool = False) -> float:
    """Seconds from starting ffmpeg to the first frame of a running libmpv reading the FIFO
    (``plain``: mpv's default options, else the app's)."""
    folder = tempfile.mkdtemp(prefix="viewra-floor-")
    fifo = os.path.join(folder, "floor.mkv")
    os.mkfifo(fifo)
    watch = Watch.create(plain=plain)
    proc = None
    try:
        began = time.monotonic()
        proc = subprocess.Popen(floor_command(find_tools().ffmpeg, src, fifo))
        watch.player.play(fifo)
        framed = watch.first_frame(60)
        assert framed is not None, "the floor showed no frame"
        return framed - began
    finally:
        watch.close()
        if proc is not None:
            proc.kill()
            proc.wait()
        os.unlink(fifo)
        os.rmdir(folder)
