"""Background jobs beside a session's runs: work on the source that is not the encode.

A job (subtitle extraction today) starts once it may (``ready``: never before the first
frame is on its way), is polled until it is done, and is stopped with its session. Jobs the
package needs (``essential``) are waited for before the package is finished.

Threads: the session's monitor thread starts, polls and stops them; ``stop`` may also come
from the thread that stops the session, after the monitor has ended.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .binaries import Tools
from .ledger import Ledger
from .plan import Plan

logger = logging.getLogger(__name__)


class Job(Protocol):
    name: str
    essential: bool  # the finished package needs what it makes

    def ready(self) -> bool:
        """May it start now?"""
        ...

    def start(self) -> None: ...

    def poll(self) -> bool:
        """Check on it; True once it is done (made what it could, or gave up)."""
        ...

    def stop(self) -> None: ...

    def notes(self) -> list[str]:
        """What the user should know of it (a track left out, and why)."""
        ...


class Jobs:
    def __init__(self, jobs: Sequence[Job] = ()) -> None:
        self._waiting = list(jobs)
        self._running: list[Job] = []
        self._done: list[Job] = []

    def step(self) -> bool:
        """Start the jobs that may start, poll the running ones. True if one finished."""
        for job in [j for j in self._waiting if j.ready()]:
            self._waiting.remove(job)
            logger.info("starting %s", job.name)
            job.start()
            self._running.append(job)
        finished = [job for job in self._running if job.poll()]
        for job in finished:
            self._running.remove(job)
            self._done.append(job)
        return bool(finished)

    @property
    def settled(self) -> bool:
        """Every essential job is done."""
        return not any(j.essential for j in self._waiting + self._running)

    def notes(self) -> list[str]:
        return [note for job in self._done + self._running for note in job.notes()]

    def stop(self) -> None:
        for job in self._running:
            job.stop()
        self._running.clear()
        self._waiting.clear()


def for_session(tools: Tools, plan: Plan, package: Path, ledger: Ledger) -> Jobs:
    """The background jobs of a session that encodes ``plan`` into ``package``."""
    from .subtitles import SubtitleJob

    made: list[Job] = []
    if plan.text:
        made.append(SubtitleJob(tools, plan, package, ledger))
    return Jobs(made)
