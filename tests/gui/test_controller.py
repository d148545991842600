"""The SessionController: its thread, its signals, coalescing, failures and shutdown.

Most tests run a fake session (fast, and able to block on purpose); the last ones run the
real pipeline on a short generated clip.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from procs import processes_using
from PySide6.QtCore import QObject, QThread, Slot
from unit.factories import make_media

from viewra_desktop.app.controller import SessionController
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.errors import InputError
from viewra_desktop.core.keys import make_encryption
from viewra_desktop.core.ledger import Ledger
from viewra_desktop.core.mount import Mount
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.progress import Progress
from viewra_desktop.core.session import Failure, State


class FakeSession:
    """Session's interface; ``gate`` (an Event) makes ``start()`` wait, as a slow probe does."""

    instances: list[FakeSession] = []
    gate: threading.Event | None = None
    fail_with: Exception | None = None
    from_cache = False

    def __init__(self, path, profile, cache, events, burn_in=None, encrypt=False) -> None:
        self.source = path
        self.profile = profile
        self.cache = cache
        self.burn_in = burn_in
        self.on_state, self.on_progress, self.on_segments = (
            events.state,
            events.progress,
            events.segments,
        )
        self.state = State.IDLE
        self.failure: Failure | None = None
        self.progress: Progress | None = None
        self.plan = make_plan(make_media(1280, 720, duration=30.0), profile)
        if encrypt:  # an encrypted preview
            self.plan = dataclasses.replace(self.plan, encryption=make_encryption())
        self.started_on: QThread | None = None
        self.stopped = False
        self.ranges = [(0.0, 1.0)]
        self.folder = Path(cache.root) / "sessions" / Path(path).name
        FakeSession.instances.append(self)

    def start(self) -> None:
        self.started_on = QThread.currentThread()
        self.state = State.STARTING
        self.on_state(State.STARTING)
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail_with is not None:
            self.failure = Failure(str(self.fail_with), getattr(self.fail_with, "details", ""))
            self.state = State.FAILED
            self.on_state(State.FAILED)
            raise self.fail_with
        self.folder.mkdir(parents=True, exist_ok=True)
        self.state = State.FINISHED if self.from_cache else State.ENCODING
        self.on_state(self.state)

    def stop(self) -> None:
        self.stopped = True
        if self.state in (State.STARTING, State.ENCODING):
            self.state = State.STOPPED
            self.on_state(State.STOPPED)

    def mount(self) -> Mount:
        return Mount(folder=self.folder, ledger=Ledger(("video",)), segment_counts={"video": 1})

    def texts(self) -> list:
        return []

    def notes(self) -> list[str]:
        return []

    def encoded_ranges(self):
        return list(self.ranges)


class FakeServer:
    def __init__(self) -> None:
        self.mounted: list[str] = []
        self.unmounted: list[str] = []
        self.closed = False

    def start(self) -> None:
        pass

    def mount(self, mount) -> str:
        url = f"http://127.0.0.1:9/token{len(self.mounted)}/"
        self.mounted.append(url)
        return url

    def unmount(self, url: str) -> None:
        self.unmounted.append(url)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_sessions():
    FakeSession.instances = []
    FakeSession.gate = None
    FakeSession.fail_with = None
    FakeSession.from_cache = False
    yield FakeSession
    if FakeSession.gate is not None:
        FakeSession.gate.set()


class Recorder(QObject):
    """Lives on the GUI thread, so the controller's signals reach it queued, as in the app."""

    def __init__(self, ctrl: SessionController) -> None:
        super().__init__()
        self.events: list[tuple] = []
        for name in SIGNALS:
            getattr(ctrl, name).connect(getattr(self, f"on_{name}"))

    def add(self, *event) -> None:
        self.events.append(event)

    def of(self, name: str) -> list[tuple]:
        return [e[1:] for e in self.events if e[0] == name]

    @Slot(object)
    def on_session_changed(self, info):
        self.add("session_changed", info)

    @Slot(str)
    def on_manifest_ready(self, url):
        self.add("manifest_ready", url)

    @Slot(object)
    def on_state_changed(self, state):
        self.add("state_changed", state)

    @Slot(list)
    def on_segments_changed(self, ranges):
        self.add("segments_changed", ranges)

    @Slot(object)
    def on_progress_changed(self, progress):
        self.add("progress_changed", progress)

    @Slot(str, str)
    def on_failed(self, message, details):
        self.add("failed", message, details)

    @Slot()
    def on_finished(self):
        self.add("finished")

    @Slot(int, bool)
    def on_request_done(self, request, started):
        self.add("request_done", request, started)

    @Slot(str)
    def on_activity_changed(self, text):
        self.add("activity_changed", text)

    @Slot()
    def on_shut_down(self):
        self.add("shut_down")


