"""The seek bar: position, the ranges already encoded, chapter marks (their titles on hover),
and seeking by click or drag."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..core.media import Chapter
from .chapters import hover_text

GROOVE = QColor(255, 255, 255, 46)
ENCODED = QColor(255, 255, 255, 105)
PLAYED = QColor("#3d8bfd")
HANDLE = QColor("#ffffff")
CHAPTER_MARK = QColor(20, 21, 24, 230)  # a notch cut into the bar at each chapter's start
DRAG_SEEK_MS = 150  # how often a drag seeks while the mouse moves


class SeekBar(QWidget):
    """A thin timeline. ``seek_requested`` carries the target time in seconds."""

    seek_requested = Signal(float)
    hovered = Signal(float, QPoint)  # the time under the mouse, and where (global)
    hover_left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._duration = 0.0
        self._position = 0.0
        self._ranges: list[tuple[float, float]] = []
        self._chapters: tuple[Chapter, ...] = ()
        self._hover_x: float | None = None
        self._drag_time: float | None = None
        self._pending_seek: float | None = None
        self._drag_timer = QTimer(self)
        self._drag_timer.setInterval(DRAG_SEEK_MS)
        self._drag_timer.timeout.connect(self._flush_drag_seek)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Seek bar")
        self.setEnabled(False)  # until there is a duration

    # -- model ------------------------------------------------------------------------------

    @property
    def duration(self) -> float:
        return self._duration

    @property
    def position(self) -> float:
        return self._drag_time if self._drag_time is not None else self._position

    @property
    def ranges(self) -> list[tuple[float, float]]:
        return list(self._ranges)

    @property
    def dragging(self) -> bool:
        return self._drag_time is not None

    def set_duration(self, seconds: float) -> None:
        self._duration = max(0.0, seconds)
        self.setEnabled(self._duration > 0)
        self.update()

    def set_position(self, seconds: float) -> None:
        self._position = max(0.0, seconds)
        if self._drag_time is None:
            self.update()

    def set_ranges(self, ranges: list[tuple[float, float]]) -> None:
        self._ranges = [(float(a), float(b)) for a, b in ranges]
        self.update()

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        return self._chapters

    def set_chapters(self, chapters: tuple[Chapter, ...]) -> None:
        self._chapters = tuple(chapters)
        self.update()

    def chapter_marks(self) -> list[float]:
        """The x of each chapter mark (none at the very start: that is the bar's end)."""
        return [self.x_for(c.start) for c in self._chapters if 0 < c.start < self._duration]

    def reset(self) -> None:
        self._duration = self._position = 0.0
        self._ranges = []
        self._chapters = ()
        self._drag_time = None
        self.setEnabled(False)
        self.update()

    # -- geometry ---------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, 22)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(80, 22)

    def _track_rect(self) -> QRectF:
        margin = 8.0
        return QRectF(margin, 0, max(1.0, self.width() - 2 * margin), self.height())

    def time_at(self, x: float) -> float:
        track = self._track_rect()
        fraction = min(1.0, max(0.0, (x - track.left()) / track.width()))
        return fraction * self._duration

    def x_for(self, seconds: float) -> float:
        track = self._track_rect()
        if self._duration <= 0:
            return track.left()
        return track.left() + track.width() * min(1.0, max(0.0, seconds / self._duration))

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        active = self._hover_x is not None or self.dragging
        thickness = 6.0 if active else 4.0
        track = self._track_rect()
        top = (self.height() - thickness) / 2
        radius = thickness / 2

        def bar(start_x: float, end_x: float, color: QColor) -> None:
            if end_x - start_x <= 0.3:
                return
            painter.setBrush(color)
            painter.drawRoundedRect(
                QRectF(start_x, top, end_x - start_x, thickness), radius, radius
            )

        bar(track.left(), track.right(), GROOVE)
        if self._duration > 0:
            for start, end in self._ranges:
                bar(self.x_for(start), self.x_for(end), ENCODED)
            played = self.x_for(self.position)
            bar(track.left(), played, PLAYED if self.isEnabled() else GROOVE)
            painter.setBrush(CHAPTER_MARK)
            for x in self.chapter_marks():
                painter.drawRect(QRectF(x - 1.0, top - 1.0, 2.0, thickness + 2.0))
            if active and self.isEnabled():
                painter.setBrush(HANDLE)
                painter.drawEllipse(QPointF(played, self.height() / 2), 6.5, 6.5)
        painter.end()

    # -- mouse ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self._duration <= 0:
            super().mousePressEvent(event)
            return
        self._drag_time = self.time_at(event.position().x())
        self._pending_seek = self._drag_time
        self._flush_drag_seek()
        self._drag_timer.start()
        self.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        x = event.position().x()
        self._hover_x = x
        if self._duration > 0:
            when = self.time_at(x)
            where = event.globalPosition().toPoint()
            QToolTip.showText(where, self.hover_text(when), self)
            self.hovered.emit(when, where)  # the thumbnail preview
            if self.dragging:
                self._drag_time = when
                self._pending_seek = when
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or not self.dragging:
            super().mouseReleaseEvent(event)
            return
        self._drag_timer.stop()
        final = self.time_at(event.position().x())
        self._position = final  # show it at once; mpv confirms shortly
        self._drag_time = None
        self._pending_seek = final
        self._flush_drag_seek()
        self.update()
        event.accept()

    def hover_text(self, seconds: float) -> str:
        """The tooltip at ``seconds``: the time, and the chapter there ("0:04 · The road")."""
        return hover_text(self._chapters, seconds, self._duration)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self._hover_x = None
        QToolTip.hideText()
        self.hover_left.emit()
        self.update()
        super().leaveEvent(event)

    def _flush_drag_seek(self) -> None:
        if self._pending_seek is not None:
            target, self._pending_seek = self._pending_seek, None
            self.seek_requested.emit(target)
