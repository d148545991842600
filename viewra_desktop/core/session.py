"""A session: one file, one profile, one cache entry, and the runs that encode it.

``start()`` probes, plans, prepares the package (``package``) and starts the first run
(``run``), or finds the entry already finished (an encrypted preview has an entry and a key
of its own: ``keys``). Then the monitor thread, every ``MONITOR_PERIOD_S``, harvests what the
running run completed (``harvest``), asks the policy (``policy``) whether a request restarts
the encoder, whether the run met a done range and which run fills the next gap, and finishes.

Threads:
- **The caller's thread** (the controller's QThread in the app, the main thread in
  ``serve``) calls ``start`` and ``stop``. ``start`` starts the first run there, so that
  thread must outlive the session: on Linux the run's processes are tied to it.
- **The monitor thread** (``session-monitor``) does everything else: harvest, seeks, later
  runs, failures, finishing. The runs it starts are tied to it by the parent-death signal;
  it stops its run before it ends, and ``stop`` joins it.
- **The server's request threads** call ``request`` (a player waits for a segment): it only
  records what is wanted and wakes the monitor. They also read and wait on the ledger.
- **ffmpeg's stdout reader** (one per run) calls ``_progress``.
- The callbacks (``on_state``, ``on_progress``, ``on_segments``) run on whichever of these
  threads made the change and must not block: the Qt controller only emits signals.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from . import binaries, harvest, package, policy
from .cache import Cache, CacheEntry, EntryLock, session_key
from .errors import ViewraError
from .ledger import Ledger
from .lifecycle import Failure, State, StateMachine
from .plan import Plan, RunSpec, make_plan
from .probe import MediaInfo, probe
from .process import Status
from .profiles import Profile
from .progress import Progress
from .run import Run
from .server import Mount
from .streams import StreamId, StreamKind

logger = logging.getLogger(__name__)

MONITOR_PERIOD_S = 0.02
__all__ = ["Failure", "Session", "State"]


class Session:
    def __init__(
        self,
        path: str,
        profile: Profile,
        cache: Cache,
        on_state: Callable[[State], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_segments: Callable[[], None] | None = None,
        encrypt: bool = False,
    ) -> None:
        self.source = path
        self.encrypt = encrypt
        self.profile = profile
        self.cache = cache
        self._on_state = on_state or (lambda state: None)
        self._on_progress = on_progress or (lambda progress: None)
        self._on_segments = on_segments or (lambda: None)
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
        self._run: Run | None = None
        self._run_ids = itertools.count(1)
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._wanted: tuple[StreamId, int] | None = None  # what a player waits for
        self._wanted_lock = threading.Lock()

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
        )

    def request(self, stream: StreamId, number: int) -> None:
        """A player waits for this segment: make sure an encoder is heading there soon."""
        if self.plan is None or self.state is not State.ENCODING:
            return
        with self._wanted_lock:
            self._wanted = (stream, number)
        self._wake.set()

    def encoded_ranges(self) -> list[tuple[float, float]]:
        """Time ranges (seconds) whose video segments are complete, merged."""
        if self.plan is None or self.ledger is None:
            return []
        video = self.plan.main_video.stream
        return self.plan.timeline.ranges(StreamKind.VIDEO, self.ledger.segments(video))

    # -- start ------------------------------------------------------------------------------

    def _start(self) -> None:
        self._tools = binaries.find_tools()
        self.media = probe(self._tools.ffprobe, self.source)
        self.plan = plan = make_plan(self.media, self.profile)
        key = session_key(self.media.path, self.profile.name, *(("encrypted",) * self.encrypt))
        self.entry, self._lock = self.cache.open_entry(key)
        self.plan = plan = package.encrypted(plan, self.entry) if self.encrypt else plan
        self.ledger = Ledger(plan.segmented)
        if package.replay(self.entry, self.ledger):
            self.from_cache = True
            self.progress = Progress(plan.duration, plan.duration, 0.0, done=True)
            logger.info("replaying finished session %s from the cache", self.folder.name)
            self._enter(State.FINISHED)
            return
        package.prepare(self.entry, plan, self.cache.root)
        self._run = self._start_run(policy.first_run(plan.timeline))
        self._enter(State.ENCODING)
        self._monitor = threading.Thread(target=self._monitor_loop, name="session-monitor")
        self._monitor.daemon = True
        self._monitor.start()

    def _start_run(self, spec: RunSpec) -> Run:
        assert self.plan is not None and self.entry is not None and self._tools is not None
        run_id = next(self._run_ids)
        run = Run(run_id, spec, self.plan, self._tools, self.entry.path, self._progress)
        run.start()
        self.runs.append(run)
        return run

    # -- monitor ----------------------------------------------------------------------------

    def _monitor_loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self._step():
                    return
                self._wake.wait(MONITOR_PERIOD_S)
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

    def _step(self) -> bool:
        """One pass of the monitor. Returns True when the session has ended."""
        assert self.ledger is not None and self.plan is not None
        timeline, ledger = self.plan.timeline, self.ledger
        run = self._run
        changed = False
        if run is not None:
            changed = harvest.collect(run, ledger)
            if run.status() is Status.RUNNING:  # one that ended is taken whole first
                run = self._follow_request(run)
            status = run.status()
            if status is Status.ERRORED:
                if changed | harvest.collect(run, ledger):
                    self._on_segments()
                assert self._tools is not None
                self._fail(run.failure(self._tools, self.cache.root))
                return True
            if status is Status.FINISHED:
                changed |= harvest.take_ended(run, ledger)
                self._run = run = None
            elif policy.reached_done_range(timeline, ledger.streams, ledger, run.view()):
                logger.info("run reached segments already made: stopping it")
                run.stop()
                self._run = run = None
        if changed:
            self._on_segments()
        if run is None:
            spec = policy.next_run(timeline, ledger.streams, ledger)
            if spec is None:
                self._finish()
                return True
            self._run = self._start_run(spec)
        return False

    def _follow_request(self, run: Run) -> Run:
        """Restart the encoder where a player waits, if the policy says so."""
        assert self.ledger is not None and self.plan is not None
        with self._wanted_lock:
            wanted = self._wanted
        if wanted is None:
            return run
        speed = self.progress.speed if self.progress else 0.0
        streaming = self.ledger.readers > 0  # a player reads a segment a run is writing
        timeline = self.plan.timeline
        decision = policy.seek(timeline, self.ledger, run.view(), wanted, speed, streaming)
        if decision.settled:
            with self._wanted_lock:
                if self._wanted == wanted:
                    self._wanted = None
        if decision.target is None:
            return run
        logger.info("seek: restarting the encoder at segment %d", decision.target)
        run.stop()
        spec = policy.seek_run(timeline, self.ledger.streams, self.ledger, decision.target)
        self._run = self._start_run(spec)
        return self._run

    def _finish(self) -> None:
        assert self.ledger is not None and self.entry is not None and self.plan is not None
        record = {"source": self.source, "profile": self.profile.name}
        try:
            package.finish(self.entry, self.plan, self.ledger, record)
        except ViewraError as exc:
            self._fail(Failure(str(exc), exc.details))
            return
        self.ledger.finish()
        self.progress = Progress(self.plan.duration, self.plan.duration, 0.0, done=True)
        self._on_progress(self.progress)
        self._enter(State.FINISHED)

    # -- helpers ----------------------------------------------------------------------------

    def _progress(self, progress: Progress, offset: float) -> None:
        """ffmpeg's progress in a run starting at ``offset`` (its stdout reader thread)."""
        assert self.plan is not None
        duration = self.plan.duration
        encoded = sum(b - a for a, b in self.encoded_ranges())
        position = min(duration, progress.position + offset)
        self.progress = Progress(position, duration, progress.speed, encoded=encoded)
        self._on_progress(self.progress)

    def _enter(self, state: State, unless_final: bool = False) -> None:
        if self._machine.move(state, unless_final):
            self._on_state(state)

    def _fail(self, failure: Failure) -> None:
        if not self._machine.move(State.FAILED, unless_final=True):
            return
        self.failure = failure
        logger.error("%s %s", failure.message, failure.details)
        if self.ledger is not None:
            self.ledger.fail(failure.message)
        self._on_state(State.FAILED)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
