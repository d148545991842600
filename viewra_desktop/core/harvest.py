"""Harvesting: moving the segments a run's packager completed into the package.

The packager writes each segment's file as the frames arrive and closes it before opening
the next, so a segment is complete once the next one exists, or once both processes of its
run exited cleanly (``final``). A complete segment is rewritten into the package as one
fragment (``fmp4.compact``), atomically, and recorded in the ledger with the duration read
from its fragments. The one being written is offered to the ledger as *partial* (on POSIX),
so the server can stream it to a player while it grows. Only the segments inside the run's
range are kept: its audio may run a few frames past its end, and the packager cuts that
sliver into a segment of its own.

Threads: called from the session's monitor thread only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from . import layout
from .files import write_atomically
from .fmp4 import Fmp4Error, compact, init_info, span
from .ledger import Ledger
from .numbering import to_timeline
from .run import Run
from .streams import StreamId

logger = logging.getLogger(__name__)

# Streaming a segment while it is written needs its file deleted from the run's folder while
# a reader holds it open, which Windows does not allow: there a player waits for whole ones.
STREAM_GROWING = os.name != "nt"


def collect(run: Run, ledger: Ledger, final: bool = False) -> bool:
    """Take what the run's packager completed; offer the segment it is writing to the
    server. ``final``: the run ended by itself, so its last segments are complete too.
    Returns True if anything new was taken."""
    if not run.accepting:
        return False
    changed = False
    for stream in run.streams:
        folder = run.folder / layout.run_segments(stream)
        try:
            numbers = [layout.run_segment_number(entry.name) for entry in os.scandir(folder)]
        except FileNotFoundError:
            continue
        files = sorted(n for n in numbers if n is not None)
        if not files:
            continue
        run.step("first packet")  # the packager has had ffmpeg's first packets
        first, last = run.first[stream], run.last[stream]
        complete = files if final else files[:-1]
        for local in complete:
            number = to_timeline(first, local)
            if ledger.has(stream, number) or not first <= number <= last:
                (run.folder / layout.run_segment(stream, local)).unlink(missing_ok=True)
            elif _place(run, ledger, stream, local, number):
                changed = True
        if complete:
            done = min(last, to_timeline(first, complete[-1]))
            run.done[stream] = max(run.done.get(stream, 0), done)
        newest = files[-1]
        number = to_timeline(first, newest)
        if (
            STREAM_GROWING
            and not final
            and number <= last
            and not ledger.has(stream, number)
            and _init_ready(run, ledger, stream)
        ):
            ledger.set_partial(stream, number, run.folder / layout.run_segment(stream, newest))
            run.step("first chunk")
    return changed


def _init_ready(run: Run, ledger: Ledger, stream: StreamId) -> bool:
    """Read the run's init segment (the packager writes it before any media segment) and,
    for the session's first, copy it into the package."""
    if stream in run.tracks:
        return True
    source = run.folder / layout.run_init(stream)
    try:
        data = source.read_bytes()
        run.tracks[stream] = init_info(data, source.name)
        if not ledger.init_ready(stream):
            write_atomically(run.package / layout.init(stream), data)
            ledger.set_init_ready(stream)
    except (OSError, Fmp4Error):
        return False
    return True


def _place(run: Run, ledger: Ledger, stream: StreamId, local: int, number: int) -> bool:
    """Put a complete segment into the package and record it with its real length."""
    source: Path = run.folder / layout.run_segment(stream, local)
    try:
        if not _init_ready(run, ledger, stream):
            return False
        track = run.tracks[stream]
        data = source.read_bytes()
        duration = span(data, track, source.name).duration
        # One fragment instead of the packager's one per frame (same samples). A player
        # streaming the segment keeps reading the run's file, which stays whole.
        write_atomically(run.package / layout.segment(stream, number), compact(data, track) or data)
        source.unlink()
    except (OSError, Fmp4Error) as exc:
        logger.warning("segment %s/%d could not be taken: %s", stream, number, exc)
        return False
    ledger.add_segments(stream, {number: duration})
    logger.debug("segment %s/%d complete (%.3f s)", stream, number, duration)
    return True


def take_ended(run: Run, ledger: Ledger) -> bool:
    """A run's processes ended by themselves: take all it made, learn the real end (a run
    that encoded to the end of the source did not make what does not exist), stop it."""
    whole = run.ended_by_itself()
    changed = collect(run, ledger, final=whole)
    if whole and run.spec.last is None:
        position = run.position()
        for stream in run.streams:
            ledger.set_end(stream, min(run.plan.count(stream), position[stream] - 1))
    run.stop()
    return changed