SIGNALS = (
    "session_changed",
    "manifest_ready",
    "state_changed",
    "segments_changed",
    "progress_changed",
    "failed",
    "finished",
    "request_done",
    "activity_changed",
    "shut_down",
)


def fake_session_controller(tmp_path, server_factory, **options) -> SessionController:
    """A controller of FakeSessions (not started) on ``server_factory``'s server."""
    return SessionController(
        Cache(tmp_path / "cache"),
        session_factory=FakeSession,
        server_factory=server_factory,
        inspector_factory=lambda *args, **kwargs: None,  # the fake session has no package
        **options,
    )


@pytest.fixture
def controller(qtbot, tmp_path, fake_sessions):
    server = FakeServer()
    ctrl = fake_session_controller(tmp_path, lambda: server)
    ctrl.server = server  # for the tests
    ctrl.recorder = Recorder(ctrl)
    ctrl.start()
    yield ctrl
    shut_down(qtbot, ctrl)


def shut_down(qtbot, ctrl, timeout: int = 10000) -> None:
    if ctrl.thread_running:
        ctrl.shutdown()
        assert ctrl.wait(timeout)
    qtbot.waitUntil(lambda: bool(ctrl.recorder.of("shut_down")), timeout=timeout)


def opened(qtbot, ctrl, request: int, timeout: int = 5000) -> bool:
    """Wait for the request to be handled; True if its session started."""

    def handled() -> bool:
        return any(r == request for r, _ok in ctrl.recorder.of("request_done"))

    qtbot.waitUntil(handled, timeout=timeout)
    return next(ok for r, ok in ctrl.recorder.of("request_done") if r == request)


def names(events) -> list[str]:
    return [e[0] for e in events]


def test_open_starts_a_session_on_the_controller_thread(qtbot, controller, tmp_path):
    rec = controller.recorder
    clip = str(tmp_path / "clip.mp4")
    assert opened(qtbot, controller, controller.open(clip, "480p"))
    session = FakeSession.instances[-1]
    assert session.source == clip and session.profile.name == "480p"
    assert session.started_on is not QThread.currentThread()  # never the GUI thread
    assert session.started_on is controller.thread()
    [(info,)] = rec.of("session_changed")
    assert info.source == clip and info.profile == "480p" and info.duration == 30.0
    assert info.dash_url == "http://127.0.0.1:9/token0/manifest.mpd"
    assert info.hls_url == "http://127.0.0.1:9/token0/master.m3u8"
    assert rec.of("manifest_ready") == [(info.dash_url,)]
    assert rec.of("segments_changed") == [([(0.0, 1.0)],)]
    order = names(rec.events)
    assert order.index("session_changed") < order.index("manifest_ready")
    assert rec.of("activity_changed")[-1] == ("",)


def test_open_finds_your_profiles_and_the_codec_overrides_theirs(qtbot, tmp_path, fake_sessions):
    from viewra_desktop.core.profiles import Profile, Rung

    mine = Profile("mine", "Mine", (Rung(720), Rung(360)), hardware="vaapi", builtin=False)
    server = FakeServer()
    ctrl = fake_session_controller(tmp_path, lambda: server, profiles=lambda: {"mine": mine})
    ctrl.recorder = Recorder(ctrl)
    ctrl.start()
    try:
        assert opened(qtbot, ctrl, ctrl.open(str(tmp_path / "a.mp4"), "mine", codec="vp9"))
        session = FakeSession.instances[-1]
        assert (session.profile.name, session.profile.codec) == ("mine", "vp9")
        [(info,)] = ctrl.recorder.of("session_changed")
        assert (info.profile, info.profile_label, info.hardware) == ("mine", "Mine", "vaapi")
        assert info.rung_labels == ("720p", "360p") and info.encoder == "libvpx-vp9"
        assert info.decoder_threads == 1  # VP9 at 720p: one thread keeps up, and starts sooner
        assert not opened(qtbot, ctrl, ctrl.open(str(tmp_path / "a.mp4"), "theirs"))
        message, _details = ctrl.recorder.of("failed")[-1]
        assert message.startswith("There is no profile named 'theirs'") and "mine" in message
    finally:
        shut_down(qtbot, ctrl)


