"""Which segments are complete, which one is being written, and waiting for them.

The session records here each segment it has moved into the package (complete, never to
change) and, per stream, the one segment the packager is writing now: its file grows chunk by
chunk, and the server may stream it to a player as it grows. Server threads wait here for the
segment a player asked for, and for whole files made beside the runs (thumbnail sheets).
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .streams import StreamId


class Wait(enum.Enum):
    READY = "ready"  # the segment is complete on disk
    GROWING = "growing"  # it is being written: ``partial()`` names the file
    FAILED = "failed"  # the pipeline failed and will not produce it
    MISSING = "missing"  # the pipeline finished without it (past the real end)
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # the caller gave up (client went away)


@dataclass
class _StreamState:
    segments: dict[int, float] = field(default_factory=dict)
    init_ready: bool = False
    end: int | None = None  # the last segment number, once the real end is known
    partial: tuple[int, Path] | None = None  # (number, file) of the segment being written


class Ledger:
    """Thread-safe record of complete segments per segmented stream.

    Threads: the session's monitor thread writes; the server's request threads wait and read.
    """

    def __init__(self, streams: tuple[StreamId, ...]) -> None:
        self._streams = {name: _StreamState() for name in streams}
        self._cond = threading.Condition()
        self._finished = False
        self._failure: str | None = None
        self._readers = 0  # answers streaming a segment that is being written
        self._waiting = 0  # requests inside ``wait``
        self._files: dict[str, bool | None] = {}  # whole files to come: None until made

    # -- writers ----------------------------------------------------------------------------

    def add_segments(self, stream: StreamId, segments: dict[int, float]) -> bool:
        """Record segments as complete; return True if anything was new."""
        with self._cond:
            state = self._streams[stream]
            new = {n: d for n, d in segments.items() if n not in state.segments}
            if not new:
                return False
            state.segments.update(new)
            if state.partial is not None and state.partial[0] in new:
                state.partial = None
            self._cond.notify_all()
            return True

    def set_init_ready(self, stream: StreamId) -> None:
        with self._cond:
            self._streams[stream].init_ready = True
            self._cond.notify_all()

    def set_end(self, stream: StreamId, last: int) -> None:
        """The stream really ends at segment ``last``: later numbers will never come."""
        with self._cond:
            self._streams[stream].end = last
            self._cond.notify_all()

    def set_partial(self, stream: StreamId, number: int, path: Path) -> None:
        """Segment ``number`` is being written to ``path`` (which grows until it is complete)."""
        with self._cond:
            state = self._streams[stream]
            if number not in state.segments and state.partial != (number, path):
                state.partial = (number, path)
                self._cond.notify_all()

    def drop_partials(self) -> None:
        """The segments being written will not be finished (their run was stopped)."""
        with self._cond:
            for state in self._streams.values():
                state.partial = None
            self._cond.notify_all()

    def expect_files(self, names: list[str]) -> None:
        """These whole files (WebVTT tracks, thumbnail sheets) are being made: requests for them
        wait."""
        with self._cond:
            for name in names:
                self._files.setdefault(name, None)

    def file_done(self, name: str, ok: bool) -> None:
        """A whole file is in place (``ok``), or will never be (its maker may leave a
        stand-in on disk for players that listed it: an empty track)."""
        with self._cond:
            self._files[name] = ok
            self._cond.notify_all()

    def file_ready(self, name: str) -> bool:
        with self._cond:
            return self._files.get(name) is True

    def wait_file(
        self,
        name: str,
        timeout: float,
        cancelled: Callable[[], bool] | None = None,
        poll: float = 0.5,
    ) -> Wait:
        """READY once a file that is being made is settled, made or given up (at once for
        any other file): the caller serves what is on disk (a track given up leaves a
        stand-in)."""

        def outcome() -> Wait | None:
            if self._files.get(name, True) is not None:
                return Wait.READY
            return Wait.FAILED if self._failure is not None else None

        return self._wait_for(outcome, timeout, cancelled, poll)

    def end(self, stream: StreamId) -> int | None:
        with self._cond:
            return self._streams[stream].end

    def finish(self) -> None:
        with self._cond:
            self._finished = True
            self._cond.notify_all()

    def fail(self, message: str) -> None:
        with self._cond:
            if self._failure is None:
                self._failure = message
            self._cond.notify_all()

    # -- readers ----------------------------------------------------------------------------

    @property
    def streams(self) -> tuple[StreamId, ...]:
        return tuple(self._streams)

    @property
    def failure(self) -> str | None:
        return self._failure

    @property
    def finished(self) -> bool:
        return self._finished

    def has(self, stream: StreamId, number: int) -> bool:
        with self._cond:
            return number in self._streams[stream].segments

    def segments(self, stream: StreamId) -> dict[int, float]:
        with self._cond:
            return dict(self._streams[stream].segments)

    def count(self, stream: StreamId) -> int:
        with self._cond:
            return len(self._streams[stream].segments)

    def reader_started(self) -> None:
        """A server thread began streaming a segment that is being written."""
        with self._cond:
            self._readers += 1

    def reader_ended(self) -> None:
        with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    @property
    def readers(self) -> int:
        """How many answers are streaming segments that are being written."""
        with self._cond:
            return self._readers

    @property
    def waiting(self) -> int:
        """How many requests are inside ``wait``: for a segment (or an init segment) to be
        complete, or with ``growing`` to be begun. Each holds a player up until the session
        notices the packager's next file."""
        with self._cond:
            return self._waiting

    def partial(self, stream: StreamId, number: int) -> Path | None:
        """The file segment ``number`` is being written to, or None."""
        with self._cond:
            partial = self._streams[stream].partial
            return partial[1] if partial is not None and partial[0] == number else None

    def follow(self, stream: StreamId, number: int, path: Path, timeout: float) -> Wait:
        """For a reader of a growing segment: READY once it is complete, GROWING while it is
        still being written (after waiting up to ``timeout`` for news), FAILED if it never
        will be (its run stopped, or the pipeline failed)."""
        with self._cond:
            state = self._streams[stream]
            for waited in (False, True):
                if number in state.segments:
                    return Wait.READY
                if self._failure is not None or state.partial != (number, path):
                    return Wait.FAILED
                if not waited:
                    self._cond.wait(timeout)
            return Wait.GROWING

    def init_ready(self, stream: StreamId) -> bool:
        with self._cond:
            return self._streams[stream].init_ready

    def wait(
        self,
        stream: StreamId,
        number: int | None,
        timeout: float,
        cancelled: Callable[[], bool] | None = None,
        poll: float = 0.5,
        growing: bool = False,
    ) -> Wait:
        """Wait until segment ``number`` (or the init segment, for None) is complete, or with
        ``growing`` until it is at least being written (then GROWING)."""
        state = self._streams[stream]

        def outcome() -> Wait | None:
            if state.init_ready if number is None else number in state.segments:
                return Wait.READY
            if self._failure is not None:
                return Wait.FAILED
            if growing and state.partial is not None and state.partial[0] == number:
                return Wait.GROWING
            if self._finished or (
                number is not None and state.end is not None and number > state.end
            ):
                return Wait.MISSING
            return None

        with self._cond:
            self._waiting += 1
        try:
            return self._wait_for(outcome, timeout, cancelled, poll)
        finally:
            with self._cond:
                self._waiting -= 1

    def _wait_for(
        self,
        outcome: Callable[[], Wait | None],
        timeout: float,
        cancelled: Callable[[], bool] | None,
        poll: float,
    ) -> Wait:
        """Wait on the condition until ``outcome`` (called holding it) answers, ``timeout``
        passes or ``cancelled`` says the caller gave up (checked every ``poll`` seconds)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = outcome()
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return Wait.TIMEOUT
                if cancelled is not None and cancelled():
                    return Wait.CANCELLED
                self._cond.wait(min(left, poll))
