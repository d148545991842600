"""A session: one file, one profile, one cache entry, one pipeline.

``Session.start()`` probes, plans, writes the player's manifests and starts ffmpeg and the
packager (or finds the entry already finished). A monitor thread then keeps the ledger of
complete segments up to date, publishes init segments, notices failures (stopping the other
process at once) and, when both processes end well, writes the final manifests and marks the
entry complete.
"""

from __future__ import annotations

import enum
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import binaries
from .cache import WORK_NAME, Cache, CacheEntry, EntryLock, session_key
from .commands import ffmpeg_command, packager_command
from .errors import CacheError, ViewraError
from .ledger import Ledger, parse_live_playlist
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
LIVE_DIR = f"{WORK_NAME}/live"


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
        self._lock: EntryLock | None = None
        self._pipe: Pipe | None = None
        self._ffmpeg: SupervisedProcess | None = None
        self._packager: SupervisedProcess | None = None
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self._state_lock = threading.Lock()
        self._playlist_stamps: dict[str, tuple[int, int]] = {}

    # -- public -----------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        assert self.entry is not None
        return self.entry.path

    def start(self) -> None:
        """Prepare and start. Raises ViewraError (a sentence for the user) on bad input."""
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
        self._stop_processes()
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=10)
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
        return Mount(folder=self.folder, ledger=self.ledger, segment_counts=counts)

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
        tools = binaries.find_tools()
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
        self._pipe = create_pipe(self.entry.work)
        folder = str(self.entry.path)
        pipe_rel = Path(self._pipe.reader_path).relative_to(self.entry.path).as_posix()
        self._packager = SupervisedProcess(
            "packager",
            packager_command(tools.packager, plan, pipe_rel, LIVE_DIR),
            cwd=folder,
        )
        parser = ProgressParser(plan.duration, self._progress)
        self._ffmpeg = SupervisedProcess(
            "ffmpeg",
            ffmpeg_command(tools.ffmpeg, plan, self._pipe.writer_path),
            cwd=folder,
            on_stdout_line=parser.feed,
        )
        self._packager.start()
        self._ffmpeg.start()
        self._set_state(State.ENCODING)
        self._monitor = threading.Thread(target=self._run_monitor, name="session-monitor")
        self._monitor.daemon = True
        self._monitor.start()

    def _prepare_folder(self, plan: Plan) -> None:
        assert self.entry is not None
        try:
            self.entry.reset()
            (self.entry.path / LIVE_DIR).mkdir(parents=True)
            for stream in ("video", "audio") if plan.audio else ("video",):
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

    # -- monitor ----------------------------------------------------------------------------

    def _run_monitor(self) -> None:
        try:
            while not self._stop.is_set():
                self._poll_ledger()
                if self._check_processes():
                    return
                self._stop.wait(MONITOR_PERIOD_S)
        except Exception as exc:  # a bug must not leave processes running unseen
            logger.exception("session monitor failed")
            self._fail(Failure("Encoding stopped because of an internal error.", repr(exc)))
            self._stop_processes()

    def _poll_ledger(self) -> None:
        assert self.ledger is not None and self.entry is not None
        changed = False
        for stream in self.ledger.streams:
            playlist = self.entry.path / LIVE_DIR / f"{stream}.m3u8"
            try:
                st = playlist.stat()
            except FileNotFoundError:
                continue
            stamp = (st.st_mtime_ns, st.st_size)
            if self._playlist_stamps.get(stream) == stamp:
                continue
            self._playlist_stamps[stream] = stamp
            try:
                segments = parse_live_playlist(playlist.read_text("utf-8"))
            except OSError:
                continue
            if segments and not self.ledger.init_ready(stream):
                self._publish_init(stream)
            changed |= self.ledger.add_segments(stream, segments)
        if changed:
            self._on_segments()

    def _publish_init(self, stream: str) -> None:
        """Copy the packager's init segment to where the manifests point, atomically."""
        assert self.ledger is not None and self.entry is not None
        source = self.entry.path / LIVE_DIR / f"{stream}-init.mp4"
        write_atomically(self.entry.path / stream / "init.mp4", source.read_bytes())
        self.ledger.set_init_ready(stream)

    def _check_processes(self) -> bool:
        """Return True when the pipeline has ended (finished or failed)."""
        assert self._ffmpeg is not None and self._packager is not None
        ffmpeg, packager = self._ffmpeg.status(), self._packager.status()
        if Status.ERRORED in (ffmpeg, packager):
            culprit = self._ffmpeg if ffmpeg is Status.ERRORED else self._packager
            self._stop_processes()
            self._poll_ledger()  # segments finished before the failure stay playable
            tail = culprit.stderr_tail()
            self._fail(
                Failure(
                    f"Encoding failed: {culprit.describe_exit()}.",
                    details=tail,
                )
            )
            return True
        if ffmpeg is Status.FINISHED and packager is Status.FINISHED:
            self._poll_ledger()
            self._finish()
            return True
        return False

    def _finish(self) -> None:
        assert self.ledger is not None and self.entry is not None and self.plan is not None
        if self._stop.is_set():
            return
        plan = self.plan
        actual = {stream: self.ledger.segments(stream) for stream in self.ledger.streams}
        video = actual["video"]
        if not video or sorted(video) != list(range(1, len(video) + 1)):
            self._fail(Failure("Encoding ended without producing a complete video."))
            return
        lists = {s: [d for _n, d in sorted(segs.items())] for s, segs in actual.items()}
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

    def _progress(self, progress: Progress) -> None:
        self.progress = progress
        self._on_progress(progress)

    def _stop_processes(self) -> None:
        pipe = self._pipe
        if self._ffmpeg is not None:
            # ffmpeg blocked opening the pipe ignores SIGTERM: opening the other end frees it.
            self._ffmpeg.stop(after_signal=pipe.release_writer if pipe else None)
        if self._packager is not None:
            self._packager.stop()
        if pipe is not None:
            pipe.close()

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
        if self._pipe is not None:
            self._pipe.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes (for tests and tools)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
