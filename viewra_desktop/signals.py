"""SIGINT (Ctrl+C) and SIGTERM for the headless commands: they set an event the command's
main loop watches, so it stops its processes in order instead of dying at once.

Threads: handlers run on the main thread (Python runs them there); the event may be read
from any thread.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

logger = logging.getLogger(__name__)


def stop_event(doing: str) -> threading.Event:
    """An event set by SIGINT or SIGTERM; ``doing`` ("stopping") goes into the log line."""
    event = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: %s", signal.Signals(signum).name, doing)
        event.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return event
