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

from . import languages, tracks
from .color import Color, output_color
from .keys import Encryption
from .media import AudioStream, MediaInfo, SubtitleStream
from .numbering import Timeline
from .profiles import Profile
from .streams import StreamId, StreamKind, audio, text, video

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
class VideoRendition:
    """One video rendition: size, frame rate and rates of an H.264 encode."""

    stream: StreamId
    width: int
    height: int
    frame_rate: float  # output frames per second (0.0: keep the source timing)
    level: int  # H.264 level_idc, e.g. 40 for 4.0
    maxrate_kbps: int
    color: Color = Color()  # its tags, and the HDR transfer it is tone-mapped from

    @property
    def codecs(self) -> str:
        return f"avc1.6400{self.level:02x}"  # High profile, no constraint flags

    @property
    def bandwidth(self) -> int:
        """Peak bits per second, as manifests declare it."""
        return self.maxrate_kbps * 1000


@dataclass(frozen=True)
class AudioTrack:
    """One audio track of the source, encoded to AAC."""

    stream: StreamId
    source: AudioStream
    channels: int
    kbps: int
    label: str = ""  # its name in menus and manifests ("English 5.1")
    default: bool = False  # the track a player starts with unless told otherwise
    role: str = "main"  # DASH role: main, alternate, commentary, dub, description

    @property
    def language(self) -> str:
        """BCP 47 ("" when unknown)."""
        return languages.tag(self.source.language)

    @property
    def codecs(self) -> str:
        return "mp4a.40.2"  # AAC-LC

    @property
    def sample_rate(self) -> int:
        return AUDIO_RATE

    @property
    def bandwidth(self) -> int:
        return self.kbps * 1000


@dataclass(frozen=True)
class TextTrack:
    """A text subtitle track of the source, served as one WebVTT file."""

    stream: StreamId
    source: SubtitleStream
    label: str = ""

    @property
    def language(self) -> str:
        return languages.tag(self.source.language)

    @property
    def forced(self) -> bool:
        return self.source.forced


@dataclass(frozen=True)
class ImagePlan:
    """The thumbnail stream: one picture every ``interval`` seconds, in tiled sheets."""

    stream: StreamId
    interval: float
    width: int  # of one thumbnail
    height: int
    columns: int
    rows: int


@dataclass(frozen=True)
class Plan:
    media: MediaInfo
    profile: Profile
    timeline: Timeline
    video: tuple[VideoRendition, ...]
    audio: tuple[AudioTrack, ...] = ()
    text: tuple[TextTrack, ...] = ()
    image: ImagePlan | None = None
    burn_in: SubtitleStream | None = None  # picture subtitles drawn into the video
    encryption: Encryption | None = None  # the packager encrypts (a preview of encryption)

    @property
    def duration(self) -> float:
        return self.timeline.duration

    @property
    def grid(self) -> tuple[float, ...]:
        return self.timeline.grid

    @property
    def segmented(self) -> tuple[StreamId, ...]:
        """The streams runs encode into segments: video renditions, then audio tracks."""
        return tuple(v.stream for v in self.video) + tuple(a.stream for a in self.audio)

    @property
    def main_video(self) -> VideoRendition:
        return self.video[0]

    def count(self, stream: StreamId) -> int:
        """How many segments the manifests list for a segmented stream."""
        return self.timeline.count(stream.kind)

    def durations(self, stream: StreamId) -> list[float]:
        return self.timeline.durations(stream.kind)

    def rendition(self, stream: StreamId) -> VideoRendition:
        return next(v for v in self.video if v.stream == stream)

    def track(self, stream: StreamId) -> AudioTrack:
        return next(a for a in self.audio if a.stream == stream)

    def text_track(self, stream: StreamId) -> TextTrack:
        return next(t for t in self.text if t.stream == stream)


