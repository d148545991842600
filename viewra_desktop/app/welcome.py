"""The welcome page: what an empty window shows instead of a video.

Open a video, play the demo clip, or pick one of the last few files. The page only reports
clicks; the window opens what was asked for.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .dialogs import APP_TITLE
from .icons import app_icon, icon

logger = logging.getLogger(__name__)

RECENT_ON_WELCOME = 5  # the File menu lists them all; the page stays uncluttered


class WelcomePage(QWidget):
    """What an empty window shows: open a video, play the demo, or pick a recent file."""

    open_clicked = Signal()
    demo_clicked = Signal()
    recent_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(APP_TITLE)
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel("Watch a video while it is encoded and packaged for streaming.")
        subtitle.setObjectName("welcomeSubtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.open_button = QPushButton(icon("open"), "  Open Video…")
        self.open_button.setObjectName("primaryButton")
        self.open_button.setIconSize(QSize(20, 20))
        self.open_button.clicked.connect(self.open_clicked)
        self.demo_button = QPushButton(icon("demo"), "  Play Demo Clip")
        self.demo_button.setIconSize(QSize(20, 20))
        self.demo_button.clicked.connect(self.demo_clicked)
        for button in (self.open_button, self.demo_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setMinimumHeight(38)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addSpacing(10)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)

        hint = QLabel("or drop a video file anywhere on this window")
        hint.setObjectName("hint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.recent_title = QLabel("Recent")
        self.recent_title.setObjectName("recentTitle")
        self.recent_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recent_box = QVBoxLayout()
        self.recent_box.setSpacing(2)
        self.recent_buttons: list[QPushButton] = []

        layout = QVBoxLayout(self)
        layout.addStretch(3)
        layout.addWidget(logo)
        layout.addSpacing(6)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(22)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(hint)
        layout.addSpacing(26)
        layout.addWidget(self.recent_title)
        layout.addLayout(self.recent_box)
        layout.addStretch(4)

    def set_recent(self, files: list[str]) -> None:
        """List the first few of ``files`` (newest first); hide the list when there are none."""
        for button in self.recent_buttons:
            self.recent_box.removeWidget(button)
            button.deleteLater()
        self.recent_buttons = []
        shown = files[:RECENT_ON_WELCOME]
        self.recent_title.setVisible(bool(shown))
        for path in shown:
            button = QPushButton(Path(path).name)
            button.setObjectName("recentButton")
            button.setToolTip(path)
            button.setFlat(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, p=path: self.recent_clicked.emit(p))
            self.recent_box.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.recent_buttons.append(button)
