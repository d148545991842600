"""The cache: one folder per (file, profile), reused when finished.

The layout of an entry (also the ready-to-publish package once finished) is ``layout``'s.
An entry is finished only if its completion record exists, names this format version and
every file it lists is on disk: a half-finished encode is never taken for a finished one.
Entries are locked while a process uses them (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), so two windows, or a second app's sweep, never share one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import layout
from .errors import CacheError
from .files import write_atomically

logger = logging.getLogger(__name__)

APP_NAME = "viewra-desktop"
FORMAT_VERSION = 1  # bump when the package layout or encoding settings change


def default_cache_root() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def session_key(path: str, profile: str, *settings: str) -> str:
    """Identity of (file content as far as cheaply known, profile, format), and of what else
    changes the output, when set: subtitles drawn into the picture, "encrypted"."""
    st = os.stat(path)
    ident = [FORMAT_VERSION, os.path.realpath(path), st.st_size, st.st_mtime_ns, profile]
    ident += [setting for setting in settings if setting]
    return hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:24]


def folder_size(path: Path) -> int:
    """Bytes in the files below ``path``."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def mark_used(folder: Path) -> None:
    """Refresh an entry's folder time, so ``Cache.trim`` sees it as recently used."""
    with contextlib.suppress(OSError):
        os.utime(folder)


@dataclass
class CacheEntry:
    path: Path

    @property
    def work(self) -> Path:
        return self.path / layout.WORK

    @property
    def complete_file(self) -> Path:
        return self.path / layout.COMPLETE

    def read_complete(self) -> dict[str, Any] | None:
        """The completion record if the entry is finished and intact, else None."""
        try:
            record = json.loads(self.complete_file.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT_VERSION:
            return None
        # One listing per folder, not a look-up per file: a two-hour film has 20,000 segments.
        listed: dict[str, set[str]] = {}
        for name in record.get("files", ()):
            folder, _, base = str(name).rpartition("/")
            if folder not in listed:
                try:
                    listed[folder] = set(os.listdir(self.path / folder))
                except OSError:
                    listed[folder] = set()
            if base not in listed[folder]:
                logger.warning("cache entry %s lost %s: not reused", self.path.name, name)
                return None
        return record

    def mark_complete(self, record: dict[str, Any]) -> None:
        data = dict(record, format=FORMAT_VERSION)
        write_atomically(self.complete_file, json.dumps(data, indent=1).encode())

    def reset(self) -> None:
        """Remove everything but the lock file (held by us) and an encrypted entry's key."""
        for child in self.path.iterdir():
            if child.name in (layout.LOCK, layout.ENTRY_KEY):
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    child.unlink()


class EntryLock:
    """An exclusive lock on an entry for as long as a process uses it, on every OS: ``flock``
    on POSIX, ``msvcrt.locking`` on Windows. Not re-entrant: a second lock on the same entry
    fails, in this process as in another. (The standard library's calls rather than the
    ``filelock`` package: its import alone costs 30 ms on the way to the first frame.)"""

    def __init__(self, entry: CacheEntry) -> None:
        self.entry = entry
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        handle = open(self.entry.path / layout.LOCK, "ab")  # noqa: SIM115 - held open
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                _unlock(self._handle)
            self._handle.close()
            self._handle = None


if sys.platform == "win32":  # pragma: no cover - Windows
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # raises OSError if held

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises OSError if held

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Cache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_root()
        self.sessions = self.root / layout.SESSIONS

    def ensure(self) -> None:
        try:
            self.sessions.mkdir(parents=True, exist_ok=True)
            probe = self.sessions / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise CacheError(
                f"The cache folder {self.root} cannot be written ({exc.strerror or exc}); "
                "choose another with --cache-dir."
            ) from exc

    def entry(self, key: str) -> CacheEntry:
        return CacheEntry(self.sessions / key)

    def open_entry(self, key: str) -> tuple[CacheEntry, EntryLock]:
        """Create (if needed) and lock an entry. Raises CacheError if another process has it."""
        self.ensure()
        entry = self.entry(key)
        try:
            entry.path.mkdir(exist_ok=True)
        except OSError as exc:
            raise CacheError(f"The cache folder {self.root} cannot be written: {exc}.") from exc
        lock = EntryLock(entry)
        if not lock.acquire():
            raise CacheError(
                "This file is being encoded with this profile by another Viewra Desktop "
                "window; close it there or pick another profile."
            )
        return entry, lock

    def sweep(self) -> int:
        """Remove unfinished entries no process holds (left by a crash). Returns the count."""
        removed = 0
        if not self.sessions.is_dir():
            return 0
        for path in self.sessions.iterdir():
            if not path.is_dir():
                continue
            entry = CacheEntry(path)
            lock = EntryLock(entry)
            try:
                if not lock.acquire():
                    continue
            except OSError:
                continue
            try:
                if entry.read_complete() is None:
                    logger.info("removing unfinished cache entry %s", path.name)
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
                else:
                    shutil.rmtree(entry.work, ignore_errors=True)  # stale pipe, live files
            finally:
                lock.release()
        return removed

    def size(self) -> int:
        return folder_size(self.root)

    def trim(self, limit_bytes: int) -> int:
        """Remove least recently used finished entries until the cache fits the limit.

        Only finished entries no process holds go; unfinished ones are ``sweep()``'s business.
        Returns the bytes freed (0 when ``limit_bytes`` is 0: no limit).
        """
        if limit_bytes <= 0 or not self.sessions.is_dir():
            return 0
        total = self.size()
        if total <= limit_bytes:
            return 0
        entries = []
        for path in self.sessions.iterdir():
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
                    continue
                size = folder_size(path)
                shutil.rmtree(path, ignore_errors=True)
                freed += size
                logger.info("cache over its limit: removed %s (%d bytes)", path.name, size)
            finally:
                lock.release()
        return freed

    def clear(self) -> None:
        """Remove every entry no process holds."""
        if not self.sessions.is_dir():
            return
        for path in self.sessions.iterdir():
            lock = EntryLock(CacheEntry(path)) if path.is_dir() else None
            if lock is None:
                continue
            if lock.acquire():
                try:
                    shutil.rmtree(path, ignore_errors=True)
                finally:
                    lock.release()
