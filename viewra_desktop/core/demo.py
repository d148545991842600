"""The built-in demo clip: a moving test pattern with a tone, made with ffmpeg on first use.

A new user's first open waits for it, so it is made quickly: a short piece of picture is
encoded, then repeated to the clip's length by stream copy (no second encode) beside the tone,
encoded whole (cheap, and one AAC stream has no gaps where repeated pieces would), into a
temporary name renamed at the end.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from .errors import ViewraError

logger = logging.getLogger(__name__)

DEMO_NAME = "viewra-demo.mp4"
DEMO_SECONDS = 60
PIECE_SECONDS = 6  # of picture, encoded once and repeated
CLOCK_ROWS = 48  # testsrc2 draws its clock in the top rows; a repeated piece must not show it


def generate_command(
    ffmpeg: str,
    output: str,
    seconds: float = DEMO_SECONDS,
    size: str = "1280x720",
    rate: int = 30,
    audio: bool = True,
    clock: bool = True,
) -> list[str]:
    """A test clip: testsrc2 picture (moving, with a clock unless not ``clock``: a piece
    repeated would show a clock running back) and a 440 Hz tone."""
    width, height = (int(side) for side in size.split("x"))
    source = f"testsrc2=size={width}x{height + (0 if clock else CLOCK_ROWS)}"
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "lavfi", "-i", f"{source}:rate={rate}:duration={seconds}",
    ]  # fmt: skip
    if not clock:
        argv += ["-filter:v", f"crop={width}:{height}:0:{CLOCK_ROWS}"]  # the clock cut off
    if audio:
        argv += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    argv += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        argv += ["-c:a", "aac", "-b:a", "128k"]
    argv += ["-movflags", "+faststart", "-y", output]
    return argv


def repeat_command(ffmpeg: str, piece: str, output: str, times: int, seconds: float) -> list[str]:
    """The picture of ``piece`` ``times`` over by stream copy (timestamps carried on across
    repeats), with a 440 Hz tone of ``seconds``."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-stream_loop", str(times - 1),  # repeats after the first play
        "-i", piece,
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-map", "0:v", "-map", "1:a",
        "-c:v", "copy",  # no encode: the packets as they are
        "-c:a", "aac", "-b:a", "128k",
        "-movflags", "+faststart", "-y", output,
    ]  # fmt: skip


def demo_clip(ffmpeg: str, folder: Path) -> Path:
    """The demo clip's path, generating it (atomically) the first time."""
    target = folder / DEMO_NAME
    if target.is_file() and target.stat().st_size > 0:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    piece = folder / f".piece.{os.getpid()}.mp4"
    partial = folder / f".{DEMO_NAME}.{os.getpid()}.mp4"
    logger.info("generating the demo clip at %s", target)
    try:
        for argv in (
            generate_command(ffmpeg, str(piece), PIECE_SECONDS, audio=False, clock=False),
            repeat_command(
                ffmpeg, str(piece), str(partial), DEMO_SECONDS // PIECE_SECONDS, DEMO_SECONDS
            ),
        ):
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise ViewraError("The demo clip could not be made.", details=done.stderr[-2000:])
        os.replace(partial, target)
    finally:
        piece.unlink(missing_ok=True)
    return target
