"""The background work that inspects an encode: thumbnails, then quality metrics, and the
statistics of the segments as they land.

An ``Inspector`` follows one started ``Session`` without being part of it. Its work never
delays the first frame or the encode:

- it starts only once the first ``START_AFTER_SEGMENTS`` video segments are complete (at once
  for a session replayed from the cache), and not in the first ``START_AFTER_S`` seconds;
- every process it starts runs at the lowest priority with one thread
  (``SupervisedProcess(background=True)``);
- it is paused (SIGSTOP, and no new process) while the encoder restarts: from the moment a
  session starts a new run until that run has completed a segment (a seek far ahead);
- while the encoder runs, metrics take at most ``ENCODING_DUTY`` of the time (they rest in
  between), and catch up once the encode is finished.

First the thumbnails (``thumbnails``: a coarse pass, then the fine one that writes the
package's sheets; the server holds a request for a sheet until it is made), then the quality
metrics (``metrics``) of every complete video segment, batch by batch, in timeline order, as
long as the session is open: on a replay too, for the segments not measured yet. Results go
to the entry (the sheets into the package, the metrics into ``.inspect/metrics.jsonl``), so
``viewra-desktop stats`` and a later replay find them.

Threads
-------
- The caller (the controller's QThread, or serve's main thread) calls ``start`` and
  ``stop``; ``stop`` ends the current process and joins the inspector's thread.
- The inspector's thread (``inspector``) does the rest. It starts the processes, so they
  are tied to it (Linux parent-death signal), and it stops them before it ends. It reads the
  session (ledger, runs, progress) and never changes it, except to tell the ledger which
  sheets are coming and which are made.
- ``on_stats`` and ``on_thumbnails`` run on the inspector's thread and must not block.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from . import layout, metrics, thumbnails
from .errors import ViewraError
from .fmp4 import Fmp4Error
from .lifecycle import State
from .process import Status, SupervisedProcess
from .stats import Metrics, Report, SpeedSample, append_metrics, collect, read_metrics
from .streams import StreamId
from .thumbnails import Thumbnails

logger = logging.getLogger(__name__)

START_AFTER_SEGMENTS = 4  # the first 2 s of video: the player has its first frames by then
START_AFTER_S = 2.0  # and not before the session's first seconds (its start, a short encode)
POLL_S = 0.1
REPORT_PERIOD_S = 0.5
SPEED_PERIOD_S = 1.0
STOP_WAIT_S = 10.0
# While the encoder runs, background work runs at most this share of the time. Idle priority
# is not enough: measured here, an idle-class process spinning beside an encode made it 1.7x
# slower (a virtual machine's cores, caches and memory are shared whatever the priority), so
# after each process the work also rests 1/DUTY - 1 times as long as it ran. Metrics take
# about as much CPU as the encode itself; a tenth of the time keeps the encode within 10 %.
# Once the encode is finished the work goes on without rest.
ENCODING_DUTY = 0.1


class _RunLike(Protocol):
    accepting: bool
    done: dict


def encoder_restarting(state: State, runs: Sequence[_RunLike]) -> bool:
    """Is the encoder (re)starting: the session has started a run after its first that has
    not completed a segment yet? Background work stands aside meanwhile."""
    if state is not State.ENCODING or len(runs) < 2:
        return False
    newest = runs[-1]
    return newest.accepting and not newest.done


class Inspector:
    def __init__(
        self,
        session,  # a started core.session.Session
        ffmpeg: str,
        measure: bool = True,
        on_stats: Callable[[Report], None] | None = None,
        on_thumbnails: Callable[[Thumbnails], None] | None = None,
    ) -> None:
        self.session = session
        self.plan = session.plan
        self.folder: Path = session.folder
        self.ledger = session.ledger
        self._ffmpeg = ffmpeg
        self._measure = measure
        self._vmaf = False  # whether this ffmpeg has libvmaf and xpsnr: asked before measuring
        self._xpsnr = False
        self._on_stats = on_stats or (lambda report: None)
        self._on_thumbnails = on_thumbnails or (lambda thumbs: None)
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by stop() and when the session starts a run
        self._thread: threading.Thread | None = None
        self._process: SupervisedProcess | None = None
        self._process_lock = threading.Lock()
        self._paused = False
        self._metrics: dict[tuple[StreamId, int], Metrics] = {}
        self._unmeasurable: set[tuple[StreamId, int]] = set()  # tried, and failed
        self._speeds: list[SpeedSample] = []
        self._started = time.monotonic()
        self._last_speed = 0.0
        self._last_report = 0.0
        self._reported: tuple[int, int] | None = None
        self._thumbs: Thumbnails | None = None
        self._jobs = 0
        self.report: Report | None = None
        self.measured_batches = 0  # batches measured (tests, the log)

    # -- the caller's thread ------------------------------------------------------------------

    def start(self) -> None:
        """Announce the sheets to come (a request for one waits), then start the thread."""
        self._metrics = read_metrics(self.folder)
        thumbs = thumbnails.scan(self.plan, self.folder)
        if thumbs is not None:
            image = thumbs.image
            missing = sorted(set(range(1, image.sheets(self.plan.duration) + 1)) - thumbs.sheets)
            self.ledger.expect_files([layout.image_sheet(n) for n in missing])
            self._thumbs = thumbs
        self.session.on_run_started(self._wake.set)
        self._thread = threading.Thread(target=self._loop, name="inspector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._process_lock:
            process = self._process
        if process is not None:
            process.kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_WAIT_S)

    @property
    def paused(self) -> bool:
        """Standing aside while the encoder restarts (its process stopped, or none started)."""
        return self._paused

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbs

    # -- the inspector's thread -----------------------------------------------------------------

    def _loop(self) -> None:
        try:
            for stale in (self.folder / layout.INSPECT).glob("job-*"):  # left by a crash
                shutil.rmtree(stale, ignore_errors=True)
            if not self._wait_until_ready():
                return
            self._make_thumbnails()
            if self._measure:
                self._find_filters()
            while not self._stop.is_set():
                if not (self._measure and self._measure_next()):
                    self._tick()
                    self._stop.wait(POLL_S * 5)
        except Exception:  # never take the session down with it
            logger.exception("the background inspection failed")
        finally:
            with self._process_lock:
                process, self._process = self._process, None
            if process is not None:
                process.kill()
            self._give_up_sheets()
            self._tick(force=True)

    def _alive(self) -> bool:
        return not self._stop.is_set() and self.session.state in (
            State.ENCODING,
            State.FINISHED,
        )

    def _wait_until_ready(self) -> bool:
        main = self.plan.main_video.stream
        while self._alive():
            self._tick()
            early = time.monotonic() - self._started < START_AFTER_S
            done = self.session.from_cache or self.session.state is State.FINISHED
            enough = min(START_AFTER_SEGMENTS, self.plan.count(main))
            if not early and (done or self.ledger.count(main) >= enough):
                return True
            self._stop.wait(POLL_S)
        return False

    def _tick(self, force: bool = False) -> None:
        """Between and during jobs: speed samples, the report, the thumbnails, the pause."""
        now = time.monotonic()
        progress = self.session.progress
        if (
            self.session.state is State.ENCODING
            and progress is not None
            and progress.speed > 0
            and now - self._last_speed >= SPEED_PERIOD_S
        ):
            self._last_speed = now
            self._speeds.append(SpeedSample(now - self._started, progress.speed))
        self._refresh_thumbnails()
        counts = (sum(self.ledger.count(s) for s in self.ledger.streams), len(self._metrics))
        due = now - self._last_report >= REPORT_PERIOD_S
        if force or (counts != self._reported and due) or (self.report is None and due):
            self._reported, self._last_report = counts, now
            segments = {s: self.ledger.segments(s) for s in self.ledger.streams}
            self.report = collect(self.plan, self.folder, segments, self._metrics, self._speeds)
            self._on_stats(self.report)

    def _refresh_thumbnails(self) -> None:
        if self._thumbs is None:
            return
        now = thumbnails.scan(self.plan, self.folder)
        assert now is not None
        if now.slots == self._thumbs.slots and now.sheets == self._thumbs.sheets:
            return
        for number in now.sheets - self._thumbs.sheets:
            self.ledger.file_done(layout.image_sheet(number), True)
        self._thumbs = now
        self._on_thumbnails(now)

    def _give_up_sheets(self) -> None:
        """The sheets not made by now never will be (this session): a request gets 404."""
        if self._thumbs is None:
            return
        self._refresh_thumbnails()
        image = self._thumbs.image
        for number in range(1, image.sheets(self.plan.duration) + 1):
            if number not in self._thumbs.sheets:
                self.ledger.file_done(layout.image_sheet(number), False)

    def _run(self, name: str, argv: list[str], cwd: Path) -> bool:
        """Run one background process to its end; False if it failed or was stopped."""
        while not self._stop.is_set() and self._restarting():  # no new process meanwhile
            self._paused = True
            self._tick()
            self._nap()
        self._paused = False
        process = SupervisedProcess(name, argv, cwd=str(cwd), background=True)
        with self._process_lock:
            if self._stop.is_set():
                return False
            self._process = process
            process.start()
        try:
            while process.status() is Status.RUNNING:
                if self._stop.is_set():
                    process.kill()
                    return False
                paused = self._restarting()
                if paused != self._paused:
                    logger.info("%s %s", "pausing" if paused else "resuming", name)
                    process.pause(paused)
                    self._paused = paused
                self._tick()
                self._nap()
        finally:
            if self._paused:
                process.pause(False)
                self._paused = False
            with self._process_lock:
                self._process = None
        if process.status() is Status.ERRORED:
            logger.warning("%s failed: %s", name, process.stderr_tail(4))
            return False
        return not self._stop.is_set()

    def _rest(self, worked: float) -> None:
        """While the session encodes, rest so that metrics take at most ``ENCODING_DUTY``."""
        until = time.monotonic() + worked * (1 / ENCODING_DUTY - 1)
        while time.monotonic() < until and self.session.state is State.ENCODING:
            self._tick()
            if self._stop.wait(POLL_S):
                return

    def _nap(self) -> None:
        """Wait ``POLL_S``, or less: until ``stop()`` or until the session starts a run (a
        restart of the encoder is seen at once, not up to ``POLL_S`` late)."""
        self._wake.wait(POLL_S)
        self._wake.clear()

    def _restarting(self) -> bool:
        return encoder_restarting(self.session.state, self.session.runs)

    # -- the jobs -------------------------------------------------------------------------------

    def _make_thumbnails(self) -> None:
        thumbs = self._thumbs
        if thumbs is None or len(thumbs.sheets) == thumbs.image.sheets(self.plan.duration):
            return
        (self.folder / layout.TILES).mkdir(parents=True, exist_ok=True)
        (self.folder / layout.IMAGE_FOLDER).mkdir(exist_ok=True)
        began = time.monotonic()
        for slot in thumbnails.coarse_slots(thumbs.image, self.plan.duration):
            if self._stop.is_set() or thumbs.has(slot):
                continue
            argv = thumbnails.picture_command(self._ffmpeg, self.plan, slot, layout.tile(slot))
            self._run("thumbnail", argv, self.folder)
        logger.info("coarse thumbnails made in %.2f s", time.monotonic() - began)
        argv = thumbnails.sheets_command(self._ffmpeg, self.plan, layout.TILES, layout.IMAGE_FOLDER)
        fine = time.monotonic()
        if self._run("thumbnails", argv, self.folder):
            logger.info("thumbnail sheets made in %.2f s", time.monotonic() - began)
        self._give_up_sheets()
        self._rest(time.monotonic() - fine)

    def _find_filters(self) -> None:
        lines: list[str] = []
        argv = [self._ffmpeg, "-hide_banner", "-nostdin", "-filters"]
        process = SupervisedProcess("ffmpeg-filters", argv, on_stdout_line=lines.append)
        process.start()
        process.wait(30)
        process.kill()  # reaps it, and waits for the reader to take the last lines
        names = metrics.filter_names("\n".join(lines))
        self._vmaf, self._xpsnr = "libvmaf" in names, "xpsnr" in names
        extra = ", XPSNR" * self._xpsnr + ", VMAF" * self._vmaf
        logger.info("quality metrics: PSNR, SSIM%s", extra)

    def _measure_next(self) -> bool:
        """Measure the next batch of complete segments; False if there is none now."""
        for rendition in self.plan.video:
            stream = rendition.stream
            tried = self._metrics.keys() | self._unmeasurable
            measured = [n for (s, n) in tried if s == stream]
            numbers = metrics.pick(self.plan.timeline, self.ledger.segments(stream), measured)
            if numbers:
                self._measure_batch(stream, numbers)
                return True
        return False

    def _measure_batch(self, stream: StreamId, numbers: tuple[int, ...]) -> None:
        self._jobs += 1
        scratch = self.folder / layout.inspect_scratch(self._jobs)
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            try:
                batch = metrics.prepare(self.folder, scratch, self.plan, stream, numbers)
            except (OSError, Fmp4Error, ViewraError) as exc:
                logger.warning("segments %s cannot be measured: %s", numbers, exc)
                found: dict[int, Metrics] = {}
            else:
                argv = metrics.command(self._ffmpeg, self.plan, batch, self._vmaf, self._xpsnr)
                began = time.monotonic()
                ok = self._run("metrics", argv, scratch)
                self._rest(time.monotonic() - began)
                if self._stop.is_set():
                    return
                found = metrics.results(scratch, batch, self._vmaf) if ok else {}
            # Never measure the same segments again and again.
            self._unmeasurable |= {(stream, n) for n in numbers if n not in found}
            append_metrics(self.folder, {(stream, n): m for n, m in found.items()})
            self._metrics.update({(stream, n): m for n, m in found.items()})
            self.measured_batches += 1
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
