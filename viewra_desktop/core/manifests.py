"""The player's manifests: a static DASH MPD and HLS VOD playlists listing every segment.

They are written from the plan before the first segment exists, so the player knows the
whole timeline (duration, seekability, end) from its first request. When the encode is
finished they are written again from the durations the packager reported, which makes the
folder a ready-to-publish package.

The thumbnail sheets are listed up front too (an image AdaptationSet with the DASH-IF
``thumbnail_tile`` property; an HLS image playlist), every sheet the plan will make: a player
reads a static manifest once, so a list of only the sheets made so far would stay short. The
server holds a request for a sheet until it is made, as it does for segments.
"""

from __future__ import annotations

import html  # escape: xml.sax.saxutils's imports urllib.request (HTTP, TLS): ~20 ms a start
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .files import write_atomically
from .media import Chapter
from .plan import ImagePlan, Plan, TextTrack
from .streams import IMAGE, StreamId, StreamKind
from .tracks import choose

TIMESCALE = 1000  # manifest time in milliseconds
THUMBNAIL_TILE = "http://dashif.org/guidelines/thumbnail_tile"  # DASH-IF IOP 6.2.6
THUMBNAIL_BITS = 64_000  # about what one 320 px JPEG thumbnail weighs, for BANDWIDTH


@dataclass(frozen=True)
class Track:
    """What a manifest says about one segmented stream: its segments' durations."""

    stream: StreamId
    durations: tuple[float, ...]  # seconds, segment ``start_number`` first
    start_number: int = 1
    sizes: tuple[int, ...] = ()  # bytes of each segment, once they are all made

    def measured(self) -> tuple[int, int] | None:
        """(peak, average) bits per second of its segments, when their sizes are known."""
        if not self.sizes or len(self.sizes) != len(self.durations):
            return None
        rates = [8 * b / d for b, d in zip(self.sizes, self.durations, strict=True) if d > 0]
        average = 8 * sum(self.sizes) / max(sum(self.durations), 1e-9)
        return round(max(rates, default=average)), round(average)

    @property
    def playlist(self) -> str:
        return layout.playlist(self.stream)

    @property
    def init(self) -> str:
        return layout.init(self.stream)

    def segment(self, number: int) -> str:
        return layout.segment(self.stream, number)


def tracks_for(
    plan: Plan,
    durations: Mapping[StreamId, Sequence[float]] | None = None,
    sizes: Mapping[StreamId, Sequence[int]] | None = None,
) -> tuple[Track, ...]:
    """A track per segmented stream of the plan: the planned durations, or ``durations``
    (and the segments' ``sizes``, which give the measured bandwidths)."""
    known, bytes_ = durations or {}, sizes or {}
    return tuple(
        Track(
            stream,
            tuple(known.get(stream) or plan.durations(stream)),
            1,
            tuple(bytes_.get(stream, ())),
        )  # fmt: skip
        for stream in plan.segmented
    )


