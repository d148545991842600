"""First frames: the floor, ``serve`` with the app's player and with a plain one, a replay
from the cache (by ``serve``, and in the window) against mpv opening the source itself, the
ladder and each codec."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from viewra_desktop.core.profiles import CODECS

from . import window
from .floor import floor_first_frame
from .players import PROFILE, Start, Watch, app_threads, first_frame, serve, wait_complete

LADDER_PLAYED = "2"  # the ladder's 720p rung (of 1080p, 720p, 480p, 360p): a 720p window


def measure_floor(src: Path, runs: int) -> dict[str, list[float]]:
    """The floor with the app's mpv options and with mpv's defaults, in turns."""
    found: dict[str, list[float]] = {"app": [], "plain": []}
    for _ in range(runs):
        found["app"].append(floor_first_frame(src))
        found["plain"].append(floor_first_frame(src, plain=True))
    return found


def measure_serve_starts(src: Path, runs: int, scratch: Path) -> dict[str, list[Start]]:
    """serve's first frames, in turns: the app's options on DASH, a plain mpv on DASH and
    on HLS (each a new cache: a live encode)."""
    found: dict[str, list[Start]] = {"app": [], "plain dash": [], "plain hls": []}
    for index in range(runs):
        for name, kind, plain in (("app", "dash", False), ("plain dash", "dash", True),
                                  ("plain hls", "hls", True)):  # fmt: skip
            cache = scratch / f"start-{index}-{kind}-{plain}"
            found[name].append(first_frame(src, cache, kind=kind, plain=plain))
            shutil.rmtree(cache, ignore_errors=True)
    return found


def direct_open(src: Path) -> float:
    """Seconds from a running libmpv (the app's options) opening ``src`` to its first frame.
    mpv picks its decoder threads, as in the app's view of the source file (the count for a
    session's stream, ``app_threads``, is no choice the app makes for a source)."""
    watch = Watch.create(threads=0)
    try:
        began = time.monotonic()
        watch.player.play(str(src))
        framed = watch.first_frame(30)
        assert framed is not None
        return framed - began
    finally:
        watch.close()


def measure_replay(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    """A finished session replayed (serve start to first frame), and mpv opening the source
    file itself, in turns."""
    cache = scratch / "replay"
    with serve(src, cache):
        wait_complete(cache)
    found: dict[str, list[float]] = {"replay": [], "direct": []}
    for _ in range(runs):
        found["replay"].append(first_frame(src, cache).frame)
        found["direct"].append(direct_open(src))
    shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_window_replay(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    """A finished session replayed in the window (the app open: the file opened on the
    welcome page → its first frame drawn), and the same window's mpv opening the source file
    itself, in turns."""
    home = scratch / "replay-window"
    with serve(src, home / "cache"):  # the window's profile, and its cache
        wait_complete(home / "cache")
    found: dict[str, list[float]] = {"replay": [], "direct": []}
    for opened in window.measure([src] * runs, home, turns=True)["opens"]:
        frame = opened["steps"].get("first frame")
        assert frame is not None, f"no first frame: {opened}"
        found["replay" if opened["kind"] == "session" else "direct"].append(frame)
    shutil.rmtree(home, ignore_errors=True)
    return found


def measure_ladder_and_single(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    """First frames of the ladder (playing its 720p rung) and of the 720p profile, in turns."""
    found: dict[str, list[float]] = {"ladder": [], "single": []}
    for index in range(runs):
        for name, options, vid in (
            ("ladder", ("--profile", "ladder"), LADDER_PLAYED), ("single", (), "auto")
        ):  # fmt: skip
            cache = scratch / f"lf-{name}-{index}"
            found[name].append(first_frame(src, cache, *options, vid=vid).frame)
            shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_audio_tracks(
    one: Path, three: Path, runs: int, scratch: Path
) -> dict[str, list[float]]:
    """First frames of the source with one audio track and with three, in turns."""
    found: dict[str, list[float]] = {"one": [], "three": []}
    for index in range(runs):
        for name, src in (("one", one), ("three", three)):
            cache = scratch / f"audio-{name}-{index}"
            found[name].append(first_frame(src, cache).frame)
            shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_codec_first_frames(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {codec: [] for codec in CODECS}
    for index in range(runs):
        for codec in CODECS:
            cache = scratch / f"cf-{codec}-{index}"
            start = first_frame(
                src, cache, "--profile", PROFILE, "--codec", codec, threads=app_threads(codec)
            )
            found[codec].append(start.frame)
            shutil.rmtree(cache, ignore_errors=True)
    return found
