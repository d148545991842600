"""The main window: video, controls, encode status, menus, and the order of things at quit.

The window owns no pipeline logic: it asks the ``SessionController`` to open and stop, tells
the ``Player`` what to play, and shows what both report.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.cache import Cache
from ..core.profiles import PROFILES
from ..core.progress import Progress
from ..core.session import State
from .actions import Actions, Menus, on_triggered
from .controller import SessionInfo
from .controls import ControlBar
from .dialogs import APP_TITLE, ErrorDialog, PreferencesDialog, show_about
from .file_open import FileOpenHandler, dropped_file
from .formatting import describe_progress
from .fullscreen import Fullscreen
from .icons import app_icon
from .player import Player
from .settings import Settings
from .welcome import WelcomePage

__all__ = ["CLOSE_TIMEOUT_MS", "VIDEO_FILTER", "FileOpenHandler", "MainWindow", "center_on_screen"]

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
    ) -> None:
        super().__init__()
        self.controller = controller
        self.player = player
        self.video = video
        self.settings = settings
        self.cache = cache
        self.log_file = log_file
        self.info: SessionInfo | None = None
        self.error_dialog: ErrorDialog | None = None
        self.preferences: PreferencesDialog | None = None
        self._profile = profile if profile in PROFILES else settings.profile
        self._opening: str | None = None  # what the window asked for, until it plays
        self._request_id = 0
        self._resume_at = 0.0
        self._activity = ""
        self._state: State | None = None
        self._progress: Progress | None = None
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
        self._build_central()
        self._build_status()
        self.fullscreen = Fullscreen(self, self.video, self.controls)
        self._connect()
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
        grid.addWidget(self.video, 0, 0)
        self.overlay = QLabel()
        self.overlay.setObjectName("overlay")
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.hide()
        grid.addWidget(self.overlay, 0, 0, Qt.AlignmentFlag.AlignCenter)

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

    def _build_status(self) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.encode_label = QLabel()
        self.encode_label.setObjectName("encodeLabel")
        self.encode_bar = QProgressBar()
        self.encode_bar.setObjectName("encodeBar")
        self.encode_bar.setRange(0, 1000)
        self.encode_bar.setTextVisible(False)
        self.encode_bar.setFixedSize(150, 8)
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.encode_label)
        status.addPermanentWidget(self.encode_bar)
        self.encode_bar.hide()

    def _connect(self) -> None:
        self._connect_controller()
        self._connect_player()
        self._connect_actions()
        self._connect_pieces()

    def _connect_controller(self) -> None:
        c = self.controller
        c.session_changed.connect(self._on_session_changed)
        c.manifest_ready.connect(self._on_manifest_ready)
        c.state_changed.connect(self._on_state_changed)
        c.progress_changed.connect(self._on_progress)
        c.segments_changed.connect(self._on_segments)
        c.activity_changed.connect(self._on_activity)
        c.failed.connect(self.show_error)
        c.finished.connect(self._on_finished)
        c.shut_down.connect(self.finish_close)
        c.request_done.connect(self._on_request_done)

    def _connect_player(self) -> None:
        p = self.player
        p.position_changed.connect(self.controls.show_position)
        p.duration_changed.connect(self._on_duration)
        p.paused_changed.connect(self._on_paused)
        p.volume_changed.connect(self._on_volume)
        p.muted_changed.connect(self._on_muted)
        p.buffering_changed.connect(self._on_buffering)
        p.idle_changed.connect(self._on_idle)
        p.eof_changed.connect(lambda _eof: self._refresh_play_button())
        p.audio_tracks_changed.connect(self.menus.show_audio_tracks)
        p.subtitle_tracks_changed.connect(self.menus.show_subtitle_tracks)
        p.error.connect(self.show_error)

    def _connect_actions(self) -> None:
        a, p = self.window_actions, self.player
        on_triggered(a.open, self.open_dialog)
        on_triggered(a.demo, self.open_demo)
        on_triggered(a.close_file, self.close_video)
        on_triggered(a.preferences, self.show_preferences)
        on_triggered(a.quit, self.close)
        on_triggered(a.play, p.toggle_pause)
        on_triggered(a.back, lambda: p.seek(-SEEK_STEP_S, relative=True))
        on_triggered(a.forward, lambda: p.seek(SEEK_STEP_S, relative=True))
        on_triggered(a.volume_up, lambda: p.change_volume(VOLUME_STEP))
        on_triggered(a.volume_down, lambda: p.change_volume(-VOLUME_STEP))
        on_triggered(a.mute, self.toggle_mute)
        on_triggered(a.fullscreen, self.fullscreen.toggle)
        on_triggered(a.leave_fullscreen, self.fullscreen.leave)
        on_triggered(a.about, lambda: show_about(self))

    def _connect_pieces(self) -> None:
        self.menus.profile_requested.connect(self.set_profile)
        self.menus.recent_requested.connect(self.open_recent)
        self.menus.clear_recent_requested.connect(self._clear_recent)
        self.menus.audio_track_requested.connect(self.player.select_audio)
        self.menus.subtitle_track_requested.connect(self.player.select_subtitle)
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
        controls.mute_clicked.connect(self.toggle_mute)
        controls.volume_requested.connect(self._on_volume_slider)
        controls.fullscreen_clicked.connect(self.fullscreen.toggle)
        controls.profile_requested.connect(self.set_profile)
        self.fullscreen.fullscreen_changed.connect(controls.show_fullscreen)
        if hasattr(self.video, "double_clicked"):
            self.video.double_clicked.connect(self.fullscreen.toggle)
        if hasattr(self.video, "mouse_moved"):
            self.video.mouse_moved.connect(self.fullscreen.on_mouse_activity)

    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 700)
        self._select_profile(self._profile)
        self.controls.place_volume(self.settings.volume)
        self.player.set_volume(self.settings.volume)
        self.player.set_muted(self.settings.muted)
        self.controls.show_muted(self.settings.muted)

    # -- opening ----------------------------------------------------------------------------

    @property
    def profile(self) -> str:
        return self._profile

    def open_dialog(self) -> None:
        folder = self.settings.last_folder or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self, "Open a Video", folder, VIDEO_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str, resume_at: float = 0.0) -> None:
        """Stop what plays and start ``path`` with the current profile."""
        path = os.path.abspath(path)
        logger.info("open %s with %s", path, self._profile)
        self.settings.last_folder = str(Path(path).parent)
        self._begin_open(path, resume_at)
        self._request_id = self.controller.open(path, self._profile)

    def open_demo(self) -> None:
        logger.info("open the demo clip with %s", self._profile)
        self._begin_open("", 0.0)
        self._request_id = self.controller.open_demo(self._profile)

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
        self._state = None
        self._progress = None
        self.controls.reset_timeline()
        self.encode_bar.hide()
        self.encode_label.clear()
        name = Path(path).name if path else "Demo clip"
        self.setWindowTitle(f"{name} — {APP_TITLE}")
        self.stack.setCurrentWidget(self.video_page)
        self._set_playing_controls(True)
        self._update_overlay()

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
        if name not in PROFILES or name == self._profile:
            self._select_profile(self._profile)
            return
        logger.info("profile %s -> %s", self._profile, name)
        self._profile = name
        self.settings.profile = name
        self._select_profile(name)
        if self.info is not None:
            self.open_file(self.info.source, resume_at=self.player.state.position)
        elif self._opening == "demo":
            self.open_demo()
        elif self._opening is not None:
            self.open_file(self._opening)

    def _select_profile(self, name: str) -> None:
        self.controls.select_profile(name)
        self.menus.select_profile(name)

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
        if info.from_cache:
            self.encode_bar.setValue(1000)
            self.encode_bar.show()
            self.encode_label.setText("Already encoded: playing from the cache")
        else:
            self.encode_bar.setValue(0)
            self.encode_bar.show()
            self.encode_label.setText("Encoding…")
        self.encode_label.setToolTip(f"Package folder: {info.folder}")
        self.encode_bar.setToolTip(f"Package folder: {info.folder}")
        self._update_status()

    @Slot(str)
    def _on_manifest_ready(self, url: str) -> None:
        start, self._resume_at = self._resume_at, 0.0
        self.player.load(url, start=start)
        self.window_actions.play.setEnabled(True)
        self.controls.set_playing(True)
        self._refresh_play_button()

    @Slot(object)
    def _on_state_changed(self, state: State) -> None:
        self._state = state
        if state is State.FAILED:
            self.encode_label.setText("Encoding failed")
        self._update_status()

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        self._progress = progress
        self._show_encode()

    @Slot(list)
    def _on_segments(self, ranges: list) -> None:
        self.controls.show_ranges(ranges)
        self._show_encode()

    def encoded_fraction(self) -> float:
        """How much of the timeline is encoded: the ranges, or the encoder's own position."""
        duration = self.info.duration if self.info else 0.0
        covered = sum(max(0.0, end - start) for start, end in self.controls.seek_bar.ranges)
        by_ranges = min(1.0, covered / duration) if duration > 0 else 0.0
        by_progress = self._progress.fraction if self._progress else 0.0
        return max(by_ranges, by_progress)

    def _show_encode(self) -> None:
        progress = self._progress
        if self.info is None or self._state is State.FINISHED:
            return
        fraction = self.encoded_fraction()
        self.encode_bar.show()
        self.encode_bar.setValue(int(fraction * 1000))
        if progress is None or self.info.from_cache or self._state is State.FAILED:
            return
        if progress.done:
            self.encode_label.setText("Encoded: the DASH/HLS package is ready")
        else:
            self.encode_label.setText(describe_progress(progress, fraction))

    @Slot(int, bool)
    def _on_request_done(self, request_id: int, started: bool) -> None:
        if request_id != self._request_id or started or self._closing:
            return
        self._opening = None  # the last request failed: back to the empty window
        self.info = None
        self._show_idle()

    @Slot(str)
    def _on_activity(self, text: str) -> None:
        self._activity = text
        self._update_status()
        self._update_overlay()

    @Slot()
    def _on_finished(self) -> None:
        self._state = State.FINISHED
        self.encode_bar.setValue(1000)
        if self.info is not None and not self.info.from_cache:
            self.encode_label.setText("Encoded: the DASH/HLS package is ready")
        self._update_status()

    # -- player signals ---------------------------------------------------------------------

    @Slot(float)
    def _on_duration(self, seconds: float) -> None:
        if seconds > 0 and self.info is not None:
            self.controls.show_duration(seconds)

    @Slot(bool)
    def _on_paused(self, _paused: bool) -> None:
        self._refresh_play_button()
        self._update_status()

    @Slot(bool)
    def _on_idle(self, _idle: bool) -> None:
        self._refresh_play_button()
        self._update_overlay()
        self._update_status()

    def _refresh_play_button(self) -> None:
        state = self.player.state
        show_play = state.paused or state.eof or (state.idle and self._opening is None)
        self.controls.show_play(show_play)

    @Slot(float)
    def _on_volume(self, volume: float) -> None:
        self.controls.show_volume(volume)
        self.settings.volume = volume

    @Slot(int)
    def _on_volume_slider(self, value: int) -> None:
        self.player.set_volume(value)
        if self.player.state.muted and value > 0:
            self.player.set_muted(False)

    @Slot(bool)
    def _on_muted(self, muted: bool) -> None:
        self.controls.show_muted(muted)
        self.settings.muted = muted

    def toggle_mute(self) -> None:
        self.player.set_muted(not self.player.state.muted)

    @Slot(bool)
    def _on_buffering(self, _buffering: bool) -> None:
        self._update_overlay()
        self._update_status()

    # -- status -----------------------------------------------------------------------------

    def _show_idle(self) -> None:
        self.stack.setCurrentWidget(self.welcome)
        self.setWindowTitle(APP_TITLE)
        self.controls.reset_timeline()
        self.encode_bar.hide()
        self.encode_label.clear()
        self._set_playing_controls(False)
        self.overlay.hide()
        self._update_status()

    def _set_playing_controls(self, playing: bool) -> None:
        self.window_actions.set_playing(playing)
        self.controls.set_playing(playing)

    def _update_overlay(self) -> None:
        text = ""
        if self.stack.currentWidget() is self.video_page:
            if self._activity:
                text = self._activity
            elif self._opening is not None:
                text = "Opening…"
            elif self.player.buffering:
                text = "Buffering…"
        self.overlay.setText(text)
        self.overlay.setVisible(bool(text))

    def _update_status(self) -> None:
        if self._activity:
            text = self._activity
        elif self.info is None:
            text = "Open a video, or drop one here." if self._opening is None else "Opening…"
        elif self.player.buffering:
            text = "Buffering: waiting for the encoder…"
        else:
            profile = PROFILES[self.info.profile].label
            size = f"{self.info.width}×{self.info.height}"
            state = self.player.state
            if state.idle:
                doing = "Stopped"
            elif state.eof:
                doing = "Ended"
            else:
                doing = "Paused" if state.paused else "Playing"
            text = f"{doing} · {profile} · {size}"
            if self._state is State.FAILED:
                text += " · encoding stopped"
        self.status_label.setText(text)

    @Slot(str, str)
    def show_error(self, message: str, details: str = "") -> None:
        """A problem in plain words; the app keeps running."""
        if self._closing:
            logger.info("error while closing (not shown): %s", message)
            return
        if self.error_dialog is not None:
            try:
                if self.error_dialog.isVisible():
                    # The first error explains the rest (a failed encode also ends playback).
                    logger.info("error while another is shown (not shown): %s", message)
                    return
            except RuntimeError:  # already deleted by Qt
                pass
        dialog = ErrorDialog(message, details, self.log_file, self)
        dialog.finished.connect(lambda _result, d=dialog: self._forget_error(d))
        self.error_dialog = dialog
        dialog.open()

    def _forget_error(self, dialog: ErrorDialog) -> None:
        if self.error_dialog is dialog:
            self.error_dialog = None

    def show_preferences(self) -> None:
        if self.preferences is not None:
            self.preferences.raise_()
            self.preferences.activateWindow()
            return
        dialog = PreferencesDialog(self.settings, self.cache, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.cache_limit_changed.connect(self.controller.set_cache_limit)
        dialog.destroyed.connect(lambda _obj=None: setattr(self, "preferences", None))
        self.preferences = dialog
        dialog.show()

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
        for dialog in (self.error_dialog, self.preferences):
            if dialog is not None:
                with contextlib.suppress(RuntimeError):  # Qt may have deleted it
                    dialog.close()
        self.hide()
        self.player.stop()
        self.controller.shutdown()
        QTimer.singleShot(CLOSE_TIMEOUT_MS, self.force_close)

    def _save_settings(self) -> None:
        self.settings.geometry = self.fullscreen.geometry_to_save()
        self.settings.profile = self._profile
        self.settings.volume = self.player.state.volume
        self.settings.muted = self.player.state.muted
        self.settings.sync()

    @Slot()
    def finish_close(self) -> None:
        """The controller has stopped every process: free mpv in order and close."""
        if self._closed:
            return
        self._closed = True
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


def center_on_screen(window: QWidget) -> None:
    screen = QApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(frame.topLeft())
