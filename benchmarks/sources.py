"""The benchmark's sources, generated once into ``.bench/``.

- a 60 s 1080p30 H.264+AAC clip (a moving fractal over a test pattern: hard to encode), its
  keyframes about 6 s apart;
- a 20 s 4K60 clip;
- a two-hour film: the 60 s clip re-encoded at 5 Mbit/s (the "unit"), then 120 copies of it
  joined with stream copy (no long encode), about 4.9 GB.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from viewra_desktop.core.binaries import find_tools

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
FILM_COPIES = 120  # of the 60 s unit: two hours


def _make(target: Path, argv: list[str]) -> Path:
    """Run ffmpeg writing ``target`` through a partial file, once."""
    if target.exists():
        return target
    print(f"making {target.name} (once)...", file=sys.stderr)
    partial = target.with_suffix(".partial.mp4")
    subprocess.run(
        [find_tools().ffmpeg, "-v", "error", *argv, "-movflags", "+faststart", "-y", str(partial)],
        check=True,
    )
    partial.rename(target)
    return target


def make_sources() -> tuple[Path, Path]:
    """60 s 1080p30 and 20 s 4K60."""
    BENCH_DIR.mkdir(exist_ok=True)
    audio = ["-c:a", "aac", "-ac", "2", "-b:a", "128k"]
    hd = _make(BENCH_DIR / "src-1080p30-60s.mp4", [
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
        "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-filter_complex", "[1:v]scale=1920:1080[m];[0:v][m]blend=all_mode=average,"
        "format=yuv420p[v]",
        "-map", "[v]", "-map", "2:a", "-t", "60",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", *audio,
    ])  # fmt: skip
    uhd = _make(BENCH_DIR / "src-2160p60-20s.mp4", [
        "-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=60",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "20", "-pix_fmt", "yuv420p",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", *audio,
    ])  # fmt: skip
    return hd, uhd


def make_three_audio(hd: Path) -> Path:
    """``hd`` with three audio tracks (5.1, stereo and a stereo commentary), the picture
    copied: a film's tracks, for the first frame against one track."""
    return _make(BENCH_DIR / "src-1080p30-60s-3audio.mp4", [
        "-i", str(hd), "-map", "0:v", "-map", "0:a", "-map", "0:a", "-map", "0:a",
        "-c:v", "copy", "-c:a", "aac", "-b:a", "128k",
        "-filter:a:0", "pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1",
        "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
        "-metadata:s:a:2", "language=eng", "-metadata:s:a:2", "title=Commentary",
        "-disposition:a:2", "comment",
    ])  # fmt: skip


def make_film(hd: Path) -> tuple[Path, Path]:
    """The 60 s unit and the two-hour film made of it."""
    unit = _make(BENCH_DIR / "film-unit-1080p30-60s.mp4", [
        "-i", str(hd), "-c:v", "libx264", "-preset", "veryfast",
        "-b:v", "5M", "-maxrate", "6M", "-bufsize", "12M", "-c:a", "copy",
    ])  # fmt: skip
    listing = BENCH_DIR / "film.txt"
    listing.write_text("".join(f"file '{unit.name}'\n" for _ in range(FILM_COPIES)))
    film = _make(BENCH_DIR / "film-1080p30-2h.mp4", [
        "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
    ])  # fmt: skip
    return unit, film
