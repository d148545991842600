"""ffprobe's JSON turned into a frozen ``MediaInfo``.

``parse_probe`` is pure (tests feed it recorded JSON); ``probe`` runs ffprobe and checks the
file first, so that every bad input ends in one ``InputError`` sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .binaries import check_tool
from .errors import InputError, ToolNotFoundError

logger = logging.getLogger(__name__)

# Codecs with text cues that ffmpeg can convert to WebVTT.
TEXT_SUBTITLE_CODECS = frozenset(
    {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text", "microdvd", "subviewer"}
)
PROBE_TIMEOUT_S = 20.0
# Demuxers that read files which are not videos: "tty" shows any .txt/.nfo/.asc file as
# ANSI art, so ffprobe reports a text file as a 640x400 video.
NOT_VIDEO_FORMATS = frozenset({"tty"})
# Demuxers whose seeking is not keyframe-exact (MPEG-TS and -PS, raw streams): ffmpeg's input
# seek lands on any packet, and the decoder shows nothing until the next keyframe. Their
# keyframe spacing is measured so that a run starting mid-file can decode from before it.
INEXACT_SEEK_FORMATS = frozenset(
    {"mpegts", "mpeg", "mpegvideo", "h264", "hevc", "m4v", "vc1", "cavsvideo", "vvc"}
)
MP4_FIRST_BOXES = frozenset({b"ftyp", b"mdat", b"moov", b"free", b"skip", b"wide", b"pnot"})
KEYFRAME_SCAN_PACKETS = 300  # the first video packets read to measure the keyframe spacing
MAX_KEYFRAME_GAP_S = 30.0  # assumed when fewer than two keyframes are seen in them
# FFmpeg decoders that only drive hardware: its native AV1 decoder decodes nothing without a
# GPU, so AV1 needs libdav1d or libaom, which some ffmpeg builds (the bundled one) lack.
HARDWARE_ONLY_DECODERS = frozenset({"av1"})
HARDWARE_DECODER_SUFFIXES = ("_cuvid", "_qsv", "_v4l2m2m", "_mediacodec", "_rkmpp", "_mmal")


def _is_still_image(format_name: str) -> bool:
    """ffmpeg reads a picture (JPEG, PNG, ...) as a one-frame video via its image demuxers."""
    return format_name == "image2" or format_name.endswith("_pipe")


@dataclass(frozen=True)
class VideoStream:
    index: int
    codec: str
    width: int
    height: int
    frame_rate: float  # average frames per second (0.0 when unknown)
    sample_aspect: Fraction = Fraction(1)
    rotation: int = 0  # degrees counter-clockwise, as ffprobe reports the display matrix
    pix_fmt: str = ""
    interlaced: bool = False
    variable_rate: bool = False  # frame durations change along the file (see _variable_rate)

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown: aspect ratio applied, rotation applied."""
        width = round(self.width * self.sample_aspect) if self.sample_aspect > 0 else self.width
        height = self.height
        if abs(self.rotation) % 180 == 90:
            width, height = height, width
        return width, height


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    channels: int
    sample_rate: int
    language: str = ""
    title: str = ""


@dataclass(frozen=True)
class SubtitleStream:
    index: int
    codec: str
    language: str = ""
    title: str = ""

    @property
    def is_text(self) -> bool:
        return self.codec in TEXT_SUBTITLE_CODECS


@dataclass(frozen=True)
class MediaInfo:
    path: str
    size: int
    duration: float
    format_name: str
    start_time: float
    video: VideoStream | None
    audio: tuple[AudioStream, ...] = ()
    subtitles: tuple[SubtitleStream, ...] = ()
    # The longest gap between video keyframes seen at the start of a file whose demuxer seeks
    # inexactly (INEXACT_SEEK_FORMATS); 0.0 when seeking lands on keyframes by itself.
    keyframe_gap: float = 0.0


def _rate(text: str | None) -> float:
    if not text or text in ("0/0", "N/A"):
        return 0.0
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(value)


