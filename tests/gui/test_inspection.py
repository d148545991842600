"""The window's inspection pieces on fakes: Encode stats, the compare view, zoom, speed and
the seek bar's thumbnail preview. (Real libmpv: test_compare_sync.py; a real window under
Xvfb: test_desktop_xvfb.py.)"""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from gui.fakes import FakeController, FakeMpv, FakeVideo
from viewra_desktop.app.compare import Mode
from viewra_desktop.app.compare_sync import FIRST_SEEK_S
from viewra_desktop.app.controller import SessionInfo
from viewra_desktop.app.player import Player
from viewra_desktop.core import layout
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.plan import image_plan
from viewra_desktop.core.stats import Metrics, Report, SegmentRow, SpeedSample
from viewra_desktop.core.streams import audio, video
from viewra_desktop.core.thumbnails import Thumbnails

V, A = video(0), audio(0)


class ClockMpv(FakeMpv):
    """A fake mpv with a position to read (``time_pos``), like the real one."""

    time_pos: float | None = None


@pytest.fixture
def inspect_window(qtbot, paths):
    from viewra_desktop.app.settings import Settings
    from viewra_desktop.app.window import MainWindow

    journal: list[str] = []
    mpv, source_mpv = ClockMpv(journal), ClockMpv(journal)
    player, source = Player(mpv), Player(source_mpv)
    source_video = FakeVideo(journal)
    window = MainWindow(
        FakeController(journal), player, FakeVideo(journal), Settings(paths.config),
        Cache(paths.cache), paths.log_file, None, source_factory=lambda: (source, source_video),
    )  # fmt: skip
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.source_mpv = source_mpv  # for the tests
    yield window
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=5000)
    window.deleteLater()


def info(path: str = "/media/film.mp4") -> SessionInfo:
    return SessionInfo(path, "720p", 20.0, 1280, 720, False, "/c/s", "http://x/m.mpd", "h")


def report() -> Report:
    rows = (
        SegmentRow(V, 1, 0.0, 0.5, 50_000, Metrics(44.0, 0.995, 41.0)),
        SegmentRow(V, 2, 0.5, 0.5, 25_000, Metrics(36.5, 0.97, 33.0)),
        SegmentRow(V, 3, 1.0, 1.0, 100_000, Metrics(40.0, 0.98, 37.0)),
        SegmentRow(A, 1, 0.0, 0.5, 8_000),
    )
    return Report(20.0, rows, (SpeedSample(1.0, 2.0), SpeedSample(2.0, 3.0)))


def start(window) -> None:
    """What the controller does when a session plays; the player reports it loaded."""
    window.controller.session_changed.emit(info())
    window.player.mpv.report("idle-active", False)
    window.player.mpv.report("pause", False)
    window.player.mpv.report("core-idle", False)  # playing, not waiting for data
    QApplication.processEvents()  # mpv's reports reach the Player through queued signals


# -- Encode stats -----------------------------------------------------------------------------


def test_encode_stats_panel_shows_the_figures_and_the_worst_segments(inspect_window, qtbot):
    window = inspect_window
    start(window)
    panel = window.inspection.stats
    assert not panel.isVisible()
    window.window_actions.stats.trigger()
    assert panel.isVisible()
    window.controller.stats_changed.emit(report())
    text = panel.figures.text()
    assert "Video: average 700 kbit/s, peak 800 kbit/s" in text
    assert "Size so far: 183.0 KB" in text
    assert "Projected final size: 2.1 MB" in text  # 175 kB × 20/2 + 8 kB × 20/0.5
    assert "Encoder speed: 3.00× (average 2.50×)" in text
    worst = [panel.worst.item(i).text() for i in range(panel.worst.count())]
    assert worst[0].endswith("segment 2: PSNR 36.5") and len(worst) == 3
    panel.worst.itemClicked.emit(panel.worst.item(0))
    assert window.player.mpv.last("seek") == ("seek", "0.500", "absolute")
    panel.metric_box.setCurrentIndex(panel.metric_box.findData("ssim"))
    assert panel.worst.item(0).text().endswith("SSIM 0.97")


def test_graph_draws_a_bar_per_segment_and_tells_what_is_under_the_mouse(inspect_window):
    window = inspect_window
    window.window_actions.stats.trigger()
    window.controller.stats_changed.emit(report())
    graph = window.inspection.stats.graph
    image = graph.grab().toImage()
    bar = QColor("#3d8bfd")

    def bar_pixels() -> int:
        return sum(
            1
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
            if abs(image.pixelColor(x, y).blue() - bar.blue()) < 20
            and abs(image.pixelColor(x, y).red() - bar.red()) < 20
        )

    assert bar_pixels() > 20
    third = graph.row_at(graph._x(1.5))
    assert third is not None and third.number == 3
    assert graph.row_at(graph._x(15.0)) is None  # not encoded yet


def test_export_csv_and_png(inspect_window, tmp_path):
    panel = inspect_window.inspection.stats
    panel.show_report(report())
    panel.export_csv(tmp_path / "stats.csv")
    assert (tmp_path / "stats.csv").read_text() == report().to_csv()
    assert panel.export_png(tmp_path / "graph.png")
    picture = QImage(str(tmp_path / "graph.png"))
    assert not picture.isNull() and picture.width() == panel.graph.width()


# -- compare --------------------------------------------------------------------------------


