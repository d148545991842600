"""The main window on fakes: opening, profiles, controls, keys, status, errors, quitting."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from viewra_desktop.app.controller import SessionController, SessionInfo
from viewra_desktop.app.dialogs import ErrorDialog
from viewra_desktop.core.progress import Progress
from viewra_desktop.core.session import State


def info_for(path, profile="720p", duration=60.0, from_cache=False) -> SessionInfo:
    return SessionInfo(
        source=str(path),
        profile=profile,
        duration=duration,
        width=1280,
        height=720,
        from_cache=from_cache,
        folder="/tmp/cache/sessions/abc",
        dash_url="http://127.0.0.1:1/token/manifest.mpd",
        hls_url="http://127.0.0.1:1/token/master.m3u8",
    )


def start_playing(qtbot, h, path, profile="720p", duration=60.0, from_cache=False):
    """What the controller reports when a session has started."""
    h.window.open_file(str(path))
    info = info_for(path, profile, duration, from_cache)
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    h.controller.request_done.emit(h.controller.last_id, True)
    h.mpv.report("idle-active", False)
    h.mpv.report("duration", duration)
    h.mpv.report("core-idle", False)
    h.mpv.report("pause", False)
    qtbot.waitUntil(lambda: not h.player.state.idle and not h.player.state.core_idle)
    return info


def test_fake_controller_has_the_real_signals():
    from gui.fakes import FakeController

    def signals(cls):
        return {
            name
            for name in dir(cls)
            if not name.startswith("_") and type(getattr(cls, name)).__name__ == "Signal"
        }

    assert signals(SessionController) == signals(FakeController)


def test_empty_window_offers_open_and_demo(make_window):
    h = make_window()
    w = h.window
    assert "Viewra" in w.windowTitle()
    assert w.stack.currentWidget() is w.welcome
    assert w.welcome.open_button.isVisible()
    assert w.welcome.demo_button.isVisible()
    assert not w.controls.play_button.isEnabled()
    assert not w.controls.seek_bar.isEnabled()
    assert h.controller.opens() == []


def test_open_file_starts_a_session_and_plays_the_dash_url(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    w.open_file(str(clip))
    assert h.controller.opens() == [("open", str(clip), "720p")]
    assert w.stack.currentWidget() is w.video_page
    assert "holiday.mp4" in w.windowTitle() and "Viewra" in w.windowTitle()
    assert w.status.overlay.isVisible()

    h.controller.activity_changed.emit("Opening holiday.mp4…")
    assert "Opening holiday.mp4" in w.status.overlay.text()
    info = info_for(clip)
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    h.controller.activity_changed.emit("")
    h.controller.request_done.emit(h.controller.last_id, True)
    assert h.mpv.last("loadfile") == ("loadfile", info.dash_url, "replace")
    assert w.controls.total_label.text() == "1:00"
    assert w.controls.seek_bar.duration == 60.0
    assert w.controls.play_button.isEnabled()
    assert h.settings.recent_files == [str(clip)]


def test_demo_button_asks_for_the_demo_clip(make_window):
    h = make_window(profile="360p")
    h.window.welcome.demo_button.click()
    assert h.controller.opens() == [("demo", "360p")]
    assert "Demo" in h.window.windowTitle()


def test_failed_open_returns_to_the_empty_window_with_an_error(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    w.open_file(str(clip))
    h.controller.failed.emit("holiday.mp4 is not a video file Viewra Desktop can read.", "junk")
    h.controller.request_done.emit(h.controller.last_id, False)
    assert w.stack.currentWidget() is w.welcome
    assert w.windowTitle() == "Viewra Desktop"
    dialog = w.dialogs.error_dialog
    assert isinstance(dialog, ErrorDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.text() == "holiday.mp4 is not a video file Viewra Desktop can read."
    assert dialog.detailedText() == "junk"
    assert str(h.paths.log_file) in dialog.informativeText()
    dialog.accept()
    qtbot.waitUntil(lambda: w.dialogs.error_dialog is None)
    assert w.isVisible()  # the app keeps running


def test_an_older_request_failing_does_not_undo_a_newer_one(make_window, clip, tmp_path):
    h = make_window()
    w = h.window
    w.open_file(str(clip))
    first = h.controller.last_id
    other = tmp_path / "other.mkv"
    other.write_bytes(b"x")
    w.open_file(str(other))
    h.controller.request_done.emit(first, False)
    assert w.stack.currentWidget() is w.video_page
    assert "other.mkv" in w.windowTitle()


def test_opening_another_file_stops_playback_first(qtbot, make_window, clip, tmp_path):
    h = make_window()
    start_playing(qtbot, h, clip)
    other = tmp_path / "other.mkv"
    other.write_bytes(b"x")
    before = len(h.mpv.commands)
    h.window.open_file(str(other))
    assert h.mpv.commands[before] == ("stop",)
    assert h.controller.opens()[-1] == ("open", str(other), "720p")
    assert h.window.controls.seek_bar.duration == 0.0


def test_changing_the_profile_restarts_where_it_was(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.mpv.report("time-pos", 12.5)
    qtbot.waitUntil(lambda: h.player.state.position == 12.5)
    index = w.controls.profile_box.findData("480p")
    w.controls.profile_box.setCurrentIndex(index)
    w.controls.profile_box.activated.emit(index)
    assert h.controller.opens()[-1] == ("open", str(clip), "480p")
    assert h.settings.profile == "480p"
    info = info_for(clip, "480p")
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    assert h.mpv.last("loadfile") == ("loadfile", info.dash_url, "replace", "start=12.500")
    assert w.controls.profile_box.currentData() == "480p"


def test_profile_box_without_a_video_only_remembers_the_choice(make_window):
    h = make_window()
    box = h.window.controls.profile_box
    box.activated.emit(box.findData("1080p"))
    assert h.window.profile == "1080p"
    assert h.settings.profile == "1080p"
    assert h.controller.opens() == []


def test_command_line_profile_wins_over_the_last_one(make_window):
    h = make_window()
    h.settings.profile = "480p"
    h2 = make_window(profile="360p")
    assert h2.window.profile == "360p"
    assert h2.window.controls.profile_box.currentData() == "360p"
    h3 = make_window()
    assert h3.window.profile == "480p"


def test_progress_shows_percent_speed_and_time_left(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.controller.state_changed.emit(State.ENCODING)
    h.controller.progress_changed.emit(Progress(position=15.0, duration=60.0, speed=2.5))
    assert w.status.encode_bar.isVisible()
    assert w.status.encode_bar.value() == 250
    text = w.status.encode_label.text()
    assert "25%" in text and "2.5× realtime" in text and "18 s left" in text
    h.controller.progress_changed.emit(Progress(60.0, 60.0, 3.0, done=True))
    h.controller.finished.emit()
    assert w.status.encode_bar.value() == 1000
    assert "ready" in w.status.encode_label.text()


def test_a_cached_video_says_so(qtbot, make_window, clip):
    h = make_window()
    start_playing(qtbot, h, clip, from_cache=True)
    assert "cache" in h.window.status.encode_label.text()
    assert h.window.status.encode_bar.value() == 1000


def test_seek_bar_shows_position_and_encoded_ranges(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.controller.segments_changed.emit([(0.0, 4.0), (20.0, 22.0)])
    assert w.controls.seek_bar.ranges == [(0.0, 4.0), (20.0, 22.0)]
    h.mpv.report("time-pos", 3.2)
    qtbot.waitUntil(lambda: w.controls.elapsed_label.text() == "0:03")
    assert w.controls.seek_bar.position == 3.2


def test_clicking_the_seek_bar_seeks(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    w.resize(900, 600)
    start_playing(qtbot, h, clip)
    bar = w.controls.seek_bar
    x = round(bar.x_for(30.0))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, bar.height() // 2))
    seek = h.mpv.last("seek")
    assert seek is not None and seek[2] == "absolute"
    assert abs(float(seek[1]) - 30.0) < 0.5


def test_buffering_overlay_follows_mpv(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    assert not w.status.overlay.isVisible()
    h.mpv.report("paused-for-cache", True)
    qtbot.waitUntil(lambda: w.status.overlay.isVisible())
    assert w.status.overlay.text() == "Buffering…"
    assert "Buffering" in w.status.status_label.text()
    h.mpv.report("paused-for-cache", False)
    qtbot.waitUntil(lambda: not w.status.overlay.isVisible())
    # Waiting at the start (mpv wants to play but has no frame yet) is buffering too.
    h.mpv.report("core-idle", True)
    qtbot.waitUntil(lambda: w.status.overlay.isVisible())
    h.mpv.report("core-idle", False)
    qtbot.waitUntil(lambda: not w.status.overlay.isVisible())


def test_the_status_line_tells_what_plays(qtbot, make_window, clip):
    h = make_window()
    status = h.window.status.status_label
    assert status.text() == "Open a video, or drop one here."
    start_playing(qtbot, h, clip)
    assert status.text() == "Playing · 720p (HD) · 1280×720"
    h.mpv.report("pause", True)
    qtbot.waitUntil(lambda: status.text().startswith("Paused"))
    h.controller.state_changed.emit(State.FAILED)
    assert status.text() == "Paused · 720p (HD) · 1280×720 · encoding stopped"
    h.controller.activity_changed.emit("Stopping the encoder…")
    assert status.text() == "Stopping the encoder…"


def test_keys_work_like_mpv(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    w.activateWindow()
    h.mpv.report("volume", 50.0)
    qtbot.waitUntil(lambda: h.player.state.volume == 50.0)

    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert h.mpv.sets("pause")[-1] == "yes"
    h.mpv.report("pause", True)
    qtbot.waitUntil(lambda: h.player.state.paused)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert h.mpv.sets("pause")[-1] == "no"

    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert h.mpv.last("seek") == ("seek", "5.000", "relative")
    qtbot.keyClick(w, Qt.Key.Key_Left)
    assert h.mpv.last("seek") == ("seek", "-5.000", "relative")

    qtbot.keyClick(w, Qt.Key.Key_Up)
    assert h.mpv.sets("volume")[-1] == "55"
    qtbot.keyClick(w, Qt.Key.Key_Down)
    assert h.mpv.sets("volume")[-1] == "45"

    qtbot.keyClick(w, Qt.Key.Key_M)
    assert h.mpv.sets("mute")[-1] == "yes"
    h.mpv.report("mute", True)
    qtbot.waitUntil(lambda: h.settings.muted)


def test_fullscreen_by_key_double_click_and_escape(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    qtbot.keyClick(w, Qt.Key.Key_F)
    qtbot.waitUntil(w.isFullScreen)
    assert not w.menuBar().isVisible()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.isFullScreen())
    assert w.menuBar().isVisible() and w.controls.isVisible()
    h.video.double_clicked.emit()
    qtbot.waitUntil(w.isFullScreen)
    w.controls.fullscreen_button.click()
    qtbot.waitUntil(lambda: not w.isFullScreen())


def test_ctrl_o_opens_the_file_dialog(qtbot, make_window, clip, monkeypatch):
    from viewra_desktop.app import window as window_module

    asked = []

    def fake_dialog(parent, caption, folder, filters):
        asked.append(caption)
        return str(clip), ""

    monkeypatch.setattr(window_module.QFileDialog, "getOpenFileName", fake_dialog)
    h = make_window()
    qtbot.keyClick(h.window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Open a Video"]
    assert h.controller.opens() == [("open", str(clip), "720p")]
    assert h.settings.last_folder == str(clip.parent)


def test_dropping_a_file_opens_it(make_window, clip):
    h = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    h.window.dropEvent(event)
    assert h.controller.opens() == [("open", str(clip), "720p")]


def test_dropping_something_else_is_ignored(make_window, tmp_path):
    h = make_window()
    mime = QMimeData()
    mime.setText("not a file")
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    h.window.dropEvent(event)
    assert h.controller.opens() == []


def test_recent_files_menu_and_welcome_list(qtbot, make_window, clip, tmp_path):
    h = make_window()
    start_playing(qtbot, h, clip)
    h2 = make_window()
    actions = [a for a in h2.window.menus.recent_menu.actions() if a.text() == "holiday.mp4"]
    assert actions, [a.text() for a in h2.window.menus.recent_menu.actions()]
    assert [b.text() for b in h2.window.welcome.recent_buttons] == ["holiday.mp4"]
    actions[0].trigger()
    assert h2.controller.opens() == [("open", str(clip), "720p")]


def test_a_missing_recent_file_is_dropped_from_the_list(qtbot, make_window, tmp_path):
    gone = tmp_path / "gone.mp4"
    h = make_window()
    h.settings.add_recent(str(gone))
    h.window.open_recent(str(gone))
    assert h.controller.opens() == []
    assert h.settings.recent_files == []
    assert "gone.mp4" in h.window.dialogs.error_dialog.text()


def test_playback_error_shows_a_dialog(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.player.log("error", "lavf", "avformat_open_input() failed")

    class Event:
        class event_id:  # noqa: N801 - mimics python-mpv's event
            value = 7

        class data:  # noqa: N801
            reason = 4
            error = -13

    for callback in h.mpv.event_callbacks:
        callback(Event)
    qtbot.waitUntil(lambda: w.dialogs.error_dialog is not None)
    assert "could not be read" in w.dialogs.error_dialog.text()
    assert "avformat_open_input" in w.dialogs.error_dialog.detailedText()


def test_encode_failure_keeps_the_window_running(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.controller.state_changed.emit(State.FAILED)
    h.controller.failed.emit("Encoding failed: ffmpeg exited with code 1.", "x264 error")
    assert w.dialogs.error_dialog is not None
    assert "Encoding failed" in w.dialogs.error_dialog.text()
    assert w.status.encode_label.text() == "Encoding failed"
    assert w.stack.currentWidget() is w.video_page


def test_volume_and_geometry_persist(qtbot, make_window):
    h = make_window()
    w = h.window
    w.resize(700, 480)
    qtbot.waitUntil(lambda: w.width() == 700)
    w.controls.volume_slider.setValue(40)
    assert h.mpv.sets("volume")[-1] == "40"
    h.mpv.report("volume", 40.0)
    qtbot.waitUntil(lambda: h.settings.volume == 40)
    w.close()
    qtbot.waitUntil(lambda: w._closed, timeout=5000)
    h2 = make_window()
    assert h2.window.size().width() == 700 and h2.window.size().height() == 480
    assert h2.window.controls.volume_slider.value() == 40
    assert h2.mpv.sets("volume")[0] == "40"
    assert (h.paths.config / "viewra-desktop.ini").is_file()


def test_quitting_stops_the_controller_then_frees_mpv_in_order(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    with qtbot.waitSignal(w.closed, timeout=5000):
        qtbot.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert not w.isVisible()  # hidden at once, the rest happens in the background
    assert h.mpv.commands[-1] == ("stop",) or ("stop",) in h.mpv.commands
    assert h.journal == [
        "controller shutdown requested",
        "processes stopped",
        "render context freed",
        "mpv terminated",
    ]


def test_the_window_stays_responsive_while_quitting(qtbot, make_window):
    h = make_window()
    w = h.window
    w.close()
    assert w.closing and not w._closed
    QApplication.processEvents()
    w.close()  # a second close while the first is under way is harmless
    qtbot.waitUntil(lambda: w._closed, timeout=5000)
    assert h.journal.count("mpv terminated") == 1


def test_close_video_returns_to_the_welcome_page(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    qtbot.keyClick(w, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert h.controller.calls[-1] == ("stop",)
    assert w.stack.currentWidget() is w.welcome
    assert w.windowTitle() == "Viewra Desktop"


def test_the_first_error_stays_on_screen(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    start_playing(qtbot, h, clip)
    h.controller.failed.emit("Encoding failed: the packager was killed by SIGKILL.", "tail")
    first = w.dialogs.error_dialog
    qtbot.waitUntil(first.isVisible)
    w.show_error("The video stopped playing because it could not be read.", "503")
    assert w.dialogs.error_dialog is first
    assert "packager" in first.text()


def test_changing_the_profile_while_a_file_opens_reopens_it(make_window, clip):
    h = make_window()
    h.window.open_file(str(clip))
    h.window.set_profile("360p")
    assert h.controller.opens() == [("open", str(clip), "720p"), ("open", str(clip), "360p")]
    h.window.open_demo()
    h.window.set_profile("480p")
    assert h.controller.opens()[-2:] == [("demo", "360p"), ("demo", "480p")]


def test_an_open_logs_where_its_time_to_the_first_frame_went(qtbot, make_window, clip, caplog):
    import logging

    from viewra_desktop.app.player import MPV_EVENT_FILE_LOADED, MPV_EVENT_PLAYBACK_RESTART

    h = make_window()
    with caplog.at_level(logging.INFO, logger="viewra_desktop.core.phases"):
        start_playing(qtbot, h, clip)
        step = h.controller.step  # the session's steps, from its threads in the app
        for name in ("probe", "ffmpeg started", "first packet", "first chunk", "first answer"):
            step(name)
        h.mpv.event(MPV_EVENT_FILE_LOADED)
        h.mpv.event(MPV_EVENT_PLAYBACK_RESTART)
        qtbot.waitUntil(lambda: h.window.timing.phases.seconds("first frame") is not None)
        h.mpv.event(MPV_EVENT_PLAYBACK_RESTART)  # a seek's restart: not a second line
        qtbot.wait(50)
    lines = [r.getMessage() for r in caplog.records if "timing of open" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("timing of open of holiday.mp4: probe ")
    order = [lines[0].index(f"{name} ") for name in ("probe", "first answer", "demuxer open",
                                                      "first frame")]  # fmt: skip
    assert order == sorted(order)