def _float(value: Any, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if result == result else default  # NaN guard


def _normal_angle(degrees: float) -> int:
    """An angle in (-180, 180]."""
    value = int(round(degrees)) % 360
    return value - 360 if value > 180 else value


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or ():
        if "rotation" in side:
            return _normal_angle(_float(side["rotation"]))
    rotate = (stream.get("tags") or {}).get("rotate")
    if rotate is not None:
        # The old tag counts clockwise; the display matrix counter-clockwise.
        return _normal_angle(-_float(rotate))
    return 0


def _variable_rate(average: float, base: float, interlaced: bool) -> bool:
    """r_frame_rate is a rate every timestamp fits; an average far from it means the frame
    rate changes along the file (phones, screen recordings). Interlaced streams may give
    the field rate there: twice the frame rate is not a change."""
    if average <= 0 or base <= 0 or interlaced:
        return False
    return abs(average - base) > 0.01 * base and abs(2 * average - base) > 0.01 * base


def _sample_aspect(stream: dict[str, Any]) -> Fraction:
    text = stream.get("sample_aspect_ratio") or "1:1"
    try:
        num, den = (int(part) for part in text.split(":"))
        return Fraction(num, den) if num > 0 and den > 0 else Fraction(1)
    except (ValueError, ZeroDivisionError):
        return Fraction(1)


def _tags(stream: dict[str, Any]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (stream.get("tags") or {}).items()}


def parse_probe(data: dict[str, Any], path: str = "", size: int = 0) -> MediaInfo:
    """Build ``MediaInfo`` from ``ffprobe -show_format -show_streams`` JSON."""
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video: VideoStream | None = None
    audio: list[AudioStream] = []
    subtitles: list[SubtitleStream] = []
    stream_durations: list[float] = []
    for stream in streams:
        kind = stream.get("codec_type")  # ffprobe's words: "video", "audio", "subtitle"
        disposition = stream.get("disposition") or {}
        tags = _tags(stream)
        index = int(stream.get("index", 0))
        if kind == "video":
            if disposition.get("attached_pic") or disposition.get("still_image"):
                continue  # cover art is not a video
            width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
            if video is not None or width <= 0 or height <= 0:
                continue
            average, base = _rate(stream.get("avg_frame_rate")), _rate(stream.get("r_frame_rate"))
            frame_rate = average or base
            field_order = stream.get("field_order") or "progressive"
            interlaced = field_order not in ("progressive", "unknown")
            video = VideoStream(
                index=index,
                codec=str(stream.get("codec_name") or "unknown"),
                width=width,
                height=height,
                frame_rate=frame_rate if 0 < frame_rate < 1000 else 0.0,
                sample_aspect=_sample_aspect(stream),
                rotation=_rotation(stream),
                pix_fmt=str(stream.get("pix_fmt") or ""),
                interlaced=interlaced,
                variable_rate=_variable_rate(average, base, interlaced),
            )
            stream_durations.append(_float(stream.get("duration")))
        elif kind == "audio":
            channels = int(stream.get("channels") or 0)
            if channels <= 0:
                continue
            audio.append(
                AudioStream(
                    index=index,
                    codec=str(stream.get("codec_name") or "unknown"),
                    channels=channels,
                    sample_rate=int(_float(stream.get("sample_rate"))),
                    language=tags.get("language", ""),
                    title=tags.get("title", ""),
                )
            )
            stream_durations.append(_float(stream.get("duration")))
        elif kind == "subtitle":
            subtitles.append(
                SubtitleStream(
                    index=index,
                    codec=str(stream.get("codec_name") or "unknown"),
                    language=tags.get("language", ""),
                    title=tags.get("title", ""),
                )
            )
    duration = _float(fmt.get("duration")) or max(stream_durations, default=0.0)
    return MediaInfo(
        path=path,
        size=size,
        duration=duration,
        format_name=str(fmt.get("format_name") or ""),
        start_time=_float(fmt.get("start_time")),
        video=video,
        audio=tuple(audio),
        subtitles=tuple(subtitles),
    )


def check_readable(path: str) -> Path:
    """Refuse paths that cannot be a video before any tool runs."""
    file = Path(path)
    name = file.name or str(file)
    if not file.exists():
        raise InputError(f"{name} does not exist.")
    if file.is_dir():
        raise InputError(f"{name} is a folder, not a video file.")
    if not file.is_file():
        raise InputError(f"{name} is not a regular file.")
    try:
        with file.open("rb") as handle:
            head = handle.read(1)
    except PermissionError as exc:
        raise InputError(f"{name} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if not head:
        raise InputError(f"{name} is empty.")
    return file.resolve()


def probe_command(ffprobe: str, path: str) -> list[str]:
    return [
        ffprobe,
        "-v", "error",  # only real problems on stderr
        "-print_format", "json",
        "-show_format",
        "-show_streams",
        # "file:" keeps names with a colon from being read as a protocol.
        "-i", "file:" + path,
    ]  # fmt: skip


def parse_decoders(text: str) -> dict[str, frozenset[str]]:
    """``ffprobe -decoders`` output -> video codec name -> the decoders ffmpeg has for it."""
    found: dict[str, set[str]] = {}
    listing = False
    for line in text.splitlines():
        if line.strip() == "------":
            listing = True
            continue
        parts = line.split(None, 2)
        if not listing or len(parts) < 2 or not parts[0].startswith("V"):
            continue
        # A decoder named unlike its codec says which one: "... (codec av1)".
        named = re.search(r"\(codec (\S+)\)\s*$", parts[2] if len(parts) > 2 else "")
        found.setdefault(named.group(1) if named else parts[1], set()).add(parts[1])
    return {codec: frozenset(names) for codec, names in found.items()}


@functools.lru_cache(maxsize=4)
def video_decoders(ffprobe: str) -> dict[str, frozenset[str]]:
    """The video decoders of this ffprobe's libraries (empty if they cannot be listed)."""
    try:
        done = subprocess.run(
            [ffprobe, "-hide_banner", "-decoders"],
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return parse_decoders(done.stdout.decode("utf-8", "replace"))


def can_decode(decoders: dict[str, frozenset[str]], codec: str) -> bool:
    """Has ffmpeg a software decoder for ``codec``? (True when the list is unknown.)"""
    if not decoders:
        return True
    return any(
        name not in HARDWARE_ONLY_DECODERS and not name.endswith(HARDWARE_DECODER_SUFFIXES)
        for name in decoders.get(codec, ())
    )


def keyframe_scan_command(ffprobe: str, path: str, index: int) -> list[str]:
    return [
        ffprobe,
        "-v", "error",
        "-select_streams", str(index),  # the video stream only
        "-read_intervals", f"%+#{KEYFRAME_SCAN_PACKETS}",  # its first packets, not decoded
        "-show_entries", "packet=pts_time,flags",
        "-print_format", "csv=p=0",
        "-i", "file:" + path,
    ]  # fmt: skip


def keyframe_gap(csv_text: str) -> float:
    """The longest keyframe gap in ``pts_time,flags`` lines (to the last packet too)."""
    keys: list[float] = []
    last = 0.0
    for line in csv_text.splitlines():
        fields = line.strip().split(",")
        time = _float(fields[0], default=-1.0)
        if len(fields) < 2 or time < 0:
            continue
        last = max(last, time)
        if any("K" in field for field in fields[1:]):  # flags, e.g. "K__"
            keys.append(time)
    if len(keys) < 2:
        return MAX_KEYFRAME_GAP_S  # one keyframe in all those packets: assume the worst
    keys.sort()
    gaps = [b - a for a, b in zip(keys, keys[1:], strict=False)] + [last - keys[-1]]
    return round(min(MAX_KEYFRAME_GAP_S, max(gaps)), 6)


def _scan_keyframes(ffprobe: str, path: str, index: int) -> float:
    command = keyframe_scan_command(ffprobe, path, index)
    logger.info("keyframe scan: %s", subprocess.list2cmdline(command))
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return MAX_KEYFRAME_GAP_S
    return keyframe_gap(done.stdout.decode("utf-8", "replace"))


def _starts_like_mp4(file: Path) -> bool:
    """Does the file begin with an MP4/MOV box (ftyp, mdat, ...)?"""
    try:
        with file.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head[4:8] in MP4_FIRST_BOXES


def probe(ffprobe: str, path: str) -> MediaInfo:
    """Probe a file and check that it has something to play."""
    file = check_readable(path)
    name = file.name
    command = probe_command(ffprobe, str(file))
    logger.info("probe: %s", subprocess.list2cmdline(command))
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{name} could not be read in {PROBE_TIMEOUT_S:.0f} seconds.") from exc
    except OSError as exc:
        raise ToolNotFoundError(
            f"ffprobe at {ffprobe} does not run ({exc.strerror or exc}): reinstall Viewra "
            "Desktop, or set VIEWRA_FFPROBE to the path of a working ffprobe."
        ) from exc
    stderr = done.stderr.decode("utf-8", "replace")
    try:
        data = json.loads(done.stdout.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError:
        data = {}
    format_name = str((data.get("format") or {}).get("format_name") or "")
    if done.returncode != 0 or not data.get("format") or format_name in NOT_VIDEO_FORMATS:
        if done.returncode != 0:
            check_tool("ffprobe", ffprobe)  # a broken ffprobe is not the file's fault
        if "moov atom not found" in stderr and _starts_like_mp4(file):
            # An MP4/MOV whose index was never written (ffprobe says the same of any
            # file named .mp4, so only files that begin like one are called damaged).
            raise InputError(
                f"{name} is damaged or incomplete: its index is missing, as when a recording "
                "or download was cut short.",
                details=stderr[-2000:],
            )
        raise InputError(
            f"{name} is not a video file Viewra Desktop can read.", details=stderr[-2000:]
        )
    info = parse_probe(data, path=str(file), size=os.path.getsize(file))
    if info.video is not None and _is_still_image(format_name):
        raise InputError(f"{name} is a picture, not a video.")
    if info.video is None:
        raise InputError(f"{name} has no video stream to play.", details=stderr[-2000:])
    if info.duration <= 0:
        raise InputError(
            f"{name} has no known duration; it may be truncated or damaged.",
            details=stderr[-2000:],
        )
    codec = info.video.codec
    if not can_decode(video_decoders(ffprobe), codec):
        # Refused now rather than as an encoder failure after the player has started.
        raise InputError(
            f"{name} is {codec.upper()} video, which the ffmpeg in use cannot decode.",
            details=f"no software decoder for {codec} in {ffprobe} -decoders",
        )
    if set(format_name.split(",")) & INEXACT_SEEK_FORMATS:
        gap = _scan_keyframes(ffprobe, str(file), info.video.index)
        info = dataclasses.replace(info, keyframe_gap=gap)
    return info
