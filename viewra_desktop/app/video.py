"""The video: mpv's render API drawing into a QOpenGLWidget.

Not ``wid`` embedding, which fails on Wayland and with current macOS libmpv. The rules that
keep it from crashing:

- mpv's update callback runs on an mpv thread: it only emits a queued signal.
- The ``MpvGlGetProcAddressFn`` given to mpv stays referenced for the widget's lifetime.
- ``release()`` frees the render context with the GL context current, and must run before
  the player is terminated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent, QOpenGLContext
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

logger = logging.getLogger(__name__)


class MpvVideoWidget(QOpenGLWidget):
    """Shows what the mpv player plays; emits mouse gestures for the window."""

    double_clicked = Signal()
    mouse_moved = Signal()
    _frame_ready = Signal()

    def __init__(self, mpv_player: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import mpv

        self._mpv = mpv_player
        self._render: Any = None
        self._released = False
        self._mpv_module = mpv
        self._new_frame = False  # mpv asked for a redraw since the last paint
        self._on_next_frame: list[Callable[[], None]] = []
        # mpv keeps the C pointer: this object must live as long as the render context.
        self._get_proc_address = mpv.MpvGlGetProcAddressFn(self._proc_address)
        self._frame_ready.connect(self._on_frame_ready, Qt.ConnectionType.QueuedConnection)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    @staticmethod
    def _proc_address(_ctx: Any, name: bytes) -> int:
        context = QOpenGLContext.currentContext()
        if context is None:
            return 0
        return int(context.getProcAddress(name) or 0)

    # -- QOpenGLWidget ----------------------------------------------------------------------

    def initializeGL(self) -> None:  # noqa: N802 - Qt override
        if self._render is not None or self._released:
            return
        self._render = self._mpv_module.MpvRenderContext(
            self._mpv,
            "opengl",
            opengl_init_params={"get_proc_address": self._get_proc_address},
        )
        # mpv's thread: only a queued signal, never a Qt call that touches widgets.
        self._render.update_cb = self._frame_ready.emit
        # Qt recreates the GL context when the widget moves to another top-level window.
        self.context().aboutToBeDestroyed.connect(self._free_render_context)
        logger.info("mpv render context created")

    def paintGL(self) -> None:  # noqa: N802 - Qt override
        if self._render is None:
            functions = self.context().functions()
            functions.glClearColor(0.0, 0.0, 0.0, 1.0)
            functions.glClear(0x00004000)  # GL_COLOR_BUFFER_BIT
            return
        ratio = self.devicePixelRatioF()
        self._render.render(
            flip_y=True,
            opengl_fbo={
                "w": max(1, round(self.width() * ratio)),
                "h": max(1, round(self.height() * ratio)),
                "fbo": self.defaultFramebufferObject(),
            },
        )
        if self._new_frame:
            self._new_frame = False
            waiting, self._on_next_frame = self._on_next_frame, []
            for call in waiting:
                call()

    def call_on_next_frame(self, call: Callable[[], None]) -> None:
        """Call ``call`` once this widget has drawn the next frame mpv gives it."""
        self._on_next_frame.append(call)

    @Slot()
    def _on_frame_ready(self) -> None:
        if self._render is not None and self._render.update():
            self._new_frame = True
            self.update()

    # -- teardown ---------------------------------------------------------------------------

    def release(self) -> None:
        """Free the render context (GL context current). Call before terminating mpv."""
        if self._released:
            return
        self._released = True
        self._free_render_context()

    @Slot()
    def _free_render_context(self) -> None:
        render, self._render = self._render, None
        if render is None:
            return
        self.makeCurrent()
        try:
            render.update_cb = None
            render.free()
        finally:
            self.doneCurrent()
        logger.info("mpv render context freed")

    # -- mouse ------------------------------------------------------------------------------

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.mouse_moved.emit()
        super().mouseMoveEvent(event)
