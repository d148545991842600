"""cache: entry identity, completeness, locking, sweeping and unusable folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from viewra_desktop.core.cache import (
    FORMAT_VERSION,
    Cache,
    CacheEntry,
    EntryLock,
    session_key,
)
from viewra_desktop.core.errors import CacheError


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"a" * 100)
    return path


def test_session_key_depends_on_profile(clip):
    assert session_key(str(clip), "720p") == session_key(str(clip), "720p")
    assert session_key(str(clip), "720p") != session_key(str(clip), "1080p")


def test_session_key_changes_with_mtime(clip):
    before = session_key(str(clip), "720p")
    st = clip.stat()
    os.utime(clip, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert session_key(str(clip), "720p") != before


def test_session_key_changes_with_size(clip):
    st = clip.stat()
    before = session_key(str(clip), "720p")
    clip.write_bytes(b"a" * 101)
    os.utime(clip, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: only the size differs
    assert session_key(str(clip), "720p") != before


def test_session_key_is_a_safe_folder_name(clip):
    key = session_key(str(clip), "720p")
    assert key.isalnum() and len(key) >= 16


def test_session_key_same_file_by_another_path(clip, monkeypatch):
    monkeypatch.chdir(clip.parent)
    assert session_key("clip.mp4", "720p") == session_key(str(clip), "720p")
    link = clip.parent / "link.mp4"
    link.symlink_to(clip)
    assert session_key(str(link), "720p") == session_key(str(clip), "720p")


# -- completeness ----------------------------------------------------------------------------


def finished_entry(root: Path, files: tuple[str, ...] = ("manifest.mpd", "video/1.m4s")):
    entry = CacheEntry(root / "entry")
    (entry.path / "video").mkdir(parents=True)
    for name in files:
        (entry.path / name).write_bytes(b"x")
    entry.mark_complete({"files": list(files), "segments": {"video": [0.5]}})
    return entry


def test_complete_entry(tmp_path):
    entry = finished_entry(tmp_path)
    record = entry.read_complete()
    assert record is not None
    assert record["format"] == FORMAT_VERSION
    assert record["segments"] == {"video": [0.5]}


def test_entry_without_complete_json(tmp_path):
    entry = CacheEntry(tmp_path / "entry")
    entry.path.mkdir()
    (entry.path / "manifest.mpd").write_bytes(b"x")
    assert entry.read_complete() is None


def test_entry_with_another_format(tmp_path):
    entry = finished_entry(tmp_path)
    record = json.loads(entry.complete_file.read_text("utf-8"))
    record["format"] = FORMAT_VERSION + 1
    entry.complete_file.write_text(json.dumps(record), "utf-8")
    assert entry.read_complete() is None


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", '"complete"'])
def test_entry_with_a_damaged_record(tmp_path, text):
    entry = finished_entry(tmp_path)
    entry.complete_file.write_text(text, "utf-8")
    assert entry.read_complete() is None


def test_entry_with_a_listed_file_missing(tmp_path):
    entry = finished_entry(tmp_path)
    (entry.path / "video" / "1.m4s").unlink()
    assert entry.read_complete() is None


def test_reset_keeps_only_the_lock(tmp_path):
    entry = finished_entry(tmp_path)
    lock = EntryLock(entry)
    assert lock.acquire()
    try:
        entry.reset()
        assert [p.name for p in entry.path.iterdir()] == [".lock"]
    finally:
        lock.release()


# -- locking ---------------------------------------------------------------------------------


def test_entry_lock_excludes_a_second_lock(tmp_path):
    entry = CacheEntry(tmp_path / "entry")
    entry.path.mkdir()
    first, second = EntryLock(entry), EntryLock(entry)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    assert not first.acquire()
    second.release()


HOLDER = """
import sys, time
from pathlib import Path
from viewra_desktop.core.cache import Cache
cache = Cache(Path(sys.argv[1]))
try:
    entry, lock = cache.open_entry("abc")
except Exception as exc:
    print("refused:", exc, flush=True)
    sys.exit(3)
