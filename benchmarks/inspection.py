"""What the background inspection costs the encode: thumbnails, then quality metrics, beside
a whole encode, against the same encode alone."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.profiles import get_profile

from .players import PROFILE


def encode_seconds(src: Path, cache: Path, inspect: bool) -> tuple[float, int]:
    """Wall time of a whole encode (Session start to finished package), with or without the
    background inspection the window runs beside it; and how many metrics batches were
    measured before the encode finished."""
    from viewra_desktop.core.cache import Cache
    from viewra_desktop.core.inspector import Inspector
    from viewra_desktop.core.session import Session, State

    session = Session(str(src), get_profile(PROFILE), Cache(cache))
    inspector = None
    began = time.monotonic()
    session.start()
    if inspect:
        inspector = Inspector(session, find_tools().ffmpeg)
        inspector.start()
    try:
        while session.state is State.ENCODING:
            time.sleep(0.05)
        assert session.state is State.FINISHED, session.state
        wall = time.monotonic() - began
        batches = inspector.measured_batches if inspector else 0
    finally:
        if inspector is not None:
            inspector.stop()
        session.stop()
    shutil.rmtree(cache, ignore_errors=True)
    return wall, batches


def measure_metrics_slowdown(src: Path, pairs: int, scratch: Path) -> tuple[list[float], int]:
    """The encode's wall time with the inspection running beside it ÷ without, in pairs
    (alternating which goes first); and the fewest metrics batches done during one."""
    ratios, batches = [], []
    for index in range(pairs):
        order = (False, True) if index % 2 == 0 else (True, False)
        times = {}
        for inspect in order:
            times[inspect], done = encode_seconds(
                src, scratch / f"inspect-{index}-{inspect}", inspect
            )
            if inspect:
                batches.append(done)
        ratios.append(times[True] / times[False])
    return ratios, min(batches)


def measure_coarse_thumbnails(film: Path, scratch: Path) -> tuple[float, int]:
    """Seconds for the coarse thumbnail pass over ``film`` as the inspector runs it (one
    ffmpeg per picture, keyframe-only, one thread), with nothing else running; and how many
    pictures it made."""
    import subprocess

    from viewra_desktop.core import thumbnails
    from viewra_desktop.core.plan import make_plan
    from viewra_desktop.core.probe import probe

    tools = find_tools()
    plan = make_plan(probe(tools.ffprobe, str(film)), get_profile(PROFILE))
    assert plan.image is not None
    folder = scratch / "coarse"
    folder.mkdir(parents=True, exist_ok=True)
    slots = thumbnails.coarse_slots(plan.image, plan.duration)
    began = time.monotonic()
    for slot in slots:
        argv = thumbnails.picture_command(tools.ffmpeg, plan, slot, str(folder / f"{slot}.jpg"))
        subprocess.run(argv, check=True, capture_output=True)
    seconds = time.monotonic() - began
    made = len(list(folder.glob("*.jpg")))
    shutil.rmtree(folder, ignore_errors=True)
    return seconds, made
