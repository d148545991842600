"""Re-record the tool output that the unit tests replay.

Run from the repository root: ``.venv/bin/python tests/data/record_data.py``. It makes tiny
clips with the real ffmpeg in a temporary folder, runs ffprobe, ffmpeg ``-progress`` and Shaka
Packager on them, and writes only their text output here (never media). Paths inside the
recordings are reduced to bare file names so they do not depend on where this ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from viewra_desktop.core.binaries import find_tools  # noqa: E402
from viewra_desktop.core.commands import ffmpeg_command  # noqa: E402
from viewra_desktop.core.media import parse_probe  # noqa: E402
from viewra_desktop.core.plan import make_plan  # noqa: E402
from viewra_desktop.core.probe import probe_command  # noqa: E402
from viewra_desktop.core.profiles import get_profile  # noqa: E402

DATA = Path(__file__).parent
LAVFI_VIDEO = "testsrc2=size={size}:rate={rate}:duration={seconds}"
LAVFI_TONE = "sine=frequency={freq}:sample_rate=48000:duration={seconds}"

SRT = """1
00:00:00,000 --> 00:00:00,500
Hello

2
00:00:00,500 --> 00:00:01,000
World
"""


def video(
    size: str = "320x180", rate: str = "30", seconds: float = 1, source: str = "testsrc2"
) -> list[str]:
    spec = LAVFI_VIDEO.format(size=size, rate=rate, seconds=seconds)
    return ["-f", "lavfi", "-i", spec.replace("testsrc2", source)]


def tone(freq: int = 440, seconds: float = 1, layout: str = "stereo") -> list[str]:
    source = LAVFI_TONE.format(freq=freq, seconds=seconds) + f",aformat=channel_layouts={layout}"
    return ["-f", "lavfi", "-i", source]


X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "96k"]


def clips(folder: Path) -> dict[str, list[list[str]]]:
    """Name -> ffmpeg argument lists (run in order; the last one writes the clip)."""
    srt = folder / "cues.srt"
    srt.write_text(SRT, "utf-8")
    cover = folder / "cover.jpg"
    plain = folder / "plain.mp4"
    return {
        # Odd sizes: testsrc (testsrc2 rounds to even) and 4:4:4, as 4:2:0 needs even sizes.
        "odd_size.mp4": [
            [*video("1917x1077", source="testsrc"), *tone(),
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", *AAC, "-shortest"],
        ],
        # A phone-style portrait clip: landscape pixels and a display matrix, copied as is.
        "rotated.mp4": [
            [*video("320x180"), *X264, "-y", str(plain)],
            ["-display_rotation", "90", "-i", str(plain), "-c", "copy"],
        ],
        "surround.mp4": [
            [*video("320x180"), *tone(layout="5.1"), *X264, *AAC, "-shortest"],
        ],
        "two_audio.mkv": [
            [*video("320x180"), *tone(440), *tone(660, layout="mono"),
             "-map", "0:v", "-map", "1:a", "-map", "2:a", *X264, *AAC,
             "-metadata:s:a:0", "language=eng", "-metadata:s:a:0", "title=Main",
             "-metadata:s:a:1", "language=fra", "-metadata:s:a:1", "title=Commentaire",
             "-shortest"],
        ],
        "subtitles.mkv": [
            [*video("320x180"), *tone(), "-i", str(srt), "-i", str(srt),
             "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map", "3:s", *X264, *AAC,
             "-c:s:0", "srt", "-c:s:1", "ass",
             "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=deu",
             "-shortest"],
        ],
        "cover_art.mp4": [
            [*video("64x64", seconds=0.04), "-frames:v", "1", "-y", str(cover)],
            [*video("320x180"), *tone(), "-i", str(cover),
             "-map", "0:v", "-map", "1:a", "-map", "2:v", *X264, *AAC,
             "-c:v:1", "mjpeg", "-disposition:v:1", "attached_pic"],
        ],
        "audio_cover.m4a": [
            [*video("64x64", seconds=0.04), "-frames:v", "1", "-y", str(cover)],
            [*tone(), "-i", str(cover), "-map", "0:a", "-map", "1:v", *AAC,
             "-c:v", "mjpeg", "-disposition:v:0", "attached_pic"],
        ],
        "interlaced.mp4": [
            [*video("320x180", rate="25"), *X264, "-flags", "+ilme+ildct", "-top", "1"],
        ],
        "no_audio.mp4": [[*video("320x180"), *X264]],
        "anamorphic.mp4": [
            [*video("720x576", rate="25"), "-vf", "setsar=64/45", *X264],
        ],
        "high_fps.mp4": [[*video("160x90", rate="120"), *X264]],
    }  # fmt: skip


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, capture_output=True, **kwargs)


def record_probes(tools, folder: Path) -> None:
    out = DATA / "probe"
    out.mkdir(exist_ok=True)
    for name, steps in clips(folder).items():
        target = folder / name
        for index, args in enumerate(steps):
            last = index == len(steps) - 1
            tail = ["-y", str(target)] if last else []
            run([tools.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", *args, *tail])
        data = json.loads(run(probe_command(tools.ffprobe, str(target))).stdout)
        data["format"]["filename"] = name
        stem = name.rsplit(".", 1)[0]
        (out / f"{stem}.json").write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        print("probe", stem)


def record_pipeline(tools, folder: Path) -> None:
    """ffmpeg's -progress output for one real encode."""
    source = folder / "pipeline.mp4"
    run([tools.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
         *video("320x180", seconds=5), *tone(seconds=5), *X264, *AAC,
         "-y", str(source)])  # fmt: skip
    data = json.loads(run(probe_command(tools.ffprobe, str(source))).stdout)
    data["format"]["filename"] = source.name
    (DATA / "probe" / "pipeline.json").write_text(json.dumps(data, indent=1) + "\n", "utf-8")
    plan = make_plan(parse_probe(data, path=str(source)), get_profile("360p"))

    encoded = folder / "encoded.mp4"
    argv = ffmpeg_command(tools.ffmpeg, plan, str(encoded))
    argv[argv.index("-stats_period") + 1] = "0.05"  # several blocks from a short encode
    # ffmpeg sometimes prints out_time_us=N/A in the middle of an encode, after real
    # positions: keep a run that shows it, since the parser must cope with it.
    for _attempt in range(20):
        progress = run(argv, text=True).stdout
        times = [line for line in progress.splitlines() if line.startswith("out_time_us=")]
        numbers = [index for index, line in enumerate(times) if not line.endswith("N/A")]
        if numbers and any(line.endswith("N/A") for line in times[numbers[0] :]):
            break
    out = DATA / "progress"
    out.mkdir(exist_ok=True)
    (out / "ffmpeg_progress.txt").write_text(progress, "utf-8")
    # Read at real time through x264's look-ahead, so the first blocks come before any
    # output (N/A values).
    realtime = run(
        [tools.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-readrate", "1",
         *video("160x90", seconds=2), "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-progress", "pipe:1", "-stats_period", "0.25", "-f", "null", "-"],
        text=True,
    ).stdout  # fmt: skip
    (out / "ffmpeg_progress_realtime.txt").write_text(realtime, "utf-8")
    print("progress")


def main() -> None:
    tools = find_tools()
    with tempfile.TemporaryDirectory() as tmp:
        record_probes(tools, Path(tmp))
        record_pipeline(tools, Path(tmp))


if __name__ == "__main__":
    main()
