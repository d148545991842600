"""The system's request to open a file (macOS Finder: QFileOpenEvent) opens it in the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from viewra_desktop.app.window import FileOpenHandler


def install(qapp, window) -> FileOpenHandler:
    handler = FileOpenHandler(window)
    qapp.installEventFilter(handler)
    return handler


def test_a_file_open_event_sent_to_the_application_opens_the_file(qapp, make_window, clip):
    h = make_window()
    handler = install(qapp, h.window)
    try:
        event = QFileOpenEvent(str(clip))
        assert QApplication.sendEvent(qapp, event)  # handled
        assert h.controller.opens() == [("open", str(clip), "720p")]
        assert h.window.stack.currentWidget() is h.window.video_page
        assert h.window.windowTitle().startswith(clip.name)
    finally:
        qapp.removeEventFilter(handler)


def test_a_file_url_works_too_and_a_second_file_replaces_the_first(
    qapp, make_window, clip, tmp_path
):
    other = tmp_path / "second.mkv"
    other.write_bytes(b"\0" * 16)
    h = make_window()
    handler = install(qapp, h.window)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(clip))))
        QApplication.sendEvent(qapp, QFileOpenEvent(str(other)))
        assert h.controller.opens() == [
            ("open", str(clip), "720p"),
            ("open", str(other), "720p"),
        ]
    finally:
        qapp.removeEventFilter(handler)


def test_other_events_and_remote_urls_are_left_alone(qapp, make_window):
    h = make_window()
    handler = install(qapp, h.window)
    try:
        remote = QFileOpenEvent(QUrl("https://example.org/video.mp4"))
        assert not handler.eventFilter(qapp, remote)
        assert not handler.eventFilter(qapp, QEvent(QEvent.Type.FileOpen))
        assert not handler.eventFilter(qapp, QEvent(QEvent.Type.User))
        assert h.controller.opens() == []
    finally:
        qapp.removeEventFilter(handler)


def test_nothing_opens_while_the_window_is_closing(qapp, qtbot, make_window, clip):
    h = make_window()
    handler = install(qapp, h.window)
    try:
        h.window.close()
        assert h.window.closing
        QApplication.sendEvent(qapp, QFileOpenEvent(str(clip)))
        assert h.controller.opens() == []
    finally:
        qapp.removeEventFilter(handler)
