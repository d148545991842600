"""The player's manifests: a static DASH MPD and HLS VOD playlists listing every segment.

They are written from the plan before the first segment exists, so the player knows the
whole timeline (duration, seekability, end) from its first request. When the encode is
finished they are written again from the durations the packager reported, which makes the
folder a ready-to-publish package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from . import layout
from .files import write_atomically
from .media import Chapter
from .plan import Plan, TextTrack
from .streams import StreamId, StreamKind
from .tracks import choose

TIMESCALE = 1000  # manifest time in milliseconds


@dataclass(frozen=True)
class Track:
    """What a manifest says about one segmented stream: its segments' durations."""

    stream: StreamId
    durations: tuple[float, ...]  # seconds, segment ``start_number`` first
    start_number: int = 1

    @property
    def playlist(self) -> str:
        return layout.playlist(self.stream)

    @property
    def init(self) -> str:
        return layout.init(self.stream)

    def segment(self, number: int) -> str:
        return layout.segment(self.stream, number)


def tracks_for(
    plan: Plan, durations: Mapping[StreamId, Sequence[float]] | None = None
) -> tuple[Track, ...]:
    """A track per segmented stream of the plan: the planned durations, or ``durations``."""
    known = durations or {}
    return tuple(
        Track(stream, tuple(known.get(stream) or plan.durations(stream)))
        for stream in plan.segmented
    )


def _of_kind(tracks: Sequence[Track], kind: StreamKind) -> list[Track]:
    return [t for t in tracks if t.stream.kind is kind]


def _iso_duration(seconds: float) -> str:
    return f"PT{seconds:.3f}S"


def _timeline(durations: Sequence[float]) -> list[str]:
    """<S> elements, in milliseconds, with runs of equal durations folded into r=."""
    edges = [0]
    total = 0.0
    for duration in durations:
        total += duration
        edges.append(round(total * TIMESCALE))
    runs: list[list[int]] = []  # [start, duration, repeat]
    for start, end in zip(edges, edges[1:], strict=False):
        length = end - start
        if runs and runs[-1][1] == length:
            runs[-1][2] += 1
        else:
            runs.append([start, length, 0])
    lines = []
    for start, length, repeat in runs:
        extra = f' r="{repeat}"' if repeat else ""
        lines.append(f'<S t="{start}" d="{length}"{extra}/>')
    return lines


def _segment_template(track: Track, indent: str) -> list[str]:
    inner = indent + "  "
    return [
        f'{indent}<SegmentTemplate timescale="{TIMESCALE}" initialization="{track.init}" '
        f'media="{layout.segment_template(track.stream)}" startNumber="{track.start_number}">',
        f"{inner}<SegmentTimeline>",
        *(f"{inner}  {s}" for s in _timeline(track.durations)),
        f"{inner}</SegmentTimeline>",
        f"{indent}</SegmentTemplate>",
    ]


def _duration(tracks: Sequence[Track]) -> float:
    """The presentation's length: that of its (first) video."""
    return sum(_of_kind(tracks, StreamKind.VIDEO)[0].durations)


def _adaptation_set(number: int, kind: StreamKind, attributes: str = "") -> str:
    word = layout.media_type(kind)
    return (
        f'    <AdaptationSet id="{number}" contentType="{word}" mimeType="{word}/mp4"'
        f'{attributes} segmentAlignment="true" startWithSAP="1">'
    )


def _role_and_label(role: str, label: str) -> list[str]:
    return [
        f'      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="{role}"/>',
        f"      <Label>{escape(label)}</Label>",
    ]


