"""Fakes for the window tests: mpv, the video widget and the controller.

They stand in only for what is slow or needs a screen. The ``Player`` under test is the real
one, fed raw mpv property values through the same marshalling path as in the app.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget


class FakeMpv:
    """Records what the Player asks of mpv; ``report`` plays mpv's event thread."""

    def __init__(self, journal: list[str]) -> None:
        self.commands: list[tuple] = []
        self.observers: dict[str, list] = {}
        self.event_callbacks: list = []
        self.journal = journal

    def observe_property(self, name, handler) -> None:
        self.observers.setdefault(name, []).append(handler)

    def register_event_callback(self, callback) -> None:
        self.event_callbacks.append(callback)

    def command_async(self, *args) -> None:
        self.commands.append(tuple(str(a) for a in args))

    def terminate(self) -> None:
        self.journal.append("mpv terminated")

    def event(self, event_id: int) -> None:
        """mpv's event thread reports an event with no data (FILE_LOADED, PLAYBACK_RESTART)."""

        class Event:
            class event_id:  # noqa: N801 - python-mpv's shape
                value = 0

            data = None

        Event.event_id.value = event_id
        for callback in self.event_callbacks:
            callback(Event)

    def report(self, name: str, value) -> None:
        for handler in self.observers.get(name, []):
            handler(name, value)

    def last(self, name: str) -> tuple | None:
        for command in reversed(self.commands):
            if command[0] == name:
                return command
        return None

    def sets(self, prop: str) -> list[str]:
        return [c[2] for c in self.commands if c[:2] == ("set", prop)]


class FakeVideo(QWidget):
    """Stands in for the OpenGL video widget."""

    double_clicked = Signal()
    mouse_moved = Signal()

    def __init__(self, journal: list[str]) -> None:
        super().__init__()
        self.journal = journal
        self.setMinimumSize(160, 90)

    def release(self) -> None:
        self.journal.append("render context freed")


class FakeController(QObject):
    """The SessionController's signals and methods, with no pipeline behind them."""

    state_changed = Signal(object)
    progress_changed = Signal(object)
    segments_changed = Signal(list)
    texts_changed = Signal(list)
    notes_changed = Signal(list)
    manifest_ready = Signal(str)
    session_changed = Signal(object)
    activity_changed = Signal(str)
    failed = Signal(str, str)
    finished = Signal()
    request_done = Signal(int, bool)
    shut_down = Signal()
    stats_changed = Signal(object)
    thumbnails_changed = Signal(object)
    share_changed = Signal(str)

    def __init__(self, journal: list[str]) -> None:
        super().__init__()
        self.journal = journal
        self.calls: list[tuple] = []
        self.cache_limit: int | None = None
        self.burn_ins: list[int | None] = []  # per open(): the picture subtitles drawn in
        self.encrypt = False
        self.lan: list[bool] = []
        self._id = 0

    def _record(self, *call) -> int:
        self._id += 1
        self.calls.append(call)
        return self._id

    def open(
        self, path: str, profile: str, burn_in: int | None = None, codec: str = "", step=None
    ) -> int:
        self.burn_ins.append(burn_in)
        self.step = step
        return self._record("open", path, profile, *([codec] if codec else []))

    def open_demo(self, profile: str, codec: str = "", step=None) -> int:
        self.step = step
        return self._record("demo", profile, *([codec] if codec else []))

    def stop(self) -> int:
        return self._record("stop")

    def set_cache_limit(self, limit: int) -> None:
        self.cache_limit = limit

    def set_encrypt(self, encrypt: bool) -> None:
        self.encrypt = encrypt

    def set_lan(self, on: bool) -> None:
        self.lan.append(on)

    def shutdown(self) -> int:
        self.journal.append("controller shutdown requested")

        def done() -> None:
            self.journal.append("processes stopped")
            self.shut_down.emit()

        QTimer.singleShot(10, done)
        return self._record("shutdown")

    @property
    def last_id(self) -> int:
        return self._id

    def opens(self) -> list[tuple]:
        return [c for c in self.calls if c[0] in ("open", "demo")]
