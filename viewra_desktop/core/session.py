"""A session: one file, one profile, one cache entry, and the runs that encode it.

``start()`` opens the entry (``opening``: media and plan), prepares the package and starts
the first run, or finds the entry finished. The monitor thread then harvests runs, asks
``policy`` what to run next, steps the background ``jobs`` and finishes the package. Here:
lifecycle, monitor loop and wiring.

Threads
-------
- **The caller's thread** (the controller's QThread in the app, the main thread in
  ``serve``) calls ``start`` and ``stop``. ``start`` starts the first run there, so that
  thread must outlive the session: on Linux the run's processes are tied to it.
- **The monitor thread** (``session-monitor``) does everything else: harvest, seeks, later
  runs, failures, finishing. The runs it starts are tied to it by the parent-death signal;
  it stops its run before it ends, and ``stop`` joins it.
- **The server's request threads** call ``request`` (it records what a player waits for and
  wakes the monitor) and wait on the ledger. **ffmpeg's stdout reader** calls ``_progress``.
- ``Events`` callbacks run on the thread that made the change and must not block.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import binaries, harvest, jobs, package, policy
from .cache import Cache, CacheEntry, EntryLock
from .errors import ViewraError
from .jobs import Jobs
from .ledger import Ledger
from .lifecycle import Events, Failure, State, StateMachine
from .media import MediaInfo
from .mount import Mount
from .opening import open_session
from .plan import Plan, RunSpec, TextTrack
from .process import Status
from .profiles import Profile
from .progress import Progress
from .run import Run
from .streams import StreamId, StreamKind

logger = logging.getLogger(__name__)

MONITOR_PERIOD_S = 0.02
# While a player waits for a segment nobody is writing yet (the start, a seek), the monitor
# looks this often for the packager's next file: side by side, serve's first frame came
# after 0.382 s against 0.407 s with the usual period.
MONITOR_WAITING_PERIOD_S = 0.005


class Session:
    def __init__(
        self,
        path: str,
        profile: Profile,
        cache: Cache,
        events: Events | None = None,
        burn_in: int | None = None,
        encrypt: bool = False,
    ) -> None:
        """``burn_in``: the index of a picture subtitle stream to draw into the video;
        ``encrypt``: a preview of encryption, its packager encrypts (each an entry of its own,
        with, for ``encrypt``, its key: ``keys``)."""
        self.source, self.profile, self.cache = path, profile, cache
        self.burn_in, self.encrypt = burn_in, encrypt
        self._events = events or Events()
        self._machine = StateMachine()
        self.failure: Failure | None = None
        self.media: MediaInfo | None = None
        self.plan: Plan | None = None
        self.entry: CacheEntry | None = None
        self.ledger: Ledger | None = None
        self.from_cache = False
        self.progress: Progress | None = None
        self.runs: list[Run] = []  # every run started, in order (tests, the log)
        self._tools: binaries.Tools | None = None
        self._lock: EntryLock | None = None
        self._run: Run | None = None  # the one that runs now
        self._run_ids = itertools.count(1)
        self._jobs = Jobs()
        self._run_listeners: list[Callable[[], None]] = []
        self._probed: dict[str, Any] = {}  # what ffprobe said of the source (the record keeps it)
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._wanted = policy.Wanted()  # what a player waits for

    # -- public -----------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._machine.state

    @property
    def folder(self) -> Path:
        assert self.entry is not None
        return self.entry.path

    def start(self) -> None:
        """Prepare and start. Raises ViewraError (a sentence for the user) on bad input."""
        self._enter(State.STARTING)
        try:
            self._start()
        except ViewraError as exc:
            self._fail(Failure(str(exc), exc.details))
            self._release()
            raise
        except BaseException:
            self._release()
            raise

    def stop(self) -> None:
        """Stop the processes and the monitor; keep complete segments. Idempotent."""
        self._stop.set()
        self._wake.set()
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=15)
        run, self._run = self._run, None
        if run is not None:
            run.stop()
        self._jobs.stop()
        if self.ledger is not None and not self.ledger.finished:
            self.ledger.fail("The session was stopped.")
        self._enter(State.STOPPED, unless_final=True)
        self._release()

    def mount(self) -> Mount:
        """What the server needs to serve this (started) session."""
        assert self.ledger is not None and self.plan is not None
        count = self.ledger.count if self.from_cache else self.plan.count
        return Mount(
            folder=self.folder,
            ledger=self.ledger,
            segment_counts={s: count(s) for s in self.ledger.streams},
            on_request=None if self.from_cache else self.request,
            on_step=self._events.step,
        )

    def request(self, stream: StreamId, number: int) -> None:
        """A player waits for this segment: make sure an encoder is heading there soon."""
        if self.plan is None or self.state is not State.ENCODING:
            return
        self._wanted.set(stream, number)
        self._wake.set()

    def texts(self) -> list[TextTrack]:
        """The text tracks whose WebVTT file is ready to be served."""
        return package.ready_texts(self.plan, self.ledger) if self.plan and self.ledger else []

    def notes(self) -> list[str]:
        """What the user should know: each track left out, and why."""
        return list(self.plan.notes if self.plan else ()) + self._jobs.notes()

    def encoded_ranges(self) -> list[tuple[float, float]]:
        """Time ranges (seconds) where the rendition played is complete, merged."""
        if self.plan is None or self.ledger is None:
            return []
        numbers = self.ledger.segments(self._watched())
        return self.plan.timeline.ranges(StreamKind.VIDEO, numbers)

    def _watched(self) -> StreamId:
        assert self.plan is not None
        return self._wanted.watched(self.plan.main_video.stream)

    def _start(self) -> None:
        self._tools = binaries.find_tools()
        opened = open_session(
            self._tools, self.source, self.profile, self.burn_in, self.cache, self.encrypt
        )
        self._events.step("probe")
        self.entry, self._lock, self.media = opened.entry, opened.lock, opened.media
        self.plan = plan = opened.plan
        self.ledger, self._probed = opened.ledger, opened.probed
        for note in plan.notes:
            logger.warning(note)
        if opened.finished:
            self.from_cache = True
            self.progress = Progress.finished(plan.duration)
            logger.info("replaying finished session %s from the cache", self.folder.name)
            self._enter(State.FINISHED)
            return
        package.prepare(self.entry, plan, self.cache.root)
        self._run = self._start_run(policy.first_run(plan.timeline))
        self._events.step("ffmpeg started")
        try:  # while ffmpeg starts: nobody asks for them before start() returns
            package.write_first_manifests(self.entry, plan, self.cache.root)
        except ViewraError:
            self._run.stop()
            raise
        self._jobs = jobs.for_session(self._tools, plan, self.entry.path, self.ledger)
        self._enter(State.ENCODING)
        self._monitor = threading.Thread(target=self._monitor_loop, name="session-monitor")
        self._monitor.daemon = True
        self._monitor.start()

    def _start_run(self, spec: RunSpec) -> Run:
        assert self.plan is not None and self.entry is not None and self._tools is not None
        run_id = next(self._run_ids)
        run = Run(run_id, spec, self.plan, self._tools, self.entry.path, self._progress)
        run.step = self._events.step
        run.start()
        self.runs.append(run)
        for listener in self._run_listeners:
            listener()
        return run

    def on_run_started(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` each time a run has started (on the thread that started it; it
        must not block): the inspector stands aside at once while the encoder restarts."""
        self._run_listeners.append(listener)

    # -- monitor ----------------------------------------------------------------------------

    def _monitor_loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self._step():
                    return
                waiting = self.ledger is not None and self.ledger.waiting > 0
                self._wake.wait(MONITOR_WAITING_PERIOD_S if waiting else MONITOR_PERIOD_S)
                self._wake.clear()
        except ViewraError as exc:
            self._fail(Failure(str(exc), exc.details))
        except Exception as exc:  # a bug must not leave processes running unseen
            logger.exception("session monitor failed")
            self._fail(Failure("Encoding stopped because of an internal error.", repr(exc)))
        finally:
            run, self._run = self._run, None
            if run is not None:
                run.stop()
            self._jobs.stop()

    def _step(self) -> bool:
        """One pass of the monitor. Returns True when the session has ended."""
        assert self.ledger is not None and self.plan is not None
        timeline, ledger = self.plan.timeline, self.ledger
        run = self._run
        changed = False
        if self._jobs.step():
            self._events.files()
        if run is not None:
            changed = harvest.collect(run, ledger)
            if run.status() is Status.RUNNING:  # one that ended is taken whole first
                speed = self.progress.speed if self.progress else 0.0
                streaming = ledger.readers > 0  # a player reads a segment it is writing
                restart = self._wanted.restart(
                    timeline, ledger.streams, ledger, run.view(), speed, streaming
                )
                if restart is not None:
                    logger.info("seek: restarting the encoder at segment %d", restart.first)
                    run.stop()
                    self._run = run = self._start_run(restart)
            status = run.status()
            if status is Status.ERRORED:
                if changed | harvest.collect(run, ledger):
                    self._events.segments()
                assert self._tools is not None
                self._fail(run.failure(self._tools, self.cache.root))
                return True
            if status is Status.FINISHED:
                changed |= harvest.take_ended(run, ledger)
                self._run = run = None
            elif policy.reached_done_range(timeline, ledger, run.view()):
                logger.info("run reached segments already made: stopping it")
                run.stop()
                self._run = run = None
        if changed:
            self._events.segments()
        if run is None:
            spec = policy.next_run(timeline, ledger.streams, ledger, self._watched())
            if spec is None:
                if not self._jobs.settled:
                    return False  # the package waits for its subtitle tracks
                self._finish()
                return True
            self._run = self._start_run(spec)
        return False

    def _finish(self) -> None:
        assert self.ledger is not None and self.entry is not None and self.plan is not None
        record = {"source": self.source, "profile": self.profile.name, "media": self._probed}
        try:
            package.finish(self.entry, self.plan, self.ledger, record)
        except ViewraError as exc:
            self._fail(Failure(str(exc), exc.details))
            return
        self.ledger.finish()
        self.progress = Progress.finished(self.plan.duration)
        self._events.progress(self.progress)
        self._enter(State.FINISHED)

    def _progress(self, progress: Progress, offset: float) -> None:
        """ffmpeg's progress in a run starting at ``offset`` (its stdout reader thread)."""
        assert self.plan is not None
        encoded = sum(b - a for a, b in self.encoded_ranges())
        self.progress = progress.on_timeline(offset, self.plan.duration, encoded)
        self._events.progress(self.progress)

    def _enter(self, state: State, unless_final: bool = False) -> None:
        if self._machine.move(state, unless_final):
            self._events.state(state)

    def _fail(self, failure: Failure) -> None:
        if not self._machine.move(State.FAILED, unless_final=True):
            return
        self.failure = failure
        logger.error("%s %s", failure.message, failure.details)
        if self.ledger is not None:
            self.ledger.fail(failure.message)
        self._events.state(State.FAILED)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
