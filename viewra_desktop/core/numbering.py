"""Numbering on the timeline: which segment holds which time, for each kind of stream.

Segments are numbered from 1 on the session's timeline, the same numbers the manifests list.

- Video segments follow the *grid*: segment N starts at ``grid[N-1]`` (a forced keyframe) and
  ends where the next starts, or at the end of the timeline.
- Audio segments are one ``unit`` each: segment N covers ``[(N-1)*unit, N*unit)``. The
  packager cuts audio (a keyframe on every frame) at every ``unit``-long bucket.

The packager numbers each run's segments from 0 (``run_number`` and ``local_number`` convert).
Every grid time is a multiple of ``unit``, so a video segment holds whole audio segments.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass

from .streams import StreamKind

EPSILON = 1e-6


def to_timeline(first: int, local: int) -> int:
    """The timeline number of the packager's segment ``local`` in a run whose segment 0 is
    timeline segment ``first``."""
    return first + local


def to_local(first: int, number: int) -> int:
    return number - first


@dataclass(frozen=True)
class Timeline:
    grid: tuple[float, ...]  # start time of every video segment; grid[0] == 0.0
    duration: float
    unit: float

    def count(self, kind: StreamKind) -> int:
        """How many segments a stream of this kind has (0 for kinds not segmented)."""
        if kind is StreamKind.VIDEO:
            return len(self.grid)
        if kind is StreamKind.AUDIO:
            return max(1, math.ceil(self.duration / self.unit - EPSILON))
        return 0

    def span(self, kind: StreamKind, number: int) -> tuple[float, float]:
        """(start, end) in seconds of segment ``number`` (1-based)."""
        if kind is StreamKind.VIDEO:
            start = self.grid[number - 1]
            end = self.grid[number] if number < len(self.grid) else self.duration
            return start, end
        return (number - 1) * self.unit, min(self.duration, number * self.unit)

    def durations(self, kind: StreamKind) -> list[float]:
        spans = (self.span(kind, n) for n in range(1, self.count(kind) + 1))
        return [end - start for start, end in spans]

    def at(self, kind: StreamKind, seconds: float) -> int:
        """The number of the segment holding time ``seconds``."""
        if kind is StreamKind.VIDEO:
            return max(1, bisect.bisect_right(self.grid, seconds + 1e-9))
        return max(1, math.floor(seconds / self.unit + EPSILON) + 1)

    def first_from(self, kind: StreamKind, start: float) -> int:
        """The segment that starts at ``start`` (a grid time: a run's start)."""
        if kind is StreamKind.VIDEO:
            return self.at(kind, start)
        return round(start / self.unit) + 1

    def last_before(self, kind: StreamKind, end: float) -> int:
        """The last segment that starts before ``end`` (a run's end)."""
        if kind is StreamKind.VIDEO:
            return self.at(kind, end - EPSILON)
        return max(1, math.ceil(end / self.unit - EPSILON))

    def video_holding(self, kind: StreamKind, number: int) -> int:
        """The video segment holding the start of segment ``number`` of a ``kind`` stream."""
        if kind is StreamKind.VIDEO:
            return number
        return self.at(StreamKind.VIDEO, (number - 1) * self.unit)

    def within(self, kind: StreamKind, video_number: int) -> range:
        """The ``kind`` segments inside video segment ``video_number``."""
        if kind is StreamKind.VIDEO:
            return range(video_number, video_number + 1)
        start, end = self.span(StreamKind.VIDEO, video_number)
        first = self.first_from(kind, start)
        return range(first, max(first, self.last_before(kind, end)) + 1)

    def ahead(self, kind: StreamKind, position: int, number: int) -> float:
        """Seconds of timeline from the start of segment ``position`` to that of ``number``."""
        return self.span(kind, number)[0] - self.span(kind, position)[0]

    def ranges(self, kind: StreamKind, numbers: Iterable[int]) -> list[tuple[float, float]]:
        """The time ranges (seconds) the segments ``numbers`` cover, merged."""
        merged: list[tuple[float, float]] = []
        for number in sorted(numbers):
            if not 1 <= number <= self.count(kind):
                continue
            start, end = self.span(kind, number)
            if merged and abs(merged[-1][1] - start) < EPSILON:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged
