"""The built-in demo clip: a moving test pattern with a tone, made with ffmpeg on first use.

A new user's first open waits for it, so it is made quickly, in two ffmpeg runs: one encodes
a short piece of picture and, beside it, the whole tone (FLAC: 0.1 s for a minute, where AAC
took 0.7 s; one stream, so no gaps where repeated pieces would have them); the other repeats
the piece to the clip's length beside the tone, both by stream copy, into a temporary name
renamed at the end. (The app encodes the tone to AAC like any source's audio.)
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
PIECE_SECONDS = 4  # of picture, encoded once and repeated (a keyframe each)
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
    source, encoding = _picture(seconds, size, rate, clock)
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", *source]
    if audio:
        argv += [*_tone(seconds), *encoding, "-c:a", "aac", "-b:a", "128k"]
    else:
        argv += encoding
    return [*argv, "-movflags", "+faststart", "-y", output]


def parts_command(
    ffmpeg: str, piece: str, tone: str, piece_seconds: float, seconds: float
) -> list[str]:
    """One ffmpeg making both parts: ``piece_seconds`` of picture without the clock, and
    ``seconds`` of the tone in FLAC."""
    source, encoding = _picture(piece_seconds, "1280x720", 30, clock=False)
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", *source, *_tone(seconds),
        "-map", "0:v", *encoding, "-y", piece,
        "-map", "1:a", "-c:a", "flac", "-y", tone,
    ]  # fmt: skip


def _picture(seconds: float, size: str, rate: int, clock: bool) -> tuple[list[str], list[str]]:
    """testsrc2 as an input, and the options encoding it (the clock's rows cut off unless
    ``clock``)."""
    width, height = (int(side) for side in size.split("x"))
    source = f"testsrc2=size={width}x{height + (0 if clock else CLOCK_ROWS)}"
    encoding = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if not clock:
        encoding = ["-filter:v", f"crop={width}:{height}:0:{CLOCK_ROWS}", *encoding]
    return ["-f", "lavfi", "-i", f"{source}:rate={rate}:duration={seconds}"], encoding


def _tone(seconds: float) -> list[str]:
    """A 440 Hz tone of ``seconds``, as an input."""
    return ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]


def repeat_command(ffmpeg: str, piece: str, tone: str, output: str, times: int) -> list[str]:
    """The picture of ``piece`` ``times`` over (timestamps carried on across repeats) with
    the tone, both by stream copy."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-stream_loop", str(times - 1),  # repeats after the first play
        "-i", piece,
        "-i", tone,
        "-map", "0:v", "-map", "1:a",
        "-c", "copy",  # no encode: the packets as they are
        "-y", output,
    ]  # fmt: skip


def demo_clip(ffmpeg: str, folder: Path) -> Path:
    """The demo clip's path, generating it (atomically) the first time."""
    target = folder / DEMO_NAME
    if target.is_file() and target.stat().st_size > 0:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    piece = folder / f".piece.{os.getpid()}.mp4"
    tone = folder / f".tone.{os.getpid()}.flac"
    partial = folder / f".{DEMO_NAME}.{os.getpid()}.mp4"
    logger.info("generating the demo clip at %s", target)
    try:
        for argv in (
            parts_command(ffmpeg, str(piece), str(tone), PIECE_SECONDS, DEMO_SECONDS),
            repeat_command(
                ffmpeg, str(piece), str(tone), str(partial), DEMO_SECONDS // PIECE_SECONDS
            ),
        ):
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise ViewraError("The demo clip could not be made.", details=done.stderr[-2000:])
        os.replace(partial, target)
    finally:
        piece.unlink(missing_ok=True)
        tone.unlink(missing_ok=True)
    return target
