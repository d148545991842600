"""Where the time from opening a video to its first frame on screen goes, in the log.

Each open gets a fresh ``core.phases.Phases`` whose clock starts when the user asked for
the video (the welcome page, the menu, a recent file). The session marks its steps (probe,
ffmpeg started, first packet, first chunk, first answer) from its threads; the player marks
the demuxer opening the manifest, and the first frame is marked when the video widget has
drawn the first frame after playback started. The line goes into the log then.

Threads: the GUI thread, except ``Phases.mark`` (any thread).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from ..core.phases import Phases
from .player import Player


class OpenTiming(QObject):
    def __init__(self, player: Player, video: QWidget) -> None:
        super().__init__(video)
        self._video = video
        self.phases = Phases(name="open")
        self._waiting = False
        player.file_loaded.connect(self._on_file_loaded)
        player.playback_restarted.connect(self._on_playback_restarted)

    def begin(self, what: str) -> Callable[[str], None]:
        """A new open (``what``: its file, or "demo"); returns the session's ``step``."""
        self.phases = Phases(name=f"open of {Path(what).name or what}")
        self._waiting = False
        return self.phases.mark

    @Slot()
    def _on_file_loaded(self) -> None:
        self.phases.mark("demuxer open")

    @Slot()
    def _on_playback_restarted(self) -> None:
        phases = self.phases
        if self._waiting or phases.seconds("first frame") is not None:
            return  # a seek's restart, or one already waited for
        self._waiting = True
        wait = getattr(self._video, "call_on_next_frame", None)
        if wait is None:  # a widget that does not draw mpv's frames (tests)
            self._first_frame(phases)
        else:
            wait(lambda: self._first_frame(phases))

    def _first_frame(self, phases: Phases) -> None:
        phases.mark("first frame")
        phases.log_once()
