"""Paging in the tools: after a reboot, ffprobe, ffmpeg and the packager are not in the page
cache, so the first probe and the first encode each wait on the disk for their binaries
(about 0.1 s on this machine's disk, over a second on slower ones). ``page_in_tools`` reads
them through once, in a background thread started as the app starts, while Python still
imports the rest of it. It only reads: no process is started. Warm, reading 100 MB from the
page cache costs about 0.01 s of one core.

Threads: ``page_in_tools`` starts a daemon thread and returns it; ``page_in`` runs on any.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from .errors import ViewraError

logger = logging.getLogger(__name__)

CHUNK = 1 << 20  # bytes per read


def page_in(paths: Iterable[str]) -> int:
    """Read each file through (one that cannot be read is skipped); the bytes read."""
    buffer = bytearray(CHUNK)
    total = 0
    for path in paths:
        try:
            with open(path, "rb", buffering=0) as handle:
                while count := handle.readinto(buffer):
                    total += count
        except OSError as exc:
            logger.debug("page-in of %s: %s", path, exc)
    return total


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
