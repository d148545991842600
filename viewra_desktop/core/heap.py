"""Keeping a long-running process's memory flat: large blocks go back to the system.

glibc's malloc serves a block of 128 KiB or more with mmap at first, but each time such a
block is freed it raises that threshold to the block's size, so from then on segment-sized
buffers (a segment read to be placed, a file fed to the live packager, a streamed answer's
reads) come from the heaps of whichever threads asked. Those threads come and go (one per
connection) and the heaps keep what they grew to: over 10 minutes of playing a two-hour
film, ``serve`` grew by about 10 %. A fixed threshold keeps every large block mmapped, so
freeing it returns it, which costs a few system calls per segment.

Linux with glibc only; elsewhere (or with another libc) nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
LARGE_BLOCK = 128 * 1024  # glibc's own starting threshold, kept fixed


def return_large_blocks() -> bool:
    """Ask malloc to mmap every block of ``LARGE_BLOCK`` or more; True if it agreed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # a libc without mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    agreed = bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK))
    logger.debug("large blocks mmapped: %s", agreed)
    return agreed
