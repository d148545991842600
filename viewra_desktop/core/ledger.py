"""Which segments are complete, and waiting for the ones that are not yet.

The packager's own live HLS playlists (written atomically after each segment) are the
source of truth: a segment listed there is complete on disk. ``parse_live_playlist`` reads
one; ``Ledger`` accumulates what they say and lets server threads wait for a segment.
"""

from __future__ import annotations

import enum
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_SEGMENT_URI = re.compile(r"(?:^|/)(\d+)\.m4s$")


def parse_live_playlist(text: str) -> dict[int, float]:
    """Segment number -> duration in seconds, from a packager media playlist."""
    result: dict[int, float] = {}
    duration: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            try:
                duration = float(line[len("#EXTINF:") :].split(",", 1)[0])
            except ValueError:
                duration = None
        elif line and not line.startswith("#"):
            match = _SEGMENT_URI.search(line)
            if match and duration is not None:
                result[int(match.group(1))] = duration
            duration = None
    return result


class Wait(enum.Enum):
    READY = "ready"  # the segment is complete on disk
    FAILED = "failed"  # the pipeline failed and will not produce it
    MISSING = "missing"  # the pipeline finished without it (past the real end)
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # the caller gave up (client went away)


@dataclass
class _StreamState:
    segments: dict[int, float] = field(default_factory=dict)
    init_ready: bool = False
    end: int | None = None  # the last segment number, once the real end is known


class Ledger:
    """Thread-safe record of complete segments per stream ("video", "audio")."""

    def __init__(self, streams: tuple[str, ...]) -> None:
        self._streams = {name: _StreamState() for name in streams}
        self._cond = threading.Condition()
        self._finished = False
        self._failure: str | None = None

    # -- writers ----------------------------------------------------------------------------

    def add_segments(self, stream: str, segments: dict[int, float]) -> bool:
        """Record segments as complete; return True if anything was new."""
        with self._cond:
            state = self._streams[stream]
            new = {n: d for n, d in segments.items() if n not in state.segments}
            if not new:
                return False
            state.segments.update(new)
            self._cond.notify_all()
            return True

    def set_init_ready(self, stream: str) -> None:
        with self._cond:
            self._streams[stream].init_ready = True
            self._cond.notify_all()

    def set_end(self, stream: str, last: int) -> None:
        """The stream really ends at segment ``last``: later numbers will never come."""
        with self._cond:
            self._streams[stream].end = last
            self._cond.notify_all()

    def end(self, stream: str) -> int | None:
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
    def streams(self) -> tuple[str, ...]:
        return tuple(self._streams)

    @property
    def failure(self) -> str | None:
        return self._failure

    @property
    def finished(self) -> bool:
        return self._finished

    def has(self, stream: str, number: int) -> bool:
        with self._cond:
            return number in self._streams[stream].segments

    def segments(self, stream: str) -> dict[int, float]:
        with self._cond:
            return dict(self._streams[stream].segments)

    def count(self, stream: str) -> int:
        with self._cond:
            return len(self._streams[stream].segments)

    def init_ready(self, stream: str) -> bool:
        with self._cond:
            return self._streams[stream].init_ready

    def wait(
        self,
        stream: str,
        number: int | None,
        timeout: float,
        cancelled: Callable[[], bool] | None = None,
        poll: float = 0.5,
    ) -> Wait:
        """Wait until segment ``number`` (or the init segment, for None) is complete."""
        deadline = time.monotonic() + timeout
        with self._cond:
            state = self._streams[stream]
            while True:
                if state.init_ready if number is None else number in state.segments:
                    return Wait.READY
                if self._failure is not None:
                    return Wait.FAILED
                if self._finished or (
                    number is not None and state.end is not None and number > state.end
                ):
                    return Wait.MISSING
                left = deadline - time.monotonic()
                if left <= 0:
                    return Wait.TIMEOUT
                if cancelled is not None and cancelled():
                    return Wait.CANCELLED
                self._cond.wait(min(left, poll))
