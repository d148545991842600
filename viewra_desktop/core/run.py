"""A run: one ffmpeg + packager pair encoding part of the timeline into its own folder.

Like a node in Shaka Streamer, a run has one shape: ``start()``, ``status()`` (the worse of
its two processes: errored > running > finished) and ``stop()``. It owns its processes, its
pipes (one per ffmpeg output) and its folder under the entry's ``.work/``; ``stop()`` kills
the processes, closes the pipes and removes the folder. It also keeps what the harvest has
learnt from its folder: per stream, the highest segment number complete so far, and the
track timing read from its init segments.

Threads: a run is started, read and stopped on the session's monitor thread (the first run
on the thread that calls ``Session.start``). On Linux its processes get SIGKILL when the
thread that started them ends (the parent-death signal is per thread); both threads outlive
the runs they start. ffmpeg's progress lines arrive on the process's stdout reader thread.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import binaries, layout
from .commands import PIPE_HEAD, Output, ffmpeg_command, output_streams, packager_command
from .errors import CacheError, ToolNotFoundError
from .fmp4 import TrackInfo
from .lifecycle import Failure
from .pipe import Pipe, create_pipe, relative_path
from .plan import Plan, RunSpec
from .process import Status, SupervisedProcess
from .progress import Progress, ProgressParser
from .streams import StreamId

logger = logging.getLogger(__name__)

DISK_FULL_BYTES = 4 * 1024 * 1024  # less free than this after a failure: the disk is full


@dataclass(frozen=True)
class RunView:
    """What the policy needs to know of a run (``policy`` takes it; pure data)."""

    spec: RunSpec
    position: dict[StreamId, int]  # per stream, the number of the next segment it will make


class Run:
    def __init__(
        self,
        run_id: int,
        spec: RunSpec,
        plan: Plan,
        tools: binaries.Tools,
        package: Path,
        on_progress: Callable[[Progress, float], None],
    ) -> None:
        """Nothing is created before ``start()``. ``on_progress(progress, start)`` receives
        ffmpeg's progress, relative to the run's start time."""
        self.spec = spec
        self.plan = plan
        self.package = package
        self.folder = package / layout.WORK / layout.run_folder(run_id, spec.first)
        self.name = self.folder.name
        self._tools = tools
        self._on_progress = on_progress
        timeline = plan.timeline
        self.streams = spec.streams or plan.segmented
        kinds = {s: s.kind for s in self.streams}
        self.first = {s: spec.first_number(timeline, k) for s, k in kinds.items()}
        self.last = {s: spec.last_number(timeline, k) for s, k in kinds.items()}
        self.done: dict[StreamId, int] = {}  # per stream, the highest number complete
        self.tracks: dict[StreamId, TrackInfo] = {}  # from its init segments
        self.accepting = True  # False once stopped: nothing more is taken from its folder
        self.step: Callable[[str], None] = lambda _step: None  # phases toward a first frame
        self.pipes: list[Pipe] = []
        self.ffmpeg: SupervisedProcess | None = None
        self.packager: SupervisedProcess | None = None

    # -- start / status / stop --------------------------------------------------------------

    def start(self) -> None:
        """Create the folder and pipes, then start the packager and ffmpeg."""
        plan, timeline = self.plan, self.plan.timeline
        try:
            for stream in self.streams:
                (self.folder / layout.run_segments(stream)).mkdir(parents=True)
            groups = output_streams(plan, self.streams)
            self.pipes = [create_pipe(self.folder, layout.pipe(n)) for n in range(len(groups))]
        except OSError as exc:
            self.stop()
            raise CacheError(
                f"The cache folder {self.package.parent.parent} cannot be written "
                f"({exc.strerror or exc})."
            ) from exc
        relative = self.folder.relative_to(self.package).as_posix()
        start = self.spec.start_time(timeline)
        parser = ProgressParser(
            self.spec.end_time(timeline) - start, lambda p: self._on_progress(p, start)
        )
        self.packager = SupervisedProcess(
            "packager",
            packager_command(
                self._tools.packager,
                plan,
                [
                    Output(self._packager_path(p), g)
                    for p, g in zip(self.pipes, groups, strict=True)
                ],
                relative,
            ),
            cwd=str(self.package),
        )
        # Each pipe's writing end already holding the packager's padding, or None (pipe.py)
        fds = [p.open_writer(PIPE_HEAD) for p in self.pipes]
        writers = [
            p.writer_path if fd is None else f"pipe:{fd}"
            for p, fd in zip(self.pipes, fds, strict=True)
        ]
        self.ffmpeg = SupervisedProcess(
            "ffmpeg",
            ffmpeg_command(
                self._tools.ffmpeg,
                plan,
                [Output(w, g) for w, g in zip(writers, groups, strict=True)],
                self.spec,
            ),
            cwd=str(self.package),
            on_stdout_line=parser.feed,
            pass_fds=[fd for fd in fds if fd is not None],
        )
        logger.info(
            "run %s: segments %s..%s from %.3f s, video encoder %s",
            self.name, self.spec.first, self.spec.last, start, plan.main_video.encoder.name,
        )  # fmt: skip
        # Where ffmpeg writes into pipes already open (POSIX), it starts first: it takes the
        # longest to its first bytes, and the packager is up long before they come.
        ready = all(fd is not None for fd in fds)
        order = (self.ffmpeg, self.packager) if ready else (self.packager, self.ffmpeg)
        try:
            for process in order:
                process.start()
            for pipe in self.pipes:
                pipe.writer_opened()
        except OSError as exc:
            self.stop()
            raise ToolNotFoundError(
                f"ffmpeg or the packager cannot be started ({exc.strerror or exc}): reinstall "
                "Viewra Desktop, or set VIEWRA_FFMPEG and VIEWRA_PACKAGER to working programs."
            ) from exc

    def _packager_path(self, pipe: Pipe) -> str:
        return relative_path(pipe.reader_path, self.package)

    def status(self) -> Status:
        processes = [p for p in (self.ffmpeg, self.packager) if p is not None]
        return max((p.status() for p in processes), default=Status.FINISHED)

    def stop(self) -> None:
        """End the run at once. What it has not finished is thrown away, so no process needs
        a clean exit: SIGKILL is immediate (a terminated ffmpeg first flushes its encoder),
        and it also ends an ffmpeg blocked opening a pipe, where SIGTERM does not."""
        self.accepting = False
        for process in (self.ffmpeg, self.packager):
            if process is not None:
                process.kill()
        for pipe in self.pipes:
            pipe.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- what it has done -------------------------------------------------------------------

    def ended_by_itself(self) -> bool:
        return all(p is not None and p.returncode == 0 for p in (self.ffmpeg, self.packager))

    def failure(self, tools: binaries.Tools, cache_root: Path) -> Failure:
        """What to tell the user of a run that failed: which tool, and how, or that the disk
        is full; the tool's stderr tail as details. A broken tool says so in the log."""
        assert self.ffmpeg is not None and self.packager is not None
        culprit = self.ffmpeg if self.ffmpeg.status() is Status.ERRORED else self.packager
        binaries.diagnose(tools, culprit.name)
        message = f"Encoding failed: {culprit.describe_exit()}."
        try:
            full = shutil.disk_usage(self.package).free < DISK_FULL_BYTES
        except OSError:
            full = False
        if full:
            message = (
                f"The disk holding the cache folder {cache_root} is full: free some space, "
                "lower the cache limit or choose another cache folder."
            )
        return Failure(message, details=culprit.stderr_tail())

    def position(self) -> dict[StreamId, int]:
        """Per stream, the number of the next segment this run will make."""
        return {s: self.done.get(s, first - 1) + 1 for s, first in self.first.items()}

    def view(self) -> RunView:
        return RunView(self.spec, self.position())
