"""The player's manifests: a static DASH MPD and HLS VOD playlists listing every segment.

They are written from the plan before the first segment exists, so the player knows the
whole timeline (duration, seekability, end) from its first request. When the encode is
finished they are written again from the durations the packager reported, which makes the
folder a ready-to-publish package.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .plan import AUDIO_RATE, Plan

MPD_NAME = "manifest.mpd"
HLS_MASTER_NAME = "master.m3u8"
TIMESCALE = 1000  # manifest time in milliseconds


@dataclass(frozen=True)
class Track:
    """What a manifest says about one stream (``name`` is also its folder)."""

    name: str  # "video" or "audio"
    durations: tuple[float, ...]  # seconds, segment 1 first
    start_number: int = 1

    @property
    def playlist(self) -> str:
        return f"{self.name}.m3u8"

    @property
    def init(self) -> str:
        return f"{self.name}/init.mp4"

    def segment(self, number: int) -> str:
        return f"{self.name}/{number}.m4s"


def tracks_for(
    plan: Plan,
    video_durations: Sequence[float] | None = None,
    audio_durations: Sequence[float] | None = None,
) -> tuple[Track, Track | None]:
    video = Track("video", tuple(video_durations or plan.video_durations()))
    audio = None
    if plan.audio is not None:
        audio = Track("audio", tuple(audio_durations or plan.audio_durations()))
    return video, audio


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
        f'media="{track.name}/$Number$.m4s" startNumber="{track.start_number}">',
        f"{inner}<SegmentTimeline>",
        *(f"{inner}  {s}" for s in _timeline(track.durations)),
        f"{inner}</SegmentTimeline>",
        f"{indent}</SegmentTemplate>",
    ]


def render_mpd(plan: Plan, video: Track, audio: Track | None) -> str:
    duration = sum(video.durations)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        'profiles="urn:mpeg:dash:profile:isoff-live:2011" '
        f'mediaPresentationDuration="{_iso_duration(duration)}" minBufferTime="PT1S">',
        f'  <Period id="0" start="PT0S" duration="{_iso_duration(duration)}">',
        '    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" '
        'segmentAlignment="true" startWithSAP="1">',
        f'      <Representation id="video" bandwidth="{plan.bandwidth}" '
        f'codecs="{plan.video_codecs}" width="{plan.width}" height="{plan.height}" sar="1:1">',
        *_segment_template(video, "        "),
        "      </Representation>",
        "    </AdaptationSet>",
    ]
    if audio is not None and plan.audio is not None:
        lang = f" lang={quoteattr(plan.audio.language)}" if plan.audio.language else ""
        lines += [
            f'    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4"{lang} '
            'segmentAlignment="true" startWithSAP="1">',
            f'      <Representation id="audio" bandwidth="{plan.audio_kbps * 1000}" '
            f'codecs="{plan.audio_codecs}" audioSamplingRate="{AUDIO_RATE}">',
            "        <AudioChannelConfiguration "
            'schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" '
            f'value="{plan.audio_channels}"/>',
            *_segment_template(audio, "        "),
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


def render_master_playlist(plan: Plan, video: Track, audio: Track | None) -> str:
    codecs = plan.video_codecs
    bandwidth = plan.bandwidth
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    audio_attr = ""
    if audio is not None and plan.audio is not None:
        codecs += "," + plan.audio_codecs
        bandwidth += plan.audio_kbps * 1000
        # A language tag is letters, digits and '-'; anything else would break the quoting.
        tag = "".join(c for c in plan.audio.language if c.isalnum() or c == "-")
        lang = f',LANGUAGE="{tag}"' if tag else ""
        lines.append(
            f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio"{lang},DEFAULT=YES,'
            f'AUTOSELECT=YES,CHANNELS="{plan.audio_channels}",URI="{audio.playlist}"'
        )
        audio_attr = ',AUDIO="audio"'
    lines += [
        f'#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},CODECS="{codecs}",'
        f"RESOLUTION={plan.width}x{plan.height}{audio_attr}",
        video.playlist,
        "",
    ]
    return "\n".join(lines)


def render_all(plan: Plan, video: Track, audio: Track | None) -> dict[str, str]:
    """File name -> text, for every manifest of the session."""
    files = {
        MPD_NAME: render_mpd(plan, video, audio),
        HLS_MASTER_NAME: render_master_playlist(plan, video, audio),
        video.playlist: render_media_playlist(video),
    }
    if audio is not None:
        files[audio.playlist] = render_media_playlist(audio)
    return files


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a published package must be readable
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_manifests(folder: Path, plan: Plan, video: Track, audio: Track | None) -> None:
    for name, text in render_all(plan, video, audio).items():
        write_atomically(folder / name, text.encode("utf-8"))
