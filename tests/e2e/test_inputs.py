"""Every kind of input either plays from start to end with the right duration, or is refused
within seconds with one plain sentence.

The inputs are made at test time with the real ffmpeg (small and short, so the whole file
runs in a few minutes on two cores); nothing is committed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e.support import Playback, Serve, fifos_under, play, processes_using
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.probe import can_decode, probe, video_decoders

pytestmark = pytest.mark.e2e

SMALL = "320x240"
LAVFI_VIDEO = "testsrc2=size={size}:rate={rate}:duration={seconds}"
LAVFI_TONE = "sine=frequency={freq}:sample_rate=48000:duration={seconds}"
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "96k"]
SRT = """1
00:00:00,500 --> 00:00:02,000
Hello

2
00:00:02,000 --> 00:00:03,000
World
"""


def video(seconds: float, size: str = SMALL, rate: int = 25, source: str = "testsrc2") -> list[str]:
    spec = LAVFI_VIDEO.format(size=size, rate=rate, seconds=seconds)
    return ["-f", "lavfi", "-i", spec.replace("testsrc2", source)]


def tone(seconds: float, freq: int = 440, layout: str = "stereo") -> list[str]:
    spec = LAVFI_TONE.format(freq=freq, seconds=seconds) + f",aformat=channel_layouts={layout}"
    return ["-f", "lavfi", "-i", spec]


def ffmpeg(*args: str) -> None:
    argv = [find_tools().ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    subprocess.run([*argv, *args], check=True, capture_output=True, timeout=120)


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _noise_in_the_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    noise = random.Random(3).randbytes(20_000)
    return data[:middle] + noise + data[middle + len(noise) :]


@dataclass(frozen=True)
class Source:
    """How to make one input: ffmpeg steps (each given the output path last), then damage."""

    file: str
    seconds: float  # its real duration
    steps: tuple[tuple[str, ...], ...]
    damage: Callable[[bytes], bytes] | None = None


def _steps(*steps: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(step) for step in steps)


# Inputs that must play. The plain clip is remuxed for rotation; it is made first.
PLAIN = Source("plain.mp4", 3, _steps([*video(3), *tone(3), *X264, *AAC]))
VFR_VIDEO = (  # 1.5 s at 15 fps, then 1.5 s at 50 fps, as phones record
    f"{LAVFI_VIDEO.format(size=SMALL, rate=15, seconds=1.5)}[a];"
    f"{LAVFI_VIDEO.format(size=SMALL, rate=50, seconds=1.5)}[b];[a][b]concat=n=2:v=1:a=0[v]"
)
# fmt: off
SOURCES: dict[str, Source] = {
    "no_audio": Source("no-audio.mp4", 3, _steps([*video(3), *X264])),
    "shorter_than_a_segment": Source(
        "short.mp4", 0.3, _steps([*video(0.3), *tone(0.3), *X264, *AAC])),
    # testsrc (testsrc2 rounds to even sizes) in 4:4:4, since 4:2:0 needs even sizes.
    "odd_size": Source("odd.mp4", 2, _steps(
        [*video(2, "1917x1077", source="testsrc"), *tone(2),
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", *AAC])),
    "surround_5_1": Source(
        "surround.mp4", 3, _steps([*video(3), *tone(3, layout="5.1"), *X264, *AAC])),
    # The bundled libx265 is 8-bit only: 10-bit comes from H.264 High 10 and ProRes below.
    "hevc": Source("hevc.mp4", 3, _steps(
        [*video(3), *tone(3), "-c:v", "libx265", "-preset", "ultrafast",
         "-x265-params", "log-level=error", "-tag:v", "hvc1", *AAC])),
    "vp9_opus_webm": Source("vp9.webm", 3, _steps(
        [*video(3), *tone(3), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
         "-b:v", "300k", "-c:a", "libopus"])),
    "mpeg2_ts": Source(
        "mpeg2.ts", 3, _steps([*video(3), *tone(3), "-c:v", "mpeg2video", "-c:a", "mp2"])),
    "h264_10_bit_ac3_mkv": Source("h264-10bit.mkv", 3, _steps(
        [*video(3), *tone(3), "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p10le", "-c:a", "ac3"])),
    "prores_pcm_mov": Source("prores.mov", 3, _steps(
        [*video(3), *tone(3), "-c:v", "prores", "-profile:v", "0", "-c:a", "pcm_s16le"])),
    # A phone-style portrait clip: landscape pixels and a display matrix, copied as is.
    "rotated": Source("rotated.mp4", 3, _steps(
        ["-display_rotation:v:0", "90", "-i", "{plain}", "-c", "copy"])),
    "variable_frame_rate": Source("vfr.mp4", 3, _steps(
        ["-filter_complex", VFR_VIDEO, *tone(3), "-map", "[v]", "-map", "0:a",
         "-fps_mode", "vfr", *X264, *AAC])),
    "interlaced": Source("interlaced.mp4", 3, _steps(
        [*video(3, rate=50), *tone(3), "-vf", "interlace", *X264,
         "-flags", "+ildct+ilme", "-field_order", "tt", *AAC])),
    # Broadcast-style timestamps from 10 s on, and a single keyframe (x264's default GOP).
    "timestamps_from_10s": Source("offset.ts", 3, _steps(
        [*video(3), *tone(3), *X264, *AAC, "-output_ts_offset", "10"])),
    "two_audio_tracks": Source("two-audio.mp4", 3, _steps(
        [*video(3), *tone(3), *tone(3, 660, "mono"),
         "-map", "0:v", "-map", "1:a", "-map", "2:a", *X264, *AAC,
         "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra"])),
    "text_subtitles": Source("subtitles.mkv", 3, _steps(
        [*video(3), *tone(3), "-i", "{srt}", "-map", "0:v", "-map", "1:a", "-map", "2:s",
         *X264, *AAC, "-c:s", "srt"])),
    "4k_60fps": Source(
        "4k60.mp4", 1, _steps([*video(1, "3840x2160", 60), *tone(1), *X264, *AAC])),
    "non_ascii_name": Source(
        "ma vidéo d'été 日本.mp4", 3, _steps([*video(3), *tone(3), *X264, *AAC])),
}
# fmt: on

# Damaged files made from clips of their own.
FASTSTART = ["-movflags", "+faststart"]  # the index (moov) before the media data
# The first half of a download whose index is at the front: the index lists 6 s.
TRUNCATED = Source(
    "truncated.mp4", 6, _steps([*video(6), *tone(6), *X264, *AAC, *FASTSTART]), damage=_half
)
# Random bytes over the middle of a broadcast-style stream (one keyframe a second).
CORRUPT_TS = Source(
    "corrupt.ts",
    5,
    _steps([*video(5), *tone(5), *X264, "-g", "25", *AAC]),
    damage=_noise_in_the_middle,
)
# A recording cut short before its index (written last, at the end) was written.
MISSING_INDEX = Source("no-index.mp4", 6, _steps([*video(6), *tone(6), *X264, *AAC]), damage=_half)
AUDIO_ONLY = Source("tone.m4a", 3, _steps([*tone(3), *AAC]))
AV1_10_BIT = Source(
    "av1-10bit.mp4",
    3,
    _steps(
        [*video(3), *tone(3), "-c:v", "libsvtav1", "-preset", "12",
         "-pix_fmt", "yuv420p10le", *AAC]
    ),
)  # fmt: skip

MUXERS = {"mp4": "mp4", "m4a": "ipod", "mkv": "matroska", "webm": "webm", "ts": "mpegts",
          "mov": "mov"}  # fmt: skip


def make(folder: Path, source: Source) -> Path:
    """Make ``source`` in ``folder`` once (atomically, so a failed run leaves nothing)."""
    target = folder / source.file
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    names = {"plain": "", "srt": str(folder / "cues.srt")}
    if source is not PLAIN:
        names["plain"] = str(make(folder, PLAIN))
    (folder / "cues.srt").write_text(SRT, "utf-8")
    partial = folder / f"partial-{source.file}"
    for step in source.steps:
        args = [arg.format(**names) if arg.startswith("{") else arg for arg in step]
        ffmpeg(*args, "-f", MUXERS[source.file.rsplit(".", 1)[1]], str(partial))
    if source.damage is not None:
        partial.write_bytes(source.damage(partial.read_bytes()))
    partial.rename(target)
    return target


@pytest.fixture(scope="module")
def inputs(media_dir) -> Path:
    return media_dir / "inputs"


# -- playing --------------------------------------------------------------------------------


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _first_segment(base: str, stream: str, folder: Path) -> dict:
    """ffprobe's view of a stream's init segment and first media segment, as served."""
    joined = folder / f"{stream}-first.mp4"
    joined.write_bytes(_fetch(f"{base}/{stream}/init.mp4") + _fetch(f"{base}/{stream}/1.m4s"))
    done = subprocess.run(
        [find_tools().ffprobe, "-v", "error", "-show_streams", "-print_format", "json",
         str(joined)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (stream_info,) = json.loads(done.stdout)["streams"]
    return stream_info


def _video_frames(path: Path) -> int:
    done = subprocess.run(
        [find_tools().ffprobe, "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=nb_read_packets", "-print_format", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(json.loads(done.stdout)["streams"][0]["nb_read_packets"])


def _packaged_video(home: Path, folder: Path) -> Path:
    """The package's video track joined into one file: the init segment, then every segment."""
    (entry,) = (home / "cache" / "sessions").iterdir()
    segments = sorted((entry / "video").glob("*.m4s"), key=lambda p: int(p.stem))
    joined = folder / "video-all.mp4"
    joined.write_bytes(b"".join(p.read_bytes() for p in [entry / "video" / "init.mp4", *segments]))
    return joined


