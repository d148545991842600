"""Fixtures for the window tests (the fakes they use are in fakes.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gui.fakes import FakeController, FakeMpv, FakeVideo
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.paths import AppPaths, app_paths

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass
class Harness:
    window: object
    controller: FakeController
    player: object
    mpv: FakeMpv
    video: FakeVideo
    settings: object
    cache: Cache
    paths: AppPaths
    journal: list[str] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _application(qapp):
    """Every window test runs with the QApplication (pixmaps and painters need it)."""
    return qapp


@pytest.fixture
def paths() -> AppPaths:
    return app_paths()  # under the test's own VIEWRA_HOME (tests/conftest.py)


@pytest.fixture
def make_window(qtbot, paths):
    """Build a MainWindow on fakes; ``make_window(profile=..., codec=...)`` may be called
    again (each reads the user's profiles from the config folder)."""
    from viewra_desktop.app.player import Player
    from viewra_desktop.app.settings import Settings
    from viewra_desktop.app.window import MainWindow

    built: list[Harness] = []

    def make(profile: str | None = None, show: bool = True, codec: str | None = None) -> Harness:
        journal: list[str] = []
        mpv = FakeMpv(journal)
        player = Player(mpv)
        video = FakeVideo(journal)
        controller = FakeController(journal)
        settings = Settings(paths.config)
        cache = Cache(paths.cache)
        window = MainWindow(
            controller, player, video, settings, cache, paths.log_file, profile, codec
        )
        if show:
            window.show()
            qtbot.waitExposed(window)
            window.activateWindow()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        harness = Harness(window, controller, player, mpv, video, settings, cache, paths, journal)
        built.append(harness)
        return harness

    yield make
    for harness in built:
        window = harness.window
        if not window.closing:
            window.close()
        if window.closing:
            qtbot.waitUntil(lambda w=window: w._closed, timeout=5000)
        window.deleteLater()


@pytest.fixture
def real_window(qtbot, paths, tmp_path):
    """``real_window(file, profile, settings=..., size=...)``: a MainWindow with the real
    controller and player (no picture or sound out) playing ``file``; closed after the test,
    and no process of its session left running."""
    import locale

    from procs import processes_using

    from viewra_desktop.app.controller import SessionController
    from viewra_desktop.app.player import create_player
    from viewra_desktop.app.settings import Settings
    from viewra_desktop.app.window import MainWindow

    opened = []

    def make(file: Path, profile: str, configure=None, size: tuple[int, int] | None = None):
        locale.setlocale(locale.LC_NUMERIC, "C")
        player = create_player(vo="null", ao="null")
        cache = Cache(tmp_path / "cache")
        controller = SessionController(cache)
        controller.start()
        settings = Settings(paths.config)
        if configure is not None:
            configure(settings)
        window = MainWindow(controller, player, FakeVideo([]), settings, cache, None, profile)
        if size is not None:
            window.resize(*size)
        window.show()
        window.open_file(str(file))
        opened.append((window, cache))
        return window

    yield make
    for window, cache in opened:
        window.close()
        qtbot.waitUntil(lambda window=window: window._closed, timeout=30000)
        assert processes_using(cache.root) == []


@pytest.fixture
def clip(tmp_path) -> Path:
    """A file the window can be asked to open (the fakes never read it)."""
    path = tmp_path / "holiday.mp4"
    path.write_bytes(b"\0" * 64)
    return path
