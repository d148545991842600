"""The main window: the controller and the player wired to the window's pieces, opening files,
and the order of things at quit.

The window owns no pipeline logic: it asks the ``SessionController`` to open and stop, tells
the ``Player`` what to play, and shows what both report through its pieces, each with one
job: the welcome page (``welcome.py``), the control bar (``controls.py``), the commands and
menus (``actions.py``), the audio and subtitle tracks (``tracks_menu.py``), the chapters
(``chapter_menu.py``), the rungs of a ladder (``quality_menu.py``), the profile and codec
(``profile_choice.py``), the status bar and overlay (``status.py``, their words from the
Qt-free ``status_text.py``), fullscreen (``fullscreen.py``) and the inspection pieces
(``inspection.py``: compare view, Encode stats, seek bar previews, speed). ``FileOpenHandler``
(``file_open.py``) is importable from here too.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.cache import Cache
from ..core.user_profiles import ProfileStore
from .actions import Actions, Menus, on_triggered
from .chapter_menu import ChapterNavigation
from .controller import SessionInfo
from .controls import ControlBar
from .dialogs import APP_TITLE, WindowDialogs, show_about
from .file_open import FileOpenHandler, dropped_file
from .fullscreen import Fullscreen
from .icons import app_icon
from .inspection import Inspection, SourceFactory
from .open_timing import OpenTiming
from .player import Player
from .profile_choice import ProfileChoice
from .publish import PublishPieces
from .quality_menu import QualityMenu
from .settings import Settings
from .status import StatusView, session_facts
from .status_text import StatusInputs
from .tracks_menu import TrackMenus
from .volume import VolumeLink
from .welcome import WelcomePage

__all__ = ["CLOSE_TIMEOUT_MS", "VIDEO_FILTER", "FileOpenHandler", "MainWindow"]

logger = logging.getLogger(__name__)

SEEK_STEP_S = 5.0
VOLUME_STEP = 5.0
CLOSE_TIMEOUT_MS = 20000  # at quit, the controller gets this long to stop every process
VIDEO_FILTER = (
    "Videos (*.mp4 *.m4v *.mkv *.mov *.webm *.avi *.wmv *.flv *.mpg *.mpeg *.ts *.m2ts *.mts "
    "*.3gp *.ogv *.vob *.mxf *.y4m);;All files (*)"
)


class MainWindow(QMainWindow):
    """The player window. ``closed`` is emitted once everything has been shut down."""

    closed = Signal()

    def __init__(
        self,
        controller: Any,
        player: Player,
        video: QWidget,
        settings: Settings,
        cache: Cache,
        log_file: Path | None = None,
        profile: str | None = None,
        codec: str | None = None,
        profiles: ProfileStore | None = None,
        source_factory: SourceFactory | None = None,  # the compare view's source player
    ) -> None:
        """``profile``, ``codec``: the command line's; ``profiles``: the user's own;
        ``source_factory``: makes the compare view's player of the source."""
        super().__init__()
        self.controller = controller
        self.player = player
        self.video = video
        self.settings = settings
        self.cache = cache
        self.log_file = log_file
        self.info: SessionInfo | None = None
        self._opening: str | None = None  # what the window asked for, until it plays
        self._request_id = 0
        self._resume_at = 0.0
        self._closing = False
        self._closed = False

        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(560, 380)
        self.window_actions = Actions(self)
        self.menus = Menus(self.menuBar(), self.window_actions, self)
        # The track buttons open the Playback menu's track menus: one list of tracks.
        self.controls = ControlBar(self.menus.audio_menu, self.menus.subtitle_menu)
        self.tracks = TrackMenus(self.menus, player, settings, self)
        self.chapters = ChapterNavigation(
            self.menus, self.window_actions, self.controls.seek_bar, player, self
        )
        self.choice = ProfileChoice(profiles, settings, self.controls, profile, codec, self)
        self.quality = QualityMenu(self.menus.quality_menu, player, self.video, self)
        self.status = StatusView(self.statusBar(), player, self._status_facts, self)
        self.dialogs = WindowDialogs(self, settings, cache, log_file, self.choice.store)
        self.inspection = Inspection(self, source_factory)
        self._build_central()
        self.fullscreen = Fullscreen(self, self.video, self.controls)
        self.timing = OpenTiming(player, self.video)  # where each open's time goes, logged
        self.volume = VolumeLink(player, self.controls, settings, self)
        self._connect()
        self.publish = PublishPieces(self)  # export, the package, sharing, encryption
        self._restore_settings()
        self._update_recent()
        self._show_idle()

    # -- construction -----------------------------------------------------------------------

    def _build_central(self) -> None:
        self.welcome = WelcomePage()
        self.video_page = QWidget()
        self.video_page.setObjectName("videoPage")
        grid = QGridLayout(self.video_page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.inspection.view, 0, 0)  # the video, or the compare view
        grid.addWidget(self.status.overlay, 0, 0, Qt.AlignmentFlag.AlignCenter)  # on top

        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.video_page)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.controls)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        self._connect_controller()
        self._connect_player()
        self._connect_actions()
        self._connect_pieces()

    def _connect_controller(self) -> None:
        c = self.controller
        c.session_changed.connect(self._on_session_changed)
        c.session_changed.connect(self.tracks.show_session)
        c.session_changed.connect(self.chapters.show_session)
        c.session_changed.connect(self.quality.show_session)
        c.texts_changed.connect(self.tracks.show_texts)
        c.notes_changed.connect(self.status.show_notes)
        c.manifest_ready.connect(self._on_manifest_ready)
        c.state_changed.connect(self.status.show_encode_state)
        c.progress_changed.connect(self.status.show_progress)
        c.segments_changed.connect(self.controls.show_ranges)
        c.segments_changed.connect(self.status.show_ranges)
        c.activity_changed.connect(self.status.show_activity)
        c.failed.connect(self.show_error)
        c.finished.connect(self.status.show_finished)
        c.shut_down.connect(self.finish_close)
        c.request_done.connect(self._on_request_done)

    def _connect_player(self) -> None:
        p = self.player
        p.position_changed.connect(self.controls.show_position)
        p.duration_changed.connect(self._on_duration)
        # Which texts each change refreshes (Qt drops the signal's value for these slots):
        p.paused_changed.connect(self._refresh_play_button)
        p.paused_changed.connect(self.status.show_status)
        p.idle_changed.connect(self._refresh_play_button)
        p.idle_changed.connect(self.status.show_overlay)
        p.idle_changed.connect(self.status.show_status)
        p.eof_changed.connect(self._refresh_play_button)
        p.buffering_changed.connect(self.status.show_overlay)
        p.buffering_changed.connect(self.status.show_status)
        p.video_tracks_changed.connect(self.status.show_status)  # the rung that plays
        p.error.connect(self.show_error)

    def _connect_actions(self) -> None:
        a, p = self.window_actions, self.player
        on_triggered(a.open, self.open_dialog)
        on_triggered(a.demo, self.open_demo)
        on_triggered(a.close_file, self.close_video)
        on_triggered(a.preferences, self.dialogs.show_preferences)
        on_triggered(a.quit, self.close)
        on_triggered(a.play, p.toggle_pause)
        on_triggered(a.back, lambda: p.seek(-SEEK_STEP_S, relative=True))
        on_triggered(a.forward, lambda: p.seek(SEEK_STEP_S, relative=True))
        on_triggered(a.volume_up, lambda: p.change_volume(VOLUME_STEP))
        on_triggered(a.volume_down, lambda: p.change_volume(-VOLUME_STEP))
        on_triggered(a.mute, self.volume.toggle_mute)
        on_triggered(a.fullscreen, self.fullscreen.toggle)
        on_triggered(a.leave_fullscreen, self.fullscreen.leave)
        on_triggered(a.about, lambda: show_about(self))

    def _connect_pieces(self) -> None:
        self.dialogs.cache_limit_changed.connect(self.controller.set_cache_limit)
        self.dialogs.profiles_saved.connect(self.choice.profiles_edited)
        self.choice.changed.connect(self._reopen)
        self.menus.recent_requested.connect(self.open_recent)
        self.menus.clear_recent_requested.connect(self._clear_recent)
        self.tracks.reopen_requested.connect(self._reopen_drawn_in)
        # A track button shows when its menu offers a choice.
        self.menus.audio_choice_changed.connect(self.controls.audio_button.setVisible)
        self.menus.subtitle_choice_changed.connect(self.controls.subtitle_button.setVisible)
        self.welcome.open_clicked.connect(self.open_dialog)
        self.welcome.demo_clicked.connect(self.open_demo)
        self.welcome.recent_clicked.connect(self.open_recent)
        controls = self.controls
        controls.seek_bar.seek_requested.connect(self.player.seek)
        controls.play_clicked.connect(self.player.toggle_pause)
        controls.open_clicked.connect(self.open_dialog)
        controls.fullscreen_clicked.connect(self.fullscreen.toggle)
        self.fullscreen.fullscreen_changed.connect(controls.show_fullscreen)
        if hasattr(self.video, "double_clicked"):
            self.video.double_clicked.connect(self.fullscreen.toggle)
        if hasattr(self.video, "mouse_moved"):
            self.video.mouse_moved.connect(self.fullscreen.on_mouse_activity)

    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 700)
        self.controls.place_volume(self.settings.volume)
        self.player.set_volume(self.settings.volume)
        self.player.set_muted(self.settings.muted)
        self.controls.show_muted(self.settings.muted)

    # -- opening ----------------------------------------------------------------------------

    @property
    def profile(self) -> str:
        return self.choice.profile

    def open_dialog(self) -> None:
        folder = self.settings.last_folder or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self, "Open a Video", folder, VIDEO_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str, resume_at: float = 0.0, burn_in: int | None = None) -> None:
        """Stop what plays and start ``path`` with the current profile (``burn_in``: a
        picture subtitle stream drawn into the video)."""
        path = os.path.abspath(path)
        choice = self.choice
        logger.info("open %s with %s %s", path, choice.profile, choice.codec)
        self.settings.last_folder = str(Path(path).parent)
        self._begin_open(path, resume_at)
        step = self.timing.begin(path)
        self._request_id = self.controller.open(
            path, choice.profile, burn_in=burn_in, codec=choice.codec, step=step
        )

    def _reopen_drawn_in(self, burn_in: int | None) -> None:  # a new encode, where it was
        if self.info is not None:
            self.open_file(self.info.source, self.player.state.position, burn_in)

    def open_demo(self) -> None:
        logger.info("open the demo clip with %s %s", self.choice.profile, self.choice.codec)
        self._begin_open("", 0.0)
        step = self.timing.begin("demo")
        self._request_id = self.controller.open_demo(
            self.choice.profile, self.choice.codec, step=step
        )

    def open_recent(self, path: str) -> None:
        if not os.path.isfile(path):
            self._update_recent(self.settings.remove_recent(path))
            self.show_error(f"{Path(path).name} is no longer there.", f"Missing: {path}")
            return
        self.open_file(path)

    def _begin_open(self, path: str, resume_at: float) -> None:
        self.player.stop()
        self._opening = path or "demo"
        self._resume_at = resume_at
        self.info = None
        self.status.forget_encode()
        self.controls.reset_timeline()
        self.chapters.clear()
        self.status.clear_encode()
        name = Path(path).name if path else "Demo clip"
        self.setWindowTitle(f"{name} — {APP_TITLE}")
        self.stack.setCurrentWidget(self.video_page)
        self._set_playing(True)
        self.status.show_overlay()

    def close_video(self) -> None:
        if self.info is None and self._opening is None:
            return
        self.player.stop()
        self.controller.stop()
        self._opening = None
        self.info = None
        self._show_idle()

    def set_profile(self, name: str) -> None:
        """Switch the quality profile; a video that plays restarts where it was."""
        self.choice.set_profile(name)

    def _reopen(self) -> None:
        """Another profile or codec: what plays (or opens) starts again where it was."""
        if self.info is not None:
            self.open_file(self.info.source, self.player.state.position, self.info.burn_in)
        elif self._opening == "demo":
            self.open_demo()
        elif self._opening is not None:
            self.open_file(self._opening)

    # -- controller signals -----------------------------------------------------------------

    @Slot(object)
    def _on_session_changed(self, info: SessionInfo | None) -> None:
        self.info = info
        if info is None:
            return
        self._opening = None
        self.stack.setCurrentWidget(self.video_page)
        self.setWindowTitle(f"{Path(info.source).name} — {APP_TITLE}")
        self.controls.show_duration(info.duration)
        if os.path.dirname(info.source) != str(self.cache.root / "demo"):
            self._update_recent(self.settings.add_recent(info.source))
        self.status.show_session(info.from_cache, info.folder, info.notes)

    @Slot(str)
    def _on_manifest_ready(self, url: str) -> None:
        start, self._resume_at = self._resume_at, 0.0
        self.player.load(
            url,
            start=start,
            audio=self.tracks.start_audio(),
            video=self.quality.start_track(),
            decoder_threads=self.info.decoder_threads if self.info else 0,
        )
        self.window_actions.play.setEnabled(True)
        self.controls.set_playing(True)
        self._refresh_play_button()

    @Slot(int, bool)
    def _on_request_done(self, request_id: int, started: bool) -> None:
        if request_id != self._request_id or started or self._closing:
            return
        self._opening = None  # the last request failed: back to the empty window
        self.info = None
        self._show_idle()

    # -- player signals ---------------------------------------------------------------------

    @Slot(float)
    def _on_duration(self, seconds: float) -> None:
        if seconds > 0 and self.info is not None:
            self.controls.show_duration(seconds)

    def _refresh_play_button(self) -> None:
        state = self.player.state
        show_play = state.paused or state.eof or (state.idle and self._opening is None)
        self.controls.show_play(show_play)

    # -- status -----------------------------------------------------------------------------

    def _show_idle(self) -> None:
        self.stack.setCurrentWidget(self.welcome)
        self.setWindowTitle(APP_TITLE)
        self.controls.reset_timeline()
        self.status.clear_encode()
        self._set_playing(False)
        self.status.show_overlay()
        self.status.show_status()

    def _set_playing(self, playing: bool) -> None:
        self.window_actions.set_playing(playing)
        self.controls.set_playing(playing)

    def _status_facts(self) -> StatusInputs:
        """The window's part of what the status texts tell: what is open, what is on screen."""
        info = self.info
        session = session_facts(info, self.quality.playing()) if info is not None else None
        video_shown = self.stack.currentWidget() is self.video_page
        return StatusInputs(
            opening=self._opening is not None, video_shown=video_shown, session=session
        )

    @Slot(str, str)
    def show_error(self, message: str, details: str = "") -> None:
        """A problem in plain words; the app keeps running."""
        if self._closing:
            logger.info("error while closing (not shown): %s", message)
            return
        self.dialogs.show_error(message, details)

    # -- recent files -----------------------------------------------------------------------

    def _update_recent(self, files: list[str] | None = None) -> None:
        files = self.settings.recent_files if files is None else files
        self.menus.set_recent(files)
        self.welcome.set_recent(files)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._update_recent([])

    # -- drag and drop ----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if not self._closing and dropped_file(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        path = dropped_file(event.mimeData())
        if path is None or self._closing:
            event.ignore()
            return
        event.acceptProposedAction()
        self.activateWindow()
        self.open_file(path)

    # -- quitting ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.WindowStateChange:
            self.fullscreen.on_window_state_changed()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Hide at once; stop the encoder on the controller's thread; then free mpv."""
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        self._closing = True
        logger.info("closing: stopping playback and the encoder")
        self._save_settings()
        self.dialogs.close_all()
        self.hide()
        self.player.stop()
        self.controller.shutdown()
        QTimer.singleShot(CLOSE_TIMEOUT_MS, self.force_close)

    def _save_settings(self) -> None:
        self.settings.geometry = self.fullscreen.geometry_to_save()
        self.choice.save()
        self.settings.volume = self.player.state.volume
        self.settings.muted = self.player.state.muted
        self.settings.sync()

    @Slot()
    def finish_close(self) -> None:
        """The controller has stopped every process: free mpv in order and close."""
        if self._closed:
            return
        self._closed = True
        self.inspection.release()  # the compare view's source player first
        release = getattr(self.video, "release", None)
        if release is not None:
            release()  # GL context current, render context freed ...
        self.player.terminate()  # ... and only then the player
        logger.info("closed")
        self.close()
        self.closed.emit()

    def force_close(self) -> None:
        """Close without waiting for the controller (it did not answer in time)."""
        if self._closed:
            return
        logger.warning("the controller did not stop in time; closing anyway")
        self.finish_close()

    @property
    def closing(self) -> bool:
        return self._closing
