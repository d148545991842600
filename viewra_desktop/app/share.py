"""Watch on another device: the LAN switch, the address and its QR code.

``SharePanel`` is a small window beside the main one: a switch (the window's Share action,
off at every start) that makes the controller also listen on the LAN address, the session's
player page address on the LAN, a button to copy it and a QR code of it for a phone. The
address carries the session's unguessable token; an encrypted preview's key rides in its
fragment, which browsers never send to a server.
"""

from __future__ import annotations

import io
import logging

import segno
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)

QR_SCALE = 5  # pixels per module: a 100-character address is about 250 px wide


def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG (medium error correction: readable from a screen)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    return buffer.getvalue()


class SharePanel(QDialog):
    """The sharing switch, the LAN address and its QR code."""

    def __init__(self, share: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch on Another Device")
        self.url = ""
        self.switch = QCheckBox("Share on the network (this computer's LAN address)")
        self.switch.setChecked(share.isChecked())
        self.switch.toggled.connect(share.setChecked)
        share.toggled.connect(self.switch.setChecked)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.address = QLabel()
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setWordWrap(True)
        self.copy = QPushButton("Copy Address")
        self.copy.clicked.connect(self._copy)
        self.code = QLabel()
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy)
        layout = QVBoxLayout(self)
        for widget in (self.switch, self.text):
            layout.addWidget(widget)
        layout.addLayout(row)
        layout.addWidget(self.code)
        self.show_url("")

    @Slot(str)
    def show_url(self, url: str) -> None:
        """The session's page on the LAN, or "" (not shared, or nothing plays)."""
        self.url = url
        shared = bool(url)
        if shared:
            self.text.setText(
                "Open this address in a browser on the same network (a phone, a TV). Only "
                "who has the address can watch; switch sharing off to stop."
            )
            pixmap = QPixmap()
            pixmap.loadFromData(qr_png(url), "PNG")
            self.code.setPixmap(pixmap)
        else:
            off = "Open a video to share it." if self.switch.isChecked() else "Sharing is off."
            self.text.setText(off)
            self.code.clear()
        self.address.setText(url)
        self.copy.setEnabled(shared)
        self.adjustSize()

    def _copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and self.url:
            clipboard.setText(self.url)
