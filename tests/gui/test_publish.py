"""The window's publishing pieces: Show Package, the Encrypt switch, Watch on Another Device,
and the export dialog (on a real finished entry, repackaged by the real packager)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from media import make_clip
from PySide6.QtGui import QDesktopServices, QGuiApplication

from gui.test_window import info_for, start_playing
from viewra_desktop.app.export_dialog import ExportDialog
from viewra_desktop.core import layout
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.keys import make_encryption
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.progress import Progress
from viewra_desktop.core.session import Session, State


@pytest.fixture
def opened(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()))
    return urls


def test_show_package_is_offered_once_the_package_is_complete(qtbot, make_window, clip, opened):
    h = make_window()
    actions, pieces = h.window.window_actions, h.window.publish
    assert not actions.export.isEnabled() and not actions.show_package.isEnabled()
    info = start_playing(qtbot, h, clip)
    assert actions.export.isEnabled()
    assert not actions.show_package.isEnabled() and not pieces.show_button.isVisible()
    h.controller.finished.emit()
    assert actions.show_package.isEnabled() and pieces.show_button.isVisible()
    assert info.folder in pieces.show_button.toolTip()
    pieces.show_button.click()
    actions.show_package.trigger()
    assert opened == [info.folder, info.folder]
    h.controller.session_changed.emit(None)  # closed: nothing to show
    assert not actions.show_package.isEnabled() and not actions.export.isEnabled()


def test_a_package_from_the_cache_is_shown_at_once(qtbot, make_window, clip):
    h = make_window()
    start_playing(qtbot, h, clip, from_cache=True)
    assert h.window.window_actions.show_package.isEnabled()


def test_encrypt_switch_reopens_encrypted_and_gives_mpv_the_key(qtbot, make_window, clip):
    h = make_window()
    info = start_playing(qtbot, h, clip)
    h.mpv.report("time-pos", 12.5)
    qtbot.waitUntil(lambda: h.player.state.position == 12.5)
    assert h.mpv.sets("demuxer-lavf-o") == [""]  # a clear session: no key
    h.window.window_actions.encrypt.trigger()
    assert h.controller.encrypt is True
    assert h.controller.opens()[-1] == ("open", str(clip), "720p")
    assert h.mpv.last("loadfile") is not None
    encryption = make_encryption()
    encrypted = replace(info, encryption=encryption, folder="/tmp/cache/sessions/def")
    h.controller.session_changed.emit(encrypted)
    h.controller.manifest_ready.emit(encrypted.dash_url)
    assert h.mpv.sets("demuxer-lavf-o")[-1] == f"cenc_decryption_key={encryption.key}"
    assert h.mpv.last("loadfile") == ("loadfile", info.dash_url, "replace", "start=12.500")
    h.window.window_actions.encrypt.trigger()
    assert h.controller.encrypt is False


def test_share_switch_shows_the_lan_address_and_its_qr_code(qtbot, make_window, clip):
    h = make_window()
    start_playing(qtbot, h, clip)
    share = h.window.window_actions.share
    panel = h.window.publish.share_panel
    assert not share.isChecked()  # off at every start
    share.trigger()
    assert h.controller.lan == [True]
    qtbot.waitUntil(panel.isVisible)
    assert panel.switch.isChecked() and not panel.copy.isEnabled()
    url = "http://192.0.2.2:41234/abcdefghijklmnopqrstuvwxyz012345/index.html"
    h.controller.share_changed.emit(url)
    assert panel.address.text() == url and panel.copy.isEnabled()
    assert panel.code.pixmap().width() >= 100  # a QR code a phone can scan
    panel.copy.click()
    assert QGuiApplication.clipboard().text() == url
    panel.switch.setChecked(False)  # the panel's switch is the window's
    assert not share.isChecked() and h.controller.lan == [True, False]
    h.controller.share_changed.emit("")
    assert panel.address.text() == "" and panel.code.pixmap().isNull()


@pytest.fixture(scope="module")
def finished_entry(media_dir, tmp_path_factory) -> Path:
    """A real finished cache entry of a short clip."""
    cache = Cache(tmp_path_factory.mktemp("cache"))
    session = Session(str(make_clip(media_dir, "clip3.mp4", 3)), get_profile("360p"), cache)
    session.start()
    deadline = time.monotonic() + 60
    while session.state is not State.FINISHED:
        assert session.state is not State.FAILED and time.monotonic() < deadline
        time.sleep(0.05)
    session.stop()
    return session.folder


def test_export_dialog_waits_for_the_encode_then_exports(qtbot, finished_entry, tmp_path):
    info = replace(info_for("/videos/holiday.mp4"), folder=str(finished_entry))
    dialog = ExportDialog(info, finished=False, folder=str(tmp_path / "out"))
    qtbot.addWidget(dialog)
    dialog.encrypt.setChecked(True)
    dialog.key.setText("not a key")
    dialog.export_button.click()
    assert "32 hexadecimal digits" in dialog.message.text()
    dialog.key.clear()
    dialog.segment.setValue(2)
    dialog.export_button.click()
    assert "Finishing the encode first" in dialog.message.text()
    dialog.encode_progress(Progress(1.5, 3.0, 1.0))
    assert "50%" in dialog.message.text()
    dialog.encode_finished()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=30000)
    result = dialog.exported
    assert result is not None, dialog.message.text()
    assert result.package == tmp_path / "out" / "holiday"
    assert (result.package / layout.PLAYER_PAGE).is_file()
    assert result.key_file == tmp_path / "out" / layout.key_file("holiday")
    assert str(result.key_file) in dialog.message.text()
    assert not dialog.show_button.isHidden()


def test_export_dialog_tells_when_the_video_closes_before_its_encode_finished(qtbot, tmp_path):
    info = info_for("/videos/holiday.mp4")
    dialog = ExportDialog(info, finished=False, folder=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.export_button.click()
    dialog.session_changed(info)  # the same video: still waiting
    assert "Finishing" in dialog.message.text()
    dialog.session_changed(None)
    assert "closed before its encode finished" in dialog.message.text()
    assert dialog.export_button.isEnabled() and dialog.job is None
