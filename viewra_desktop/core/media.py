"""What a source file holds: ``MediaInfo`` and its streams, read from ffprobe's JSON.

``parse_probe`` is pure (tests feed it recorded JSON); ``probe`` (in ``probe``) runs ffprobe.
Everything the plan needs is here: sizes and rates, colour, each audio and subtitle track's
language, title and flags (default, forced, commentary...), and the chapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Codecs with text cues that ffmpeg can convert to WebVTT.
TEXT_SUBTITLE_CODECS = frozenset(
    {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text", "microdvd", "subviewer"}
)
# Picture-based subtitles: they cannot become text, only be drawn into the picture.
IMAGE_SUBTITLE_CODECS = frozenset(
    {"hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle", "xsub", "dvb_teletext"}
)
PQ, HLG = "smpte2084", "arib-std-b67"  # ffprobe's names of the HDR transfer functions


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
    # Colour as ffprobe names it ("" when not tagged): primaries, transfer, matrix, range.
    color_primaries: str = ""
    color_transfer: str = ""
    color_space: str = ""
    color_range: str = ""

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown: aspect ratio applied, rotation applied."""
        width = round(self.width * self.sample_aspect) if self.sample_aspect > 0 else self.width
        height = self.height
        if abs(self.rotation) % 180 == 90:
            width, height = height, width
        return width, height

    @property
    def hdr(self) -> str | None:
        """The HDR transfer of the picture (``PQ`` for HDR10, ``HLG``), or None for SDR."""
        return self.color_transfer if self.color_transfer in (PQ, HLG) else None


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    channels: int
    sample_rate: int
    language: str = ""  # as tagged in the file (ISO 639-2 mostly: "eng", "fre")
    title: str = ""
    default: bool = False
    commentary: bool = False
    dub: bool = False
    original: bool = False
    descriptions: bool = False  # audio description, for the visually impaired


@dataclass(frozen=True)
class SubtitleStream:
    index: int
    codec: str
    language: str = ""
    title: str = ""
    default: bool = False
    forced: bool = False
    hearing_impaired: bool = False

    @property
    def is_text(self) -> bool:
        return self.codec in TEXT_SUBTITLE_CODECS

    @property
    def is_image(self) -> bool:
        return self.codec in IMAGE_SUBTITLE_CODECS


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds
    end: float
    title: str = ""


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
    chapters: tuple[Chapter, ...] = ()


def as_float(value: Any, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if result == result else default  # NaN guard


def _rate(text: str | None) -> float:
    if not text or text in ("0/0", "N/A"):
        return 0.0
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(value)


def _normal_angle(degrees: float) -> int:
    """An angle in (-180, 180]."""
    value = int(round(degrees)) % 360
    return value - 360 if value > 180 else value


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or ():
        if "rotation" in side:
            return _normal_angle(as_float(side["rotation"]))
    rotate = (stream.get("tags") or {}).get("rotate")
    if rotate is not None:
        # The old tag counts clockwise; the display matrix counter-clockwise.
        return _normal_angle(-as_float(rotate))
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


def _tags(entry: dict[str, Any]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (entry.get("tags") or {}).items()}


def _color(stream: dict[str, Any], key: str) -> str:
    value = str(stream.get(key) or "")
    return "" if value in ("unknown", "reserved", "unspecified") else value


def _video(stream: dict[str, Any], index: int) -> VideoStream | None:
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    if width <= 0 or height <= 0:
        return None
    average, base = _rate(stream.get("avg_frame_rate")), _rate(stream.get("r_frame_rate"))
    frame_rate = average or base
    field_order = stream.get("field_order") or "progressive"
    interlaced = field_order not in ("progressive", "unknown")
    return VideoStream(
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
        color_primaries=_color(stream, "color_primaries"),
        color_transfer=_color(stream, "color_transfer"),
        color_space=_color(stream, "color_space"),
        color_range=_color(stream, "color_range"),
    )


def _chapters(data: dict[str, Any]) -> tuple[Chapter, ...]:
    chapters = []
    for entry in data.get("chapters") or ():
        start, end = as_float(entry.get("start_time")), as_float(entry.get("end_time"))
        if end > start >= 0:
            chapters.append(Chapter(start, end, _tags(entry).get("title", "")))
    return tuple(sorted(chapters, key=lambda c: c.start))


def parse_probe(data: dict[str, Any], path: str = "", size: int = 0) -> MediaInfo:
    """Build ``MediaInfo`` from ``ffprobe -show_format -show_streams -show_chapters`` JSON."""
    fmt = data.get("format") or {}
    video: VideoStream | None = None
    audio: list[AudioStream] = []
    subtitles: list[SubtitleStream] = []
    stream_durations: list[float] = []
    for stream in data.get("streams") or []:
        kind = stream.get("codec_type")  # ffprobe's words: "video", "audio", "subtitle"
        flags = {k: bool(v) for k, v in (stream.get("disposition") or {}).items()}
        tags = _tags(stream)
        index = int(stream.get("index", 0))
        codec = str(stream.get("codec_name") or "unknown")
        if kind == "video":
            if flags.get("attached_pic") or flags.get("still_image") or video is not None:
                continue  # cover art is not a video; the first video stream is the one
            video = _video(stream, index)
            if video is not None:
                stream_durations.append(as_float(stream.get("duration")))
        elif kind == "audio":
            channels = int(stream.get("channels") or 0)
            if channels <= 0:
                continue
            audio.append(
                AudioStream(
                    index=index,
                    codec=codec,
                    channels=channels,
                    sample_rate=int(as_float(stream.get("sample_rate"))),
                    language=tags.get("language", ""),
                    title=tags.get("title", ""),
                    default=flags.get("default", False),
                    commentary=flags.get("comment", False),
                    dub=flags.get("dub", False),
                    original=flags.get("original", False),
                    descriptions=flags.get("visual_impaired", False),
                )
            )
            stream_durations.append(as_float(stream.get("duration")))
        elif kind == "subtitle":
            subtitles.append(
                SubtitleStream(
                    index=index,
                    codec=codec,
                    language=tags.get("language", ""),
                    title=tags.get("title", ""),
                    default=flags.get("default", False),
                    forced=flags.get("forced", False),
                    hearing_impaired=flags.get("hearing_impaired", False),
                )
            )
    duration = as_float(fmt.get("duration")) or max(stream_durations, default=0.0)
    return MediaInfo(
        path=path,
        size=size,
        duration=duration,
        format_name=str(fmt.get("format_name") or ""),
        start_time=as_float(fmt.get("start_time")),
        video=video,
        audio=tuple(audio),
        subtitles=tuple(subtitles),
        chapters=_chapters(data),
    )
