"""cache: keeping the cache under the user's size limit."""

from __future__ import annotations

import os
import time
from pathlib import Path

from viewra_desktop.core.cache import Cache, EntryLock, folder_size, mark_used


def make_entry(cache: Cache, name: str, size: int, age: float, complete: bool = True) -> Path:
    entry = cache.entry(name)
    (entry.path / "video").mkdir(parents=True)
    (entry.path / "video" / "1.m4s").write_bytes(b"\0" * size)
    if complete:
        entry.mark_complete({"files": ["video/1.m4s"]})
    stamp = time.time() - age
    os.utime(entry.path, (stamp, stamp))
    return entry.path


def test_trim_removes_least_recently_used_finished_entries(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.ensure()
    old = make_entry(cache, "old", 4000, age=300)
    locked = make_entry(cache, "locked", 4000, age=200)
    unfinished = make_entry(cache, "unfinished", 4000, age=100, complete=False)
    recent = make_entry(cache, "recent", 4000, age=50)
    lock = EntryLock(cache.entry("locked"))
    assert lock.acquire()
    try:
        freed = cache.trim(9000)
    finally:
        lock.release()
    assert not old.exists()
    assert locked.exists() and unfinished.exists()  # in use; not the limit's business
    assert not recent.exists()  # still over the limit after "old"
    assert freed >= 8000
    assert cache.trim(0) == 0  # no limit


def test_mark_used_protects_an_entry(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.ensure()
    first = make_entry(cache, "first", 3000, age=300)
    second = make_entry(cache, "second", 3000, age=200)
    mark_used(first)
    cache.trim(folder_size(first) + 100)
    assert first.exists() and not second.exists()
