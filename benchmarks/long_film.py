"""A two-hour film against the 60 s clip it is made of: the first frame, a seek to
1:30:00, and serve's memory over minutes of playing at 1x."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .players import Start, Watch, first_frame, serve
from .seeks import measure_seeks

FAR_INTO_FILM_S = 5400.0  # 1:30:00


def measure_film_starts(unit: Path, film: Path, runs: int, scratch: Path) -> dict[str, list[Start]]:
    """First frames of the 60 s unit and of the two-hour film, in turns."""
    found: dict[str, list[Start]] = {"unit": [], "film": []}
    for index in range(runs):
        for name, src in (("unit", unit), ("film", film)):
            cache = scratch / f"film-{name}-{index}"
            found[name].append(first_frame(src, cache))
            shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_film_seeks(film: Path, runs: int, scratch: Path) -> list[float]:
    """``runs`` sessions of the film, each seeking to 1:30:00 after its first frame."""
    return measure_seeks(film, runs, scratch, targets=(FAR_INTO_FILM_S,))


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Memory:
    first: int  # serve's RSS after the first minute of playing
    last: int  # at the end
    peak: int
    played: float  # seconds of the film played


def measure_film_memory(film: Path, minutes: float, scratch: Path) -> Memory:
    """Play the film at 1x for ``minutes``, sampling serve's RSS every 5 s; the first sample
    is taken a minute in, once the session's structures exist."""
    cache = scratch / "film-memory"
    watch = Watch.create()
    samples: list[int] = []
    try:
        with serve(film, cache) as served:
            watch.player.play(served.urls["dash"])
            assert watch.wait(lambda t: t > 0.2, 60)
            began = time.monotonic()
            next_sample = began + 60.0
            while time.monotonic() - began < minutes * 60:
                time.sleep(max(0.0, next_sample - time.monotonic()))
                samples.append(rss_bytes(served.proc.pid))
                next_sample += 5.0
            played = watch.times[-1][1] if watch.times else 0.0
    finally:
        watch.close()
    shutil.rmtree(cache, ignore_errors=True)
    return Memory(samples[0], samples[-1], max(samples), played)
