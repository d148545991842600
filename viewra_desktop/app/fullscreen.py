"""Fullscreen on and off for the main window.

In fullscreen the menu bar and status bar are hidden, and the control bar and the mouse
cursor fade after a while without the mouse moving; leaving restores the window as it was
(maximized or not). The geometry from before fullscreen is what the window saves at quit, so
the next start does not open fullscreen-sized.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QWidget

logger = logging.getLogger(__name__)

CONTROLS_HIDE_MS = 2500  # fullscreen: controls fade after this long without the mouse moving


class Fullscreen(QObject):
    """Switches ``window`` in and out of fullscreen; hides ``controls`` while the video plays."""

    fullscreen_changed = Signal(bool)

    def __init__(self, window: QMainWindow, video: QWidget, controls: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._video = video
        self._controls = controls
        self._geometry_before: QByteArray | None = None
        self._was_maximized = False
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(CONTROLS_HIDE_MS)
        self._hide_timer.timeout.connect(self._hide_controls)

    def toggle(self) -> None:
        if self._window.isFullScreen():
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        window = self._window
        if window.isFullScreen():
            return
        self._geometry_before = window.saveGeometry()
        self._was_maximized = window.isMaximized()
        window.menuBar().hide()
        window.statusBar().hide()
        window.showFullScreen()
        self.fullscreen_changed.emit(True)
        self.on_mouse_activity()  # the controls show until the mouse rests

    def leave(self) -> None:
        window = self._window
        if not window.isFullScreen():
            return
        self._hide_timer.stop()
        window.unsetCursor()
        self._video.unsetCursor()
        if self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()
        window.menuBar().show()
        window.statusBar().show()
        self._controls.show()
        self.fullscreen_changed.emit(False)

    def on_mouse_activity(self) -> None:
        """The mouse moved over the video: show the controls and the cursor for a while."""
        if not self._window.isFullScreen():
            return
        self._controls.show()
        self._video.unsetCursor()
        self._hide_timer.start()

    def on_window_state_changed(self) -> None:
        """The system may end fullscreen on its own (a window manager's key): show controls."""
        if not self._window.isFullScreen():
            self._controls.show()

    def geometry_to_save(self) -> QByteArray:
        """The window's geometry as it is outside fullscreen."""
        before = self._geometry_before if self._window.isFullScreen() else None
        return before or self._window.saveGeometry()

    def _hide_controls(self) -> None:
        if self._window.isFullScreen() and not self._controls.underMouse():
            self._controls.hide()
            self._video.setCursor(Qt.CursorShape.BlankCursor)
