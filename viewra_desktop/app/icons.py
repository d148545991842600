"""Icons: the app icon (an SVG file shipped with the package) and the control icons.

The control icons are tiny inline SVGs tinted at run time, so they look the same on every
platform and style, and need no extra files.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

logger = logging.getLogger(__name__)

APP_ICON_NAME = "viewra-desktop.svg"
ICON_COLOR = "#e8eaed"
DISABLED_COLOR = "#6b6f76"

_STROKE = 'fill="none" stroke="{c}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
_SHAPES = {
    "play": '<path fill="{c}" d="M8 5.4v13.2a1 1 0 0 0 1.52.85l10.6-6.6a1 1 0 0 0 0-1.7L9.52 4.55'
    'A1 1 0 0 0 8 5.4z"/>',
    "pause": '<rect fill="{c}" x="6" y="5" width="4" height="14" rx="1.2"/>'
    '<rect fill="{c}" x="14" y="5" width="4" height="14" rx="1.2"/>',
    "volume": '<path fill="{c}" d="M3.5 9.2h3.8L12 5.3v13.4l-4.7-3.9H3.5z"/>'
    f'<path {_STROKE} d="M15.5 9a4.2 4.2 0 0 1 0 6M18.2 6.4a8 8 0 0 1 0 11.2"/>',
    "muted": '<path fill="{c}" d="M3.5 9.2h3.8L12 5.3v13.4l-4.7-3.9H3.5z"/>'
    f'<path {_STROKE} d="M15.5 9.5l5 5M20.5 9.5l-5 5"/>',
    "fullscreen": f'<path {_STROKE} d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/>',
    "leave-fullscreen": f'<path {_STROKE} d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5"/>',
    "audio": f'<path {_STROKE} d="M9 17.5V6.5l10-2v11"/>'
    '<circle fill="{c}" cx="6.5" cy="17.5" r="2.7"/>'
    '<circle fill="{c}" cx="16.5" cy="15.5" r="2.7"/>',
    "subtitles": f'<rect {_STROKE} x="3" y="5" width="18" height="14" rx="3"/>'
    f'<path {_STROKE} d="M7 12h3.5M13 12h4M7 15.5h7"/>',
    "open": f'<path {_STROKE} d="M3.5 7.5a2 2 0 0 1 2-2h3.8l2 2h7.2a2 2 0 0 1 2 2v7.5a2 2 0 0 1-2 '
    '2h-13a2 2 0 0 1-2-2z"/>',
    "demo": f'<rect {_STROKE} x="3" y="5" width="18" height="14" rx="2.5"/>'
    '<path fill="{c}" d="M10 9v6l5-3z"/>',
}


def resource_path(name: str) -> Path | None:
    """A file shipped beside this module (package data), else in the repository's resources/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parents[1] / "resources" / name):
        if candidate.is_file():
            return candidate
    return None


def app_icon_path() -> Path | None:
    return resource_path(APP_ICON_NAME)


@functools.lru_cache(maxsize=1)
def app_icon() -> QIcon:
    path = app_icon_path()
    if path is None:
        logger.warning("the app icon %s is missing", APP_ICON_NAME)
        return QIcon()
    icon = QIcon()
    renderer = QSvgRenderer(str(path))
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(_render(renderer, size))
    return icon


def _svg(name: str, color: str) -> QByteArray:
    body = _SHAPES[name].replace("{c}", color)
    text = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'
    return QByteArray(text.encode("utf-8"))


def _render(renderer: QSvgRenderer, size: int) -> QPixmap:
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@functools.lru_cache(maxsize=64)
def icon(name: str, color: str = ICON_COLOR) -> QIcon:
    """A control icon by name (see ``_SHAPES``), tinted ``color``; dimmed when disabled."""
    result = QIcon()
    normal = QSvgRenderer(_svg(name, color))
    disabled = QSvgRenderer(_svg(name, DISABLED_COLOR))
    for size in (16, 20, 24, 32, 40, 48):
        result.addPixmap(_render(normal, size), QIcon.Mode.Normal)
        result.addPixmap(_render(disabled, size), QIcon.Mode.Disabled)
    return result


def icon_names() -> tuple[str, ...]:
    return tuple(_SHAPES)
