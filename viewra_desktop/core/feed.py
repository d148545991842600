"""Feeding a second packager with the package's own segments, in timeline order.

Export (``export``) and live DASH (``live``) run another packager over what the session has
already encoded, so nothing is encoded twice: one pipe per segmented stream, and a
``Feeder`` thread writing into it the stream's init segment, then segments 1, 2, 3 ... as
the ledger says each is complete. The segments concatenated are one fragmented MP4 per
stream, which the packager reads like ffmpeg's output and cuts again at the encode's
keyframes; like a run's pipe, it starts with the padding that lets the packager begin
before 64 KiB are in (``commands.PIPE_HEAD``). The feeder ends the stream (closes its end
of the pipe) after the last segment, which the ledger knows once the session has finished.

Threads: each feeder runs on its own thread; the owner calls ``start``, reads ``fed`` and
``ended``, and calls ``stop`` after it has stopped the packager (so a blocked write fails
at once). The ledger is written by the session's monitor thread (or filled once, for a
finished package).
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import layout
from .commands import PIPE_HEAD
from .ledger import Ledger, Wait
from .streams import StreamId

logger = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting feeder looks at its stop flag
OPEN_RETRY_S = 0.02  # how often it tries to open the pipe before the packager has


class Feeder:
    """Writes one stream of ``folder``'s package into the pipe at ``path``."""

    def __init__(
        self,
        path: str,
        folder: Path,
        stream: StreamId,
        ledger: Ledger,
        on_fed: Callable[[StreamId, int], None] | None = None,
    ) -> None:
        self.path = path
        self.folder = folder
        self.stream = stream
        self.ledger = ledger
        self.fed = 0  # the last segment number written
        self.ended = False  # every segment was written and the stream closed
        self.failed = False  # the session failed: the stream was not ended
        self._on_fed = on_fed or (lambda stream, number: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"feed-{stream}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        fd = self._open()
        if fd is None:
            return
        try:
            if self._wait(None) is not Wait.READY:
                return
            self._write(fd, PIPE_HEAD)
            self._write(fd, (self.folder / layout.init(self.stream)).read_bytes())
            number = 1
            while True:
                outcome = self._wait(number)
                if outcome is Wait.MISSING:  # past the last segment: the stream is whole
                    self.ended = True
                    return
                if outcome is not Wait.READY:
                    self.failed = outcome is Wait.FAILED
                    return
                self._write(fd, (self.folder / layout.segment(self.stream, number)).read_bytes())
                self.fed = number
                self._on_fed(self.stream, number)
                number += 1
        except OSError as exc:  # the packager went away (it was stopped, or failed)
            if exc.errno not in (errno.EPIPE, errno.EBADF) and not self._stop.is_set():
                logger.warning("feeding %s failed: %s", self.stream, exc)
        finally:
            os.close(fd)

    def _wait(self, number: int | None) -> Wait:
        while True:
            outcome = self.ledger.wait(self.stream, number, POLL_S, self._stop.is_set)
            if outcome is not Wait.TIMEOUT:
                return outcome
            if self._stop.is_set():
                return Wait.CANCELLED

    def _open(self) -> int | None:
        """Open the pipe's writing end once the packager has opened its end (never block
        forever on a packager that died first)."""
        if os.name != "posix":  # pragma: no cover - a Windows named pipe accepts at once
            return os.open(self.path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: nobody reads it yet
                    logger.warning("cannot open %s: %s", self.path, exc)
                    return None
                time.sleep(OPEN_RETRY_S)
                continue
            os.set_blocking(fd, True)
            return fd
        return None

    def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._stop.is_set():
            view = view[os.write(fd, view) :]
