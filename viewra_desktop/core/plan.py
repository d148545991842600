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

from . import encoders, languages, tracks
from .keys import Encryption
from .media import AudioStream, MediaInfo, SubtitleStream
from .numbering import Timeline
from .profiles import Profile
from .renditions import VideoRendition, make_renditions
from .streams import IMAGE, StreamId, StreamKind, audio, text

UNIT_S = 0.5  # packager --segment_duration; every grid time is a multiple of it
FIRST_SEGMENTS_S = (0.5, 0.5)  # short first segments for a fast start
SEGMENT_S = 1.0  # then regular segments: short, so a seek restarts fast
MIN_TAIL_S = 0.1  # a last video segment shorter than this is merged into the one before
MAX_FPS = 60.0
AUDIO_RATE = 48000
# Thumbnails: Jellyfin's defaults (one picture every 10 s, 320 px wide, 10x10 sheets), with
# pictures closer together in short videos so that they still have a few dozen.
THUMBNAIL_INTERVAL_S = 10.0
THUMBNAIL_MIN_PICTURES = 60
THUMBNAIL_WIDTH = 320
THUMBNAIL_TILES = (10, 10)  # columns, rows


@dataclass(frozen=True)
class AudioTrack:
    """One audio track of the source, encoded to AAC or Opus."""

    stream: StreamId
    source: AudioStream
    channels: int
    kbps: int
    label: str = ""  # its name in menus and manifests ("English 5.1")
    default: bool = False  # the track a player starts with unless told otherwise
    role: str = "main"  # DASH role: main, alternate, commentary, dub, description
    codec: str = "aac"

    @property
    def language(self) -> str:
        """BCP 47 ("" when unknown)."""
        return languages.tag(self.source.language)

    @property
    def codecs(self) -> str:
        return encoders.audio_codecs_string(self.codec)

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

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def sheet_span(self) -> float:
        """Seconds of the timeline one sheet covers."""
        return self.interval * self.per_sheet

    def slots(self, duration: float) -> int:
        """How many thumbnails a timeline of ``duration`` seconds has (slot k: k * interval)."""
        return max(1, math.ceil(duration / self.interval - 1e-6))

    def sheets(self, duration: float) -> int:
        return math.ceil(self.slots(duration) / self.per_sheet)


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
    notes: tuple[str, ...] = ()  # what the user should know: a track left out, an encoder
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
    SPS/PPS, so every run shares one init segment. ``streams``: a ladder's run may make one
    rendition and the audio (the one played), or the other renditions.
    """

    first: int = 1
    last: int | None = None
    low_delay: bool = False
    fast_start: bool = False
    streams: tuple[StreamId, ...] = ()  # the streams it makes; (): all of the plan's

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
                codec=profile.audio_codec,
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


def make_plan(
    media: MediaInfo,
    profile: Profile,
    burn_in: int | None = None,
    hardware: frozenset[str] = frozenset(),
) -> Plan:
    """The plan for ``media`` with ``profile``; ``burn_in``: the index of a picture subtitle
    stream (PGS, VobSub, DVB) to draw into the video; ``hardware``: the hardware encoders
    that work here (``hardware.working``), for a profile that asks for one."""
    source = media.video
    if source is None:
        raise ValueError("a plan needs a video stream")
    drawn = None
    if burn_in is not None:
        drawn = next((s for s in media.subtitles if s.index == burn_in and s.is_image), None)
        if drawn is None:
            raise ValueError(f"stream {burn_in} is not a picture subtitle track")
    renditions = make_renditions(source, profile, hardware)
    notes = tracks.left_out(media.subtitles)
    encoder = renditions[0].encoder
    if profile.hardware and not encoder.hardware:
        asked = "hardware" if profile.hardware == "auto" else profile.hardware.upper()
        notes.append(
            f"No {asked} encoder works on this machine for {profile.codec.upper()}: "
            f"encoding with {encoder.name} instead."
        )
    return Plan(
        media=media,
        profile=profile,
        timeline=Timeline(make_grid(media.duration), media.duration, UNIT_S),
        video=renditions,
        audio=audio_tracks(media, profile),
        text=text_tracks(media),
        burn_in=drawn,
        notes=tuple(notes),
        image=image_plan(source.display_size, media.duration),
    )


def image_plan(display: tuple[int, int], duration: float) -> ImagePlan:
    """Thumbnails of a video of this display size and length."""
    interval = min(THUMBNAIL_INTERVAL_S, max(1.0, float(duration // THUMBNAIL_MIN_PICTURES)))
    width, height = display

    def even(value: float) -> int:  # JPEG's 4:2:0 wants even sizes
        return max(2, int(round(value / 2)) * 2)

    thumb_width = min(THUMBNAIL_WIDTH, even(width))
    thumb_height = even(thumb_width * height / width)
    return ImagePlan(IMAGE, interval, thumb_width, thumb_height, *THUMBNAIL_TILES)
