"""``run_app``: build the application, run it, and shut it down in order (``build``,
``run``: a benchmark drives the same window).

Order at start: QApplication, then ``setlocale(LC_NUMERIC, "C")``, then libmpv (which refuses
a locale whose decimal point is not "."). Order at quit (see ``MainWindow.closeEvent``):
playback stops, the controller stops ffmpeg, the packager and the server on its thread, the
render context is freed with its GL context current, mpv is terminated, and only then does
the event loop end.
"""

from __future__ import annotations

import argparse
import locale
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from ..core.cache import Cache
from ..core.paths import AppPaths
from ..core.profiles import get_profile
from ..core.user_profiles import ProfileStore
from .controller import SessionController
from .dialogs import APP_TITLE, wait_for_tasks
from .icons import app_icon, resource_path
from .player import Player, create_player
from .settings import Settings
from .video import MpvVideoWidget
from .window import CLOSE_TIMEOUT_MS, FileOpenHandler, MainWindow

logger = logging.getLogger(__name__)

SCREENSHOT_ENV = "VIEWRA_TEST_SCREENSHOT_DIR"  # test hook: save rendered frames there
SCREENSHOT_PERIOD_MS = 500
SCREENSHOT_LIMIT = 120

STYLE_SHEET = """
QMainWindow, #welcome { background: #141518; }
#videoPage { background: #000000; }
#controls { background: #1c1e22; border-top: 1px solid #2a2d33; }
#timeLabel { color: #c9ccd1; font-size: 12px; }
#overlay {
    background: rgba(18, 19, 22, 210); color: #f1f3f5; font-size: 15px;
    padding: 10px 20px; border-radius: 10px;
}
#welcomeTitle { font-size: 26px; font-weight: 600; color: #f1f3f5; }
#welcomeSubtitle { color: #9aa0a6; font-size: 14px; }
#hint { color: #80868b; }
#recentTitle { color: #9aa0a6; font-size: 12px; font-weight: 600; }
#welcome QPushButton {
    background: #2a2d33; color: #e8eaed; border: 1px solid #3a3e45;
    border-radius: 8px; padding: 8px 20px; font-size: 14px;
}
#welcome QPushButton:hover { background: #33373e; }
#welcome QPushButton#primaryButton {
    background: #3d8bfd; border: 1px solid #3d8bfd; color: #ffffff; font-weight: 600;
}
#welcome QPushButton#primaryButton:hover { background: #5b9dfd; }
#welcome QPushButton#recentButton {
    background: transparent; border: none; color: #8ab4f8; padding: 2px 6px; font-size: 13px;
}
#welcome QPushButton#recentButton:hover { color: #aecbfa; text-decoration: underline; }
QStatusBar { background: #16171a; color: #aeb3b9; border-top: 1px solid #24262b; }
QStatusBar #encodeBar { margin-right: 10px; }
QStatusBar QLabel { color: #aeb3b9; padding: 0 4px; }
QStatusBar QLabel#notesLabel { color: #f2c36b; }
QStatusBar::item { border: none; }
#encodeBar { background: #2a2d33; border: none; border-radius: 4px; }
#encodeBar::chunk { background: #3d8bfd; border-radius: 4px; }
#controls QSlider::groove:horizontal { height: 4px; background: #3a3e45; border-radius: 2px; }
#controls QSlider::sub-page:horizontal { background: #e8eaed; border-radius: 2px; }
#controls QSlider::handle:horizontal {
    background: #ffffff; width: 12px; height: 12px; margin: -4px 0; border-radius: 6px;
}
#controls QToolButton { border: none; border-radius: 6px; padding: 4px; }
#controls QToolButton:hover { background: #2e3137; }
#controls QToolButton:pressed { background: #3a3e45; }
#controls QComboBox {
    background: #2a2d33; border: 1px solid #3a3e45; border-radius: 6px;
    padding: 3px 26px 3px 10px; color: #e8eaed; min-height: 22px;
}
#controls QComboBox:hover { border-color: #4a4f57; }
#controls QComboBox::drop-down {
    subcontrol-origin: padding; subcontrol-position: center right; width: 22px; border: none;
}
#controls QComboBox::down-arrow { image: url("@CHEVRON@"); width: 12px; height: 12px; }
#controls QComboBox QAbstractItemView {
    background: #22252a; color: #e8eaed; border: 1px solid #33363c;
    selection-background-color: #3d8bfd; outline: none;
}
QMenuBar { background: #1a1b1e; color: #d6d9dd; }
QMenuBar::item:selected { background: #2e3137; }
QMenu { background: #22252a; color: #e8eaed; border: 1px solid #33363c; padding: 4px 0; }
QMenu::item { padding: 5px 24px 5px 24px; }
QMenu::item:selected { background: #3d8bfd; color: #ffffff; }
QMenu::item:disabled { color: #6b6f76; }
QMenu::separator { height: 1px; background: #33363c; margin: 4px 8px; }
"""


def apply_theme(app: QApplication) -> None:
    """A dark Fusion theme: video looks best framed in dark grey, on every platform."""
    app.setStyle("Fusion")
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#1c1e22",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#141518",
        QPalette.ColorRole.AlternateBase: "#22252a",
        QPalette.ColorRole.ToolTipBase: "#2a2d33",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2a2d33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#3d8bfd",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.PlaceholderText: "#80868b",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6f76"))
    app.setPalette(palette)
    chevron = resource_path("chevron-down.svg")
    app.setStyleSheet(STYLE_SHEET.replace("@CHEVRON@", chevron.as_posix() if chevron else ""))


