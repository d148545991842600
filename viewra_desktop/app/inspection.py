"""The window's inspection pieces, wired: the compare view, the Encode stats panel, the seek
bar's thumbnail preview and the playback speed.

``Inspection`` owns the pieces (``compare.py``, ``compare_sync.py``, ``stats_panel.py``,
``thumbnail_popup.py``) and connects them to the window's actions, the controller's
``stats_changed`` and ``thumbnails_changed``, and the players. The source's player (a
second mpv, made by ``source_factory`` the first time compare is asked for) plays the file
itself; ``release`` frees it at quit, before the main player is terminated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QMainWindow, QWidget

from .actions import on_triggered
from .compare import CompareView, Mode
from .compare_math import zoom_view
from .compare_sync import DEFAULT_FRAME_S, CompareSync
from .player import Player
from .stats_panel import StatsPanel
from .thumbnail_popup import ThumbnailPopup

logger = logging.getLogger(__name__)

SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
SourceFactory = Callable[[], tuple[Player, QWidget]]


def next_speed(speed: float, faster: bool) -> float:
    """The next of ``SPEEDS`` up or down from ``speed``."""
    if faster:
        return next((s for s in SPEEDS if s > speed + 1e-6), SPEEDS[-1])
    return next((s for s in reversed(SPEEDS) if s < speed - 1e-6), SPEEDS[0])


class Inspection(QObject):
    def __init__(self, window: Any, source_factory: SourceFactory | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.player: Player = window.player
        self.source_factory = source_factory
        self.view = CompareView(window.video)
        self.stats = StatsPanel(window)
        main: QMainWindow = window
        main.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.stats)
        self.stats.hide()
        self.popup = ThumbnailPopup(window)
        self.source: Player | None = None
        self.source_video: QWidget | None = None
        self.sync: CompareSync | None = None
        self.info: Any = None
        self._connect()

    def _connect(self) -> None:
        window, actions, player = self.window, self.window.window_actions, self.player
        controller = window.controller
        controller.stats_changed.connect(self.stats.show_report)
        controller.thumbnails_changed.connect(self.popup.set_thumbnails)
        controller.session_changed.connect(self._on_session_changed)
        seek_bar = window.controls.seek_bar
        seek_bar.hovered.connect(self.popup.show_at)
        seek_bar.hover_left.connect(self.popup.hide_preview)
        self.stats.seek_requested.connect(player.seek)
        actions.compare.toggled.connect(self.set_comparing)
        on_triggered(actions.compare_split, lambda: self.view.set_mode(Mode.SPLIT))
        on_triggered(actions.compare_side, lambda: self.view.set_mode(Mode.SIDE_BY_SIDE))
        on_triggered(actions.compare_flip, lambda: self.view.set_mode(Mode.FLIP))
        on_triggered(actions.zoom_fit, lambda: self.zoom(None))
        on_triggered(actions.zoom_1, lambda: self.zoom(1.0))
        on_triggered(actions.zoom_2, lambda: self.zoom(2.0))
        actions.stats.toggled.connect(self.stats.setVisible)
        self.stats.visibilityChanged.connect(actions.stats.setChecked)
        on_triggered(
            actions.slower, lambda: player.set_speed(next_speed(player.state.speed, False))
        )
        on_triggered(actions.faster, lambda: player.set_speed(next_speed(player.state.speed, True)))
        on_triggered(actions.normal_speed, lambda: player.set_speed(1.0))
        actions.compare.setEnabled(self.source_factory is not None)

    def step_speed(self, faster: bool) -> None:
        self.player.set_speed(next_speed(self.player.state.speed, faster))

    # -- the session ------------------------------------------------------------------------

    @Slot(object)
    def _on_session_changed(self, info: Any) -> None:
        previous, self.info = self.info, info
        if info is None:
            self.window.window_actions.compare.setChecked(False)
            self.stats.clear()
            self.popup.set_thumbnails(None)
        elif self.comparing and (previous is None or previous.source != info.source):
            self._load_source()
        # The stats stay until the new session's first report (it may come before this).

    # -- compare ----------------------------------------------------------------------------

    @property
    def comparing(self) -> bool:
        return self.view.active

    @Slot(bool)
    def set_comparing(self, on: bool) -> None:
        if on and (self.info is None or self.source_factory is None):
            self.window.window_actions.compare.setChecked(False)
            return
        if not on:
            if self.sync is not None:
                self.sync.stop()
            if self.source is not None:
                self.source.stop()
            self.view.set_active(False)
            return
        if self.source is None:
            assert self.source_factory is not None
            self.source, self.source_video = self.source_factory()
            self.view.set_source(self.source_video)
            self.sync = CompareSync(self.player, self.source, self)
        self.view.set_active(True)
        self._load_source()

    def _load_source(self) -> None:
        assert self.source is not None and self.sync is not None
        logger.info("compare: the source %s beside the encode", self.info.source)
        self.source.load_file(self.info.source, start=self.player.state.position)
        fps = getattr(self.player.mpv, "container_fps", None)
        self.sync.start(1 / fps if isinstance(fps, (int, float)) and fps > 0 else DEFAULT_FRAME_S)

    def zoom(self, scale: float | None) -> None:
        """Both pictures at ``scale`` screen pixels per source pixel (None: fit), around the
        point under the mouse (or the centre)."""
        info = self.info
        if info is None or info.height <= 0:
            return
        area = self.view.zoom_area()
        cursor = self.view.mapFromGlobal(QCursor.pos())
        point = self.view.to_video(cursor) if self.view.rect().contains(cursor) else None
        width = getattr(self.source.mpv, "width", None) if self.source else None
        source_width = width if isinstance(width, int) and width > 0 else info.width
        view = zoom_view(scale, source_width, area, info.width / info.height, point)
        for player in (self.player, self.source):
            if player is not None:
                player.set_property("video-zoom", f"{view.zoom:.4f}")
                player.set_property("video-pan-x", f"{view.pan_x:.4f}")
                player.set_property("video-pan-y", f"{view.pan_y:.4f}")

    def release(self) -> None:
        """At quit, before the main player ends: the source's render context, then its mpv."""
        if self.sync is not None:
            self.sync.stop()
        release = getattr(self.source_video, "release", None)
        if release is not None:
            release()
        if self.source is not None:
            self.source.terminate()