def _bandwidths(plan: Plan, track: Track) -> tuple[int, int]:
    """(peak, average) bits per second: measured from the segments, else from the plan."""
    measured = track.measured()
    if measured is not None:
        return measured
    if track.stream.kind is StreamKind.VIDEO:
        video = plan.rendition(track.stream)
        average = 1000 * (video.bitrate_kbps or video.maxrate_kbps // 2)
        return video.bandwidth, average
    audio = plan.track(track.stream)
    return audio.bandwidth, audio.bandwidth


def _frame_rate(plan: Plan) -> float:
    video = plan.main_video
    return video.frame_rate or (plan.media.video.frame_rate if plan.media.video else 0.0)


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
        f"      <Label>{html.escape(label, quote=False)}</Label>",
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
    rate = f' frameRate="{_frame_rate(plan):.3f}"' if _frame_rate(plan) else ""
    for track in _of_kind(tracks, StreamKind.VIDEO):
        video = plan.rendition(track.stream)
        lines += [
            f'      <Representation id="{layout.name(track.stream)}" '
            f'bandwidth="{_bandwidths(plan, track)[0]}" codecs="{video.codecs}" '
            f'width="{video.width}" height="{video.height}"{rate} sar="1:1">',
            *_segment_template(track, "        "),
            "      </Representation>",
        ]
    lines.append("    </AdaptationSet>")
    number = 0
    for number, track in enumerate(_of_kind(tracks, StreamKind.AUDIO), start=1):
        audio = plan.track(track.stream)
        lang = f' lang="{html.escape(audio.language)}"' if audio.language else ""
        lines += [
            _adaptation_set(number, StreamKind.AUDIO, lang),
            *_role_and_label(audio.role, audio.label),
            f'      <Representation id="{layout.name(track.stream)}" '
            f'bandwidth="{_bandwidths(plan, track)[0]}" codecs="{audio.codecs}" '
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
        lang = f' lang="{html.escape(text.language)}"' if text.language else ""
        lines += [
            f'    <AdaptationSet id="{set_id}" contentType="text" mimeType="text/vtt"{lang}>',
            *_role_and_label("forced-subtitle" if text.forced else "subtitle", text.label),
            f'      <Representation id="{layout.name(text.stream)}" bandwidth="{TEXT_BANDWIDTH}">',
            f"        <BaseURL>{layout.text_file(text.stream)}</BaseURL>",
            "      </Representation>",
            "    </AdaptationSet>",
        ]
    if plan.image is not None:
        lines += _image_adaptation_set(plan.image, number + len(texts) + 1)
    lines += ["  </Period>", "</MPD>", ""]
    return "\n".join(lines)


def _image_bandwidth(image: ImagePlan) -> int:
    return round(THUMBNAIL_BITS / image.interval)


def _image_adaptation_set(image: ImagePlan, number: int) -> list[str]:
    """The thumbnail sheets: one "segment" per sheet, each ``sheet_span`` long; the
    Representation's size is that of a whole sheet."""
    span = round(image.sheet_span * TIMESCALE)
    return [
        f'    <AdaptationSet id="{number}" contentType="image" mimeType="image/jpeg">',
        f'      <SegmentTemplate timescale="{TIMESCALE}" duration="{span}" '
        f'media="{layout.image_template()}" startNumber="1"/>',
        f'      <Representation id="{layout.name(IMAGE)}" bandwidth="{_image_bandwidth(image)}" '
        f'width="{image.width * image.columns}" height="{image.height * image.rows}">',
        f'        <EssentialProperty schemeIdUri="{THUMBNAIL_TILE}" '
        f'value="{image.columns}x{image.rows}"/>',
        "      </Representation>",
        "    </AdaptationSet>",
    ]


def render_image_playlist(image: ImagePlan, duration: float) -> str:
    """The HLS image playlist: a sheet per entry, with its tiles' layout and duration."""
    sheets = image.sheets(duration)
    spans = [min(image.sheet_span, duration - n * image.sheet_span) for n in range(sheets)]
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, math.ceil(max(spans)))}",
        "#EXT-X-MEDIA-SEQUENCE:1",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-IMAGES-ONLY",
    ]
    for number, span in enumerate(spans, start=1):
        lines += [
            f"#EXTINF:{span:.3f},",
            f"#EXT-X-TILES:RESOLUTION={image.width}x{image.height},"
            f"LAYOUT={image.columns}x{image.rows},DURATION={image.interval:.3f}",
            layout.image_sheet(number),
        ]
    lines += ["#EXT-X-ENDLIST", ""]
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
    # A variant plays with any one of the audio renditions: count the largest.
    audio_rates = [_bandwidths(plan, t) for t in _of_kind(tracks, StreamKind.AUDIO)]
    audio_peak = max((peak for peak, _ in audio_rates), default=0)
    audio_average = max((average for _, average in audio_rates), default=0)
    groups = f",AUDIO={_quoted(AUDIO_GROUP)}" if audio_tracks else ""
    groups += f",SUBTITLES={_quoted(TEXT_GROUP)}" if texts else ""
    rate = f",FRAME-RATE={_frame_rate(plan):.3f}" if _frame_rate(plan) else ""
    for track in _of_kind(tracks, StreamKind.VIDEO):
        video = plan.rendition(track.stream)
        codecs = ",".join([video.codecs, *audio_codecs])
        peak, average = _bandwidths(plan, track)
        lines += [
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak + audio_peak},"
            f"AVERAGE-BANDWIDTH={average + audio_average},"
            f'CODECS="{codecs}",RESOLUTION={video.width}x{video.height}{rate}{groups}',
            track.playlist,
        ]
    if plan.image is not None:  # RESOLUTION: one thumbnail's (the sheet's is in the playlist)
        image = plan.image
        lines.append(
            f"#EXT-X-IMAGE-STREAM-INF:BANDWIDTH={_image_bandwidth(image)},"
            f'RESOLUTION={image.width}x{image.height},CODECS="jpeg",'
            f'URI="{layout.playlist(IMAGE)}"'
        )
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
    if plan.image is not None:
        files[layout.playlist(IMAGE)] = render_image_playlist(plan.image, _duration(tracks))
    return files


def write_manifests(
    folder: Path, plan: Plan, tracks: Sequence[Track], texts: Sequence[TextTrack] | None = None
) -> None:
    for name, text in render_all(plan, tracks, texts).items():
        write_atomically(folder / name, text.encode("utf-8"))
