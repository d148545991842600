"""A session: one file, one profile, one cache entry, and the runs that encode it.

``Session.start()`` probes, plans, writes the player's manifests and starts the first *run*
(or finds the entry already finished). A run is one ffmpeg + packager pair encoding part of
the timeline into its own folder under ``.work/``; the monitor thread moves each segment the
packager completes to its place in the package and records it in the ledger.

Runs follow one another:

- the first run covers only the first seconds, with no encoder lookahead, for a fast start;
- then a run starts at the first segment still missing, and so on until none is missing;
- a request for a segment far from where the current run is (a seek) stops that run and
  starts one at the requested segment, with no encoder lookahead; its timestamps stay on the
  absolute timeline, so its segments drop into the same manifests. A run is not stopped
  while a player still streams a segment it is writing (a player that seeks closes it);
- a run stops as soon as it reaches segments another run already made: nothing is encoded
  twice, and the gaps are filled afterwards so a finished entry is complete.

The packager writes each segment's file as the frames arrive and closes it before opening
the next: a segment is taken into the package only once the next one exists, or once both
processes of its run exited cleanly. Meanwhile the one being written is offered to the server
(on POSIX), which streams it to a player as it grows, so the player sees a run's first frames
without waiting for its first whole segment. The piece a stopped or crashed run leaves
behind is discarded.
"""

from __future__ import annotations

import enum
import itertools
import logging
import math
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import binaries
from .cache import Cache, CacheEntry, EntryLock, session_key
from .commands import Run, ffmpeg_command, packager_command
from .errors import CacheError, ToolNotFoundError, ViewraError
from .fmp4 import Fmp4Error, TrackInfo, compact, init_info, span
from .ledger import Ledger
from .manifests import (
    HLS_MASTER_NAME,
    MPD_NAME,
    Track,
    tracks_for,
    write_atomically,
    write_manifests,
)
from .pipe import Pipe, create_pipe
from .plan import Plan, make_plan
from .probe import MediaInfo, probe
from .process import Status, SupervisedProcess
from .profiles import Profile
from .progress import Progress, ProgressParser
from .server import Mount

logger = logging.getLogger(__name__)

MONITOR_PERIOD_S = 0.02
FAST_START_S = 2.0  # the first run covers this much, without encoder lookahead
# A request the current run would reach only after this many seconds of encoding restarts
# the encoder there (a restart costs ffmpeg's seek plus one segment, about this much).
SEEK_WAIT_S = 1.0
# Streaming a segment while it is written needs its file deleted from the run's folder while
# a reader holds it open, which Windows does not allow: there a player waits for whole ones.
STREAM_GROWING = os.name != "nt"
DISK_FULL_BYTES = 4 * 1024 * 1024  # less free than this after a failure: the disk is full