def _assert_clean_stop(serve: Serve, home: Path) -> None:
    code = serve.stop(signal.SIGTERM, timeout=15)
    assert serve.proc.stderr is not None
    err = serve.proc.stderr.read()
    assert code == 0, err
    assert err == ""  # no failure was reported while it served
    assert processes_using(home) == []
    assert fifos_under(home) == []


def _assert_played(result: Playback, seconds: float, whole: bool = True) -> None:
    assert result.end_reason == "eof"
    assert result.times, "no playback position was ever reported"
    assert result.times[0] < 0.5
    assert result.backward_jumps == []
    if whole:
        assert result.duration == pytest.approx(seconds, abs=0.5)
        assert result.times[-1] >= seconds - 0.5, f"stopped at {result.times[-1]:.2f} s"


def _serve_and_play(
    clip: Path,
    home: Path,
    tmp_path: Path,
    seconds: float,
    kinds: tuple[str, ...] = ("dash",),
    intact: bool = True,
) -> dict:
    """Serve ``clip``, play each URL kind to the end, check the output and the clean stop."""
    with Serve(clip, home) as serve:
        urls = serve.wait_urls(timeout=60)
        # No LAN addresses unless asked.
        assert set(urls) - {"chapters"} == {"dash", "hls", "subtitles", "dash_live", "page"}
        for kind in kinds:
            _assert_played(play(urls[kind], speed=4.0, timeout=90), seconds)
        base = urls["dash"].rsplit("/", 1)[0]
        video = _first_segment(base, "video", tmp_path)
        assert video["codec_name"] == "h264"
        assert video["width"] % 2 == 0 and video["height"] % 2 == 0
        mpd = _fetch(urls["dash"]).decode()
        if 'contentType="audio"' in mpd:
            audio = _first_segment(base, "audio", tmp_path)
            # Mono and stereo as they are, 5.1 kept (tracks.output_channels).
            source_channels = probe(find_tools().ffprobe, str(clip)).audio[0].channels
            expected = {1: 1, 2: 2, 6: 6}[source_channels]
            assert (audio["codec_name"], audio["channels"]) == ("aac", expected)
            assert audio["sample_rate"] == "48000"
        _assert_clean_stop(serve, home)
    packaged, source = _video_frames(_packaged_video(home, tmp_path)), _video_frames(clip)
    if intact:
        assert packaged == source  # every frame of the source, none dropped or doubled
    else:
        assert source * 0.8 <= packaged <= source  # all but what the damage destroyed
    return video


