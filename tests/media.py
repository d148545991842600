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


FILM_SRT = """1
00:00:01,000 --> 00:00:03,000
Where are we going?

2
00:00:05,000 --> 00:00:07,500
To the sea, before night falls.
"""
FILM_ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, Bold, Italic, Alignment, MarginL, MarginR, MarginV
Style: Default,Arial,20,&H00FFFFFF,0,0,2,10,10,10

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:02.00,0:00:04.00,Default,,0,0,0,,{\\i1}Panneau : Plage à 2 km{\\i0}
Dialogue: 0,0:00:06.00,0:00:08.00,Default,,0,0,0,,Sortie
"""
FILM_CHAPTERS = """;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=3000
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=3000
END=7000
title=The road
[CHAPTER]
TIMEBASE=1/1000
START=7000
END=10000
title=The sea
"""


def make_film(folder: Path, name: str = "film.mkv", seconds: float = 10.0) -> Path:
    """A film-like MKV: video; a 5.1 English main track (default), a French stereo dub and
    an English commentary (stereo); English SRT and forced French ASS subtitles; chapters.
    Each audio track has a tone of its own (440, 660, 880 Hz)."""
    target = folder / name
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "film.srt").write_text(FILM_SRT, "utf-8")
    (folder / "film.ass").write_text(FILM_ASS, "utf-8")
    (folder / "film-chapters.txt").write_text(FILM_CHAPTERS, "utf-8")
    tone = "sin({f}*2*PI*t)*0.3"
    surround = "|".join(tone.format(f=440) for _ in range(6))
    dub, commentary = (f"{tone.format(f=f)}|{tone.format(f=f)}" for f in (660, 880))
    partial = folder / f"partial-{name}"
    argv = [
        find_tools().ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", f"aevalsrc={surround}:c=5.1:s=48000:d={seconds}",
        "-f", "lavfi", "-i", f"aevalsrc={dub}:c=stereo:s=48000:d={seconds}",
        "-f", "lavfi", "-i", f"aevalsrc={commentary}:c=stereo:s=48000:d={seconds}",
        "-i", str(folder / "film.srt"), "-i", str(folder / "film.ass"),
        "-i", str(folder / "film-chapters.txt"),
        "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a", "-map", "4:s", "-map", "5:s",
        "-map_chapters", "6",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-c:s:0", "srt", "-c:s:1", "ass",
        "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
        "-metadata:s:a:2", "language=eng", "-metadata:s:a:2", "title=Director's commentary",
        "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fre",
        "-disposition:a:0", "default", "-disposition:a:1", "dub",
        "-disposition:a:2", "comment", "-disposition:s:0", "0", "-disposition:s:1", "forced",
        "-y", str(partial),
    ]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True)
    partial.rename(target)
    return target


def make_bad_subtitles(folder: Path) -> Path:
    """3 s, with three SRT tracks: a good one (English), one whose cues are not UTF-8
    (German: ffmpeg gives up on it), and one of a format no one knows (codec id changed)."""
    target = folder / "bad-subtitles.mkv"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    srt = folder / "bad-subtitles.srt"
    srt.write_text(FILM_SRT, "utf-8")
    made = folder / "partial-bad-subtitles.mkv"
    subprocess.run(
        [find_tools().ffmpeg, "-v", "error",
         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=3",
         "-f", "lavfi", "-i", "sine=duration=3", "-i", str(srt),
         "-map", "0", "-map", "1", "-map", "2", "-map", "2", "-map", "2",
         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "srt",
         "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=ger",
         "-metadata:s:s:2", "language=fre", "-y", str(made)],
        check=True, capture_output=True,
    )  # fmt: skip
    data = made.read_bytes()
    for cue in (b"Where are we going?", b"To the sea, before night falls."):
        first = data.find(cue)
        second = data.find(cue, first + 1)  # the German track's copy
        data = data[:second] + (b"\xc3\x28" * 20)[: len(cue)] + data[second + len(cue) :]
    ids = [i for i in range(len(data)) if data.startswith(b"S_TEXT/UTF8", i)]
    third = ids[2]  # the French track: a codec id no one knows (same length)
    data = data[:third] + b"S_TEXT/XYZ8" + data[third + 11 :]
    made.write_bytes(data)
    made.rename(target)
    return target
