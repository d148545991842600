"""The preview over the seek bar: the thumbnail nearest the time under the mouse.

It shows what ``core.thumbnails.Thumbnails`` (sent by the controller as pictures are made)
locates: a tile of a sheet, or a single picture, cropped from the file; sheets are read once
and kept (a sheet never changes once written).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..core.thumbnails import Picture, Thumbnails
from .formatting import format_time

logger = logging.getLogger(__name__)

CACHE_FILES = 8
GAP_PX = 8  # between the preview and the seek bar


class ThumbnailPopup(QWidget):
    """A child of the window, raised over the video while the mouse is on the seek bar."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnailPopup")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setStyleSheet(
            "#thumbnailPopup { background: #101114; border: 1px solid #3a3e45;"
            " border-radius: 4px; } #thumbnailTime { color: #e8eaed; }"
        )
        self.picture = QLabel()
        self.time = QLabel()
        self.time.setObjectName("thumbnailTime")
        self.time.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(2)
        layout.addWidget(self.picture)
        layout.addWidget(self.time)
        self.thumbnails: Thumbnails | None = None
        self.shown: Picture | None = None
        self._images: dict[Path, QImage] = {}
        self.hide()

    def set_thumbnails(self, thumbnails: Thumbnails | None) -> None:
        self.thumbnails = thumbnails
        if thumbnails is None:
            self._images.clear()
            self.hide()

    def _image(self, path: Path) -> QImage | None:
        image = self._images.get(path)
        if image is None:
            image = QImage(str(path))
            if image.isNull():
                return None
            if len(self._images) >= CACHE_FILES:
                self._images.pop(next(iter(self._images)))
            self._images[path] = image
        return image

    def show_at(self, seconds: float, where: QPoint) -> None:
        """Show the preview for ``seconds`` above the global point ``where``."""
        thumbs = self.thumbnails
        picture = thumbs.locate(seconds) if thumbs is not None else None
        image = self._image(picture.path) if picture is not None else None
        if picture is None or image is None:
            self.shown = None
            self.hide()
            return
        tile = image.copy(picture.x, picture.y, picture.width, picture.height)
        self.picture.setPixmap(QPixmap.fromImage(tile))
        self.time.setText(format_time(seconds))
        self.shown = picture
        self.adjustSize()
        parent = self.parentWidget()
        assert parent is not None
        local = parent.mapFromGlobal(where)
        x = min(max(0, local.x() - self.width() // 2), parent.width() - self.width())
        y = max(0, local.y() - self.height() - GAP_PX)
        self.move(x, y)
        self.show()
        self.raise_()

    def hide_preview(self) -> None:
        self.shown = None
        self.hide()