HLS_TOO = {"timestamps_from_10s", "variable_frame_rate", "rotated"}


@pytest.mark.parametrize("name", list(SOURCES))
def test_plays_from_start_to_end(name, inputs, tmp_path, _isolated_home):
    source = SOURCES[name]
    clip = make(inputs, source)
    kinds = ("hls", "dash") if name in HLS_TOO else ("dash",)
    video = _serve_and_play(clip, _isolated_home, tmp_path, source.seconds, kinds)
    if name == "rotated":
        # ffmpeg turned the pictures upright: portrait pixels, and no rotation left to apply.
        assert (video["width"], video["height"]) == (240, 320)
        assert not any("rotation" in side for side in video.get("side_data_list", []))
    if name == "odd_size":
        assert (video["width"], video["height"]) == (1282, 720)  # 1917x1077 fitted to 720p
    if name == "4k_60fps":
        assert (video["width"], video["height"]) == (1280, 720)
    if name == "interlaced":
        assert video.get("field_order", "progressive") == "progressive"  # deinterlaced


def test_corrupt_transport_stream_plays(inputs, tmp_path, _isolated_home):
    clip = make(inputs, CORRUPT_TS)
    _serve_and_play(clip, _isolated_home, tmp_path, CORRUPT_TS.seconds, intact=False)


