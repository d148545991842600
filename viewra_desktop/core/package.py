"""The package in a cache entry: prepared before the first run, finished after the last.

- ``prepare`` empties the entry and writes the player's manifests from the plan, before any
  segment exists, so a player knows the whole timeline from its first request.
- ``finish`` rewrites them from the segments' real durations and writes the completion
  record last: the entry is then a ready-to-publish package.
- ``replay`` fills a ledger from a finished entry's record.

The package also holds the text tracks as WebVTT files (``subtitles``: the finished manifests
list only those that converted) and the chapters as a WebVTT chapters file.

Threads: ``prepare`` and ``replay`` run on the thread that calls ``Session.start``,
``finish`` on the session's monitor thread.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import color, keys, layout
from .cache import CacheEntry
from .errors import CacheError, ViewraError
from .files import write_atomically
from .ledger import Ledger
from .manifests import tracks_for, write_manifests
from .plan import Plan, TextTrack
from .streams import StreamId


class PackageError(ViewraError):
    """The finished package cannot be made."""


def prepare(entry: CacheEntry, plan: Plan, cache_root: object) -> None:
    """The entry's folders (and tone-mapping table) for a new encode; its manifests come
    next, from ``write_first_manifests``."""
    with _writing(cache_root):
        entry.reset()
        entry.work.mkdir()
        for stream in plan.segmented:
            (entry.path / layout.folder(stream)).mkdir()
        if plan.text:
            (entry.path / layout.TEXT_FOLDER).mkdir()
        for transfer in {v.color.tone_map for v in plan.video if v.color.tone_map}:
            write_atomically(entry.path / layout.TONE_MAP_LUT, color.lut(transfer).encode())


def write_first_manifests(entry: CacheEntry, plan: Plan, cache_root: object) -> None:
    """The planned manifests of a new encode (a two-hour film's take 0.1 s: the session
    writes them once its first run has started, before anyone can ask for them)."""
    with _writing(cache_root):
        write_planned_manifests(entry.path, plan)


@contextlib.contextmanager
def _writing(cache_root: object) -> Iterator[None]:
    """An OSError inside becomes the CacheError that tells the user what to do."""
    try:
        yield
    except OSError as exc:
        raise CacheError(
            f"The cache folder {cache_root} cannot be written "
            f"({exc.strerror or exc}); free some space or choose another with --cache-dir."
        ) from exc


def encrypted(plan: Plan, entry: CacheEntry) -> Plan:
    """The plan of an encrypted session: the entry's key (kept in it, or made now)."""
    return replace(plan, encryption=keys.entry_encryption(entry.path, layout.ENTRY_KEY))


def write_planned_manifests(
    folder: Path, plan: Plan, texts: Sequence[TextTrack] | None = None
) -> None:
    """The session's manifests from the plan's durations, before the real ones are known:
    at ``prepare``, and again when a text track is left out (``texts``: those still listed)."""
    write_manifests(folder, plan, tracks_for(plan), texts)


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
    texts = ready_texts(plan, ledger)  # a track that did not convert is left out
    whole = [layout.text_file(t.stream) for t in texts]
    if plan.media.chapters:
        whole.append(layout.CHAPTERS)
    if plan.encryption:
        whole.append(layout.ENTRY_KEY)  # a replay needs it to decrypt
    try:
        sizes = {s: _sizes(entry, s, counts[s]) for s in ledger.streams}
        write_manifests(entry.path, plan, tracks_for(plan, by_stream, sizes), texts)
        entry.mark_complete(
            dict(
                record,
                duration=sum(lists[video]),
                segments=lists,
                files=layout.package_files(counts, tuple(whole)),
            )
        )
    except OSError as exc:
        raise PackageError(f"The finished package could not be written: {exc}.") from exc
    for left_out in (t for t in plan.text if t not in texts):  # its stand-in and playlist
        for name in (layout.text_file(left_out.stream), layout.playlist(left_out.stream)):
            (entry.path / name).unlink(missing_ok=True)
    shutil.rmtree(entry.work, ignore_errors=True)


def _sizes(entry: CacheEntry, stream: StreamId, count: int) -> list[int]:
    """The bytes of each segment of ``stream`` (the manifests' measured bandwidths)."""
    return [(entry.path / layout.segment(stream, n)).stat().st_size for n in range(1, count + 1)]


def replay(record: dict[str, Any] | None, plan: Plan, ledger: Ledger) -> bool:
    """If ``record`` (a finished entry's, or None) is there, fill the ledger from it (every
    segment complete) and return True."""
    if record is None:
        return False
    fill_segments(record, ledger)
    files = set(record.get("files", ()))
    for name in files & {layout.text_file(t.stream) for t in plan.text}:
        ledger.file_done(name, True)
    ledger.finish()
    return True


def fill_segments(record: dict[str, Any], ledger: Ledger) -> None:
    """Every segment a finished package's record lists, complete, into the ledger."""
    for stream in ledger.streams:
        lengths = record.get("segments", {}).get(layout.name(stream), [])
        ledger.add_segments(stream, {i + 1: d for i, d in enumerate(lengths)})
        ledger.set_init_ready(stream)


def ready_texts(plan: Plan, ledger: Ledger) -> list[TextTrack]:
    """The plan's text tracks whose WebVTT file is in the package."""
    return [t for t in plan.text if ledger.file_ready(layout.text_file(t.stream))]
