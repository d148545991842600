"""Seeks far ahead of the encoder: seconds until the clock runs from the target.

A seek counts as done once the clock has run SEEK_RUN_S past the target (less SEEK_RUN_S): a
clock that shows the target and then stalls does not count as running. Each seek is checked
to land on the target and run from it with no jump.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from .players import Watch, serve

SEEK_RUN_S = 0.5
FAR_TARGETS = (30.0, 50.0, 20.0)  # on the 60 s source: 6.7, 1.8 and 1.9 s past a keyframe


def seek_once(watch: Watch, target: float) -> float:
    """Seek a playing ``watch`` to ``target``; the seconds it took (see the module)."""
    since = len(watch.times)
    began = time.monotonic()
    watch.player.seek(target, "absolute")
    done = watch.wait(lambda t: t >= target + SEEK_RUN_S, 60, since)
    assert done, f"the clock never ran from {target}"
    # It landed on the target and ran from there, without a jump. (A position from before
    # the seek may still arrive just after it: skip those.)
    path = [t for _stamp, t in watch.times[since:] if t <= done[1]]
    landed = next(i for i, t in enumerate(path) if abs(t - target) < 0.05)
    assert all(t < target for t in path[:landed]), path[: landed + 3]
    path = path[landed:]
    steps = [b - a for a, b in zip(path, path[1:], strict=False)]
    assert all(0 <= step < 0.1 for step in steps), path
    return done[0] - began - SEEK_RUN_S


def measure_seeks(
    src: Path, runs: int, scratch: Path, targets: Sequence[float] = FAR_TARGETS
) -> list[float]:
    """``runs`` sessions of ``src``, each playing from the start, then seeking to each target."""
    results: list[float] = []
    for index in range(runs):
        cache = scratch / f"seek-{index}"
        watch = Watch.create()
        try:
            with serve(src, cache) as served:
                watch.player.play(served.urls["dash"])
                assert watch.wait(lambda t: t > 0.2, 60)
                results.extend(seek_once(watch, target) for target in targets)
        finally:
            watch.close()
        shutil.rmtree(cache, ignore_errors=True)
    return results
