"""The window's commands and its menu bar.

``Actions`` holds one QAction per command with its shortcut; ``Menus`` lays them out in the
menu bar and keeps the menus that change: recent files, audio and subtitle tracks, chapters
(the Quality menu's rungs are ``quality_menu``'s). Neither decides what a command does or what
a menu lists: the window connects the commands (``on_triggered``), and the track and chapter
pieces (``tracks_menu.py``, ``chapter_menu.py``) hand the menus their entries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from .dialogs import APP_TITLE
from .track_choices import AudioEntry, SubtitleEntry

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
        self.previous_chapter = self._action("&Previous Chapter", "PgUp")  # as in mpv
        self.next_chapter = self._action("&Next Chapter", "PgDown")
        self.slower = self._action("S&lower", "[")
        self.faster = self._action("Fas&ter", "]")
        self.normal_speed = self._action("&Normal Speed", "Backspace")
        self.compare = self._checkable("&Compare with Source", "C")
        self.compare_split = self._checkable("&Split", "Ctrl+1")
        self.compare_side = self._checkable("Side &by Side", "Ctrl+2")
        self.compare_flip = self._checkable("F&lip Every Second", "Ctrl+3")
        self.compare_modes = QActionGroup(window)
        for action in (self.compare_split, self.compare_side, self.compare_flip):
            self.compare_modes.addAction(action)
        self.compare_split.setChecked(True)
        self.zoom_fit = self._action("Zoom to &Fit", "0")
        self.zoom_1 = self._action("Zoom &1:1", "1")
        self.zoom_2 = self._action("Zoom &2:1", "2")
        self.stats = self._checkable("Encode &Stats", "I")
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

    def _checkable(self, text: str, shortcut: str) -> QAction:
        action = self._action(text, shortcut)
        action.setCheckable(True)
        return action

    def set_playing(self, playing: bool) -> None:
        """The commands that need a video (or one being opened)."""
        for action in (self.play, self.close_file, self.back, self.forward):
            action.setEnabled(playing)
        if not playing:
            self.previous_chapter.setEnabled(False)
            self.next_chapter.setEnabled(False)


class Menus(QObject):
    """File, Playback, View and Help, and the menus in them that change while the app runs."""

    recent_requested = Signal(str)  # a path, picked in Open Recent
    clear_recent_requested = Signal()
    audio_track_requested = Signal(int)  # mpv's id of an audio track
    subtitle_requested = Signal(object)  # a track_choices.Pick
    chapter_requested = Signal(float)  # a chapter's start, picked in the Chapters menu
    audio_choice_changed = Signal(bool)  # whether the audio menu offers a choice
    subtitle_choice_changed = Signal(bool)

    def __init__(self, bar: QMenuBar, actions: Actions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._build_file(bar, actions)
        self._build_playback(bar, actions)
        self._build_view(bar, actions)
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

    def _build_view(self, bar: QMenuBar, actions: Actions) -> None:
        menu = bar.addMenu("&View")
        menu.addAction(actions.fullscreen)
        menu.addSeparator()
        menu.addAction(actions.compare)
        modes = menu.addMenu("Compare &Mode")
        for action in (actions.compare_split, actions.compare_side, actions.compare_flip):
            modes.addAction(action)
        zoom = menu.addMenu("&Zoom")
        for action in (actions.zoom_fit, actions.zoom_1, actions.zoom_2):
            zoom.addAction(action)
        menu.addSeparator()
        menu.addAction(actions.stats)

    def _build_playback(self, bar: QMenuBar, actions: Actions) -> None:
        menu = bar.addMenu("&Playback")
        for action in (actions.play, actions.back, actions.forward):
            menu.addAction(action)
        menu.addSeparator()
        for action in (actions.volume_up, actions.volume_down, actions.mute):
            menu.addAction(action)
        menu.addSeparator()
        speed = menu.addMenu("S&peed")
        for action in (actions.slower, actions.faster, actions.normal_speed):
            speed.addAction(action)
        self.audio_menu = menu.addMenu("&Audio Track")
        self.subtitle_menu = menu.addMenu("&Subtitles")
        self.chapter_menu = menu.addMenu("&Chapters")
        self._previous_chapter, self._next_chapter = actions.previous_chapter, actions.next_chapter
        self.quality_menu = menu.addMenu("&Quality")  # the ladder's rungs (quality_menu.py)
        menu.addAction(actions.encrypt)  # an encrypted preview of the package
        for changing in (self.audio_menu, self.subtitle_menu, self.chapter_menu):
            changing.setEnabled(False)

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

    def show_audio(self, entries: tuple[AudioEntry, ...]) -> None:
        """The audio menu; a choice only with more than one track."""
        group = _refill(self.audio_menu)  # one checked track at a time
        for entry in entries:
            action = _checkable(self.audio_menu, group, entry.label, entry.checked)
            action.triggered.connect(
                lambda _checked=False, t=entry.track_id: self.audio_track_requested.emit(t)
            )
        choice = len(entries) > 1
        self.audio_menu.setEnabled(choice)
        self.audio_choice_changed.emit(choice)

    def show_subtitles(self, entries: tuple[SubtitleEntry, ...]) -> None:
        """The subtitle menu: Off, the text tracks, then the pictures that can be drawn in;
        one track is a choice too (on or off)."""
        group = _refill(self.subtitle_menu)
        for number, entry in enumerate(entries):
            if number == 1:
                self.subtitle_menu.addSeparator()  # after Off
            action = _checkable(self.subtitle_menu, group, entry.label, entry.checked)
            action.setEnabled(entry.enabled)
            action.triggered.connect(
                lambda _checked=False, p=entry.pick: self.subtitle_requested.emit(p)
            )
        choice = len(entries) > 1
        self.subtitle_menu.setEnabled(choice)
        self.subtitle_choice_changed.emit(choice)

    def show_chapters(self, labels: list[str], starts: list[float], current: int | None) -> None:
        """The Chapters menu (``current`` checked), with the jumps to the previous and next."""
        group = _refill(self.chapter_menu)
        for number, (label, start) in enumerate(zip(labels, starts, strict=True)):
            action = _checkable(self.chapter_menu, group, label, number == current)
            action.triggered.connect(lambda _checked=False, s=start: self.chapter_requested.emit(s))
        if labels:
            self.chapter_menu.addSeparator()
            self.chapter_menu.addAction(self._previous_chapter)
            self.chapter_menu.addAction(self._next_chapter)
        for item in (self.chapter_menu, self._previous_chapter, self._next_chapter):
            item.setEnabled(bool(labels))


def _refill(menu: QMenu) -> QActionGroup:
    """Empty ``menu`` and give it a new group of exclusive choices (the old one goes too)."""
    menu.clear()
    for old in menu.findChildren(QActionGroup):
        old.deleteLater()
    return QActionGroup(menu)


def _checkable(menu: QMenu, group: QActionGroup, text: str, checked: bool) -> QAction:
    action = menu.addAction(text)
    action.setCheckable(True)
    action.setChecked(checked)
    group.addAction(action)
    return action
