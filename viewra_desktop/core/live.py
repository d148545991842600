"""Live DASH: the packager's own dynamic MPD of a session, with no second encode.

A session encodes in runs (a fast start, then the rest; a seek restarts ffmpeg elsewhere),
and each run's packager is in low-latency mode and writes no manifest, so no packager ever
sees the whole timeline. ``LiveDash`` adds one that does: a separate packager fed, in
timeline order, with the package's own complete segments as they land (``feed``: one pipe
per stream; a feeder waits on the ledger for each next segment, so a seek's segments far
ahead wait their turn). It cuts them again on the grid's unit, exactly where the runs' own
packagers cut (the same keyframes, the same buckets), so its segments are the package's
segments sample for sample, and its MPD (``SegmentTimeline``, ``startNumber`` 1) describes
the package's own files. So its own segments are thrown away as soon as they are written,
and its MPD, in ``.live/``, names them relative to itself (``video/$Number$.m4s``); copied
unchanged to ``live.mpd`` at the package's top, the same names reach the package's files,
which the server already serves (and holds until complete).

- It is dynamic while the encode runs: each segment the packager has cut is listed.
- No segment is ever dropped from it: ``--time_shift_buffer_depth`` is more than the
  duration and ``--preserved_segments_outside_live_window`` is 0.
- It turns static when the last segment has been fed (``--event_to_vod_on_end_of_stream``).
- It is published (copied to ``live.mpd``) only once it lists every stream, so a player
  never starts on video alone.

mpv plays a dynamic MPD badly (no duration, no seeking, no clean end), so the window and the
static manifests do not use it; ``serve`` offers it as ``dash_live`` to players that handle
live DASH (Shaka Player follows the switch to static from 4.11 on).

Threads: ``start`` and ``stop`` on the caller's thread (its packager is tied to that thread
on Linux, so it must outlive it); the feeders and one watcher thread (``live-dash``) that
publishes the MPD, removes the packager's own segments and, at the end, its folder.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import threading
from pathlib import Path

from . import binaries, layout
from .commands import PACKAGER_IO_BLOCK, PACKAGER_IO_CACHE
from .feed import Feeder
from .files import write_atomically
from .ledger import Ledger
from .pipe import Pipe, create_pipe, relative_path
from .process import Status, SupervisedProcess
from .streams import StreamId

logger = logging.getLogger(__name__)

WATCH_S = 0.1  # how often the packager's MPD and segments are looked at
UPDATE_PERIOD_S = 2  # how often a player fetches the MPD again
WINDOW_MARGIN_S = 60  # the time-shift window is this much longer than the presentation


def packager_command(
    packager: str,
    inputs: list[tuple[StreamId, str]],
    unit: float,
    duration: float,
) -> list[str]:
    """The live packager: one input per stream, paths relative to the package folder."""
    work = layout.LIVE_WORK
    argv = [packager]
    for stream, path in inputs:
        argv.append(
            ",".join(
                (
                    f"in={path}",
                    f"stream={layout.media_type(stream.kind)}",  # the input's one track
                    f"init_segment={work}/{layout.init(stream)}",
                    # Beside its MPD under the same names as the package's (its MPD names
                    # them relative to itself); thrown away once written.
                    f"segment_template={work}/{layout.segment_template(stream)}",
                )
            )
        )
    argv += [
        "--segment_duration", f"{unit:g}",  # the runs' unit: the package's own segments
        "--mpd_output", f"{work}/{layout.LIVE_MPD}",  # dynamic: segment templates, no flag
        # Keep every segment listed: a window longer than the presentation, nothing kept
        # outside it (the default removes old segments).
        "--time_shift_buffer_depth", str(math.ceil(duration) + WINDOW_MARGIN_S),
        "--preserved_segments_outside_live_window", "0",
        "--event_to_vod_on_end_of_stream",  # static once the last segment is in
        "--minimum_update_period", str(UPDATE_PERIOD_S),
        "--io_cache_size", str(PACKAGER_IO_CACHE),  # reads pipes: a small cache (commands)
        "--io_block_size", str(PACKAGER_IO_BLOCK),  # ...handed on in small blocks
        "--quiet",
    ]  # fmt: skip
    return argv


class LiveDash:
    """The live packager of one session, fed from ``ledger`` and ``folder`` (the package)."""

    def __init__(
        self, folder: Path, ledger: Ledger, unit: float, duration: float, tools: binaries.Tools
    ) -> None:
        self.folder = folder
        self.ledger = ledger
        self.unit = unit
        self.duration = duration
        self.tools = tools
        self.work = folder / layout.LIVE_WORK
        self.published = folder / layout.LIVE_MPD
        self.ready = threading.Event()  # live.mpd exists and lists every stream
        self.ended = threading.Event()  # the packager ended (the MPD is static, or it failed)
        self._stop = threading.Event()
        self._pipes: list[Pipe] = []
        self._feeders: list[Feeder] = []
        self._process: SupervisedProcess | None = None
        self._watcher = threading.Thread(target=self._watch, name="live-dash", daemon=True)

    def start(self) -> None:
        if self._stop.is_set():  # stopped before it started (the session failed)
            return
        streams = self.ledger.streams
        shutil.rmtree(self.work, ignore_errors=True)
        self.published.unlink(missing_ok=True)
        for stream in streams:
            (self.work / layout.folder(stream)).mkdir(parents=True)
        self._pipes = [create_pipe(self.work, layout.pipe(n)) for n in range(len(streams))]
        inputs = [
            (s, relative_path(p.reader_path, self.folder))
            for s, p in zip(streams, self._pipes, strict=True)
        ]
        argv = packager_command(self.tools.packager, inputs, self.unit, self.duration)
        self._process = SupervisedProcess("live-packager", argv, cwd=str(self.folder))
        self._process.start()
        self._feeders = [
            Feeder(p.writer_path, self.folder, s, self.ledger)
            for s, p in zip(streams, self._pipes, strict=True)
        ]
        for feeder in self._feeders:
            feeder.start()
        self._watcher.start()

    def stop(self) -> None:
        """End it at once (the session stopped or failed), and remove its folder."""
        self._stop.set()
        if self._process is not None:
            self._process.kill()
        for feeder in self._feeders:
            feeder.stop()
        if self._watcher.is_alive():
            self._watcher.join(timeout=5)
        self._clean()

    def _clean(self) -> None:
        for pipe in self._pipes:
            pipe.close()
        shutil.rmtree(self.work, ignore_errors=True)

    # -- the watcher ------------------------------------------------------------------------

    def _watch(self) -> None:
        source = self.work / layout.LIVE_MPD
        seen = None
        try:
            while not self._stop.is_set():
                process = self._process
                running = process is not None and process.status() is Status.RUNNING
                seen = self._publish(source, seen)
                self._drop_own_segments()
                if not running:
                    if process is not None and process.status() is Status.ERRORED:
                        logger.warning("the live packager failed: %s", process.stderr_tail())
                    break
                self._stop.wait(WATCH_S)
        finally:
            self.ended.set()
            self.ready.set()  # a request for live.mpd waits no more (404 if none was made)
            if not self._stop.is_set():
                self._clean()

    def _publish(self, source: Path, seen: tuple[int, int] | None) -> tuple[int, int] | None:
        """Copy the packager's MPD to ``live.mpd`` when it changed and lists every stream."""
        try:
            stat = source.stat()
            if (stat.st_mtime_ns, stat.st_size) == seen:
                return seen
            text = source.read_bytes()
        except OSError:
            return seen
        if text.count(b"<AdaptationSet") < len(self.ledger.streams):
            return seen
        write_atomically(self.published, text)
        self.ready.set()
        return stat.st_mtime_ns, stat.st_size

    def _drop_own_segments(self) -> None:
        """The packager's own copies of the segments are not served: remove all but the
        newest of each stream (the one it may still be writing)."""
        for stream in self.ledger.streams:
            folder = self.work / layout.folder(stream)
            try:
                numbers = sorted(
                    n
                    for n in (layout.run_segment_number(e.name) for e in os.scandir(folder))
                    if n is not None
                )
            except OSError:
                continue
            for number in numbers[:-1]:
                (self.work / layout.segment(stream, number)).unlink(missing_ok=True)