def render_mpd(plan: Plan, tracks: Sequence[Track], texts: Sequence[TextTrack] = ()) -> str:
    duration = _duration(tracks)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        'profiles="urn:mpeg:dash:profile:isoff-live:2011" '
        f'mediaPresentationDuration="{_iso_duration(duration)}" minBufferTime="PT1S">',
        f'  <Period id="0" start="PT0S" duration="{_iso_duration(duration)}">',
        _adaptation_set(0, StreamKind.VIDEO),
    ]
    for track in _of_kind(tracks, StreamKind.VIDEO):
        video = plan.rendition(track.stream)
        lines += [
            f'      <Representation id="{layout.name(track.stream)}" '
            f'bandwidth="{video.bandwidth}" codecs="{video.codecs}" '
            f'width="{video.width}" height="{video.height}" sar="1:1">',
            *_segment_template(track, "        "),
            "      </Representation>",
        ]
    lines.append("    </AdaptationSet>")
    number = 0
    for number, track in enumerate(_of_kind(tracks, StreamKind.AUDIO), start=1):
        audio = plan.track(track.stream)
        lang = f" lang={quoteattr(audio.language)}" if audio.language else ""
        lines += [
            _adaptation_set(number, StreamKind.AUDIO, lang),
            *_role_and_label(audio.role, audio.label),
            f'      <Representation id="{layout.name(track.stream)}" '
            f'bandwidth="{audio.bandwidth}" codecs="{audio.codecs}" '
            f'audioSamplingRate="{audio.sample_rate}">',
            "        <AudioChannelConfiguration "
            'schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" '
            f'value="{audio.channels}"/>',
            *_segment_template(track, "        "),
            "      </Representation>",
            "    </AdaptationSet>",
        ]
    for set_id, text in enumerate(texts, start=number + 1):
        # A whole WebVTT file per track (a "sidecar"): what every DASH player reads.
        lang = f" lang={quoteattr(text.language)}" if text.language else ""
        lines += [
            f'    <AdaptationSet id="{set_id}" contentType="text" mimeType="text/vtt"{lang}>',
            *_role_and_label("forced-subtitle" if text.forced else "subtitle", text.label),
            f'      <Representation id="{layout.name(text.stream)}" bandwidth="{TEXT_BANDWIDTH}">',
            f"        <BaseURL>{layout.text_file(text.stream)}</BaseURL>",
            "      </Representation>",
            "    </AdaptationSet>",
        ]
    lines += ["  </Period>", "</MPD>", ""]
    return "\n".join(lines)


def render_media_playlist(track: Track) -> str:
    # EXT-X-TARGETDURATION: every EXTINF as written (3 decimals), rounded to the nearest
    # integer, must not exceed it.
    written = [float(f"{d:.3f}") for d in track.durations]
    target = max(1, max((math.floor(d + 0.5) for d in written), default=1))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        f"#EXT-X-MEDIA-SEQUENCE:{track.start_number}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f'#EXT-X-MAP:URI="{track.init}"',
    ]
    for offset, duration in enumerate(track.durations):
        lines += [f"#EXTINF:{duration:.3f},", track.segment(track.start_number + offset)]
    lines += ["#EXT-X-ENDLIST", ""]
    return "\n".join(lines)


AUDIO_GROUP = layout.media_type(StreamKind.AUDIO)  # the HLS group of every audio rendition
TEXT_GROUP = "subs"
TEXT_BANDWIDTH = 1000  # bits per second a WebVTT track is declared at (it is tiny)
# HLS CHARACTERISTICS of accessible tracks (Apple's UTIs).
DESCRIBES_VIDEO = "public.accessibility.describes-video"
TRANSCRIBES = (
    "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"
)


def _quoted(text: str) -> str:
    """An HLS quoted-string: no double quote, no line break."""
    return '"' + text.replace('"', "'").replace("\n", " ").replace("\r", " ") + '"'


def _language(tag: str) -> str:
    return f",LANGUAGE={_quoted(tag)}" if tag else ""


def _default_text(plan: Plan, texts: Sequence[TextTrack]) -> TextTrack | None:
    """The text track shown by default: a forced one in the default audio's language."""
    choice = choose([a.source for a in plan.audio], [t.source for t in texts])
    return texts[choice.text] if choice.text is not None else None


