"""What the benchmark plays with: a libmpv that reports what it shows, and ``serve``."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import mpv

from viewra_desktop.core.encoders import software
from viewra_desktop.core.player_options import MPV_OPTIONS, decoder_threads
from viewra_desktop.core.renditions import VideoRendition
from viewra_desktop.core.streams import video

VIEWRA = [sys.executable, "-m", "viewra_desktop"]
PROFILE = "720p"


def app_threads(codec: str = "h264") -> int:
    """The decoder threads the app gives the benchmark's 720p30 stream in ``codec`` (the
    ladder's largest rung, 1080p30, gets the same)."""
    stream = VideoRendition(video(0), 1280, 720, 30.0, level=31, maxrate_kbps=5000,
                            encoder=software(codec))  # fmt: skip
    return decoder_threads([stream])


MPV_EVENT_FILE_LOADED = 8


@dataclass
class Watch:
    """What an mpv instance reports: positions with their times, cache pauses, the end.

    Its first frame is when the video output is set up for the first picture (it gets that
    frame next), not the first position: mpv reports position 0 as soon as the demuxer has
    opened the file, before anything is decoded."""

    player: mpv.MPV
    times: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, time-pos)
    pauses: int = 0
    duration: float = 0.0
    loaded: float | None = None  # when the demuxer opened the file (monotonic)
    framed: float | None = None  # when the first frame was decoded and given to the output
    ended: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def create(cls, plain: bool = False, threads: int | None = None, **options: str) -> Watch:
        """A libmpv with the app's session options and decoder threads (``threads``, else
        the app's for the 720p30 H.264 stream; ``plain``: mpv's defaults), and
        ``options``. No video or audio output."""
        app = {**MPV_OPTIONS}
        count = app_threads() if threads is None else threads
        if count:
            app["vd_lavc_threads"] = str(count)
        chosen = {**({} if plain else app), **options}
        player = mpv.MPV(vo="null", ao="null", **chosen)
        watch = cls(player)
        player.observe_property("time-pos", watch._on_time)
        player.observe_property("paused-for-cache", watch._on_pause)
        player.observe_property("duration", watch._on_duration)
        player.observe_property("video-out-params", watch._on_output)
        player.event_callback("end-file")(lambda _event: watch.ended.set())
        player.event_callback("file-loaded")(lambda _event: watch._on_loaded())
        return watch

    def _on_loaded(self) -> None:
        if self.loaded is None:
            self.loaded = time.monotonic()

    def _on_time(self, _name: str, value: float | None) -> None:
        if value is not None:
            with self.cond:
                self.times.append((time.monotonic(), value))
                self.cond.notify_all()

    def _on_output(self, _name: str, value: dict | None) -> None:
        if value and self.framed is None:
            with self.cond:
                self.framed = time.monotonic()
                self.cond.notify_all()

    def first_frame(self, timeout: float) -> float | None:
        """When the first frame was decoded and given to the video output (monotonic)."""
        with self.cond:
            self.cond.wait_for(lambda: self.framed is not None, timeout)
            return self.framed

    def _on_duration(self, _name: str, value: float | None) -> None:
        if value:
            self.duration = value

    def _on_pause(self, _name: str, value: bool | None) -> None:
        if value:
            self.pauses += 1

    def wait(self, predicate: Callable[[float], bool], timeout: float, since: int = 0):
        """(monotonic time, position) of the first position from ``since`` that matches."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for stamp, value in self.times[since:]:
                    if predicate(value):
                        return stamp, value
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self) -> None:
        self.player.terminate()


@dataclass
class Served:
    started: float  # monotonic, just before serve was started
    urls: dict[str, str]
    proc: subprocess.Popen
    ready: float  # seconds until the URLs were printed


@contextlib.contextmanager
def serve(file: Path, cache: Path, *options: str) -> Iterator[Served]:
    """Start ``viewra-desktop serve`` (``options``: else the 720p profile); stop it after."""
    started = time.monotonic()
    argv = [*VIEWRA, "serve", str(file), "--cache-dir", str(cache)]
    proc = subprocess.Popen(
        [*argv, *(options or ("--profile", PROFILE))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        yield Served(started, urls, proc, time.monotonic() - started)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


@dataclass
class Start:
    """One start: seconds from starting serve (or ffmpeg) to each moment."""

    ready: float  # the URLs printed
    loaded: float  # the player's demuxer opened the manifest
    frame: float  # the first frame
    serve_steps: dict[str, float] = field(default_factory=dict)  # serve's timing line


def log_file() -> Path:
    return Path(os.environ["VIEWRA_HOME"]) / "logs" / "viewra-desktop.log"


STEP = re.compile(r"([a-z ]+?) ([0-9.]+) s \(\+[0-9.]+\)")


def last_timing(name: str = "serve") -> dict[str, float]:
    """The steps of the last ``timing of <name>`` line in the log (phases.Phases.line)."""
    try:
        lines = log_file().read_text("utf-8", "replace").splitlines()
    except OSError:
        return {}
    for line in reversed(lines):
        head = f"timing of {name}: "
        if head in line:
            body = line.split(head, 1)[1]
            return {step.strip(): float(at) for step, at in STEP.findall(body)}
    return {}


def first_frame(
    file: Path,
    cache: Path,
    *options: str,
    vid: str = "auto",
    kind: str = "dash",
    plain: bool = False,
    threads: int | None = None,
) -> Start:
    """Start serve, then a running mpv on its ``kind`` URL; when each moment came."""
    watch = Watch.create(plain=plain, threads=threads, vid=vid)
    try:
        with serve(file, cache, *options) as served:
            watch.player.play(served.urls[kind])
            framed = watch.first_frame(60)
            assert framed is not None, "no frame"
            loaded = (watch.loaded or framed) - served.started
            result = Start(served.ready, loaded, framed - served.started)
    finally:
        watch.close()
    result.serve_steps = last_timing()  # logged by the time serve has ended
    return result


def wait_complete(cache: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(cache.glob("sessions/*/complete.json")):
            return
        time.sleep(0.2)
    raise TimeoutError("the encode did not finish")
