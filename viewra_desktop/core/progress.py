"""ffmpeg's ``-progress`` output parsed into ``Progress`` values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    position: float  # seconds of output encoded
    duration: float  # seconds planned
    speed: float  # x realtime (0.0 when unknown)
    done: bool = False
    encoded: float | None = None  # seconds complete in all (several runs); None: = position

    @property
    def complete(self) -> float:
        return self.position if self.encoded is None else self.encoded

    @property
    def fraction(self) -> float:
        if self.done:
            return 1.0
        return min(1.0, self.complete / self.duration) if self.duration > 0 else 0.0

    @classmethod
    def finished(cls, duration: float) -> Progress:
        return cls(duration, duration, 0.0, done=True)

    def on_timeline(self, offset: float, duration: float, encoded: float) -> Progress:
        """This progress of a run that starts at ``offset``, for a timeline of ``duration``
        of which ``encoded`` seconds are complete (by any run)."""
        return Progress(
            min(duration, self.position + offset), duration, self.speed, encoded=encoded
        )

    @property
    def seconds_left(self) -> float | None:
        if self.done:
            return 0.0
        if self.speed <= 0:
            return None
        return max(0.0, self.duration - self.complete) / self.speed


class ProgressParser:
    """Feed it ffmpeg's progress lines; it calls ``on_progress`` at each block's end.

    Positions are ffmpeg's own: from the start of what it encodes.
    """

    def __init__(self, duration: float, on_progress: Callable[[Progress], None]) -> None:
        self.duration = duration
        self._on_progress = on_progress
        self._block: dict[str, str] = {}
        self._position = 0.0  # the last known output time

    def feed(self, line: str) -> None:
        key, sep, value = line.partition("=")
        if not sep:
            return
        key, value = key.strip(), value.strip()
        self._block[key] = value
        if key == "progress":
            self._on_progress(self._parse(self._block))
            self._block = {}

    def _parse(self, block: dict[str, str]) -> Progress:
        position = self._position  # ffmpeg prints out_time_us=N/A now and then mid-encode
        for key, scale in (("out_time_us", 1e-6), ("out_time_ms", 1e-6)):
            # ffmpeg's out_time_ms is in microseconds too (a long-standing misnomer).
            try:
                position = max(0.0, int(block[key]) * scale)
                break
            except (KeyError, ValueError):
                continue
        self._position = position
        speed_text = block.get("speed", "").rstrip("x").strip()
        try:
            speed = float(speed_text)
        except ValueError:
            speed = 0.0
        done = block.get("progress") == "end"
        return Progress(
            position=min(self.duration, position),
            duration=self.duration,
            speed=speed if speed == speed else 0.0,
            done=done,
        )
