"""The status bar and the overlay on the video, showing ``status_text``'s words.

``StatusView`` puts the status label, the encode's label and its progress bar in the window's
status bar, and makes the overlay label the window lays over the video. It keeps the
controller's news that only these show (what the controller is busy with, the encode's state,
progress and encoded ranges; the window wires those signals here), reads the player, and asks
the window what is open. Each text is refreshed on its own events: the status line and the
overlay when what they tell changes, the encode's label only on the encode's news (so a
failure stays told until the window is cleared).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar

from ..core.profiles import PROFILES
from ..core.progress import Progress
from ..core.renditions import VideoRendition
from ..core.session import State
from .controller import SessionInfo
from .player import Player
from .status_text import (
    EncodeFacts,
    PlaybackFacts,
    SessionFacts,
    StatusInputs,
    encode_text,
    encoded_fraction,
    notes_text,
    overlay_text,
    status_line,
)

logger = logging.getLogger(__name__)

BAR_STEPS = 1000  # the encode bar's range: a tenth of a percent


class StatusView(QObject):
    """The status bar's widgets and the overlay.

    ``window_facts`` returns the window's part of the inputs (``opening``, ``video_shown``,
    ``session``); the view adds the rest.
    """

    def __init__(
        self,
        bar: QStatusBar,
        player: Player,
        window_facts: Callable[[], StatusInputs],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._player = player
        self._window_facts = window_facts
        self._activity = ""
        self._state: State | None = None
        self._progress: Progress | None = None
        self._ranges: list[tuple[float, float]] = []
        self._build(bar)

    def _build(self, bar: QStatusBar) -> None:
        bar.setSizeGripEnabled(False)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        # Ignored: a long file name must not make the window wider.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.encode_label = QLabel()
        self.encode_label.setObjectName("encodeLabel")
        self.encode_bar = QProgressBar()
        self.encode_bar.setObjectName("encodeBar")
        self.encode_bar.setRange(0, BAR_STEPS)
        self.encode_bar.setTextVisible(False)
        self.encode_bar.setFixedSize(150, 8)
        self.notes_label = QLabel()  # what the user should know: a track left out
        self.notes_label.setObjectName("notesLabel")
        self.notes_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notes_label.hide()
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.notes_label, 1)
        bar.addPermanentWidget(self.encode_label)
        bar.addPermanentWidget(self.encode_bar)
        self.encode_bar.hide()

        self.overlay = QLabel()
        self.overlay.setObjectName("overlay")
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.hide()

    def inputs(self) -> StatusInputs:
        """Everything the texts depend on, as it is now."""
        facts = self._window_facts()
        state = self._player.state
        playback = PlaybackFacts(
            idle=state.idle, eof=state.eof, paused=state.paused, buffering=self._player.buffering
        )
        duration = facts.session.duration if facts.session is not None else 0.0
        fraction = encoded_fraction(duration, self._ranges, self._progress)
        encode = EncodeFacts(self._state, self._progress, fraction)
        return replace(facts, activity=self._activity, playback=playback, encode=encode)

    # -- the texts --------------------------------------------------------------------------

    @Slot()
    def show_status(self) -> None:
        self.status_label.setText(status_line(self.inputs()))

    @Slot()
    def show_overlay(self) -> None:
        text = overlay_text(self.inputs())
        self.overlay.setText(text)
        self.overlay.setVisible(bool(text))

    def _show_encode_text(self) -> None:
        self.encode_label.setText(encode_text(self.inputs()))

    def _show_encoded(self, fraction: float) -> None:
        self.encode_bar.show()
        self.encode_bar.setValue(int(fraction * BAR_STEPS))

    def _show_encode(self) -> None:
        inputs = self.inputs()
        if inputs.session is None or self._state is State.FINISHED:
            return  # nothing to tell yet, or all told (show_finished)
        self._show_encoded(inputs.encode.fraction)
        self.encode_label.setText(encode_text(inputs))

    # -- what the window tells --------------------------------------------------------------

    def show_session(self, from_cache: bool, folder: str, notes: Sequence[str] = ()) -> None:
        """A session plays (the window's facts now have it): a full bar if it was cached, and
        what the user should know about it."""
        self.show_notes(list(notes))
        self._show_encoded(1.0 if from_cache else 0.0)
        self._show_encode_text()
        tip = f"Package folder: {folder}"
        self.encode_label.setToolTip(tip)
        self.encode_bar.setToolTip(tip)
        self.show_status()

    @Slot(list)
    def show_notes(self, notes: list[str]) -> None:
        """One line for the notes (all of them in its tooltip); hidden when there are none."""
        self.notes_label.setText(notes_text(notes))
        self.notes_label.setToolTip("\n".join(notes))
        self.notes_label.setVisible(bool(notes))

    def forget_encode(self) -> None:
        """Another video is being opened: no state or progress is known for it yet."""
        self._state = None
        self._progress = None

    def clear_encode(self) -> None:
        """No video on screen: no encode bar, no encode text, nothing encoded."""
        self._ranges = []
        self.encode_bar.hide()
        self.encode_label.clear()
        self.show_notes([])

    # -- the controller's news --------------------------------------------------------------

    @Slot(str)
    def show_activity(self, text: str) -> None:
        self._activity = text
        self.show_status()
        self.show_overlay()

    @Slot(object)
    def show_encode_state(self, state: State) -> None:
        self._state = state
        if state is State.FAILED:  # other states leave the encode's label to its progress
            self._show_encode_text()
        self.show_status()

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self._progress = progress
        self._show_encode()

    @Slot(list)
    def show_ranges(self, ranges: list[tuple[float, float]]) -> None:
        self._ranges = [(float(start), float(end)) for start, end in ranges]
        self._show_encode()

    @Slot()
    def show_finished(self) -> None:
        self._state = State.FINISHED
        self.encode_bar.setValue(BAR_STEPS)
        self._show_encode_text()
        self.show_status()


def session_facts(info: SessionInfo, rung: VideoRendition | None) -> SessionFacts:
    """What the status texts tell of the session: its profile, the rung that plays (``rung``,
    None until mpv says; its size, else the first rung's), HDR shown as SDR, and the encoder."""
    return SessionFacts(
        profile_label=info.profile_label or _builtin_label(info.profile),
        width=rung.width if rung else info.width,
        height=rung.height if rung else info.height,
        duration=info.duration,
        from_cache=info.from_cache,
        tone_mapped=info.tone_mapped,
        rung=rung.label if rung else "",
        rungs=info.rung_labels,
        encoder=info.encoder,
        hardware=info.hardware,
    )


def _builtin_label(name: str) -> str:
    profile = PROFILES.get(name)
    return profile.label if profile is not None else name
