"""Keeps the compare view's source player on the encode player's frame.

``CompareSync`` reads both players' positions at the same moment every ``TICK_MS`` (straight
from mpv, not from the last update) and applies ``compare_math.sync_step``: pause, play,
speed, and a seek when they are far apart. The encode's player leads whatever moves it
(keys, the seek bar, the end of a stall); nothing else needs to tell the follower.

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
        self.last_difference: float | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, frame: float = DEFAULT_FRAME_S) -> None:
        self.frame = frame if frame > 0 else DEFAULT_FRAME_S
        self._speed = self._paused = None
        self._seek_sent = 0.0
        self._recent.clear()
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
        running = not (state.paused or state.buffering or state.seeking or state.eof)
        if running and not follower.state.seeking and not follower.state.paused:
            self._recent.append(self.last_difference)
        else:
            self._recent.clear()  # the distance changes in steps now: start the mean again
        full = len(self._recent) == AVERAGE_TICKS
        average = sum(self._recent) / len(self._recent) if full else None
        step = sync_step(ahead, behind, state.speed, self.frame, running, average)
        if step.paused != self._paused:
            follower.set_paused(step.paused)
            self._paused = step.paused
        if abs(step.speed - (self._speed or 0.0)) > 1e-4:
            follower.set_speed(step.speed)
            self._speed = step.speed
        now = time.monotonic()
        landed = not follower.state.seeking and now - self._seek_sent > SEEK_GUARD_S
        if step.seek_to is not None and landed:  # one seek at a time
            self._seek_sent = now
            follower.seek_exact(step.seek_to)