@dataclass(frozen=True)
class RunSpec:
    """The part of the timeline one ffmpeg + packager pair encodes, and how.

    ``first``..``last`` are video segment numbers (1-based; ``last`` None: to the end).
    ``low_delay``: each frame leaves the encoder as soon as it is coded (no lookahead, threads
    on slices rather than frames), for a run a player is waiting on: the first one, and one
    started by a seek. It costs some compression (no macroblock tree) but no speed.
    ``fast_start`` adds a quicker motion search for the first seconds. Neither touches the
    SPS/PPS, so every run shares one init segment.
    """

    first: int = 1
    last: int | None = None
    low_delay: bool = False
    fast_start: bool = False

    def start_time(self, timeline: Timeline) -> float:
        return timeline.grid[self.first - 1]

    def end_time(self, timeline: Timeline) -> float:
        if self.last is None:
            return timeline.duration
        return timeline.span(StreamKind.VIDEO, self.last)[1]

    def grid(self, timeline: Timeline) -> tuple[float, ...]:
        """This run's keyframe times, relative to its own start."""
        start = self.start_time(timeline)
        times = timeline.grid[self.first - 1 : self.last]
        return tuple(round(t - start, 6) for t in times)

    def first_number(self, timeline: Timeline, kind: StreamKind) -> int:
        """The timeline number of this run's first segment of a ``kind`` stream."""
        return timeline.first_from(kind, self.start_time(timeline))

    def last_number(self, timeline: Timeline, kind: StreamKind) -> int:
        """The last number it is to make (the packager may cut a sliver more from audio
        that runs past the run's end: that piece is not kept)."""
        if self.last is None:
            return timeline.count(kind)
        return timeline.last_before(kind, self.end_time(timeline))


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


def audio_tracks(media: MediaInfo, profile: Profile) -> tuple[AudioTrack, ...]:
    """Every audio track of the source, in its order, AAC at a rate for its channels."""
    default = tracks.default_audio(media.audio)
    labels = tracks.unique(
        [
            tracks.audio_label(source, tracks.output_channels(source.channels), number)
            for number, source in enumerate(media.audio, start=1)
        ]
    )
    made = []
    for index, (source, label) in enumerate(zip(media.audio, labels, strict=True)):
        channels = tracks.output_channels(source.channels)
        made.append(
            AudioTrack(
                stream=audio(index),
                source=source,
                channels=channels,
                # The profile's rate is for stereo: half for mono, 64 kb/s a channel more.
                kbps=profile.audio_kbps * channels // 2
                if channels != 1
                else profile.audio_kbps // 2,
                label=label,
                default=index == default,
                role=tracks.audio_role(source, index == default),
            )
        )
    return tuple(made)


def text_tracks(media: MediaInfo) -> tuple[TextTrack, ...]:
    """The source's text subtitle tracks (those that can become WebVTT), in its order."""
    sources = [s for s in media.subtitles if s.is_text]
    labels = tracks.unique([tracks.text_label(s, n) for n, s in enumerate(sources, start=1)])
    return tuple(
        TextTrack(text(index), source, label)
        for index, (source, label) in enumerate(zip(sources, labels, strict=True))
    )


def make_plan(media: MediaInfo, profile: Profile, burn_in: int | None = None) -> Plan:
    """The plan for ``media`` with ``profile``; ``burn_in``: the index of a picture subtitle
    stream (PGS, VobSub, DVB) to draw into the video."""
    source = media.video
    if source is None:
        raise ValueError("a plan needs a video stream")
    drawn = None
    if burn_in is not None:
        drawn = next((s for s in media.subtitles if s.index == burn_in and s.is_image), None)
        if drawn is None:
            raise ValueError(f"stream {burn_in} is not a picture subtitle track")
    width, height = output_size(source.display_size, profile.short_side)
    fps = source.frame_rate
    out_fps = MAX_FPS if fps > MAX_FPS + 0.5 else 0.0
    effective_fps = out_fps or fps
    maxrate = profile.maxrate_kbps or source_maxrate_kbps(width, height, effective_fps)
    rendition = VideoRendition(
        stream=video(0),
        width=width,
        height=height,
        frame_rate=out_fps,
        level=h264_level(width, height, effective_fps, maxrate),
        maxrate_kbps=maxrate,
        color=output_color(source),
    )
    return Plan(
        media=media,
        profile=profile,
        timeline=Timeline(make_grid(media.duration), media.duration, UNIT_S),
        video=(rendition,),
        audio=audio_tracks(media, profile),
        text=text_tracks(media),
        burn_in=drawn,
    )
