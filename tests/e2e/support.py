"""Driving ``viewra-desktop serve`` and libmpv from tests."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import procs
from procs import fifos_under  # noqa: F401 - re-exported for the e2e tests

from viewra_desktop.core.streams import audio, video

VIEWRA = [sys.executable, "-m", "viewra_desktop"]
V, A = video(0), audio(0)  # the session's video rendition and audio track


def made(run) -> range:
    """The video segments a run has made (kept, or dropped as already made by another)."""
    return range(run.first[V], run.position()[V])


class Serve:
    """A running ``viewra-desktop serve`` (stopped with SIGTERM on exit)."""

    def __init__(self, file: Path | str, home: Path, *extra: str) -> None:
        self.home = home
        env = dict(os.environ, VIEWRA_HOME=str(home))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [*VIEWRA, "serve", str(file), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        self.urls: dict[str, str] = {}
        self.ready_after: float | None = None

    def wait_urls(self, timeout: float = 30.0) -> dict[str, str]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, f"serve printed no URLs in {timeout} s"
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"serve ended without URLs: {err}")
        self.ready_after = time.monotonic() - self.started
        self.urls = json.loads(line)
        return self.urls

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        return code

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def _is_serve(cmdline: str) -> bool:
    return "viewra_desktop" in cmdline and " serve " in cmdline  # checked separately


def processes_using(folder: Path) -> list[str]:
    """ffmpeg and packager processes working for a session under ``folder``."""
    return procs.processes_using(folder, skip=_is_serve)


@dataclass
class Playback:
    """What libmpv saw while playing one URL."""

    duration: float | None = None
    first_time: float | None = None
    times: list[float] = field(default_factory=list)
    end_reason: str | None = None
    started_after: float | None = None  # seconds from play() to the first time-pos

    @property
    def backward_jumps(self) -> list[tuple[float, float]]:
        return [(a, b) for a, b in zip(self.times, self.times[1:], strict=False) if b < a - 1e-6]


END_REASONS = {0: "eof", 1: "restarted", 2: "aborted", 3: "quit", 4: "error", 5: "redirect"}


def play(url: str, speed: float = 1.0, timeout: float = 120.0, **options) -> Playback:
    """Play ``url`` in libmpv (no video or audio output) until end-of-file."""
    import mpv

    result = Playback()
    done = threading.Event()
    player = mpv.MPV(vo="null", ao="null", speed=speed, **options)
    start = time.monotonic()
    try:

        @player.property_observer("time-pos")
        def _time(_name, value):
            if value is not None:
                if result.started_after is None:
                    result.started_after = time.monotonic() - start
                result.times.append(value)

        @player.property_observer("duration")
        def _duration(_name, value):
            if value:
                result.duration = value

        @player.event_callback("end-file")
        def _end(event):
            data = event.data  # read inside the callback: mpv frees it afterwards
            reason = getattr(data, "reason", None)
            result.end_reason = END_REASONS.get(reason, f"reason {reason}")
            done.set()

        player.play(url)
        assert done.wait(timeout), f"playback did not end in {timeout} s (at {result.times[-1:]})"
    finally:
        player.terminate()
    return result


def start_session(clip: Path, cache: Path, profile="360p", encrypt: bool = False):
    """A real Session on ``clip`` mounted on a started SegmentServer, in this process.

    Returns (session, server, base URL); the caller stops the session and closes the server.
    """
    from viewra_desktop.core.cache import Cache
    from viewra_desktop.core.profiles import get_profile
    from viewra_desktop.core.server import SegmentServer
    from viewra_desktop.core.session import Session

    chosen = get_profile(profile) if isinstance(profile, str) else profile
    session = Session(str(clip), chosen, Cache(cache), encrypt=encrypt)
    server = SegmentServer()
    session.start()
    base = server.mount(session.mount())
    server.start()
    return session, server, base
