"""The plan: output size, rates and the segment grid, fixed before encoding starts.

The grid is what makes a complete VOD manifest possible up front. Video keyframes are forced
on it, so every video segment starts exactly at a grid time. The packager cuts a segment at
the first keyframe of each new ``unit``-long bucket, so every grid time must be a multiple of
``unit``; audio (every frame a keyframe) is cut on every bucket, so audio segments are one
``unit`` long each.

The first segments are short because the first segment's length is the main lever on the
time to the first frame; after them segments are ``SEGMENT_S`` long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .probe import AudioStream, MediaInfo
from .profiles import Profile

UNIT_S = 0.5  # packager --segment_duration; every grid time is a multiple of it
FIRST_SEGMENTS_S = (0.5, 0.5)  # short first segments for a fast start
SEGMENT_S = 1.0  # then regular segments: short, so a seek restarts fast
MIN_TAIL_S = 0.1  # a last video segment shorter than this is merged into the one before
MAX_FPS = 60.0
AUDIO_RATE = 48000

# H.264 levels: (level, max frame size in macroblocks, max macroblocks/s, max High kbps,
# max High CPB kbit).
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
class Plan:
    media: MediaInfo
    profile: Profile
    width: int
    height: int
    frame_rate: float  # output frames per second (0.0: keep the source timing)
    level: int  # H.264 level_idc, e.g. 40 for 4.0
    maxrate_kbps: int
    grid: tuple[float, ...]  # start time of every video segment, grid[0] == 0.0
    duration: float
    audio: AudioStream | None
    audio_channels: int
    unit: float = UNIT_S

    @property
    def video_segments(self) -> int:
        return len(self.grid)

    @property
    def audio_segments(self) -> int:
        if self.audio is None:
            return 0
        return max(1, math.ceil(self.duration / self.unit - 1e-6))

    def video_segment_span(self, number: int) -> tuple[float, float]:
        """(start, end) in seconds of video segment ``number`` (1-based, like the packager)."""
        start = self.grid[number - 1]
        end = self.grid[number] if number < len(self.grid) else self.duration
        return start, end

    def audio_segment_span(self, number: int) -> tuple[float, float]:
        start = (number - 1) * self.unit
        return start, min(self.duration, number * self.unit)

    def video_durations(self) -> list[float]:
        return [b - a for a, b in map(self.video_segment_span, range(1, len(self.grid) + 1))]

    def audio_durations(self) -> list[float]:
        return [b - a for a, b in map(self.audio_segment_span, range(1, self.audio_segments + 1))]

    @property
    def video_codecs(self) -> str:
        return f"avc1.6400{self.level:02x}"  # High profile, no constraint flags

    @property
    def audio_codecs(self) -> str:
        return "mp4a.40.2"  # AAC-LC

    @property
    def audio_kbps(self) -> int:
        return self.profile.audio_kbps if self.audio_channels > 1 else self.profile.audio_kbps // 2

    @property
    def bandwidth(self) -> int:
        """Peak bits per second of the video, as manifests declare it."""
        return self.maxrate_kbps * 1000


def make_grid(duration: float) -> tuple[float, ...]:
    """Segment start times: the short first segments, then regular ones."""
    grid = [0.0]
    steps = list(FIRST_SEGMENTS_S)
    while True:
        step = steps.pop(0) if steps else SEGMENT_S
        nxt = round(grid[-1] + step, 6)
        if nxt >= duration - MIN_TAIL_S:
            return tuple(grid)
        grid.append(nxt)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def output_size(display: tuple[int, int], short_side: int | None) -> tuple[int, int]:
    """Fit the display size into the profile's short side; never upscale; even numbers."""
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
    """A cap for the source profile: 8 Mb/s at 1080p30, scaled by pixels per second."""
    pixels = width * height * (fps or 30.0)
    return int(min(40000, max(1500, 8000 * pixels / (1920 * 1080 * 30))))


def make_plan(media: MediaInfo, profile: Profile, audio_index: int = 0) -> Plan:
    video = media.video
    if video is None:
        raise ValueError("a plan needs a video stream")
    width, height = output_size(video.display_size, profile.short_side)
    fps = video.frame_rate
    out_fps = MAX_FPS if fps > MAX_FPS + 0.5 else 0.0
    effective_fps = out_fps or fps
    maxrate = profile.maxrate_kbps or source_maxrate_kbps(width, height, effective_fps)
    audio = media.audio[audio_index] if len(media.audio) > audio_index else None
    return Plan(
        media=media,
        profile=profile,
        width=width,
        height=height,
        frame_rate=out_fps,
        level=h264_level(width, height, effective_fps, maxrate),
        maxrate_kbps=maxrate,
        grid=make_grid(media.duration),
        duration=media.duration,
        audio=audio,
        audio_channels=min(2, audio.channels) if audio else 0,
    )
