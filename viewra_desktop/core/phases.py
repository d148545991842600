"""Where the time to the first frame goes: marks on one clock, and one line in the log.

``Phases`` records, once each, when a session reaches each step: the process started
(``serve``: from the kernel's start time of the process, so Python's own start and the
imports count; the window: when the user asked to open the file), the imports were done,
the probe returned, ffmpeg was started, its first packet reached the packager (the first
segment's file appeared), the first chunk of a segment was offered to the server, the
server's first answer began, the player's demuxer opened the manifest, the first frame
showed, and playback began (the clock running: mpv starts it once a little is buffered, so
the first frame is on screen before, or just after). ``line()`` is the log line: each step's
time from the origin and from the step before it, in the order they happened.

Threads: ``mark`` may be called from any thread (the session's, the server's, the player's).
"""

from __future__ import annotations

import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

STEPS = (
    "imports", "probe", "ffmpeg started", "first packet", "first chunk", "first answer",
    "demuxer open", "first frame", "playing",
)  # fmt: skip


def process_started() -> float:
    """When this process started, on ``time.monotonic``'s clock (Linux: from /proc; else
    now, which leaves Python's start out)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # starttime, clock ticks after boot (field 22 of stat)
        with open("/proc/uptime", "rb") as handle:
            uptime = float(handle.read().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - max(0.0, age)
    except (OSError, ValueError, IndexError):
        return time.monotonic()


class Phases:
    def __init__(self, origin: float | None = None, name: str = "") -> None:
        self.origin = time.monotonic() if origin is None else origin
        self.name = name
        self._marks: dict[str, float] = {}
        self._lock = threading.Lock()
        self._logged = False

    def mark(self, step: str) -> None:
        """``step`` happened now (only its first time counts)."""
        with self._lock:
            self._marks.setdefault(step, time.monotonic())

    def seconds(self, step: str) -> float | None:
        with self._lock:
            at = self._marks.get(step)
        return None if at is None else at - self.origin

    def reached(self) -> dict[str, float]:
        """Each step reached so far: its seconds from the origin, in step order."""
        return {step: at for step in STEPS if (at := self.seconds(step)) is not None}

    def line(self) -> str:
        """``timing: imports 0.110 s (+0.110), probe 0.135 s (+0.025), ...`` for the steps
        reached so far, in the order they happened."""
        parts = []
        before = 0.0
        for step, at in sorted(self.reached().items(), key=lambda item: item[1]):
            parts.append(f"{step} {at:.3f} s (+{at - before:.3f})")
            before = at
        head = f"timing{' of ' + self.name if self.name else ''}: "
        return head + (", ".join(parts) if parts else "nothing yet")

    def log_once(self) -> None:
        """Write the line to the log, once."""
        with self._lock:
            if self._logged:
                return
            self._logged = True
        logger.info(self.line())
