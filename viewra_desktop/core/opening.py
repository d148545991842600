"""Opening a session: its cache entry, its media and its plan.

The entry comes first: its key needs only the file's identity and the settings
(``cache.session_key``). A finished entry holds what ffprobe said of the file
(``probe.read``), so replaying it runs no ffprobe at all; otherwise the file is probed.
The entry stays locked by the session; if opening fails, the lock is let go here.

Threads: the thread that calls ``Session.start``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import hardware, package, probe
from .binaries import Tools
from .cache import Cache, CacheEntry, EntryLock, session_key
from .errors import InputError
from .ledger import Ledger
from .media import MediaInfo
from .plan import Plan, make_plan
from .profiles import Profile

logger = logging.getLogger(__name__)


@dataclass
class Opened:
    entry: CacheEntry
    lock: EntryLock
    media: MediaInfo
    plan: Plan
    ledger: Ledger
    finished: bool  # the entry is a complete package: the ledger holds every segment
    probed: dict[str, Any]  # what ffprobe said (kept in the finished package's record)


def entry_key(
    path: str, profile: Profile, burn_in: int | None = None, encrypt: bool = False
) -> str:
    """The cache key of ``path`` encoded with ``profile``: what a session, ``export`` and
    ``stats`` all name the entry by (``cache.session_key`` of the settings that change it)."""
    variant = "" if burn_in is None else f"burn-in {burn_in}"
    return session_key(path, profile.fingerprint(), variant, "encrypted" * encrypt)


def open_session(
    tools: Tools,
    source: str,
    profile: Profile,
    burn_in: int | None,
    cache: Cache,
    encrypt: bool = False,
) -> Opened:
    """Lock the entry, get the media (from the entry's record, or ffprobe) and plan it
    (``encrypt``: with the entry's key). Raises ViewraError (a sentence for the user)."""
    path = str(probe.check_readable(source))
    entry, lock = cache.open_entry(entry_key(path, profile, burn_in, encrypt))
    try:
        record = entry.read_complete()
        probed = (record or {}).get("media") or {}
        media = probe.from_record(probed, path) if probed else None
        if media is None:
            media, probed = probe.read(tools.ffprobe, path)
        try:
            working = hardware.for_profile(profile, tools.ffmpeg, cache.root)
            plan = make_plan(media, profile, burn_in, working)
        except ValueError as exc:
            raise InputError(f"{Path(source).name}: {exc}.") from exc
        plan = package.encrypted(plan, entry) if encrypt else plan
        ledger = Ledger(plan.segmented)
        finished = package.replay(record, plan, ledger)
    except BaseException:
        lock.release()
        raise
    return Opened(entry, lock, media, plan, ledger, finished, probed)
