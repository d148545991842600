"""Keep the cache under the size limit the user set. Qt-free.

Only finished entries that no process holds are removed, least recently used first (an
entry's folder time is refreshed each time it is opened). The entry in use is never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from ..core.cache import Cache, CacheEntry, EntryLock

logger = logging.getLogger(__name__)


def folder_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def mark_used(folder: Path) -> None:
    """Refresh an entry's folder time so trimming sees it as recently used."""
    with contextlib.suppress(OSError):
        os.utime(folder)


def trim_cache(cache: Cache, limit_bytes: int) -> int:
    """Remove least recently used finished entries until the cache fits; return bytes freed."""
    if limit_bytes <= 0 or not cache.sessions.is_dir():
        return 0
    total = cache.size()
    if total <= limit_bytes:
        return 0
    entries = []
    for path in cache.sessions.iterdir():
        if path.is_dir():
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
    freed = 0
    for _mtime, path in sorted(entries):
        if total - freed <= limit_bytes:
            break
        entry = CacheEntry(path)
        lock = EntryLock(entry)
        try:
            if not lock.acquire():
                continue  # in use by this or another window
        except OSError:
            continue
        try:
            if entry.read_complete() is None:
                continue  # unfinished entries belong to sweep(), not to the limit
            size = folder_size(path)
            shutil.rmtree(path, ignore_errors=True)
            freed += size
            logger.info("cache over its limit: removed %s (%d bytes)", path.name, size)
        finally:
            lock.release()
    return freed