def render_master_playlist(
    plan: Plan, tracks: Sequence[Track], texts: Sequence[TextTrack] = ()
) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    audio_tracks = [plan.track(t.stream) for t in _of_kind(tracks, StreamKind.AUDIO)]
    for audio in audio_tracks:
        automatic = audio.role not in ("commentary", "description")
        characteristics = (
            f",CHARACTERISTICS={_quoted(DESCRIBES_VIDEO)}" if audio.role == "description" else ""
        )
        lines.append(
            f"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID={_quoted(AUDIO_GROUP)},NAME={_quoted(audio.label)}"
            f"{_language(audio.language)},DEFAULT={'YES' if audio.default else 'NO'},"
            f"AUTOSELECT={'YES' if automatic else 'NO'}{characteristics},"
            f'CHANNELS="{audio.channels}",URI={_quoted(layout.playlist(audio.stream))}'
        )
    shown = _default_text(plan, texts)
    for text in texts:
        forced = "YES" if text.forced else "NO"
        characteristics = (
            f",CHARACTERISTICS={_quoted(TRANSCRIBES)}" if text.source.hearing_impaired else ""
        )
        lines.append(
            f"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID={_quoted(TEXT_GROUP)},NAME={_quoted(text.label)}"
            f"{_language(text.language)},DEFAULT={'YES' if text is shown else 'NO'},"
            f"AUTOSELECT=YES,FORCED={forced}{characteristics},"
            f"URI={_quoted(layout.playlist(text.stream))}"
        )
    audio_codecs = sorted({a.codecs for a in audio_tracks})
    audio_bandwidth = max((a.bandwidth for a in audio_tracks), default=0)
    groups = f",AUDIO={_quoted(AUDIO_GROUP)}" if audio_tracks else ""
    groups += f",SUBTITLES={_quoted(TEXT_GROUP)}" if texts else ""
    for track in _of_kind(tracks, StreamKind.VIDEO):
        video = plan.rendition(track.stream)
        codecs = ",".join([video.codecs, *audio_codecs])
        lines += [
            f'#EXT-X-STREAM-INF:BANDWIDTH={video.bandwidth + audio_bandwidth},CODECS="{codecs}",'
            f"RESOLUTION={video.width}x{video.height}{groups}",
            track.playlist,
        ]
    lines.append("")
    return "\n".join(lines)


def render_text_playlist(text: TextTrack, duration: float) -> str:
    """An HLS media playlist of one text track: its whole WebVTT file as one segment."""
    return "\n".join(
        [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
            "#EXT-X-MEDIA-SEQUENCE:1",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{duration:.3f},",
            layout.text_file(text.stream),
            "#EXT-X-ENDLIST",
            "",
        ]
    )


def render_chapters(chapters: Sequence[Chapter]) -> str:
    """A WebVTT chapters file."""
    lines = ["WEBVTT", ""]
    for number, chapter in enumerate(chapters, start=1):
        title = " ".join(chapter.title.split()) or f"Chapter {number}"
        lines += [str(number), f"{vtt_time(chapter.start)} --> {vtt_time(chapter.end)}", title, ""]
    return "\n".join(lines)


def vtt_time(seconds: float) -> str:
    millis = round(max(0.0, seconds) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def render_all(
    plan: Plan, tracks: Sequence[Track], texts: Sequence[TextTrack] | None = None
) -> dict[str, str]:
    """File name -> text, for every manifest of the session. ``texts``: the text tracks to
    list (all the plan's by default; the finished package lists only those that converted)."""
    texts = plan.text if texts is None else texts
    files = {
        layout.MPD: render_mpd(plan, tracks, texts),
        layout.HLS_MASTER: render_master_playlist(plan, tracks, texts),
    }
    for track in tracks:
        files[track.playlist] = render_media_playlist(track)
    duration = _duration(tracks)
    for text in texts:
        files[layout.playlist(text.stream)] = render_text_playlist(text, duration)
    if plan.media.chapters:
        files[layout.CHAPTERS] = render_chapters(plan.media.chapters)
    return files


def write_manifests(
    folder: Path, plan: Plan, tracks: Sequence[Track], texts: Sequence[TextTrack] | None = None
) -> None:
    for name, text in render_all(plan, tracks, texts).items():
        write_atomically(folder / name, text.encode("utf-8"))
