"""What to encode next: the fast start, seeks, gap filling and when a run stops. Pure.

Each function takes the timeline, what is complete (``Done``: the ledger, or any object with
its three queries), where the current run is (``RunView``) and what a player waits for, and
returns a decision; the session's monitor acts on it.

- The first run covers only the first ``FAST_START_S``, with no encoder lookahead.
- Then a run starts at the first segment still missing and ends where the next done range
  starts, so the gaps are filled in order of the timeline, until none is missing.
- A request the running encoder will not reach within ``SEEK_WAIT_S`` (measured on the
  requested stream's own progress: audio runs ahead of the video) restarts the encoder
  there, unless a player still streams a segment this run is writing (a player that seeks
  closes that answer first). A request for a segment already complete needs no run.
- A run that reaches segments another run already made stops: nothing is encoded twice
  (runs are bounded by the done ranges they know of when they start; this catches the rest).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .numbering import Timeline
from .plan import RunSpec
from .run import RunView
from .streams import StreamId, StreamKind

FAST_START_S = 2.0  # the first run covers this much, without encoder lookahead
# A request the current run would reach only after this many seconds of encoding restarts
# the encoder there (a restart costs ffmpeg's seek plus one segment, about this much).
SEEK_WAIT_S = 1.0


class Done(Protocol):
    """What is complete (``Ledger`` has these)."""

    def has(self, stream: StreamId, number: int) -> bool: ...

    def segments(self, stream: StreamId) -> dict[int, float]: ...

    def end(self, stream: StreamId) -> int | None: ...


@dataclass(frozen=True)
class Seek:
    """The answer to a request: restart at ``target`` (None: keep the run as it is);
    ``settled`` False means ask again later (a player still streams from the run)."""

    target: int | None
    settled: bool = True


class Wanted:
    """The last segment a player waits for. Threads: the server's request threads ``set``
    it; the monitor thread ``peek``s it and ``settle``s it once dealt with."""

    def __init__(self) -> None:
        self._value: tuple[StreamId, int] | None = None
        self._lock = threading.Lock()

    def set(self, stream: StreamId, number: int) -> None:
        with self._lock:
            self._value = (stream, number)

    def peek(self) -> tuple[StreamId, int] | None:
        with self._lock:
            return self._value

    def settle(self, value: tuple[StreamId, int]) -> None:
        """Forget ``value`` unless a newer request replaced it."""
        with self._lock:
            if self._value == value:
                self._value = None

    def restart(
        self, timeline: Timeline, done: Done, run: RunView, speed: float, streaming: bool
    ) -> RunSpec | None:
        """The run to restart the encoder with for what a player waits for (``seek``), or
        None to keep the running one; the request is forgotten once it is dealt with."""
        wanted = self.peek()
        if wanted is None:
            return None
        decision = seek(timeline, done, run, wanted, speed, streaming)
        if decision.settled:
            self.settle(wanted)
        if decision.target is None:
            return None
        return seek_run(timeline, tuple(run.position), done, decision.target)


def first_run(timeline: Timeline) -> RunSpec:
    """The session's first run: the first seconds only, tuned to deliver its first frame
    soon, or the whole timeline if that is short."""
    last = timeline.at(StreamKind.VIDEO, FAST_START_S - 1e-6)
    if last < timeline.count(StreamKind.VIDEO):
        return RunSpec(1, last, fast_start=True)
    return RunSpec()


def seek_run(timeline: Timeline, streams: Sequence[StreamId], done: Done, target: int) -> RunSpec:
    """The run a seek starts: from the target to the next done range (or the end), with no
    encoder lookahead."""
    return RunSpec(target, gap_end(timeline, streams, done, target), low_delay=True)


def heading_for(
    timeline: Timeline, run: RunView, stream: StreamId, number: int, speed: float
) -> bool:
    """Will this run deliver segment ``number`` of ``stream`` soon?"""
    target = timeline.video_holding(stream.kind, number)
    if target < run.spec.first or (run.spec.last is not None and target > run.spec.last):
        return False
    position = run.position[stream]
    if number < position:
        return True  # made already (and being placed)
    ahead = timeline.ahead(stream.kind, position, number)
    return ahead / (speed if speed > 0 else 1.0) <= SEEK_WAIT_S


def seek(
    timeline: Timeline,
    done: Done,
    run: RunView,
    wanted: tuple[StreamId, int],
    speed: float,
    streaming: bool,
) -> Seek:
    """Whether what a player waits for (``wanted``) restarts the encoder, and where.
    ``streaming``: a player is streaming a segment this run is writing."""
    stream, number = wanted
    if done.has(stream, number) or heading_for(timeline, run, stream, number, speed):
        return Seek(None)
    if streaming:
        return Seek(None, settled=False)  # stopping the run would cut that answer off
    return Seek(timeline.video_holding(stream.kind, number))


def first_missing(timeline: Timeline, streams: Sequence[StreamId], done: Done) -> int | None:
    """The video segment where the next run should start, or None when all are done."""
    candidates = []
    for stream in streams:
        end = done.end(stream)
        if end is None:
            end = timeline.count(stream.kind)
        have = done.segments(stream)
        missing = next((n for n in range(1, end + 1) if n not in have), None)
        if missing is not None:
            candidates.append(timeline.video_holding(stream.kind, missing))
    return min(candidates, default=None)


def next_run(timeline: Timeline, streams: Sequence[StreamId], done: Done) -> RunSpec | None:
    """The run to start when none is running: the first gap, to its end; None: all done."""
    missing = first_missing(timeline, streams, done)
    if missing is None:
        return None
    return RunSpec(missing, gap_end(timeline, streams, done, missing))


def _all_done(timeline: Timeline, streams: Sequence[StreamId], done: Done, number: int) -> bool:
    """Video segment ``number``, and every segment of the other streams in its span, exist."""
    return all(done.has(s, n) for s in streams for n in timeline.within(s.kind, number))


def gap_end(timeline: Timeline, streams: Sequence[StreamId], done: Done, first: int) -> int | None:
    """The last video segment of the gap starting at ``first``: just before the next one
    that is done in every stream. None: the gap runs to the end. A run bounded so ends
    where the done range begins and encodes nothing twice, however fast it goes."""
    for number in range(first + 1, timeline.count(StreamKind.VIDEO) + 1):
        if _all_done(timeline, streams, done, number):
            return number - 1
    return None


def reached_done_range(
    timeline: Timeline, streams: Sequence[StreamId], done: Done, run: RunView
) -> bool:
    """True when the next video segment the run will make, and every segment of the other
    streams in its span, already exist: it has run into a range another run made."""
    video = next(s for s in streams if s.kind is StreamKind.VIDEO)
    number = run.position[video]
    return number <= timeline.count(StreamKind.VIDEO) and _all_done(timeline, streams, done, number)
