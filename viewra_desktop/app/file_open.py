"""Files handed to the running app from outside: the system's file-open events, and drops.

On macOS a video double-clicked in Finder, chosen under "Open With" or dropped on the Dock
icon does not come on the command line: Finder sends it to the running app (and to one it
launches for that) as a ``QFileOpenEvent``, which ``FileOpenHandler`` opens in the window.
Linux and Windows pass it as an argument. ``dropped_file`` picks the file out of a drop.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QFileOpenEvent

if TYPE_CHECKING:  # window.py imports this module
    from .window import MainWindow

logger = logging.getLogger(__name__)


class FileOpenHandler(QObject):
    """Opens the file of every ``QFileOpenEvent`` in ``window``.

    Install on the QApplication with ``installEventFilter``.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)  # lives as long as the window
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        path = event.file()
        if not path or self._window.closing:
            return False
        logger.info("the system asks to open %s", path)
        if self._window.isMinimized():
            self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
        self._window.open_file(path)
        return True


def dropped_file(mime: QMimeData) -> str | None:
    """The first local file (not a folder) among a drop's URLs, or None."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and os.path.isfile(url.toLocalFile()):
            return url.toLocalFile()
    return None
