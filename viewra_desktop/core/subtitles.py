"""Text subtitle tracks to WebVTT files, beside the encode.

One ffmpeg reads the source and converts every text track (SRT, ASS/SSA, mov_text, WebVTT)
to a WebVTT file in the work folder, decoding no video: only the subtitle streams are mapped,
so the other packets are read and dropped. It starts once the first video segment is
complete (never before the first frame is on its way), at a lower priority than the encode.
When it ends, each file that is WebVTT is moved into the package (``layout.text_file``) and
announced in the ledger, where the server waits for it. If it fails, each track is tried on
its own, so a broken track does not take the others with it; one that still fails is left
out with a note, and video and the other tracks play on: the session's manifests are
rewritten without it, and a player that listed it already reads an empty track
(``STAND_IN``), never an error that would stop its playback.

Threads: a ``SubtitleJob`` lives on the session's monitor thread (see ``jobs``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from . import binaries, layout, package
from .files import write_atomically
from .ledger import Ledger
from .plan import Plan, TextTrack
from .process import Status, SupervisedProcess

logger = logging.getLogger(__name__)

NICE = 10  # below the encoder
STAND_IN = b"WEBVTT\n\n"  # a track with no cues, where one was left out


def extract_command(
    ffmpeg: str, source: str, tracks: Sequence[TextTrack], folder: str
) -> list[str]:
    """ffmpeg: each text track of ``source`` to ``folder/<index>.vtt`` (relative paths)."""
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",  # never read the terminal
        "-loglevel", "error",  # stderr holds only errors: its tail explains a failure
        "-i", "file:" + source,  # "file:" keeps a colon in a name from being a protocol
    ]  # fmt: skip
    for track in tracks:
        argv += [
            "-map", f"0:{track.source.index}",  # only this stream: no video is decoded
            "-c:s", "webvtt",
            "-f", "webvtt",
            "-y", f"file:{folder}/{track.stream.index}.vtt",
        ]  # fmt: skip
    return argv


def is_webvtt(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT")


class SubtitleJob:
    """Makes the plan's text tracks into the package's WebVTT files (a ``jobs.Job``)."""

    name = "subtitle extraction"
    essential = True

    def __init__(self, tools: binaries.Tools, plan: Plan, package: Path, ledger: Ledger) -> None:
        self._tools = tools
        self._plan = plan
        self._package = package
        self._ledger = ledger
        self._work = package / layout.WORK / "subtitles"
        self._pending = list(plan.text)  # not yet tried alone
        self._process: SupervisedProcess | None = None
        self._trying: list[TextTrack] = []
        self._failed: list[TextTrack] = []
        ledger.expect_files([layout.text_file(t.stream) for t in plan.text])

    def ready(self) -> bool:
        first = self._plan.main_video.stream
        return self._ledger.has(first, 1) or self._ledger.end(first) == 0

    def start(self) -> None:
        self._launch(self._pending)  # all at once: the file is read once

    def _launch(self, tracks: list[TextTrack]) -> None:
        self._work.mkdir(parents=True, exist_ok=True)
        folder = self._work.relative_to(self._package).as_posix()
        argv = extract_command(self._tools.ffmpeg, self._plan.media.path, tracks, folder)
        self._trying = tracks
        self._process = SupervisedProcess("ffmpeg (subtitles)", argv, cwd=str(self._package))
        try:
            self._process.start()
        except OSError as exc:
            logger.warning("subtitles cannot be extracted: %s", exc)
            self._process = None
            return
        if hasattr(os, "setpriority") and self._process.pid is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self._process.pid, NICE)

    def poll(self) -> bool:
        process = self._process
        if process is not None and process.status() is Status.RUNNING:
            return False
        ok = process is not None and process.returncode == 0
        tracks, self._trying = self._trying, []
        if ok or len(tracks) == 1:
            for track in tracks:
                self._take(track, ok, "" if process is None else process.stderr_tail(3))
            self._pending = [t for t in self._pending if t not in tracks]
        else:
            logger.info("subtitle extraction failed; trying each track alone")
        if not self._pending:
            self._process = None
            shutil.rmtree(self._work, ignore_errors=True)
            return True
        self._launch(self._pending[:1])
        return False

    def _take(self, track: TextTrack, ok: bool, errors: str) -> None:
        made = self._work / f"{track.stream.index}.vtt"
        name = layout.text_file(track.stream)
        if ok and is_webvtt(made):
            target = self._package / name
            target.parent.mkdir(exist_ok=True)
            os.replace(made, target)
            self._ledger.file_done(name, True)
            logger.info("subtitles %s ready: %s", track.label, name)
            return
        self._failed.append(track)
        with contextlib.suppress(OSError):
            write_atomically(self._package / name, STAND_IN)
            listed = [t for t in self._plan.text if t not in self._failed]
            package.write_planned_manifests(self._package, self._plan, listed)
        self._ledger.file_done(name, False)
        logger.warning("subtitle track %s left out: it could not be converted. %s",
                       track.label, errors)  # fmt: skip

    @property
    def made(self) -> list[TextTrack]:
        """The tracks whose WebVTT file is in the package."""
        return [t for t in self._plan.text if t not in self._failed and t not in self._pending]

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process = None

    def notes(self) -> list[str]:
        return [
            f"The subtitle track {t.label} was left out: it could not be converted to text."
            for t in self._failed
        ]
