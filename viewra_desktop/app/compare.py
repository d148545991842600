"""The compare view: the source beside the encode, on the same frame.

``CompareView`` always holds the encode's video widget; comparing adds the source's (a
second mpv playing the file itself, no encode) in one of three modes:

- **split**: both fill the view, the source shown left of a divider the user drags;
- **side by side**: the source on the left half, the encode on the right;
- **flip**: both fill the view and the view shows one, then the other, every second.

The source's widget sits in a clipping box, so "left of the divider" is the box's width.
Both players get the same zoom and pan (``compare_math.zoom_view``: 1:1 and 2:1 around a
point). ``CompareSync`` keeps the source on the encode's frame.
"""

from __future__ import annotations

import enum
import logging

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

logger = logging.getLogger(__name__)

FLIP_MS = 1000
DIVIDER_PX = 6


class Mode(enum.Enum):
    SPLIT = "split"
    SIDE_BY_SIDE = "side by side"
    FLIP = "flip"


class _Divider(QWidget):
    """The split line; dragging it moves the split."""

    moved = Signal(int)  # x in the view

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self.setObjectName("compareDivider")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#compareDivider { background: rgba(255, 255, 255, 200); }")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.moved.emit(self.mapToParent(event.position().toPoint()).x())


class CompareView(QWidget):
    """The video area: the encode alone, or the encode compared with the source."""

    def __init__(self, video: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.video = video
        video.setParent(self)
        self.source: QWidget | None = None
        self._clip = QWidget(self)  # shows the source's widget up to its own width
        self._clip.hide()
        self._divider = _Divider(self)
        self._divider.moved.connect(self._on_divider_moved)
        self._divider.hide()
        self._labels = (self._label("Source"), self._label("Encode"))
        self._active = False
        self._mode = Mode.SPLIT
        self._split = 0.5
        self._showing_source = True
        self._flip = QTimer(self)
        self._flip.setInterval(FLIP_MS)
        self._flip.timeout.connect(self._flip_side)
        self.setMouseTracking(True)

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("compareLabel")
        label.setStyleSheet(
            "#compareLabel { background: rgba(18, 19, 22, 190); color: #f1f3f5;"
            " padding: 3px 8px; border-radius: 5px; font-size: 12px; }"
        )
        label.adjustSize()
        label.hide()
        return label

    # -- state ------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def split(self) -> float:
        """Where the divider is, as a fraction of the width."""
        return self._split

    @property
    def showing_source(self) -> bool:
        """In flip mode: whether the source is the one shown now."""
        return self._showing_source

    def set_source(self, widget: QWidget) -> None:
        """The source's video widget (made when comparing starts)."""
        self.source = widget
        widget.setParent(self._clip)
        widget.show()
        self._arrange()

    def set_active(self, active: bool) -> None:
        self._active = active and self.source is not None
        self._showing_source = True
        if self._active and self._mode is Mode.FLIP:
            self._flip.start()
        else:
            self._flip.stop()
        self._arrange()

    def set_mode(self, mode: Mode) -> None:
        self._mode = mode
        self.set_active(self._active)

    def set_split(self, fraction: float) -> None:
        self._split = min(1.0, max(0.0, fraction))
        self._arrange()

    def zoom_area(self) -> tuple[float, float]:
        """The size each player fits its picture into (the encode's widget)."""
        return float(self.video.width()), float(self.video.height())

    def to_video(self, point: QPoint) -> tuple[float, float]:
        """A point of this view in the encode widget's coordinates."""
        local = self.video.mapFrom(self, point)
        return float(local.x()), float(local.y())

    # -- layout -----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange()

    def _on_divider_moved(self, x: int) -> None:
        if self.width() > 0:
            self.set_split(x / self.width())

    def _flip_side(self) -> None:
        self._showing_source = not self._showing_source
        self._arrange()

    def _arrange(self) -> None:
        width, height = self.width(), self.height()
        full = QRect(0, 0, width, height)
        source_label, encode_label = self._labels
        if not self._active or self.source is None:
            self.video.setGeometry(full)
            for widget in (self._clip, self._divider, source_label, encode_label):
                widget.hide()
            return
        if self._mode is Mode.SIDE_BY_SIDE:
            half = width // 2
            self.video.setGeometry(QRect(width - half, 0, half, height))
            self._clip.setGeometry(QRect(0, 0, width - half, height))
            self.source.setGeometry(QRect(0, 0, width - half, height))
            self._divider.hide()
        elif self._mode is Mode.SPLIT:
            x = round(width * self._split)
            self.video.setGeometry(full)
            self._clip.setGeometry(QRect(0, 0, x, height))
            self.source.setGeometry(full)
            self._divider.setGeometry(QRect(x - DIVIDER_PX // 2, 0, DIVIDER_PX, height))
            self._divider.show()
            self._divider.raise_()
        else:  # flip: the source's box covers the encode, or is out of sight
            self.video.setGeometry(full)
            self._clip.setGeometry(full if self._showing_source else QRect(0, 0, 0, height))
            self.source.setGeometry(full)
            self._divider.hide()
        self._clip.show()
        self._clip.raise_()
        flip = self._mode is Mode.FLIP
        source_label.setVisible(not flip or self._showing_source)
        encode_label.setVisible(not flip or not self._showing_source)
        source_label.move(10, 10)
        encode_label.move(width - encode_label.width() - 10, 10)
        for label in self._labels:
            label.raise_()
        if self._mode is Mode.SPLIT:
            self._divider.raise_()
