"""The control bar under the video: the seek row, the buttons, the volume, the profile box and
the codec box.

It shows what it is told (position, duration, volume, play or pause, fullscreen or not) and
reports what the user does as signals; the window decides what happens. The audio and
subtitle buttons open the Playback menu's track menus, so both always list the same tracks.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.profiles import BUILTIN, Profile
from .codec_box import CodecBox
from .formatting import format_time
from .icons import icon
from .player import VOLUME_MAX
from .seekbar import SeekBar

logger = logging.getLogger(__name__)


class ControlBar(QWidget):
    """Seek row above, buttons below: play, open, mute, volume, tracks, profile, codec,
    fullscreen."""

    play_clicked = Signal()
    open_clicked = Signal()
    mute_clicked = Signal()
    fullscreen_clicked = Signal()
    volume_requested = Signal(int)  # the user moved the slider (not set_volume)
    profile_requested = Signal(str)  # the user picked a profile's name in the box
    codec_requested = Signal(str)  # the user picked a codec in the codec box ("": the profile's)

    def __init__(
        self, audio_menu: QMenu, subtitle_menu: QMenu, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("controls")
        self._build_seek_row()
        self._build_buttons(audio_menu, subtitle_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.setSpacing(2)
        layout.addLayout(self._seek_row())
        layout.addLayout(self._button_row())
        self._connect()

    # -- construction -----------------------------------------------------------------------

    def _build_seek_row(self) -> None:
        self.seek_bar = SeekBar()
        self.elapsed_label = QLabel("0:00")
        self.total_label = QLabel("0:00")
        for label in (self.elapsed_label, self.total_label):
            label.setObjectName("timeLabel")
            label.setMinimumWidth(46)
        self.elapsed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _build_buttons(self, audio_menu: QMenu, subtitle_menu: QMenu) -> None:
        self.play_button = _tool_button("play", "Play (Space)")
        self.play_button.setIconSize(QSize(26, 26))
        self.play_button.setEnabled(False)
        self.open_button = _tool_button("open", "Open a video (Ctrl+O)")
        self.mute_button = _tool_button("volume", "Mute (M)")
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, VOLUME_MAX)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume_slider.setToolTip("Volume (Up/Down)")
        self.audio_button = _menu_button("audio", "Audio track", audio_menu)
        self.subtitle_button = _menu_button("subtitles", "Subtitles", subtitle_menu)
        self.profile_box = QComboBox()
        self.profile_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.profile_box.setToolTip("Quality profile of the encode")
        self.profile_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_profiles(BUILTIN)
        self.codec_box = CodecBox()
        self.fullscreen_button = _tool_button("fullscreen", "Fullscreen (F)")

    def _seek_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.elapsed_label)
        row.addWidget(self.seek_bar, 1)
        row.addWidget(self.total_label)
        return row

    def _button_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.play_button)
        row.addWidget(self.open_button)
        row.addSpacing(8)
        row.addWidget(self.mute_button)
        row.addWidget(self.volume_slider)
        row.addStretch(1)
        row.addWidget(self.audio_button)
        row.addWidget(self.subtitle_button)
        row.addSpacing(6)
        row.addWidget(self.profile_box)
        row.addWidget(self.codec_box)
        row.addSpacing(4)
        row.addWidget(self.fullscreen_button)
        return row

    def _connect(self) -> None:
        self.play_button.clicked.connect(self.play_clicked)
        self.open_button.clicked.connect(self.open_clicked)
        self.mute_button.clicked.connect(self.mute_clicked)
        self.fullscreen_button.clicked.connect(self.fullscreen_clicked)
        self.volume_slider.valueChanged.connect(self.volume_requested)
        # activated, not currentIndexChanged: only the user's choice, never select_profile's.
        self.profile_box.activated.connect(
            lambda index: self.profile_requested.emit(str(self.profile_box.itemData(index)))
        )
        self.codec_box.codec_requested.connect(self.codec_requested)

    # -- showing ----------------------------------------------------------------------------

    def reset_timeline(self) -> None:
        """Nothing plays: no duration, no ranges, 0:00 of 0:00."""
        self.seek_bar.reset()
        self.show_position(0.0)
        self.total_label.setText("0:00")

    def show_position(self, seconds: float) -> None:
        self.seek_bar.set_position(seconds)
        self.elapsed_label.setText(format_time(seconds, self.seek_bar.duration))

    def show_duration(self, seconds: float) -> None:
        self.seek_bar.set_duration(seconds)
        self.total_label.setText(format_time(seconds))

    def show_ranges(self, ranges: list[tuple[float, float]]) -> None:
        """The encoded parts of the timeline, drawn on the seek bar."""
        self.seek_bar.set_ranges(ranges)

    def set_playing(self, playing: bool) -> None:
        """Enable play for a video; without one, also hide the track buttons."""
        self.play_button.setEnabled(playing)
        if not playing:
            self.audio_button.hide()
            self.subtitle_button.hide()

    def show_play(self, show_play: bool) -> None:
        """The play button offers to play (True) or to pause (False)."""
        self.play_button.setIcon(icon("play" if show_play else "pause"))
        self.play_button.setToolTip("Play (Space)" if show_play else "Pause (Space)")

    def place_volume(self, volume: float) -> None:
        """Move the slider without reporting it as the user's move."""
        self.volume_slider.blockSignals(True)
        self.volume_slider.setValue(round(volume))
        self.volume_slider.blockSignals(False)

    def show_volume(self, volume: float) -> None:
        self.place_volume(volume)
        self.volume_slider.setToolTip(f"Volume {round(volume)}% (Up/Down)")

    def show_muted(self, muted: bool) -> None:
        self.mute_button.setIcon(icon("muted" if muted else "volume"))
        self.mute_button.setToolTip("Unmute (M)" if muted else "Mute (M)")

    def show_fullscreen(self, fullscreen: bool) -> None:
        if fullscreen:
            self.fullscreen_button.setIcon(icon("leave-fullscreen"))
            self.fullscreen_button.setToolTip("Leave fullscreen (F, Esc)")
        else:
            self.fullscreen_button.setIcon(icon("fullscreen"))
            self.fullscreen_button.setToolTip("Fullscreen (F)")

    def set_profiles(self, profiles: tuple[Profile, ...]) -> None:
        """The profiles the box offers (the built-in ones and the user's), by label."""
        current = self.profile_box.currentData()
        self.profile_box.clear()
        for profile in profiles:
            self.profile_box.addItem(profile.label, profile.name)
            if not profile.builtin:
                self.profile_box.setItemData(
                    self.profile_box.count() - 1,
                    f"Your profile {profile.name}",
                    Qt.ItemDataRole.ToolTipRole,
                )
        if current is not None:
            self.select_profile(str(current))

    def select_profile(self, name: str) -> None:
        index = self.profile_box.findData(name)
        if index >= 0:
            self.profile_box.setCurrentIndex(index)


def _tool_button(icon_name: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setIcon(icon(icon_name))
    button.setIconSize(QSize(22, 22))
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def _menu_button(icon_name: str, tip: str, menu: QMenu) -> QToolButton:
    """A track button: opens ``menu`` at once; hidden until there is a choice of tracks."""
    button = _tool_button(icon_name, tip)
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
    button.hide()
    return button