class State(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    ENCODING = "encoding"
    FINISHED = "finished"  # the entry is complete (encoded now or found in the cache)
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Failure:
    message: str
    details: str = ""


@dataclass
class _RunState:
    """A started run: its processes, folder and what it has delivered."""

    run: Run
    folder: Path  # absolute
    pipe: Pipe
    ffmpeg: SupervisedProcess
    packager: SupervisedProcess
    first: dict[str, int]  # stream -> the timeline number of the packager's segment 0
    last: dict[str, int]  # stream -> the last number it is to make (the packager may cut a
    # sliver more from the audio that runs past the run's end: that piece is not kept)
    accepting: bool = True
    done: dict[str, int] = field(default_factory=dict)  # stream -> highest number complete
    made: set[int] = field(default_factory=set)  # video segments it made (kept or not)
    tracks: dict[str, TrackInfo] = field(default_factory=dict)  # from its init segments

    def status(self) -> Status:
        return max(self.ffmpeg.status(), self.packager.status())

    def ended_by_itself(self) -> bool:
        return self.ffmpeg.returncode == 0 and self.packager.returncode == 0


class Session:
    def __init__(
        self,
        path: str,
        profile: Profile,
        cache: Cache,
        on_state: Callable[[State], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_segments: Callable[[], None] | None = None,
    ) -> None:
        self.source = path
        self.profile = profile
        self.cache = cache
        self._on_state = on_state or (lambda state: None)
        self._on_progress = on_progress or (lambda progress: None)
        self._on_segments = on_segments or (lambda: None)
        self.state = State.IDLE
        self.failure: Failure | None = None
        self.media: MediaInfo | None = None
        self.plan: Plan | None = None
        self.entry: CacheEntry | None = None
        self.ledger: Ledger | None = None
        self.from_cache = False
        self.progress: Progress | None = None
        self.runs: list[_RunState] = []  # every run started, in order (tests, the log)
        self._tools: binaries.Tools | None = None
        self._lock: EntryLock | None = None
        self._run: _RunState | None = None
        self._run_ids = itertools.count(1)
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._state_lock = threading.Lock()
        self._wanted: tuple[str, int] | None = None  # (stream, number) a player waits for
        self._wanted_lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        assert self.entry is not None
        return self.entry.path

    def start(self) -> None:
        """Prepare and start. Raises ViewraError (a sentence for the user) on bad input.

        Call it from a thread that outlives the session: on Linux the encoder processes are
        tied to the thread that starts them.
        """
        self._set_state(State.STARTING)
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
            self._stop_run(run)
        if self.ledger is not None and not self.ledger.finished:
            self.ledger.fail("The session was stopped.")
        if self.state in (State.STARTING, State.ENCODING):
            self._set_state(State.STOPPED)
        self._release()

    def mount(self) -> Mount:
        """What the server needs to serve this (started) session."""
        assert self.ledger is not None and self.plan is not None
        if self.from_cache:
            counts = {s: self.ledger.count(s) for s in self.ledger.streams}
        else:
            counts = {"video": self.plan.video_segments, "audio": self.plan.audio_segments}
        return Mount(
            folder=self.folder,
            ledger=self.ledger,
            segment_counts=counts,
            on_request=None if self.from_cache else self.request,
        )

    def request(self, stream: str, number: int) -> None:
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
        ranges: list[tuple[float, float]] = []
        for number in sorted(self.ledger.segments("video")):
            if not 1 <= number <= self.plan.video_segments:
                continue
            start, end = self.plan.video_segment_span(number)
            if ranges and abs(ranges[-1][1] - start) < 1e-6:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
        return ranges

    # -- start ------------------------------------------------------------------------------

    def _start(self) -> None:
        self._tools = tools = binaries.find_tools()
        self.media = probe(tools.ffprobe, self.source)
        self.plan = plan = make_plan(self.media, self.profile)
        key = session_key(self.media.path, self.profile.name)
        self.entry, self._lock = self.cache.open_entry(key)
        streams = ("video", "audio") if plan.audio is not None else ("video",)
        self.ledger = Ledger(streams)
        record = self.entry.read_complete()
        if record is not None:
            self._load_finished(record)
            return
        self._prepare_folder(plan)
        fast_last = self._video_at(FAST_START_S - 1e-6)
        first = Run(1, fast_last, fast_start=True) if fast_last < plan.video_segments else Run()
        self._run = self._start_run(first)
        self._set_state(State.ENCODING)
        self._monitor = threading.Thread(target=self._run_monitor, name="session-monitor")
        self._monitor.daemon = True
        self._monitor.start()

    def _prepare_folder(self, plan: Plan) -> None:
        assert self.entry is not None
        try:
            self.entry.reset()
            self.entry.work.mkdir()
            for stream in self.ledger.streams if self.ledger else ("video",):
                (self.entry.path / stream).mkdir()
            write_manifests(self.entry.path, plan, *tracks_for(plan))
        except OSError as exc:
            raise CacheError(
                f"The cache folder {self.cache.root} cannot be written "
                f"({exc.strerror or exc}); free some space or choose another with --cache-dir."
            ) from exc

    def _load_finished(self, record: dict) -> None:
        assert self.ledger is not None
        self.from_cache = True
        for stream in self.ledger.streams:
            durations = record.get("segments", {}).get(stream, [])
            self.ledger.add_segments(stream, {i + 1: d for i, d in enumerate(durations)})
            self.ledger.set_init_ready(stream)
        self.ledger.finish()
        if self.plan is not None:
            self.progress = Progress(self.plan.duration, self.plan.duration, 0.0, done=True)
        logger.info("replaying finished session %s from the cache", self.folder.name)
        self._set_state(State.FINISHED)

    # -- runs -------------------------------------------------------------------------------

    def _video_at(self, seconds: float) -> int:
        """The video segment number containing time ``seconds``."""
        assert self.plan is not None
        grid = self.plan.grid
        low, high = 0, len(grid) - 1
        while low < high:  # last grid index with grid[i] <= seconds
            mid = (low + high + 1) // 2
            if grid[mid] <= seconds + 1e-9:
                low = mid
            else:
                high = mid - 1
        return low + 1

    def _start_run(self, run: Run) -> _RunState:
        assert self.plan is not None and self.entry is not None and self._tools is not None
        plan = self.plan
        name = f"run-{next(self._run_ids)}-{run.first}"
        folder = self.entry.work / name
        try:
            for stream in self.ledger.streams if self.ledger else ("video",):
                (folder / stream).mkdir(parents=True)
            pipe = create_pipe(folder)
        except OSError as exc:
            raise CacheError(
                f"The cache folder {self.cache.root} cannot be written ({exc.strerror or exc})."
            ) from exc
        relative = folder.relative_to(self.entry.path).as_posix()
        reader = Path(pipe.reader_path)
        # A FIFO in the run's folder is named relative to it (no comma or '=' from the cache
        # path reaches the packager's stream descriptors); a Windows pipe name stays as is.
        pipe_rel = (
            reader.relative_to(self.entry.path).as_posix()
            if reader.is_relative_to(self.entry.path)
            else pipe.reader_path
        )
        start = run.start_time(plan)
        parser = ProgressParser(
            run.end_time(plan) - start, lambda p: self._progress(p, start), offset=0.0
        )
        state = _RunState(
            run=run,
            folder=folder,
            pipe=pipe,
            packager=SupervisedProcess(
                "packager",
                packager_command(self._tools.packager, plan, pipe_rel, relative),
                cwd=str(self.entry.path),
            ),
            ffmpeg=SupervisedProcess(
                "ffmpeg",
                ffmpeg_command(self._tools.ffmpeg, plan, pipe.writer_path, run),
                cwd=str(self.entry.path),
                on_stdout_line=parser.feed,
            ),
            first={"video": run.first, "audio": round(start / plan.unit) + 1},
            last={
                "video": plan.video_segments if run.last is None else run.last,
                "audio": plan.audio_segments
                if run.last is None
                else math.ceil(run.end_time(plan) / plan.unit - 1e-6),
            },
        )
        logger.info("run %s: segments %s..%s from %.3f s", name, run.first, run.last, start)
        try:
            state.packager.start()
            state.ffmpeg.start()
        except OSError as exc:
            self._stop_run(state)
            raise ToolNotFoundError(
                f"ffmpeg or the packager cannot be started ({exc.strerror or exc}): reinstall "
                "Viewra Desktop, or set VIEWRA_FFMPEG and VIEWRA_PACKAGER to working programs."
            ) from exc
        self.runs.append(state)
        return state

    def _stop_run(self, state: _RunState) -> None:
        """End a run at once. What it has not finished is thrown away, so no process needs a
        clean exit: SIGKILL is immediate (a terminated ffmpeg first flushes its encoder), and
        it also ends an ffmpeg blocked opening the pipe, where SIGTERM does not."""
        state.accepting = False
        if self.ledger is not None:
            self.ledger.drop_partials()  # readers of a growing segment stop at once
        state.ffmpeg.kill()
        state.packager.kill()
        state.pipe.close()
        shutil.rmtree(state.folder, ignore_errors=True)

    def _collect(self, state: _RunState, final: bool = False) -> bool:
        """Take what the run's packager completed; offer the segment it is writing to the
        server. ``final``: the run ended by itself, so its last segments are complete too.
        Returns True if anything new was taken."""
        assert self.ledger is not None
        if not state.accepting:
            return False
        changed = False
        for stream in self.ledger.streams:
            folder = state.folder / stream
            try:
                names = [e.name for e in os.scandir(folder)]
            except FileNotFoundError:
                continue
            files = sorted(int(n[:-4]) for n in names if n.endswith(".m4s") and n[:-4].isdigit())
            if not files:
                continue
            newest = files[-1]
            first, last = state.first[stream], state.last[stream]
            complete = files if final else files[:-1]
            for local in complete:
                number = first + local
                if stream == "video":
                    state.made.add(number)
                if self.ledger.has(stream, number) or not first <= number <= last:
                    (folder / f"{local}.m4s").unlink(missing_ok=True)  # not needed from it
                elif self._place(state, stream, local, number):
                    changed = True
            if complete:
                done = min(last, first + complete[-1])
                state.done[stream] = max(state.done.get(stream, 0), done)
            number = first + newest
            if (
                STREAM_GROWING
                and not final
                and number <= last
                and not self.ledger.has(stream, number)
                and self._init_ready(state, stream)
            ):
                self.ledger.set_partial(stream, number, folder / f"{newest}.m4s")
        return changed

    def _init_ready(self, state: _RunState, stream: str) -> bool:
        """Read the run's init segment (the packager writes it before any media segment)
        and, for the session's first, copy it into the package."""
        assert self.ledger is not None and self.entry is not None
        if stream in state.tracks:
            return True
        source = state.folder / f"{stream}-init.mp4"
        try:
            data = source.read_bytes()
            state.tracks[stream] = init_info(data, source.name)
            if not self.ledger.init_ready(stream):
                write_atomically(self.entry.path / stream / "init.mp4", data)
                self.ledger.set_init_ready(stream)
        except (OSError, Fmp4Error):
            return False
        return True

    def _place(self, state: _RunState, stream: str, local: int, number: int) -> bool:
        """Put a complete segment into the package and record it with its real length."""
        assert self.ledger is not None and self.entry is not None
        source = state.folder / stream / f"{local}.m4s"
        try:
            if not self._init_ready(state, stream):
                return False
            track = state.tracks[stream]
            data = source.read_bytes()
            duration = span(data, track, source.name).duration
            # One fragment instead of the packager's one per frame (same samples). A player
            # streaming the segment keeps reading the run's file, which stays whole.
            target = self.entry.path / stream / f"{number}.m4s"
            write_atomically(target, compact(data, track) or data)
            source.unlink()
        except (OSError, Fmp4Error) as exc:
            logger.warning("segment %s/%d could not be taken: %s", stream, number, exc)
            return False
        self.ledger.add_segments(stream, {number: duration})
        logger.debug("segment %s/%d complete (%.3f s)", stream, number, duration)
        return True

    def _first_missing(self) -> int | None:
        """The video segment where the next run should start, or None when all are done."""
        assert self.ledger is not None and self.plan is not None
        candidates = []
        for stream in self.ledger.streams:
            end = self.ledger.end(stream)
            if end is None:
                end = self.plan.video_segments if stream == "video" else self.plan.audio_segments
            have = self.ledger.segments(stream)
            missing = next((n for n in range(1, end + 1) if n not in have), None)
            if missing is not None:
                candidates.append(
                    missing if stream == "video" else self._video_at((missing - 1) * self.plan.unit)
                )
        return min(candidates, default=None)

    def _position(self, state: _RunState) -> dict[str, int]:
        """Per stream, the number of the next segment this run will make."""
        return {s: state.done.get(s, first - 1) + 1 for s, first in state.first.items()}

    def _reached_done_range(self, state: _RunState) -> bool:
        """True when the next video segment this run will make, and every audio segment in
        its span, already exist: it has run into a range another run made."""
        assert self.ledger is not None and self.plan is not None
        video = self._position(state)["video"]
        if video > self.plan.video_segments or not self.ledger.has("video", video):
            return False
        if "audio" not in self.ledger.streams:
            return True
        start, end = self.plan.video_segment_span(video)
        first = round(start / self.plan.unit) + 1
        last = max(first, math.ceil(end / self.plan.unit - 1e-6))
        return all(self.ledger.has("audio", n) for n in range(first, last + 1))

    def _video_for(self, stream: str, number: int) -> int:
        """The video segment holding the start of segment ``number`` of ``stream``."""
        assert self.plan is not None
        return number if stream == "video" else self._video_at((number - 1) * self.plan.unit)

    def _heading_for(self, state: _RunState, stream: str, number: int) -> bool:
        """Will this run deliver segment ``number`` of ``stream`` soon? Measured on that
        stream's own progress: audio runs ahead of the video in a run."""
        assert self.plan is not None
        target = self._video_for(stream, number)
        if target < state.run.first:
            return False
        if state.run.last is not None and target > state.run.last:
            return False
        position = self._position(state)[stream]
        if number < position:
            return True  # made already (and being placed)
        if stream == "video":
            ahead = self.plan.grid[number - 1] - self.plan.grid[position - 1]
        else:
            ahead = (number - position) * self.plan.unit
        speed = self.progress.speed if self.progress and self.progress.speed > 0 else 1.0
        return ahead / speed <= SEEK_WAIT_S  # it gets there before a restart would pay off

    def _seek_target(self, state: _RunState) -> int | None:
        """The video segment to restart the encoder at for what a player waits for, if the
        running one will not get there soon; None to keep it."""
        assert self.ledger is not None
        with self._wanted_lock:
            wanted = self._wanted
        if wanted is None:
            return None
        stream, number = wanted
        if not self.ledger.has(stream, number) and not self._heading_for(state, stream, number):
            if self.ledger.readers:
                # A player still streams a segment this run is writing: stopping the run
                # would cut it off. A player that seeks closes that answer first.
                return None
            target = self._video_for(stream, number)
        else:
            target = None
        with self._wanted_lock:
            if self._wanted == wanted:
                self._wanted = None
        return target

    # -- monitor ----------------------------------------------------------------------------

    def _run_monitor(self) -> None:
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
        run, self._run = self._run, None
        if run is not None:
            self._stop_run(run)

    def _step(self) -> bool:
        """One pass of the monitor. Returns True when the session has ended."""
        assert self.ledger is not None
        run = self._run
        changed = False
        if run is not None:
            changed = self._collect(run)
            # A run that ended is taken whole below, before any seek is acted on.
            seek = self._seek_target(run) if run.status() is Status.RUNNING else None
            if seek is not None:
                logger.info("seek: restarting the encoder at segment %d", seek)
                self._stop_run(run)
                self._run = run = self._start_run(Run(seek, low_delay=True))
            status = run.status()
            if status is Status.ERRORED:
                changed |= self._collect(run)
                culprit = run.ffmpeg if run.ffmpeg.status() is Status.ERRORED else run.packager
                assert self._tools is not None
                binaries.diagnose(self._tools, culprit.name)  # a broken tool says so
                message = f"Encoding failed: {culprit.describe_exit()}."
                if self._disk_full():
                    message = (
                        f"The disk holding the cache folder {self.cache.root} is full: free "
                        "some space, lower the cache limit or choose another cache folder."
                    )
                self._fail(Failure(message, details=culprit.stderr_tail()))
                self._notify(changed)
                return True
            if status is Status.FINISHED:
                changed |= self._end_run(run)
                self._run = run = None
            elif self._reached_done_range(run):
                logger.info("run reached segments already made: stopping it")
                self._stop_run(run)
                self._run = run = None
        self._notify(changed)
        if run is None:
            missing = self._first_missing()
            if missing is None:
                self._finish()
                return True
            self._run = self._start_run(Run(missing))
        return False

    def _disk_full(self) -> bool:
        assert self.entry is not None
        try:
            return shutil.disk_usage(self.entry.path).free < DISK_FULL_BYTES
        except OSError:
            return False

    def _end_run(self, run: _RunState) -> bool:
        """A run's processes ended by themselves: take all it made, learn the real end."""
        assert self.ledger is not None and self.plan is not None
        changed = self._collect(run, final=run.ended_by_itself())
        if run.ended_by_itself() and run.run.last is None:
            # It encoded to the end of the source: whatever it did not make does not exist.
            nxt = self._position(run)
            for stream in self.ledger.streams:
                planned = (
                    self.plan.video_segments if stream == "video" else self.plan.audio_segments
                )
                self.ledger.set_end(stream, min(planned, nxt[stream] - 1))
        self._stop_run(run)
        return changed

    def _notify(self, changed: bool) -> None:
        if changed:
            self._on_segments()

    def _finish(self) -> None:
        assert self.ledger is not None and self.entry is not None and self.plan is not None
        plan = self.plan
        lists = {
            s: [d for _n, d in sorted(self.ledger.segments(s).items())] for s in self.ledger.streams
        }
        if not lists["video"]:
            self._fail(Failure("Encoding ended without producing any video."))
            return
        try:
            video_track, audio_track = tracks_for(plan, lists["video"], lists.get("audio"))
            write_manifests(self.entry.path, plan, video_track, audio_track)
            self.entry.mark_complete(
                {
                    "source": self.source,
                    "profile": self.profile.name,
                    "duration": sum(lists["video"]),
                    "segments": lists,
                    "files": self._package_files(video_track, audio_track),
                }
            )
            shutil.rmtree(self.entry.work, ignore_errors=True)
        except OSError as exc:
            self._fail(Failure(f"The finished package could not be written: {exc}."))
            return
        self.ledger.finish()
        self.progress = Progress(plan.duration, plan.duration, 0.0, done=True)
        self._on_progress(self.progress)
        self._set_state(State.FINISHED)

    @staticmethod
    def _package_files(video: Track, audio: Track | None) -> list[str]:
        files = [MPD_NAME, HLS_MASTER_NAME]
        for track in (video, audio):
            if track is None:
                continue
            files += [track.playlist, track.init]
            files += [track.segment(track.start_number + i) for i in range(len(track.durations))]
        return files

    # -- helpers ----------------------------------------------------------------------------

    def _progress(self, progress: Progress, offset: float) -> None:
        assert self.plan is not None
        encoded = sum(b - a for a, b in self.encoded_ranges())
        self.progress = Progress(
            position=min(self.plan.duration, progress.position + offset),
            duration=self.plan.duration,
            speed=progress.speed,
            encoded=encoded,
        )
        self._on_progress(self.progress)

    def _fail(self, failure: Failure) -> None:
        with self._state_lock:
            if self.state in (State.FAILED, State.STOPPED, State.FINISHED):
                return
            self.failure = failure
        logger.error("%s %s", failure.message, failure.details)
        if self.ledger is not None:
            self.ledger.fail(failure.message)
        self._set_state(State.FAILED)

    def _set_state(self, state: State) -> None:
        with self._state_lock:
            if self.state == state:
                return
            self.state = state
        logger.info("session state: %s", state.value)
        self._on_state(state)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
