"""What the Audio Track and Subtitles menus offer, and which tracks a video starts with.
Qt-free: pure functions of the session's tracks (``SessionInfo``) and of mpv's track list.

Audio: mpv lists every audio AdaptationSet of the MPD as a track, in manifest order, so the
n-th audio entry of its track list is the session's n-th ``AudioTrack``; the menu names it by
the session's label ("English 5.1"), once the languages agree. Subtitles: each text track is
a WebVTT file the window adds to mpv once it is ready (mpv lists it as an external track
whose file is its URL); a picture subtitle stream is a "Draw in" choice, which reopens the
file with it drawn into the video.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..core import languages, tracks
from ..core.media import SubtitleStream
from ..core.plan import AudioTrack, TextTrack

logger = logging.getLogger(__name__)

PREPARING = "(preparing…)"
OFF = "Off"
DRAW_IN = "Draw in: "


class MpvTrack(Protocol):
    """One entry of mpv's track list, as ``player.TrackInfo`` keeps it."""

    @property
    def id(self) -> int: ...
    @property
    def lang(self) -> str: ...
    @property
    def source(self) -> str: ...  # an external track's file or URL
    @property
    def selected(self) -> bool: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class AudioEntry:
    label: str
    track_id: int  # mpv's aid
    checked: bool


@dataclass(frozen=True)
class Pick:
    """What a subtitle entry asks for: a text track, a picture stream drawn in, or neither."""

    text: int | None = None  # index into SessionInfo.texts
    burn_in: int | None = None  # source stream index of a picture subtitle stream


@dataclass(frozen=True)
class SubtitleEntry:
    label: str
    pick: Pick
    checked: bool
    enabled: bool = True


def audio_matches(audio: Sequence[AudioTrack], mpv_audio: Sequence[MpvTrack]) -> bool:
    """Does mpv list the session's audio tracks, in their order (same count, same languages)?"""
    if len(audio) != len(mpv_audio):
        return False
    return all(
        languages.same(track.language, seen.lang) or not (track.language or seen.lang)
        for track, seen in zip(audio, mpv_audio, strict=True)
    )


def audio_entries(
    audio: Sequence[AudioTrack], mpv_audio: Sequence[MpvTrack]
) -> tuple[AudioEntry, ...]:
    """The audio menu: the session's labels where mpv's list matches them, else mpv's own."""
    if audio and audio_matches(audio, mpv_audio):
        labels = [track.label for track in audio]
    else:
        if audio and mpv_audio:
            logger.warning(
                "mpv's audio tracks %s do not match the session's %s: showing mpv's names",
                [t.lang for t in mpv_audio],
                [t.language for t in audio],
            )
        labels = [t.label for t in mpv_audio]
    return tuple(
        AudioEntry(label, t.id, t.selected) for label, t in zip(labels, mpv_audio, strict=True)
    )


def text_ids(urls: Sequence[str], mpv_subs: Sequence[MpvTrack]) -> list[int | None]:
    """mpv's id of each text track (by its WebVTT URL), None where not added yet."""
    by_source = {t.source: t.id for t in mpv_subs if t.source}
    return [by_source.get(url) for url in urls]


def picture_labels(pictures: Sequence[SubtitleStream]) -> list[str]:
    """ "Draw in: English (forced)" for each picture subtitle stream."""
    names = tracks.unique([tracks.text_label(s, n) for n, s in enumerate(pictures, start=1)])
    return [DRAW_IN + name for name in names]


def subtitle_entries(
    texts: Sequence[TextTrack],
    ids: Sequence[int | None],
    selected: int | None,
    pictures: Sequence[SubtitleStream],
    burn_in: int | None,
) -> tuple[SubtitleEntry, ...]:
    """The subtitle menu: Off, each text track (disabled while its file is prepared: ``ids``
    None), then the picture streams that can be drawn in. ``selected``: mpv's sid."""
    shown = next((i for i, sid in enumerate(ids) if sid is not None and sid == selected), None)
    entries = [SubtitleEntry(OFF, Pick(), shown is None and burn_in is None)]
    for index, (track, sid) in enumerate(zip(texts, ids, strict=True)):
        ready = sid is not None
        label = track.label if ready else f"{track.label} {PREPARING}"
        entries.append(SubtitleEntry(label, Pick(text=index), shown == index, ready))
    for stream, label in zip(pictures, picture_labels(pictures), strict=True):
        checked = stream.index == burn_in and shown is None
        entries.append(SubtitleEntry(label, Pick(burn_in=stream.index), checked))
    return tuple(entries)


def default_pick(
    audio: Sequence[AudioTrack],
    texts: Sequence[TextTrack],
    audio_language: str,
    text_language: str,
) -> tuple[int | None, Pick]:
    """The audio track (an index) and the subtitles a video starts with: the user's
    languages and the file's flags (``tracks.choose``; a forced track in the audio's language
    is on)."""
    choice = tracks.choose(
        [a.source for a in audio], [t.source for t in texts], audio_language, text_language
    )
    return choice.audio, Pick(text=choice.text)


def reopen_for(pick: Pick, burn_in: int | None) -> bool:
    """Does choosing ``pick`` need a new encode (drawing a picture stream in, or not)?"""
    return pick.burn_in != burn_in