def test_open_returns_at_once_while_the_session_starts(qtbot, controller, tmp_path, fake_sessions):
    fake_sessions.gate = threading.Event()
    began = time.monotonic()
    request = controller.open(str(tmp_path / "a.mp4"), "720p")
    assert time.monotonic() - began < 0.5
    qtbot.waitUntil(lambda: len(FakeSession.instances) == 1)
    qtbot.waitUntil(lambda: ("Opening a.mp4…",) in controller.recorder.of("activity_changed"))
    fake_sessions.gate.set()
    assert opened(qtbot, controller, request)


def test_requests_coalesce_and_the_old_session_is_stopped(
    qtbot, controller, tmp_path, fake_sessions
):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "first.mp4"), "720p"))
    first = FakeSession.instances[-1]
    fake_sessions.gate = threading.Event()
    second = controller.open(str(tmp_path / "second.mp4"), "720p")
    qtbot.waitUntil(lambda: len(FakeSession.instances) == 2)  # second is starting (blocked)
    third = controller.open(str(tmp_path / "third.mp4"), "720p")
    fourth = controller.open(str(tmp_path / "fourth.mp4"), "360p")
    fake_sessions.gate.set()
    assert opened(qtbot, controller, fourth)
    assert opened(qtbot, controller, second)
    assert not opened(qtbot, controller, third)  # superseded before it began
    assert [Path(s.source).name for s in FakeSession.instances] == [
        "first.mp4",
        "second.mp4",
        "fourth.mp4",
    ]
    assert first.stopped and FakeSession.instances[1].stopped
    assert not FakeSession.instances[2].stopped
    assert controller.server.unmounted == controller.server.mounted[:2]


def test_a_file_that_cannot_be_opened_fails_once(qtbot, controller, tmp_path, fake_sessions):
    fake_sessions.fail_with = InputError("clip.mp4 is not a video file.", details="moov missing")
    assert not opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    rec = controller.recorder
    assert rec.of("failed") == [("clip.mp4 is not a video file.", "moov missing")]
    assert rec.of("manifest_ready") == []


def test_an_unknown_profile_is_reported(qtbot, controller, tmp_path):
    assert not opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "8k"))
    [(message, _details)] = controller.recorder.of("failed")
    assert "no profile named '8k'" in message


def test_failure_while_encoding_is_reported(qtbot, controller, tmp_path):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    session = FakeSession.instances[-1]
    session.failure = Failure("Encoding failed: ffmpeg exited with code 1.", "x264 [error]")
    session.state = State.FAILED
    threading.Thread(target=session.on_state, args=(State.FAILED,)).start()  # the monitor
    rec = controller.recorder
    qtbot.waitUntil(lambda: bool(rec.of("failed")))
    assert rec.of("failed") == [("Encoding failed: ffmpeg exited with code 1.", "x264 [error]")]
    assert (State.FAILED,) in rec.of("state_changed")


def test_progress_and_segments_from_the_monitor_thread(qtbot, controller, tmp_path):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    session = FakeSession.instances[-1]
    rec = controller.recorder
    threading.Thread(target=session.on_progress, args=(Progress(3.0, 30.0, 2.0),)).start()
    qtbot.waitUntil(lambda: bool(rec.of("progress_changed")))
    assert rec.of("progress_changed")[0][0].fraction == pytest.approx(0.1)
    session.ranges = [(0.0, 6.0)]
    threading.Thread(target=session.on_segments).start()
    qtbot.waitUntil(lambda: ([(0.0, 6.0)],) in rec.of("segments_changed"))


def test_callbacks_of_a_stopped_session_are_ignored(qtbot, controller, tmp_path):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "old.mp4"), "720p"))
    old = FakeSession.instances[-1]
    assert opened(qtbot, controller, controller.open(str(tmp_path / "new.mp4"), "720p"))
    rec = controller.recorder
    count = len(rec.events)
    old.on_progress(Progress(1.0, 30.0, 1.0))
    old.on_segments()
    old.on_state(State.FAILED)
    qtbot.wait(50)
    assert rec.events[count:] == []


def test_a_cached_session_reports_finished_once(qtbot, controller, tmp_path, fake_sessions):
    fake_sessions.from_cache = True
    assert opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    assert controller.recorder.of("finished") == [()]