def test_compare_plays_the_source_file_beside_the_encode_in_three_modes(inspect_window, qtbot):
    window = inspect_window
    view = window.inspection.view
    window.window_actions.compare.trigger()
    assert not view.active  # nothing is open yet
    start(window)
    window.player.mpv.report("time-pos", 7.25)
    QApplication.processEvents()
    window.window_actions.compare.trigger()
    assert view.active and view.mode is Mode.SPLIT
    loaded = window.source_mpv.last("loadfile")
    assert loaded is not None and loaded[1] == "/media/film.mp4" and loaded[-1] == "start=7.250"
    assert window.source_mpv.sets("pause")[-1] == "yes"  # it waits to be put on the frame
    width = view.width()
    assert view._clip.width() == round(width / 2) and view.source.width() == width
    view.set_split(0.25)
    assert view._clip.width() == round(width * 0.25)
    window.window_actions.compare_side.trigger()
    assert view.mode is Mode.SIDE_BY_SIDE
    assert view.video.x() >= width // 2 - 1 and view._clip.width() == width - width // 2
    window.window_actions.compare_flip.trigger()
    assert view.showing_source
    qtbot.waitUntil(lambda: not view.showing_source, timeout=2500)
    qtbot.waitUntil(lambda: view.showing_source, timeout=2500)
    window.window_actions.compare.trigger()
    assert not view.active and window.source_mpv.last("stop") is not None
    window.controller.session_changed.emit(None)
    assert not window.window_actions.compare.isChecked()


def test_the_source_follows_the_encode(inspect_window):
    window = inspect_window
    start(window)
    window.window_actions.compare.trigger()
    sync = window.inspection.sync
    source = window.inspection.source
    source.mpv.report("idle-active", False)
    QApplication.processEvents()
    window.player.mpv.time_pos, source.mpv.time_pos = 12.0, 3.0  # the user seeked
    sync.tick()
    # While the encode plays the source seeks ahead by the time a seek takes, then waits.
    target = f"{12.0 + FIRST_SEEK_S + 0.0005:.6f}"
    assert window.source_mpv.last("seek") == ("seek", target, "absolute+exact")
    assert window.source_mpv.sets("pause")[-1] == "no"
    window.source_mpv.time_pos = 12.0 + FIRST_SEEK_S  # landed ahead: it waits on its frame
    sync.tick()
    assert window.source_mpv.sets("pause")[-1] == "yes"
    window.source_mpv.time_pos = 12.0 - 1 / 30  # a frame behind: a little faster
    sync.tick()
    assert window.source_mpv.sets("pause")[-1] == "no"
    assert float(window.source_mpv.sets("speed")[-1]) > 1.0
    window.player.mpv.report("pause", True)
    QApplication.processEvents()
    window.source_mpv.time_pos = 12.0
    sync.tick()
    assert window.source_mpv.sets("pause")[-1] == "yes"


def test_zoom_one_to_one_and_two_to_one_apply_to_both_players(inspect_window):
    window = inspect_window
    start(window)
    window.window_actions.compare.trigger()
    area = window.inspection.view.zoom_area()
    window.window_actions.zoom_1.trigger()
    fitted = min(area[0], area[1] * 1280 / 720)
    for mpv in (window.player.mpv, window.source_mpv):
        assert float(mpv.sets("video-zoom")[-1]) == pytest.approx(math.log2(1280 / fitted), 1e-3)
    window.window_actions.zoom_2.trigger()
    assert float(window.source_mpv.sets("video-zoom")[-1]) == pytest.approx(
        math.log2(2 * 1280 / fitted), 1e-3
    )
    window.window_actions.zoom_fit.trigger()
    assert window.player.mpv.sets("video-zoom")[-1] == "0.0000"


def test_speed_keys_step_through_the_speeds(inspect_window):
    window = inspect_window
    start(window)
    window.window_actions.faster.trigger()
    assert window.player.mpv.sets("speed")[-1] == "1.2500"
    window.player.mpv.report("speed", 1.25)
    QApplication.processEvents()
    window.window_actions.slower.trigger()
    window.window_actions.slower.trigger()  # from the state mpv reports: 1.25 → 1.0 (twice)
    assert window.player.mpv.sets("speed")[-1] == "1.0000"
    window.window_actions.normal_speed.trigger()
    assert window.player.mpv.sets("speed")[-1] == "1.0000"
    assert window.player.state.speed == 1.25


# -- thumbnails on the seek bar ---------------------------------------------------------------


def test_hovering_the_seek_bar_shows_the_thumbnail_of_that_time(inspect_window, tmp_path):
    window = inspect_window
    image = image_plan((1280, 720), 20.0)  # one a second, 20 on sheet 1
    sheet = QImage(image.width * 10, image.height * 10, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#202020"))
    for y in range(image.height):  # slot 7 (column 7, row 0) is red
        for x in range(7 * image.width, 8 * image.width):
            sheet.setPixelColor(x, y, QColor("#ff0000"))
    (tmp_path / layout.IMAGE_FOLDER).mkdir()
    assert sheet.save(str(tmp_path / layout.image_sheet(1)), "JPEG")
    start(window)
    window.controller.thumbnails_changed.emit(
        Thumbnails(image, tmp_path, 20.0, sheets=frozenset({1}))
    )
    popup = window.inspection.popup
    seek_bar = window.controls.seek_bar
    where = seek_bar.mapToGlobal(QPoint(seek_bar.width() // 2, 5))
    seek_bar.hovered.emit(7.4, where)
    assert popup.isVisible() and popup.shown is not None
    assert (popup.shown.x, popup.shown.y) == (7 * image.width, 0)
    shown = popup.picture.pixmap().toImage()
    assert (shown.width(), shown.height()) == (image.width, image.height)
    center = shown.pixelColor(image.width // 2, image.height // 2)
    assert center.red() > 200 and center.green() < 60
    assert popup.time.text() == "0:07"
    assert popup.geometry().bottom() < seek_bar.mapTo(window, QPoint(0, 0)).y()  # above it
    seek_bar.hover_left.emit()
    assert not popup.isVisible()
    QApplication.processEvents()
