"""Where the time from opening a video to its first frame on screen goes, in the log.

Each open gets a fresh ``core.phases.Phases`` whose clock starts when the user asked for
the video (the welcome page, the menu, a recent file). The session marks its steps (probe,
ffmpeg started, first packet, first chunk, first answer) from its threads; the player marks
the demuxer opening the manifest. The first frame is marked when the video widget has drawn
the first frame mpv gives it once the video output is set up for the new file (mpv shows
that frame at once, while it buffers a little before starting the clock), and "playing"
when playback begins. The line goes into the log when both are reached.

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
        # Calls back once the widget has drawn mpv's next frame; None for a widget that does
        # not draw mpv's frames (tests).
        self._on_next_frame = getattr(video, "call_on_next_frame", None)
        self.phases = Phases(name="open")
        self._loaded = False  # the demuxer opened this open's file
        self._waiting = False  # for the widget's next frame
        player.file_loaded.connect(self._on_file_loaded)
        player.video_reconfigured.connect(self._on_video_reconfigured)
        player.playback_restarted.connect(self._on_playback_restarted)

    def begin(self, what: str) -> Callable[[str], None]:
        """A new open (``what``: its file, or "demo"); returns the session's ``step``."""
        self.phases = Phases(name=f"open of {Path(what).name or what}")
        self._loaded = self._waiting = False
        return self.phases.mark

    @Slot()
    def _on_file_loaded(self) -> None:
        self.phases.mark("demuxer open")
        self._loaded = True

    @Slot()
    def _on_video_reconfigured(self) -> None:
        if self._on_next_frame is None or not self._loaded or self._waiting:
            return  # nothing drawn, not this file yet, or a new picture size (another rung)
        self._waiting = True
        phases = self.phases
        self._on_next_frame(lambda: self._reached(phases, "first frame"))

    @Slot()
    def _on_playback_restarted(self) -> None:
        phases = self.phases
        if not self._loaded or phases.seconds("playing") is not None:
            return  # a seek's restart
        if self._on_next_frame is None:
            phases.mark("first frame")  # nothing drawn to wait for (tests)
        self._reached(phases, "playing")

    @staticmethod
    def _reached(phases: Phases, step: str) -> None:
        phases.mark(step)
        if phases.seconds("first frame") is not None and phases.seconds("playing") is not None:
            phases.log_once()