def test_stop_ends_the_session(qtbot, controller, tmp_path):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    controller.stop()
    qtbot.waitUntil(lambda: controller.recorder.of("session_changed")[-1] == (None,))
    assert FakeSession.instances[-1].stopped


def test_shutdown_stops_everything_and_ends_the_thread(qtbot, controller, tmp_path):
    assert opened(qtbot, controller, controller.open(str(tmp_path / "clip.mp4"), "720p"))
    shut_down(qtbot, controller)
    assert not controller.thread_running
    assert FakeSession.instances[-1].stopped
    assert controller.server.closed
    controller.open(str(tmp_path / "late.mp4"), "720p")  # ignored once shut down
    qtbot.wait(50)
    assert len(FakeSession.instances) == 1


def test_demo_clip_is_made_then_opened(qtbot, controller, monkeypatch, tmp_path):
    from viewra_desktop.app import controller as controller_module

    made = []

    def fake_demo_clip(ffmpeg, folder):
        made.append((ffmpeg, folder))
        return folder / "viewra-demo.mp4"

    monkeypatch.setattr(controller_module, "demo_clip", fake_demo_clip)
    controller._find_tools = lambda: SimpleNamespace(ffmpeg="/bin/ffmpeg")
    assert opened(qtbot, controller, controller.open_demo("360p"))
    assert made == [("/bin/ffmpeg", controller.cache.root / "demo")]
    assert FakeSession.instances[-1].source == str(controller.cache.root / "demo/viewra-demo.mp4")
    assert ("Preparing the demo clip…",) in controller.recorder.of("activity_changed")


# -- the real pipeline ------------------------------------------------------------------------


def processes_in(folder: Path) -> list[str]:
    """Processes whose working directory or command line is inside ``folder``."""
    return processes_using(folder)


@pytest.fixture
def real_controller(qtbot, tmp_path):
    ctrl = SessionController(Cache(tmp_path / "cache"))
    ctrl.recorder = Recorder(ctrl)
    ctrl.start()
    yield ctrl
    shut_down(qtbot, ctrl, timeout=30000)


def test_real_session_serves_its_manifest_and_finishes(qtbot, real_controller, media_dir):
    from media import make_clip

    clip = make_clip(media_dir, "controller-4s.mp4", seconds=4, size="320x180")
    ctrl = real_controller
    rec = ctrl.recorder
    assert opened(qtbot, ctrl, ctrl.open(str(clip), "360p"), timeout=60000)
    [(url,)] = rec.of("manifest_ready")
    with urllib.request.urlopen(url, timeout=30) as response:
        assert b'type="static"' in response.read()
    qtbot.waitUntil(lambda: bool(rec.of("finished")), timeout=120000)
    ranges = rec.of("segments_changed")[-1][0]
    assert ranges[0][0] == 0.0 and ranges[-1][1] == pytest.approx(4.0, abs=0.1)
    shut_down(qtbot, ctrl, timeout=30000)
    assert processes_in(ctrl.cache.root) == []


def test_real_session_stopped_while_encoding_leaves_no_process(qtbot, real_controller, media_dir):
    from media import make_clip

    clip = make_clip(media_dir, "controller-30s.mp4", seconds=30, size="640x360")
    ctrl = real_controller
    assert opened(qtbot, ctrl, ctrl.open(str(clip), "source"), timeout=60000)
    assert processes_in(ctrl.cache.root), "the encoder should be running"
    shut_down(qtbot, ctrl, timeout=30000)
    assert processes_in(ctrl.cache.root) == []
    assert (State.ENCODING,) in ctrl.recorder.of("state_changed")


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "is empty"), (b"plain text, not a video\n" * 40, "not a video file")],
)
def test_real_bad_input_fails_with_one_sentence(qtbot, real_controller, tmp_path, content, words):
    bad = tmp_path / "holiday.mp4"
    bad.write_bytes(content)
    ctrl = real_controller
    ctrl.open(str(bad), "360p")
    qtbot.waitUntil(lambda: bool(ctrl.recorder.of("failed")), timeout=20000)
    [(message, _details)] = ctrl.recorder.of("failed")
    assert "holiday.mp4" in message and words in message
    assert "Traceback" not in message and message.count(".") >= 1 and "\n" not in message
    assert ctrl.recorder.of("manifest_ready") == []
    assert processes_in(ctrl.cache.root) == []