def test_av1_plays_or_is_refused(inputs, tmp_path, _isolated_home):
    """The bundled ffmpeg has no software AV1 decoder: then AV1 is refused up front."""
    clip = make(inputs, AV1_10_BIT)
    ffprobe = find_tools().ffprobe
    if can_decode(video_decoders(ffprobe), "av1"):
        _serve_and_play(clip, _isolated_home, tmp_path, AV1_10_BIT.seconds)
    else:
        _assert_refused(_serve(clip, _isolated_home), "AV1", "cannot decode")


def test_truncated_file_plays_what_it_has(inputs, _isolated_home):
    """The index promises 6 s but only the first half of the data is there: the player
    plays that half and ends cleanly, without a hang or an error."""
    clip = make(inputs, TRUNCATED)
    with Serve(clip, _isolated_home) as serve:
        urls = serve.wait_urls(timeout=60)
        result = play(urls["dash"], speed=4.0, timeout=90)
        _assert_played(result, TRUNCATED.seconds, whole=False)
        assert result.times[-1] >= 2.0  # about 3 s of the 6 are in the file
        _assert_clean_stop(serve, _isolated_home)


# -- refusing -------------------------------------------------------------------------------


def _serve(file: Path | str, home: Path) -> tuple[int, str, str, float]:
    env = dict(os.environ, VIEWRA_HOME=str(home))
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "viewra_desktop", "serve", str(file)],
        capture_output=True, text=True, timeout=30, env=env,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr, time.monotonic() - began


def _assert_refused(result: tuple[int, str, str, float], *words: str) -> None:
    code, out, err, took = result
    assert code != 0
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    assert took < 10


def _unreadable(folder: Path) -> Path | None:
    """A file whose opening fails with 'permission denied', even for root if possible."""
    path = folder / "locked video.mp4"
    if os.geteuid() != 0:
        path.write_bytes(b"\0" * 64)
        path.chmod(0)
        return path
    # Root reads any file despite its mode, but not a write-only kernel setting.
    for setting in ("/proc/sys/vm/compact_memory", "/proc/sys/vm/drop_caches"):
        try:
            with open(setting, "rb"):
                continue
        except PermissionError:
            path.symlink_to(setting)
            return path
        except OSError:
            continue
    return None


REFUSED: dict[str, tuple[Callable[[Path, Path], Path], tuple[str, ...]]] = {
    "audio_only": (lambda inputs, tmp: make(inputs, AUDIO_ONLY), ("tone.m4a", "no video")),
    "missing_index": (lambda inputs, tmp: make(inputs, MISSING_INDEX), ("damaged",)),
    "text_named_mp4": (
        lambda inputs, tmp: _write(tmp / "notes.mp4", b"Shopping list\n- milk\n" * 40),
        ("notes.mp4", "not a video file"),
    ),
    "random_bytes_named_mp4": (
        lambda inputs, tmp: _write(tmp / "noise.mp4", random.Random(7).randbytes(64 * 1024)),
        ("noise.mp4", "not a video file"),
    ),
    "empty": (lambda inputs, tmp: _write(tmp / "empty.mp4", b""), ("empty",)),
    "missing": (lambda inputs, tmp: tmp / "gone.mp4", ("gone.mp4", "does not exist")),
    "folder": (lambda inputs, tmp: tmp, ("folder",)),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_one_sentence(name, inputs, tmp_path, _isolated_home):
    build, words = REFUSED[name]
    _assert_refused(_serve(build(inputs, tmp_path), _isolated_home), *words)


def test_unreadable_file_is_refused(tmp_path, _isolated_home):
    locked = _unreadable(tmp_path)
    if locked is None:
        pytest.skip("no file here refuses to open for this user (see the unit test)")
    _assert_refused(_serve(locked, _isolated_home), "locked video.mp4", "permission denied")
