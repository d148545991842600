"""A session's states and the transitions between them, checked in one place.

    IDLE ──▶ STARTING ──▶ ENCODING ──▶ FINISHED, FAILED or STOPPED
      │          │
      │          └──▶ FINISHED (found complete in the cache), FAILED or STOPPED
      └──▶ STOPPED (stopped before it was started)

FINISHED, FAILED and STOPPED are final. ``allowed`` is the table; ``StateMachine.move``
refuses (and logs as an error) anything else, so a bug that tries one is seen in the log
and fails the tests (they treat that log line as a failure).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .progress import Progress

logger = logging.getLogger(__name__)

ILLEGAL = "illegal session state transition"


class State(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    ENCODING = "encoding"
    FINISHED = "finished"  # the entry is complete (encoded now or found in the cache)
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def final(self) -> bool:
        return not _NEXT[self]


_NEXT: dict[State, frozenset[State]] = {
    State.IDLE: frozenset({State.STARTING, State.STOPPED}),
    State.STARTING: frozenset({State.ENCODING, State.FINISHED, State.FAILED, State.STOPPED}),
    State.ENCODING: frozenset({State.FINISHED, State.FAILED, State.STOPPED}),
    State.FINISHED: frozenset(),
    State.FAILED: frozenset(),
    State.STOPPED: frozenset(),
}


def allowed(old: State, new: State) -> bool:
    return new in _NEXT[old]


@dataclass(frozen=True)
class Failure:
    message: str
    details: str = ""


class StateMachine:
    """The current state, changed only through ``move`` (thread-safe)."""

    def __init__(self) -> None:
        self._state = State.IDLE
        self._lock = threading.Lock()

    @property
    def state(self) -> State:
        return self._state

    def move(self, new: State, unless_final: bool = False) -> bool:
        """Go to ``new``; False if that is not a transition of the table, with an error in
        the log, unless ``unless_final`` and the state is already final: a failure the
        monitor reports while the session is being stopped is not a bug."""
        with self._lock:
            old = self._state
            if not allowed(old, new):
                if not (unless_final and old.final):
                    logger.error("%s: %s -> %s", ILLEGAL, old.value, new.value)
                return False
            self._state = new
        logger.info("session state: %s", new.value)
        return True


def _ignore(*_args: object) -> None:
    pass


@dataclass(frozen=True)
class Events:
    """What a session tells its owner. Each is called on the thread that made the change
    (see ``session``'s threads) and must not block."""

    state: Callable[[State], None] = _ignore
    progress: Callable[[Progress], None] = _ignore
    segments: Callable[[], None] = _ignore  # more segments are complete
    files: Callable[[], None] = _ignore  # a whole file (a WebVTT track) is ready
    step: Callable[[str], None] = _ignore  # a step to the first frame (phases.STEPS)
