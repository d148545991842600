"""The package in a cache entry: prepared before the first run, finished after the last.

- ``prepare`` empties the entry and writes the player's manifests from the plan, before any
  segment exists, so a player knows the whole timeline from its first request.
- ``finish`` rewrites them from the segments' real durations and writes the completion
  record last: the entry is then a ready-to-publish package.
- ``replay`` fills a ledger from a finished entry's record.

Threads: ``prepare`` and ``replay`` run on the thread that calls ``Session.start``,
``finish`` on the session's monitor thread.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from typing import Any

from . import keys, layout
from .cache import CacheEntry
from .errors import CacheError, ViewraError
from .ledger import Ledger
from .manifests import tracks_for, write_manifests
from .plan import Plan


class PackageError(ViewraError):
    """The finished package cannot be made."""


def prepare(entry: CacheEntry, plan: Plan, cache_root: object) -> None:
    try:
        entry.reset()
        entry.work.mkdir()
        for stream in plan.segmented:
            (entry.path / layout.folder(stream)).mkdir()
        write_manifests(entry.path, plan, tracks_for(plan))
    except OSError as exc:
        raise CacheError(
            f"The cache folder {cache_root} cannot be written "
            f"({exc.strerror or exc}); free some space or choose another with --cache-dir."
        ) from exc


def encrypted(plan: Plan, entry: CacheEntry) -> Plan:
    """The plan of an encrypted session: the entry's key (kept in it, or made now)."""
    return replace(plan, encryption=keys.entry_encryption(entry.path, layout.ENTRY_KEY))


def durations(ledger: Ledger) -> dict[str, list[float]]:
    """Per stream name, the complete segments' durations in timeline order."""
    return {
        layout.name(stream): [d for _n, d in sorted(ledger.segments(stream).items())]
        for stream in ledger.streams
    }


def finish(entry: CacheEntry, plan: Plan, ledger: Ledger, record: dict[str, Any]) -> None:
    """Rewrite the manifests from the real durations and mark the entry complete.

    Raises PackageError (a sentence for the user) if no video was made or the package
    cannot be written.
    """
    lists = durations(ledger)
    video = layout.name(plan.main_video.stream)
    if not lists.get(video):
        raise PackageError("Encoding ended without producing any video.")
    by_stream = {s: lists[layout.name(s)] for s in ledger.streams}
    counts = {s: len(d) for s, d in by_stream.items()}
    key = (layout.ENTRY_KEY,) if plan.encryption else ()  # a replay needs it to decrypt
    try:
        write_manifests(entry.path, plan, tracks_for(plan, by_stream))
        entry.mark_complete(
            dict(
                record,
                duration=sum(lists[video]),
                segments=lists,
                files=layout.package_files(counts, key),
            )
        )
    except OSError as exc:
        raise PackageError(f"The finished package could not be written: {exc}.") from exc
    shutil.rmtree(entry.work, ignore_errors=True)


def replay(entry: CacheEntry, ledger: Ledger) -> bool:
    """If the entry is a finished package, fill the ledger from its record (every segment
    complete) and return True."""
    record = entry.read_complete()
    if record is None:
        return False
    for stream in ledger.streams:
        lengths = record.get("segments", {}).get(layout.name(stream), [])
        ledger.add_segments(stream, {i + 1: d for i, d in enumerate(lengths)})
        ledger.set_init_ready(stream)
    ledger.finish()
    return True
