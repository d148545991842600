"""The window's commands and its menu bar.

``Actions`` holds one QAction per command with its shortcut; ``Menus`` lays them out in the
menu bar and keeps the menus that change: recent files, audio and subtitle tracks, quality.
Neither decides what a command does: the window connects them (``on_triggered``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from ..core.profiles import PROFILES
from .dialogs import APP_TITLE
from .player import TrackInfo

logger = logging.getLogger(__name__)


def on_triggered(action: QAction, slot: Callable[[], object]) -> None:
    """Call ``slot`` with no argument when ``action`` is triggered (Qt passes ``checked``)."""
    action.triggered.connect(lambda _checked=False: slot())


class Actions:
    """Every command of the window, with its shortcut and, on macOS, its menu role."""

    def __init__(self, window: QWidget) -> None:
        self._window = window
        self.open = self._action("&Open…", "Ctrl+O")
        self.demo = self._action("Play &Demo Clip")
        self.close_file = self._action("&Close Video", "Ctrl+W")
        self.preferences = self._action("&Preferences…", "Ctrl+,")
        self.preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit = self._action("&Quit", "Ctrl+Q")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.play = self._action("&Play/Pause", "Space")
        self.back = self._action("Back 5 Seconds", "Left")
        self.forward = self._action("Forward 5 Seconds", "Right")
        self.volume_up = self._action("Volume Up", "Up")
        self.volume_down = self._action("Volume Down", "Down")
        self.mute = self._action("&Mute", "M")
        self.fullscreen = self._action("&Fullscreen", "F")
        self.leave_fullscreen = self._action("Leave Fullscreen", "Esc")
        self.about = self._action(f"&About {APP_TITLE}")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        # Publishing (``publish.py`` wires them): export, the finished package, sharing.
        self.export = self._action("&Export Package…", "Ctrl+E")
        self.show_package = self._action("Show &Package")
        self.share = self._action("&Watch on Another Device")
        self.share.setCheckable(True)
        self.encrypt = self._action("&Encrypt (Preview the Encrypted Package)")
        self.encrypt.setCheckable(True)
        self.play.setEnabled(False)
        self.export.setEnabled(False)
        self.show_package.setEnabled(False)

    def _action(self, text: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self._window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._window.addAction(action)  # shortcuts keep working with the menu bar hidden
        return action

    def set_playing(self, playing: bool) -> None:
        """The commands that need a video (or one being opened)."""
        for action in (self.play, self.close_file, self.back, self.forward):
            action.setEnabled(playing)


class Menus(QObject):
    """File, Playback, View and Help, and the menus in them that change while the app runs."""

    profile_requested = Signal(str)  # a profile's name, picked in the Quality menu
    recent_requested = Signal(str)  # a path, picked in Open Recent
    clear_recent_requested = Signal()
    audio_track_requested = Signal(object)  # a track id
    subtitle_track_requested = Signal(object)  # a track id, or None: off
    audio_choice_changed = Signal(bool)  # whether the audio menu offers a choice
    subtitle_choice_changed = Signal(bool)

    def __init__(self, bar: QMenuBar, actions: Actions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._build_file(bar, actions)
        self._build_playback(bar, actions)
        bar.addMenu("&View").addAction(actions.fullscreen)
        bar.addMenu("&Help").addAction(actions.about)

    def _build_file(self, bar: QMenuBar, actions: Actions) -> None:
        menu = bar.addMenu("&File")
        menu.addAction(actions.open)
        self.recent_menu = menu.addMenu("Open &Recent")
        menu.addAction(actions.demo)
        menu.addSeparator()
        menu.addAction(actions.close_file)
        menu.addSeparator()
        for action in (actions.export, actions.show_package, actions.share):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(actions.preferences)
        menu.addSeparator()
        menu.addAction(actions.quit)

    def _build_playback(self, bar: QMenuBar, actions: Actions) -> None:
        menu = bar.addMenu("&Playback")
        for action in (actions.play, actions.back, actions.forward):
            menu.addAction(action)
        menu.addSeparator()
        for action in (actions.volume_up, actions.volume_down, actions.mute):
            menu.addAction(action)
        menu.addSeparator()
        self.audio_menu = menu.addMenu("&Audio Track")
        self.subtitle_menu = menu.addMenu("&Subtitles")
        self.profile_menu = menu.addMenu("&Quality")
        self.profile_group = QActionGroup(self)
        for name, profile in PROFILES.items():
            action = self.profile_menu.addAction(profile.label)
            action.setCheckable(True)
            action.setData(name)
            self.profile_group.addAction(action)
        self.profile_group.triggered.connect(
            lambda action: self.profile_requested.emit(str(action.data()))
        )
        self.profile_menu.addSeparator()
        self.profile_menu.addAction(actions.encrypt)
        self.audio_menu.setEnabled(False)
        self.subtitle_menu.setEnabled(False)

    def select_profile(self, name: str) -> None:
        for action in self.profile_group.actions():
            action.setChecked(action.data() == name)

    def set_recent(self, files: list[str]) -> None:
        """List ``files`` (newest first) under Open Recent, with Clear List after them."""
        self.recent_menu.clear()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.recent_requested.emit(p))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", self.clear_recent_requested.emit)
        self.recent_menu.setEnabled(bool(files))

    @Slot(tuple)
    def show_audio_tracks(self, tracks: tuple[TrackInfo, ...]) -> None:
        """The audio menu; a choice only with more than one track."""
        _fill_track_menu(self.audio_menu, tracks, self.audio_track_requested.emit, with_off=False)
        choice = len(tracks) > 1
        self.audio_menu.setEnabled(choice)
        self.audio_choice_changed.emit(choice)

    @Slot(tuple)
    def show_subtitle_tracks(self, tracks: tuple[TrackInfo, ...]) -> None:
        """The subtitle menu, Off first; one track is a choice too (on or off)."""
        _fill_track_menu(self.subtitle_menu, tracks, self.subtitle_track_requested.emit, True)
        choice = len(tracks) > 0
        self.subtitle_menu.setEnabled(choice)
        self.subtitle_choice_changed.emit(choice)


def _fill_track_menu(
    menu: QMenu,
    tracks: tuple[TrackInfo, ...],
    select: Callable[[int | None], None],
    with_off: bool,
) -> None:
    menu.clear()
    group = QActionGroup(menu)  # one checked track at a time
    if with_off:
        off = menu.addAction("Off")
        off.setCheckable(True)
        off.setChecked(not any(t.selected for t in tracks))
        off.triggered.connect(lambda _checked=False: select(None))
        group.addAction(off)
        menu.addSeparator()
    for track in tracks:
        action = menu.addAction(track.label)
        action.setCheckable(True)
        action.setChecked(track.selected)
        action.triggered.connect(lambda _checked=False, t=track.id: select(t))
        group.addAction(action)
