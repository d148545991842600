"""Keeps the compare view's source player on the encode player's frame.

``CompareSync`` reads both players' positions at the same moment every ``TICK_MS`` (straight
from mpv, not from the last update) and applies ``compare_math.sync_step``: pause, play,
speed, and a seek when they are far apart. An exact seek in the source takes time (it
decodes from the keyframe before the target): while the encode plays, the source seeks as
far ahead as its last seeks took, and waits there on its frame for the encode to arrive.
The encode's player leads whatever moves it (keys, the seek bar, the end of a stall);
nothing else needs to tell the follower.

Threads: the GUI thread only (a QTimer; the players' mpv reads are synchronous and short).
"""

from __future__ import annotations

import collections
import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal

from .compare_math import same_moment, sync_step
from .player import Player

logger = logging.getLogger(__name__)

TICK_MS = 15  # also how late the follower may be to pause or play when the leader does
SEEK_GUARD_S = 0.4  # after a seek, let it land before another one
FIRST_SEEK_S = 0.5  # a seek's expected time before one has been seen
AVERAGE_TICKS = 30  # the mean of this many readings (half a second) steers the speed
DEFAULT_FRAME_S = 1 / 30


class CompareSync(QObject):
    """The follower follows the leader while ``running``."""

    difference_changed = Signal(float)  # leader - follower, seconds (at each measure)

    def __init__(self, leader: Player, follower: Player, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.leader = leader
        self.follower = follower
        self.frame = DEFAULT_FRAME_S
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._speed: float | None = None
        self._paused: bool | None = None
        self._seek_sent = 0.0
        self._recent: collections.deque[float] = collections.deque(maxlen=AVERAGE_TICKS)
        self._leader_seen: tuple[float, float] | None = None  # (position, when it changed)
        self._seek_time = FIRST_SEEK_S  # how long the source's seeks take (a running mean)
        self._landing: tuple[float, float] | None = None  # (target, when asked)
        self.last_difference: float | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, frame: float = DEFAULT_FRAME_S) -> None:
        self.frame = frame if frame > 0 else DEFAULT_FRAME_S
        self._speed = self._paused = None
        self._seek_sent = 0.0
        self._recent.clear()
        self._leader_seen = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        leader, follower = self.leader, self.follower
        state = leader.state
        if state.idle or follower.state.idle:
            return
        positions = same_moment(
            leader.exact_position(), follower.exact_position(), leader.exact_position()
        )
        if positions is None:
            return
        ahead, behind = positions
        self.last_difference = ahead - behind
        self.difference_changed.emit(self.last_difference)
        now = time.monotonic()
        if self._leader_seen is None or self._leader_seen[0] != ahead:
            self._leader_seen = (ahead, now)
        # Stalled: the leader's frame has not changed for a frame and a half's time (mpv says
        # it waits for data only once its buffer is empty).
        stalled = now - self._leader_seen[1] > 1.5 * self.frame / max(state.speed, 0.1)
        running = not (state.paused or state.buffering or state.seeking or state.eof or stalled)
        if running and not follower.state.seeking and not follower.state.paused:
            self._recent.append(self.last_difference)
        else:
            self._recent.clear()  # the distance changes in steps now: start the mean again
        full = len(self._recent) == AVERAGE_TICKS
        average = sum(self._recent) / len(self._recent) if full else None
        held = state.paused and not state.seeking  # the user paused: same frame exactly
        step = sync_step(ahead, behind, state.speed, self.frame, running, average, held)
        if step.paused != self._paused:
            follower.set_paused(step.paused)
            self._paused = step.paused
        if abs(step.speed - (self._speed or 0.0)) > 1e-4:
            follower.set_speed(step.speed)
            self._speed = step.speed
        if self._landing is not None and abs(behind - self._landing[0]) < self.frame:
            took = now - self._landing[1]
            self._seek_time = min(3.0, max(0.05, (self._seek_time + took) / 2))
            self._landing = None
        landed = not follower.state.seeking and now - self._seek_sent > SEEK_GUARD_S
        if step.seek_to is not None and landed:  # one seek at a time
            target = step.seek_to + (self._seek_time * state.speed if running else 0.0)
            self._seek_sent = now
            self._landing = (target, now)
            follower.seek_exact(target)
