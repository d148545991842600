"""What the server is given of one session: its folder, its ledger and its callbacks.

Its own module so that a session can make one without importing the HTTP server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .ledger import Ledger
from .streams import StreamId


@dataclass
class Mount:
    """What the server knows of one session."""

    folder: Path
    ledger: Ledger
    segment_counts: dict[StreamId, int]  # stream -> number of segments the manifests list
    # Called (on the request's thread) before waiting for a segment that is not complete,
    # so the session can move the encoder there (a seek far ahead).
    on_request: Callable[[StreamId, int], None] | None = None
    # Files written after the session started (the live MPD): a request waits for its event.
    late: dict[str, threading.Event] = field(default_factory=dict)
    # Told "first answer" when an answer with a segment's bytes begins (phases.Phases).
    on_step: Callable[[str], None] | None = None
