"""The window's smaller parts: formatting, settings, cache limit, icons, seek bar, dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from unit.test_cache_trim import make_entry

from viewra_desktop.app.dialogs import PreferencesDialog
from viewra_desktop.app.formatting import (
    describe_progress,
    format_bytes,
    format_left,
    format_time,
    track_label,
)
from viewra_desktop.app.icons import APP_ICON_NAME, app_icon, app_icon_path, icon, icon_names
from viewra_desktop.app.seekbar import SeekBar
from viewra_desktop.app.settings import MAX_RECENT, Settings
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.progress import Progress

REPO = Path(__file__).resolve().parents[2]


# -- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "reference", "text"),
    [
        (0, None, "0:00"),
        (59.9, None, "0:59"),
        (61, None, "1:01"),
        (3599, None, "59:59"),
        (3600, None, "1:00:00"),
        (75, 4000, "0:01:15"),
        (-3, None, "0:00"),
        (None, None, "--:--"),
        (float("nan"), None, "--:--"),
    ],
)
def test_format_time(seconds, reference, text):
    assert format_time(seconds, reference) == text


def test_format_bytes_and_time_left():
    assert format_bytes(0) == "0 B"
    assert format_bytes(1536) == "1.5 KB"
    assert format_bytes(5 * 1024**3) == "5.0 GB"
    assert format_bytes(3 * 1024**4) == "3072.0 GB"
    assert format_left(None) == "estimating time left"
    assert format_left(0.4) == "almost done"
    assert format_left(41.2) == "42 s left"
    assert format_left(125) == "2:05 left"


def test_describe_progress():
    assert describe_progress(Progress(6.0, 60.0, 3.0)) == "Encoding 10% · 3.0× realtime · 18 s left"
    assert describe_progress(Progress(6.0, 60.0, 0.0)) == "Encoding 10% · estimating time left"
    assert describe_progress(Progress(60.0, 60.0, 3.0, done=True)) == "Encoded"


def test_track_label():
    assert track_label({"id": 2, "type": "audio", "lang": "fra", "title": "VF"}) == "2: VF [fra]"
    assert track_label({"id": 1, "type": "audio", "demux-channel-count": 6}) == "1: 6 ch"
    assert track_label({"id": 4, "type": "sub", "codec": "ass"}) == "4: ass"
    assert track_label({"id": 5, "type": "sub", "lang": "und", "external": True}) == (
        "5: (external)"
    )


# -- settings ---------------------------------------------------------------------------------


def test_settings_defaults_and_garbage(tmp_path):
    settings = Settings(tmp_path / "config")
    assert settings.profile == "720p" and settings.volume == 100 and not settings.muted
    assert settings.geometry is None and settings.recent_files == []
    (tmp_path / "config" / "viewra-desktop.ini").write_text(
        "[player]\nprofile=no such profile!\ncodec=mpeg2\nvolume=loud\nmuted=maybe\n"
        "[cache]\nlimit_gb=-4\n"
    )
    settings = Settings(tmp_path / "config")
    assert settings.profile == "720p" and settings.codec == ""
    assert settings.volume == 100
    assert settings.muted is False
    assert settings.cache_limit_gb == 0.0


def test_settings_persist_in_the_config_folder(tmp_path):
    settings = Settings(tmp_path / "config")
    settings.profile = "480p"
    settings.codec = "av1"
    settings.volume = 35.4
    settings.muted = True
    settings.cache_limit_gb = 2.5
    settings.add_recent(str(tmp_path / "only.mp4"))
    settings.sync()
    again = Settings(tmp_path / "config")
    assert (again.profile, again.volume, again.muted) == ("480p", 35, True)
    assert again.codec == "av1"
    assert again.cache_limit_bytes == int(2.5 * 1024**3)
    assert again.recent_files == [str(tmp_path / "only.mp4")]  # a one-item list survives INI


def test_recent_files_are_newest_first_unique_and_bounded(tmp_path):
    settings = Settings(tmp_path / "config")
    for i in range(MAX_RECENT + 3):
        settings.add_recent(str(tmp_path / f"{i}.mp4"))
    settings.add_recent(str(tmp_path / "5.mp4"))
    files = settings.recent_files
    assert len(files) == MAX_RECENT
    assert files[0] == str(tmp_path / "5.mp4") and files.count(str(tmp_path / "5.mp4")) == 1
    settings.remove_recent(files[0])
    assert str(tmp_path / "5.mp4") not in settings.recent_files
    settings.clear_recent()
    assert settings.recent_files == []


# -- icons ------------------------------------------------------------------------------------


def test_app_icon_is_the_svg_in_resources():
    path = app_icon_path()
    assert path is not None and path.name == APP_ICON_NAME
    packaged = REPO / "viewra_desktop" / "app" / APP_ICON_NAME
    assert packaged.read_bytes() == (REPO / "resources" / APP_ICON_NAME).read_bytes()
    assert not app_icon().isNull()
    assert app_icon().pixmap(64, 64).width() == 64


def test_every_control_icon_renders():
    for name in icon_names():
        pixmap = icon(name).pixmap(24, 24)
        assert not pixmap.isNull(), name
        image = pixmap.toImage()
        assert any(
            image.pixelColor(x, y).alpha() > 0 for x in range(0, 24, 2) for y in range(0, 24, 2)
        ), name


# -- seek bar ---------------------------------------------------------------------------------


def test_seek_bar_maps_time_to_pixels_and_back(qtbot):
    bar = SeekBar()
    qtbot.addWidget(bar)
    bar.resize(416, 22)
    assert not bar.isEnabled()
    bar.set_duration(100.0)
    assert bar.isEnabled()
    assert bar.x_for(0) == 8 and bar.x_for(100) == 408
    assert bar.time_at(bar.x_for(37.5)) == pytest.approx(37.5)
    assert bar.time_at(-50) == 0.0 and bar.time_at(5000) == 100.0


def test_seek_bar_drag_seeks_and_shows_the_target(qtbot):
    bar = SeekBar()
    qtbot.addWidget(bar)
    bar.resize(416, 22)
    bar.show()
    bar.set_duration(100.0)
    bar.set_position(10.0)
    seeks: list[float] = []
    bar.seek_requested.connect(seeks.append)
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(108, 11))
    assert bar.dragging and seeks == [pytest.approx(25.0)]
    bar.set_position(11.0)  # mpv's position does not move the handle while dragging
    assert bar.position == pytest.approx(25.0)
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(308, 11))
    assert not bar.dragging
    assert seeks[-1] == pytest.approx(75.0)
    assert bar.position == pytest.approx(75.0)
    bar.set_ranges([(0, 30.0)])
    bar.grab()  # paints without error
    bar.reset()
    assert bar.ranges == [] and not bar.isEnabled()


# -- preferences ------------------------------------------------------------------------------


def test_preferences_show_size_clear_and_limit(qtbot, tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.ensure()
    make_entry(cache, "one", 2048, age=10)
    settings = Settings(tmp_path / "config")
    dialog = PreferencesDialog(settings, cache)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.size_label.text().endswith("KB"))
    assert str(cache.root) in dialog.folder_label.text()
    limits: list[int] = []
    dialog.cache_limit_changed.connect(limits.append)
    dialog.limit_box.setValue(3.0)
    assert settings.cache_limit_gb == 3.0 and limits == [3 * 1024**3]
    dialog.limit_box.setValue(0.0)
    assert dialog.limit_box.text() == "No limit"
    dialog.clear_button.click()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.size_label.text() != "Clearing…")
    assert list(cache.sessions.iterdir()) == []
    assert dialog.size_label.text().endswith("B")