def center_on_screen(window: QWidget) -> None:
    screen = QApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(frame.topLeft())


def _install_signal_handlers(window: MainWindow) -> QTimer:
    """SIGINT/SIGTERM close the window the normal way (stopping the encoder first)."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: closing", signal.Signals(signum).name)
        QTimer.singleShot(0, window.close)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    # Python runs signal handlers only between bytecodes: wake the interpreter regularly.
    timer = QTimer()
    timer.setInterval(200)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


def _screenshot_hook(window: MainWindow, video: MpvVideoWidget, folder: Path) -> QTimer:
    """Test hook: save what the video widget rendered, the whole window, and the compare
    view and stats panel when they show, twice a second. A frame's name carries the
    player's position then, in milliseconds (``video-007-2400``)."""
    folder.mkdir(parents=True, exist_ok=True)
    count = [0]

    def grab() -> None:
        if count[0] >= SCREENSHOT_LIMIT or window.closing or not window.isVisible():
            return
        if window.stack.currentWidget() is not window.video_page:
            return
        count[0] += 1
        index = count[0]
        # mpv's own clock, read now (the player's state may trail it by a few updates).
        at = round(1000 * (getattr(window.player.mpv, "time_pos", None) or 0.0))
        shots = [
            (f"video-{index:03d}-{at:06d}.png", video.grabFramebuffer()),
            (f"window-{index:03d}.png", window.grab().toImage()),
        ]
        pieces = window.inspection  # the compare view and the Encode stats panel, when shown
        if pieces.view.active:
            shots.append((f"compare-{index:03d}.png", pieces.view.grab().toImage()))
        if pieces.stats.isVisible():
            shots.append((f"stats-{index:03d}.png", pieces.stats.grab().toImage()))
        for name, image in shots:
            partial = folder / f".{name}.partial"
            if image.save(str(partial), "PNG"):  # type: ignore[call-overload]
                os.replace(partial, folder / name)  # a reader never sees half a file

    timer = QTimer(window)
    timer.setInterval(SCREENSHOT_PERIOD_MS)
    timer.timeout.connect(grab)
    timer.start()
    logger.info("saving screenshots to %s", folder)
    return timer


@dataclass
class App:
    """The running application's parts (``build``), for ``run``."""

    qt: QApplication
    window: MainWindow
    controller: SessionController
    wake_timer: QTimer
    profiles: ProfileStore  # the user's own; a problem with their file is told once shown


def build(args: argparse.Namespace, paths: AppPaths) -> App:
    """The application and its window, not yet shown."""
    profiles = ProfileStore(paths.config)
    profiles.load()  # a file that cannot be used is logged, and told once the window shows
    if args.profile:
        get_profile(args.profile, profiles.mapping())  # an unknown one: one sentence, no window
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_TITLE)
    app.setApplicationDisplayName(APP_TITLE)
    app.setDesktopFileName("viewra-desktop")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the window quits the app once mpv is freed
    apply_theme(app)
    # After the QApplication (which may set the locale from the environment), before mpv.
    locale.setlocale(locale.LC_NUMERIC, "C")

    settings = Settings(paths.config)
    cache = Cache(args.cache_dir or paths.cache)

    player = create_player()
    video = MpvVideoWidget(player.mpv)
    controller = SessionController(cache, profiles=profiles.mapping)
    controller.set_cache_limit(settings.cache_limit_bytes)
    controller.start()

    def source_player() -> tuple[Player, MpvVideoWidget]:
        """The compare view's second player: the source file, no sound, no lookahead."""
        source = create_player(aid="no", cache="no")
        return source, MpvVideoWidget(source.mpv)

    window = MainWindow(
        controller, player, video, settings, cache, paths.log_file, args.profile, args.codec,
        profiles, source_player,
    )  # fmt: skip
    window.closed.connect(app.quit)
    # macOS: Finder hands double-clicked videos to the app as events, not arguments.
    app.installEventFilter(FileOpenHandler(window))
    if settings.geometry is None:
        center_on_screen(window)
    wake_timer = _install_signal_handlers(window)
    shots = os.environ.get(SCREENSHOT_ENV)
    if shots:
        _screenshot_hook(window, video, Path(shots))
    return App(app, window, controller, wake_timer, profiles)


def run(app: App) -> int:
    """Run the event loop until the window is closed, then shut down in order."""
    code = app.qt.exec()
    app.wake_timer.stop()
    clean = True
    controller = app.controller
    if controller.thread_running:
        controller.shutdown()
        clean = controller.wait(CLOSE_TIMEOUT_MS)
        if not clean:
            logger.error("the controller thread did not end")
    app.window.finish_close()  # no-op after a normal close
    wait_for_tasks()
    logger.info("exit %d", code)
    return code if clean else 1


def run_app(args: argparse.Namespace, paths: AppPaths) -> int:
    """Run the window until it is closed; return the exit code."""
    app = build(args, paths)
    app.window.show()
    if app.profiles.problem:
        app.window.show_error(app.profiles.problem)
    if args.file:
        app.window.open_file(args.file)
    elif args.demo:
        app.window.open_demo()
    return run(app)
