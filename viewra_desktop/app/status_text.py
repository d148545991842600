"""The words of the status bar and of the overlay on the video, from plain values. Qt-free.

The window gathers what these texts depend on into one frozen ``StatusInputs`` and shows what
the functions here return (``status.py``), so every sentence can be tested without a window.

To tell more on the status line, add a field with a default to the part it belongs to
(``SessionFacts`` for the video and its encode settings, ``PlaybackFacts`` for what the player
does) and append its words in ``_playing_parts``; nothing else changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.encoders import SOFTWARE
from ..core.profile_rules import HARDWARE_NAMES
from ..core.progress import Progress
from ..core.session import State
from .formatting import describe_progress

logger = logging.getLogger(__name__)

SEPARATOR = " · "
EMPTY_HINT = "Open a video, or drop one here."
OPENING = "Opening…"
BUFFERING = "Buffering…"  # the overlay: short, it sits on the picture
BUFFERING_STATUS = "Buffering: waiting for the encoder…"
ENCODING_STOPPED = "encoding stopped"
ENCODING = "Encoding…"
ENCODED = "Encoded: the DASH/HLS package is ready"
FROM_CACHE = "Already encoded: playing from the cache"
ENCODE_FAILED = "Encoding failed"
HDR_TO_SDR = "HDR → SDR"  # an HDR source, tone-mapped for an SDR encode


@dataclass(frozen=True)
class SessionFacts:
    """The video that plays, as the controller described it (``SessionInfo``)."""

    profile_label: str  # the quality profile's label, e.g. "720p (HD)"
    width: int  # the encoded picture, after scaling
    height: int
    duration: float = 0.0  # seconds
    from_cache: bool = False  # the package was already complete: nothing is encoded
    tone_mapped: bool = False  # HDR source shown as SDR
    rung: str = ""  # the ladder's rung that plays ("720p"), "" while not known
    rungs: tuple[str, ...] = ()  # every rung of the ladder, largest first
    encoder: str = ""  # ffmpeg's video encoder ("libx264", "h264_vaapi")
    hardware: str = ""  # what the profile asked for: "" software, "auto" or a family


@dataclass(frozen=True)
class PlaybackFacts:
    """What the player does (``PlayerState`` and ``Player.buffering``)."""

    idle: bool = True  # nothing loaded
    eof: bool = False  # stopped on the last frame
    paused: bool = False
    buffering: bool = False  # wants to play but waits for data (the encoder)


@dataclass(frozen=True)
class EncodeFacts:
    """How far the encode is (the controller's ``state_changed`` and ``progress_changed``)."""

    state: State | None = None  # None: nothing reported yet for this video
    progress: Progress | None = None
    fraction: float = 0.0  # of the timeline encoded (``encoded_fraction``)


@dataclass(frozen=True)
class StatusInputs:
    """Everything the status texts depend on."""

    activity: str = ""  # what the controller is busy with ("Opening clip.mp4…"), or ""
    opening: bool = False  # the window asked for a video that does not play yet
    video_shown: bool = False  # the video page is up, not the welcome page
    session: SessionFacts | None = None  # None until the controller reports a session
    playback: PlaybackFacts = field(default_factory=PlaybackFacts)
    encode: EncodeFacts = field(default_factory=EncodeFacts)


def status_line(inputs: StatusInputs) -> str:
    """The status bar's text, e.g. ``Playing · 720p (HD) · 1280×720``."""
    if inputs.activity:
        return inputs.activity
    if inputs.session is None:
        return OPENING if inputs.opening else EMPTY_HINT
    if inputs.playback.buffering:
        return BUFFERING_STATUS
    return SEPARATOR.join(_playing_parts(inputs.session, inputs.playback, inputs.encode))


def _playing_parts(
    session: SessionFacts, playback: PlaybackFacts, encode: EncodeFacts
) -> list[str]:
    parts = [_doing(playback), session.profile_label]
    if rung := rung_text(session.rung, session.rungs):
        parts.append(rung)
    parts.append(f"{session.width}×{session.height}")
    if session.tone_mapped:
        parts.append(HDR_TO_SDR)
    if encoder := encoder_text(session.encoder, session.hardware):
        parts.append(encoder)
    if encode.state is State.FAILED:  # the video plays on as far as it was encoded
        parts.append(ENCODING_STOPPED)
    return parts


def rung_text(rung: str, rungs: tuple[str, ...]) -> str:
    """Which rung of a ladder plays: "720p of 1080p–360p"; "" with one rung."""
    if len(rungs) < 2 or not rung:
        return ""
    return f"{rung} of {rungs[0]}–{rungs[-1]}"


def encoder_text(encoder: str, hardware: str) -> str:
    """The encoder, when it is worth telling: a hardware one ("h264_nvenc"), or the software
    one a profile that asked for hardware fell back to ("libx264 (VAAPI does not work
    here)"); "" for a software profile."""
    if not encoder:
        return ""
    if encoder not in SOFTWARE.values():
        return encoder
    if not hardware:
        return ""
    if hardware == "auto":
        return f"{encoder} (no hardware encoder works here)"
    return f"{encoder} ({HARDWARE_NAMES.get(hardware, hardware)} does not work here)"


def _doing(playback: PlaybackFacts) -> str:
    if playback.idle:
        return "Stopped"
    if playback.eof:
        return "Ended"
    return "Paused" if playback.paused else "Playing"


def overlay_text(inputs: StatusInputs) -> str:
    """The message over the video; "" hides the overlay."""
    if not inputs.video_shown:
        return ""
    if inputs.activity:
        return inputs.activity
    if inputs.opening:
        return OPENING
    if inputs.playback.buffering:
        return BUFFERING
    return ""


def encode_text(inputs: StatusInputs) -> str:
    """The encode's label beside its progress bar, e.g. ``Encoding 42% · 2.3× realtime · …``.

    A failure is told until the window is cleared, even before a session was reported (it
    may fail while it starts).
    """
    encode = inputs.encode
    if encode.state is State.FAILED:
        return ENCODE_FAILED
    if inputs.session is None:
        return ""
    if inputs.session.from_cache:
        return FROM_CACHE
    if encode.state is State.FINISHED:
        return ENCODED
    if encode.progress is None:
        return ENCODING
    if encode.progress.done:
        return ENCODED
    return describe_progress(encode.progress, encode.fraction)


def encoded_fraction(
    duration: float, ranges: Iterable[tuple[float, float]], progress: Progress | None
) -> float:
    """How much of the timeline is encoded: what the encoded ranges cover, or the encoder's
    own progress, whichever is more."""
    covered = sum(max(0.0, end - start) for start, end in ranges)
    by_ranges = min(1.0, covered / duration) if duration > 0 else 0.0
    by_progress = progress.fraction if progress is not None else 0.0
    return max(by_ranges, by_progress)


def notes_text(notes: Iterable[str]) -> str:
    """The status bar's line for what the user should know (a track left out): the note
    itself, or the first one and how many more; "" when there is none."""
    items = [note.strip() for note in notes if note.strip()]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{items[0]} (and {len(items) - 1} more)"
