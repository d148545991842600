"""Paging in the tools: after a reboot, ffprobe, ffmpeg and the packager are not in the page
cache, so the first probe and the first encode each wait on the disk for their binaries
(about 0.1 s on this machine's disk, over a second on slower ones). ``page_in_tools`` reads
them through once, in a background thread started as the app starts, while Python still
imports the rest of it. It only reads: no process is started. On Linux it reads by
``sendfile`` into /dev/null, which brings the pages in without copying them: warm, the
100 MB cost about 0.01 s of one core (copying them out with ``read`` cost 0.075 s).

Threads: ``page_in_tools`` starts a daemon thread and returns it; ``page_in`` runs on any.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterable

from .errors import ViewraError

logger = logging.getLogger(__name__)

CHUNK = 1 << 20  # bytes per read


def page_in(paths: Iterable[str]) -> int:
    """Read each file through (one that cannot be read is skipped); the bytes read."""
    total = 0
    with open(os.devnull, "wb") as sink:
        for path in paths:
            try:
                with open(path, "rb", buffering=0) as handle:
                    total += _read_through(handle, sink.fileno())
            except OSError as exc:
                logger.debug("page-in of %s: %s", path, exc)
    return total


def _read_through(handle: io.FileIO, sink: int) -> int:
    """Every byte of ``handle`` read once: by ``sendfile`` into ``sink`` (/dev/null's file
    descriptor) where the system allows it (Linux), else by reads into one buffer."""
    done = 0
    if hasattr(os, "sendfile"):
        size = os.fstat(handle.fileno()).st_size
        try:
            while done < size and (sent := os.sendfile(sink, handle.fileno(), done, size - done)):
                done += sent
            return done
        except OSError:
            pass  # macOS sends only to sockets: read what is left
    handle.seek(done)
    buffer = bytearray(CHUNK)
    while count := handle.readinto(buffer):
        done += count
    return done


def page_in_tools() -> threading.Thread:
    """Start reading the tools' binaries in the background (tools not found: nothing)."""

    def run() -> None:
        from . import binaries  # here: importing it is part of what runs beside the rest

        try:
            tools = binaries.find_tools()
        except ViewraError:
            return  # told to the user when a tool is first needed
        page_in((tools.ffprobe, tools.ffmpeg, tools.packager))

    thread = threading.Thread(target=run, name="page-in", daemon=True)
    thread.start()
    return thread
