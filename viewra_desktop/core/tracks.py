"""How tracks are named, what role they play, and which play by default. Pure.

The window's menus, the HLS NAME and the DASH Label all use ``audio_label`` and
``text_label``: "English 5.1", "French", "English — Director's commentary", "French
(forced)". Roles are DASH's (``urn:mpeg:dash:role:2011``). ``choose`` picks the audio and
subtitle tracks a player starts with, from the user's languages and the file's flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import languages
from .media import AudioStream, SubtitleStream

MAX_CHANNELS = 6  # AAC 5.1; more channels are mixed down to 5.1


def output_channels(source: int) -> int:
    """Channels of the AAC encode: mono and stereo as they are, 5.1 kept, more mixed down
    to 5.1, and the rare 3 to 5 channel layouts mixed down to stereo."""
    if source >= MAX_CHANNELS:
        return MAX_CHANNELS
    return 1 if source == 1 else 2


def layout_name(channels: int) -> str:
    return {1: "mono", 2: "stereo", 6: "5.1"}.get(channels, f"{channels} channels")


def audio_label(source: AudioStream, channels: int, number: int) -> str:
    """The track's name: language, then the channel layout unless stereo, then the title.
    ``number`` (1-based) names a track with neither language nor title."""
    language = languages.name(source.language)
    head = language or f"Audio {number}"
    if channels != 2:
        head += f" {layout_name(channels)}"
    title = source.title.strip()
    if title and title.lower() != language.lower():
        return f"{head} — {title}" if language else f"{title} ({layout_name(channels)})"
    if source.commentary:
        return f"{head} — Commentary"
    if source.descriptions:
        return f"{head} — Audio description"
    return head


def audio_role(source: AudioStream, default: bool) -> str:
    """The DASH Role of an audio track."""
    if source.commentary:
        return "commentary"
    if source.descriptions:
        return "description"
    if source.dub:
        return "dub"
    return "main" if default or source.original else "alternate"


def text_label(source: SubtitleStream, number: int) -> str:
    language = languages.name(source.language)
    title = source.title.strip()
    head = language or title or f"Subtitles {number}"
    if title and language and title.lower() != language.lower():
        head = f"{language} — {title}"
    notes = [note for flag, note in ((source.forced, "forced"), (source.hearing_impaired, "SDH"))
             if flag]  # fmt: skip
    return f"{head} ({', '.join(notes)})" if notes else head


def left_out(sources: Sequence[SubtitleStream]) -> list[str]:
    """A note for each subtitle track that is neither text nor a picture a filter can draw
    (a codec ffmpeg does not know): it is left out."""
    return [
        f"The subtitle track {text_label(s, n)} was left out: its format "
        f"({s.codec}) cannot be read."
        for n, s in enumerate(sources, start=1)
        if not s.is_text and not s.is_image
    ]


def unique(labels: Sequence[str]) -> list[str]:
    """The labels, with " (2)", " (3)"... added where two are the same (HLS NAMEs must be
    unique in a group)."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def default_audio(sources: Sequence[AudioStream]) -> int:
    """The source's default audio track, else the first (an index into ``sources``)."""
    return next((i for i, s in enumerate(sources) if s.default), 0)


@dataclass(frozen=True)
class Choice:
    audio: int | None  # index into the audio tracks (None: there are none)
    text: int | None  # index into the text tracks (None: subtitles off)


def choose(
    audio: Sequence[AudioStream],
    text: Sequence[SubtitleStream],
    audio_language: str = "",
    text_language: str = "",
) -> Choice:
    """The tracks a player starts with.

    Audio: the first main track in the user's language (not a commentary or a description),
    else the file's default, else the first. Subtitles: a forced track in the language of
    that audio (it translates signs and foreign lines); else, when that audio is not in the
    user's subtitle language, a full track in it; else none.
    """
    chosen: int | None = None
    if audio:
        chosen = next(
            (i for i, s in enumerate(audio)
             if languages.same(s.language, audio_language)
             and not (s.commentary or s.descriptions)),
            default_audio(audio),
        )  # fmt: skip
    spoken = audio[chosen].language if chosen is not None else ""
    forced = [i for i, s in enumerate(text) if s.forced and languages.same(s.language, spoken)]
    if forced:
        return Choice(chosen, forced[0])
    if text_language and not languages.same(spoken, text_language):
        full = [i for i, s in enumerate(text)
                if not s.forced and languages.same(s.language, text_language)]  # fmt: skip
        if full:
            preferred = [i for i in full if text[i].default]
            return Choice(chosen, (preferred or full)[0])
    return Choice(chosen, None)
