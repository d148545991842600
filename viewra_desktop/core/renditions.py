"""Video renditions: the rungs of a profile fitted to the source, with their encoder,
levels, rates and colour.

A rung is never bigger than the source: rungs above its size are left out (one is always
kept, at the source's size). Sizes keep the display aspect ratio, in even numbers. Each
rendition's level is the lowest that holds its picture rate and its rate cap; the codecs
string follows from it (``encoders.codecs_string``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import encoders
from .color import HDR_KEPT, Color, output_color
from .encoders import RateControl, VideoEncoder
from .media import VideoStream
from .profiles import Profile, Rung
from .streams import StreamId, video

MAX_FPS = 60.0

# H.264 levels: (level, max frame size in macroblocks, max macroblocks/s, max High kbps,
# max High CPB kbit). Other codecs' levels are mapped from these (encoders.codecs_string).
_LEVELS = (
    (30, 1620, 40500, 12500, 12500),
    (31, 3600, 108000, 17500, 17500),
    (32, 5120, 216000, 25000, 25000),
    (40, 8192, 245760, 25000, 31250),
    (41, 8192, 245760, 62500, 78125),
    (42, 8704, 522240, 62500, 78125),
    (50, 22080, 589824, 168750, 168750),
    (51, 36864, 983040, 300000, 300000),
    (52, 36864, 2073600, 300000, 300000),
    (60, 139264, 4177920, 300000, 300000),
)


@dataclass(frozen=True)
class VideoRendition:
    """One video rendition: size, frame rate, encoder, rates and colour."""

    stream: StreamId
    width: int
    height: int
    frame_rate: float  # output frames per second (0.0: keep the source timing)
    level: int  # H.264 level_idc scale, e.g. 40 for 4.0
    maxrate_kbps: int
    color: Color = Color()  # its tags, and the HDR transfer it is tone-mapped from
    encoder: VideoEncoder = VideoEncoder("h264", "libx264")
    crf: int | None = 22  # constant quality; None: ``bitrate_kbps``
    bitrate_kbps: int | None = None
    bufsize_kbps: int = 0  # 0: twice the cap

    @property
    def codec(self) -> str:
        return self.encoder.codec

    @property
    def ten_bit(self) -> bool:
        return self.color.tone_map is None and self.color.transfer in HDR_KEPT

    @property
    def codecs(self) -> str:
        return encoders.codecs_string(self.codec, self.level, self.ten_bit)

    @property
    def bandwidth(self) -> int:
        """Peak bits per second, as manifests declare it (until measured)."""
        return self.maxrate_kbps * 1000

    @property
    def rate(self) -> RateControl:
        return RateControl(
            self.crf,
            self.bitrate_kbps,
            self.maxrate_kbps,
            self.bufsize_kbps or 2 * self.maxrate_kbps,
        )

    @property
    def label(self) -> str:
        """Its name in the Quality menu: "720p", "1080p"."""
        return f"{min(self.width, self.height)}p"


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def output_size(display: tuple[int, int], short_side: int | None) -> tuple[int, int]:
    """Fit the display size into ``short_side``; never upscale; even numbers."""
    width, height = display
    short = min(width, height)
    if short_side is None or short <= short_side:
        return _even(width), _even(height)
    scale = short_side / short
    return _even(width * scale), _even(height * scale)


def h264_level(width: int, height: int, fps: float, maxrate_kbps: int) -> int:
    frame_mbs = math.ceil(width / 16) * math.ceil(height / 16)
    rate = frame_mbs * (fps or 30.0)
    for level, max_fs, max_mbps, max_kbps, max_cpb in _LEVELS:
        # ffmpeg_command's -bufsize is twice the maxrate: the level's buffer must hold it.
        buffer_fits = 2 * maxrate_kbps <= max_cpb
        if frame_mbs <= max_fs and rate <= max_mbps and maxrate_kbps <= max_kbps and buffer_fits:
            return level
    return _LEVELS[-1][0]


def source_maxrate_kbps(width: int, height: int, fps: float) -> int:
    """A cap derived from the picture: 8 Mb/s at 1080p30, scaled by pixels per second."""
    pixels = width * height * (fps or 30.0)
    return int(min(40000, max(1500, 8000 * pixels / (1920 * 1080 * 30))))


def fitting_rungs(display: tuple[int, int], rungs: tuple[Rung, ...]) -> list[Rung]:
    """The rungs no bigger than the source (the largest of them at least), each size once."""
    short = min(display)
    kept = [r for r in rungs if r.short_side is None or r.short_side <= short]
    if not kept:  # the source is smaller than every rung: the smallest, at its own size
        kept = [min(rungs, key=lambda r: r.short_side or 0)]
    seen: set[tuple[int, int]] = set()
    result = []
    for rung in kept:
        size = output_size(display, rung.short_side)
        if size not in seen:
            seen.add(size)
            result.append(rung)
    return result


def choose_encoder(profile: Profile, hardware: frozenset[str]) -> VideoEncoder:
    """The profile's hardware encoder if it works here (``hardware``: names that do), else
    the codec's software encoder."""
    if profile.hardware:
        families = encoders.HARDWARE_FAMILIES if profile.hardware == "auto" else (profile.hardware,)
        for family in families:
            name = encoders.hardware_name(profile.codec, family)
            if name in hardware:
                return VideoEncoder(profile.codec, name, family)
    return encoders.software(profile.codec)


def make_renditions(
    source: VideoStream, profile: Profile, hardware: frozenset[str] = frozenset()
) -> tuple[VideoRendition, ...]:
    fps = source.frame_rate
    out_fps = MAX_FPS if fps > MAX_FPS + 0.5 else 0.0
    effective_fps = out_fps or fps
    encoder = choose_encoder(profile, hardware)
    keep_hdr = profile.bit_depth == 10 and profile.codec in ("av1", "vp9") and not encoder.hardware
    color = output_color(source, keep_hdr)
    made = []
    for index, rung in enumerate(fitting_rungs(source.display_size, profile.rungs)):
        width, height = output_size(source.display_size, rung.short_side)
        maxrate = rung.maxrate_kbps or source_maxrate_kbps(width, height, effective_fps)
        made.append(
            VideoRendition(
                stream=video(index),
                width=width,
                height=height,
                frame_rate=out_fps,
                level=h264_level(width, height, effective_fps, maxrate),
                maxrate_kbps=maxrate,
                color=color,
                encoder=encoder,
                crf=profile.crf,
                bitrate_kbps=rung.bitrate_kbps,
                bufsize_kbps=rung.bufsize_kbps or 0,
            )
        )
    return tuple(made)