print("holding", flush=True)
sys.stdin.readline()  # hold it until told to let go
lock.release()
print("released", flush=True)
"""


def _holder(cache_root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(cache_root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_cannot_both_hold_one_entry(tmp_path):
    root = tmp_path / "cache"
    first = _holder(root)
    try:
        assert first.stdout is not None and first.stdin is not None
        assert first.stdout.readline() == "holding\n"
        second = _holder(root)
        out, _ = second.communicate(timeout=30)
        assert second.returncode == 3 and "another Viewra Desktop window" in out
        # Nor can this process, or its sweep remove the entry the other one holds.
        with pytest.raises(CacheError):
            Cache(root).open_entry("abc")
        assert Cache(root).sweep() == 0 and (root / "sessions" / "abc").is_dir()
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.stdout.readline() == "released\n"
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    # Once let go, another process takes it.
    third = _holder(root)
    try:
        assert third.stdout is not None and third.stdout.readline() == "holding\n"
    finally:
        third.kill()
        third.wait()


def test_open_entry_twice(tmp_path):
    cache = Cache(tmp_path / "cache")
    entry, lock = cache.open_entry("abc")
    try:
        assert entry.path == tmp_path / "cache" / "sessions" / "abc"
        assert entry.path.is_dir()
        with pytest.raises(CacheError) as info:
            cache.open_entry("abc")
        assert "another" in str(info.value)
    finally:
        lock.release()
    _entry, again = cache.open_entry("abc")
    again.release()


# -- sweep -----------------------------------------------------------------------------------


def test_sweep_removes_only_unfinished_unlocked_entries(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.ensure()
    unfinished = cache.entry("unfinished")
    (unfinished.work).mkdir(parents=True)
    (unfinished.path / "video").mkdir()
    (unfinished.path / "video" / "1.m4s").write_bytes(b"x")

    finished = finished_entry(cache.sessions)  # named "entry"
    finished.work.mkdir()
    (finished.work / "pipe.fifo").write_bytes(b"")

    busy = cache.entry("busy")
    busy.path.mkdir()
    lock = EntryLock(busy)
    assert lock.acquire()
    (cache.sessions / "stray-file").write_bytes(b"x")
    try:
        assert cache.sweep() == 1
    finally:
        lock.release()
    assert not unfinished.path.exists()
    assert finished.read_complete() is not None
    assert not finished.work.exists()  # a finished entry loses its leftovers
    assert busy.path.is_dir()  # held by someone: left alone though unfinished
    assert (cache.sessions / "stray-file").exists()


def test_sweep_without_a_cache_folder(tmp_path):
    assert Cache(tmp_path / "nothing-here").sweep() == 0


def test_clear_keeps_held_entries(tmp_path):
    cache = Cache(tmp_path / "cache")
    held, lock = cache.open_entry("held")
    free, free_lock = cache.open_entry("free")
    free_lock.release()
    try:
        cache.clear()
    finally:
        lock.release()
    assert held.path.is_dir() and not free.path.exists()


def test_size_counts_files(tmp_path):
    cache = Cache(tmp_path / "cache")
    entry = finished_entry(cache.sessions)
    (entry.path / "video" / "2.m4s").write_bytes(b"y" * 1000)
    assert cache.size() >= 1000 + 2


# -- unusable folders ------------------------------------------------------------------------


def test_ensure_on_an_unwritable_folder(tmp_path):
    blocker = tmp_path / "somefile"
    blocker.write_bytes(b"not a folder")
    cache = Cache(blocker / "cache")
    with pytest.raises(CacheError) as info:
        cache.ensure()
    assert str(blocker / "cache") in str(info.value)
    assert "--cache-dir" in str(info.value)
    with pytest.raises(CacheError):
        cache.open_entry("abc")


def test_ensure_creates_the_folders(tmp_path):
    cache = Cache(tmp_path / "a" / "b")
    cache.ensure()
    assert cache.sessions.is_dir()
    assert list(cache.sessions.iterdir()) == []  # the write test leaves nothing behind
