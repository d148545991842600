"""Viewra Desktop benchmark: prints one table of start, seek, replay, smoothness and cost.

    .venv/bin/python -m benchmarks.bench [--runs N] [--quick] [--minutes M]

Everything runs for real: ``viewra-desktop serve`` as a subprocess, libmpv in this process
(no video or audio output), the window in a child process (under Xvfb without a display),
the real ffmpeg and Shaka Packager. Every first frame is also given against the floor
(``floor``), measured in the same run. The seed design's pipeline runs in the same session
for comparison. Sources are generated once into ``.bench/`` (``sources``). Timings on a
shared machine are noisy: compare the rows of one run, and their ratios, not figures from
different runs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

from viewra_desktop.core.phases import STEPS
from viewra_desktop.core.profiles import get_profile

from . import cold, window
from .encode import encode_speed, measure_encode_total, measure_overhead, measure_smooth
from .inspection import measure_coarse_thumbnails, measure_metrics_slowdown
from .long_film import measure_film_memory, measure_film_seeks, measure_film_starts
from .players import PROFILE, Start
from .publish import measure_export
from .seed import measure_seed
from .seeks import SEEK_RUN_S, measure_seeks
from .sources import make_film, make_sources, make_three_audio
from .starts import (
    LADDER_PLAYED,
    measure_audio_tracks,
    measure_codec_first_frames,
    measure_floor,
    measure_ladder_and_single,
    measure_replay,
    measure_serve_starts,
    measure_window_replay,
)

Row = tuple[str, str, str, str]


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"{statistics.median(values):.2f} s (median of {len(values)}, "
        f"{min(values):.2f}–{max(values):.2f})"
    )


def _ratio(values: list[float], base: list[float]) -> str:
    return f"{statistics.median(values) / statistics.median(base):.2f}×"


def _versus(
    measure: str, target: str, values: list[float], base: list[float], base_name: str
) -> Row:
    """A row of ``values`` against ``base`` (measured in turns), with their ratio."""
    return (measure, target, f"{_stats(values)}; {base_name} {_stats(base)}", _ratio(values, base))


def _breakdown(starts: list[dict[str, float]]) -> str:
    """The median of each step's time from the start, and of its gap from the step before."""
    parts, before = [], 0.0
    for step in STEPS:
        values = [s[step] for s in starts if step in s]
        if len(values) < len(starts):
            continue
        at = statistics.median(values)
        parts.append(f"{step} {at:.3f} (+{at - before:.3f})")
        before = at
    return ", ".join(parts) + " s"


def _serve_steps(start: Start) -> dict[str, float]:
    """serve's own steps (from its process start) and the player's (from starting serve:
    the same clock within a few milliseconds)."""
    return {**start.serve_steps, "demuxer open": start.loaded, "first frame": start.frame}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def first_frame_rows(hd: Path, runs: int, scratch: Path) -> tuple[list[Row], list[float]]:
    """The floor, serve, the window and a plain mpv, with the breakdowns; and the floor."""
    floors = measure_floor(hd, runs)
    floor = floors["app"]
    starts = measure_serve_starts(hd, runs, scratch)
    links = []
    for index in range(runs):  # other names: each open is a new cache entry, a live encode
        link = scratch / f"window-{index}.mp4"
        os.link(hd, link)
        links.append(link)
    opened = window.measure(links, scratch / "window-home")["opens"]
    window_frames = [o["steps"]["first frame"] for o in opened if "first frame" in o["steps"]]
    app = [s.frame for s in starts["app"]]
    rows: list[Row] = [
        ("the floor: ffmpeg (the 720p profile's x264 settings, -tune zerolatency) → FIFO → "
         "a running libmpv with the app's options, to its first frame", "—", _stats(floor),
         "1.00×"),
        ("the floor, with a plain libmpv (mpv's default options)", "—",
         _stats(floors["plain"]), _ratio(floors["plain"], floor)),
        ("first frame, live encode: serve start → a running libmpv with the app's options "
         "(DASH) shows a frame", "≤ 1.4× the floor", _stats(app), _ratio(app, floor)),
        ("first frame in the window (the app open): a file opened on the welcome page → its "
         "first frame drawn", "≤ 1.25× the floor", _stats(window_frames),
         _ratio(window_frames, floor) if window_frames else "n/a"),
    ]  # fmt: skip
    for name in ("plain dash", "plain hls"):
        frames = [s.frame for s in starts[name]]
        rows.append((
            f"first frame, live encode, a plain `mpv URL` ({name.split()[1].upper()}, mpv's "
            "default options)", "≤ 1.6× the floor", _stats(frames), _ratio(frames, floor),
        ))  # fmt: skip
    rows.append((
        "where serve's first frame goes (medians, seconds from serve's start; app options)",
        "—", _breakdown([_serve_steps(s) for s in starts["app"]]), "—",
    ))  # fmt: skip
    rows.append((
        "where the window's first frame goes (medians, seconds from the open)", "—",
        _breakdown([o["steps"] for o in opened]), "—",
    ))  # fmt: skip
    return rows, floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each timing")
    parser.add_argument("--quick", action="store_true", help="skip the long playbacks")
    parser.add_argument("--minutes", type=float, default=10.0, help="of the film's memory row")
    args = parser.parse_args(argv)
    runs = args.runs
    hd, uhd = make_sources()
    unit, film = make_film(hd)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="viewra-bench-") as tmp:
        scratch = Path(tmp)
        os.environ["VIEWRA_HOME"] = str(scratch / "home")
        more, floor = first_frame_rows(hd, runs, scratch)
        rows += more
        seed = measure_seed(hd, scratch)
        rows.append((
            "the seed design's pipeline: first frame (its manifest is written at the end)", "—",
            f"{seed.first_frame:.2f} s (manifest at {seed.manifest_after:.2f} s, encode "
            f"{seed.encode_seconds:.1f} s)", _ratio([seed.first_frame], floor),
        ))  # fmt: skip
        seeks = measure_seeks(hd, 2, scratch)
        rows.append((
            f"far seeks while encoding, to 30, 50 and 20 s (keyframes ~6 s apart; seek → the "
            f"clock running from the target: at target + {SEEK_RUN_S} s, less {SEEK_RUN_S} s)",
            "median ≤ 1.0 s, worst ≤ 1.5 s", f"{_stats(seeks)}; worst {max(seeks):.2f} s", "—",
        ))  # fmt: skip
        replay = measure_replay(hd, runs, scratch)
        rows.append(_versus(
            "first frame, replay of a finished session (serve start → frame) ÷ a running "
            "libmpv opening the source file itself", "≤ 2×",
            replay["replay"], replay["direct"], "source itself",
        ))  # fmt: skip
        in_window = measure_window_replay(hd, runs, scratch)
        rows.append(_versus(
            "first frame, replay in the window (the app open): a finished session's file "
            "opened on the welcome page → its first frame drawn ÷ the same window's mpv "
            "opening the source file itself", "≤ 2×",
            in_window["replay"], in_window["direct"], "source itself",
        ))  # fmt: skip
        film_starts = measure_film_starts(unit, film, runs, scratch)
        film_frames = [s.frame for s in film_starts["film"]]
        unit_frames = [s.frame for s in film_starts["unit"]]
        rows.append((
            f"a two-hour film ({film.stat().st_size / 1e9:.1f} GB MP4, 120 × a 60 s clip, "
            "stream copy): first frame ÷ the 60 s clip's, in turns", "≤ 1.1×",
            f"{_stats(film_frames)}; clip {_stats(unit_frames)}; serve ready "
            f"{_stats([s.ready for s in film_starts['film']])} ÷ "
            f"{_stats([s.ready for s in film_starts['unit']])}",
            _ratio(film_frames, unit_frames),
        ))  # fmt: skip
        coarse, pictures = measure_coarse_thumbnails(film, scratch)
        rows.append((
            "the two-hour film: the coarse thumbnail pass (keyframe-only, one thread)",
            "a few seconds", f"{coarse:.2f} s for {pictures} pictures", "—",
        ))  # fmt: skip
        film_seeks = measure_film_seeks(film, max(1, runs // 2), scratch)
        rows.append((
            "the two-hour film: seek to 1:30:00 after the first frame", "≤ 1.5 s",
            _stats(film_seeks), "—",
        ))  # fmt: skip
        if cold.can_drop_caches():
            cold_starts = cold.measure_cold_starts(hd, max(1, runs // 2), scratch)
            rows.append(_versus(
                "first frame with the page cache dropped (as after a reboot) ÷ warm, in turns",
                "≤ 1.5×", cold_starts["cold"], cold_starts["warm"], "warm",
            ))  # fmt: skip
            demos = cold.measure_first_demo(max(1, runs // 2), scratch)
            shown = [d["exposed"] for d in demos]
            demo_frames = [d["opens"][0]["steps"].get("first frame", float("inf")) for d in demos]
            rows.append((
                "a new user's first launch with --demo (no demo clip yet, page cache dropped): "
                "the window exposed after launch; the demo's first frame after that", "≤ 2 s",
                f"window {_stats(shown)}; demo {_stats(demo_frames)}", "—",
            ))  # fmt: skip
        ratios = measure_overhead(hd, 3, scratch)
        rows.append((
            "wall time ffmpeg → FIFO → packager ÷ same ffmpeg → file", "≤ 1.05×",
            f"{statistics.median(ratios):.3f}× (median of 3 pairs, "
            f"{min(ratios):.3f}–{max(ratios):.3f})", "—",
        ))  # fmt: skip
        ratios, batches = measure_metrics_slowdown(hd, 2, scratch)
        rows.append((
            "encode wall time with thumbnails + quality metrics running beside it ÷ without",
            "≤ 1.10×",
            f"{statistics.median(ratios):.3f}× (median of {len(ratios)} pairs, "
            f"{min(ratios):.3f}–{max(ratios):.3f}; ≥ {batches} metrics batches during each)",
            "—",
        ))  # fmt: skip
        export = measure_export(hd, runs, scratch)
        rows.append((
            "export the finished package (repackaged to 4 s segments, with its player page)",
            "no second encode", f"{_stats(export.exports)}; the encode took "
            f"{export.encode:.1f} s", "—",
        ))  # fmt: skip
        ladder_first = measure_ladder_and_single(hd, runs, scratch)
        rows.append(_versus(
            "first frame, ladder 1080p–360p playing its 720p rung ÷ the 720p profile's, "
            "in turns", "≤ 1.25×", ladder_first["ladder"], ladder_first["single"], "720p profile",
        ))  # fmt: skip
        tracks = measure_audio_tracks(hd, make_three_audio(hd), runs, scratch)
        rows.append(_versus(
            "first frame with three audio tracks (5.1, stereo, commentary) ÷ with one, in turns",
            "≤ 1.10×", tracks["three"], tracks["one"], "one track",
        ))  # fmt: skip
        codec_first = measure_codec_first_frames(hd, max(1, runs // 2), scratch)
        rows.append((
            "first frame per codec, 720p profile", "—",
            "; ".join(f"{codec} {_stats(v)} ({_ratio(v, floor)} the floor)"
                      for codec, v in codec_first.items()), "—",
        ))  # fmt: skip
        all_at_once = {
            preset: encode_speed(hd, scratch, dataclasses.replace(get_profile("ladder"),
                                                                 preset=preset), 20.0)
            for preset in ("veryfast", "superfast", "ultrafast")
        }  # fmt: skip
        single = encode_speed(hd, scratch, get_profile(PROFILE), 20.0)
        rows.append((
            "design \"all rungs at once\": realtime factor of one ffmpeg encoding the 4 rungs "
            "(first 20 s)", "≥ 1× to play at 1×",
            ", ".join(f"{p} {x:.2f}×" for p, x in all_at_once.items())
            + f"; the 720p rung alone (veryfast) {single:.2f}×", "—",
        ))  # fmt: skip
        if not args.quick:
            memory = measure_film_memory(film, args.minutes, scratch)
            growth = memory.last / memory.first - 1
            rows.append((
                f"serve's memory (RSS) over {args.minutes:g} minutes of playing the two-hour "
                "film at 1×: a minute in → the end (peak)", "within 10 %",
                f"{memory.first / 1e6:.0f} MB → {memory.last / 1e6:.0f} MB (peak "
                f"{memory.peak / 1e6:.0f} MB), {memory.played:.0f} s played",
                f"{growth:+.1%}",
            ))  # fmt: skip
            ladder_total = measure_encode_total(hd, scratch, "--profile", "ladder")
            single_total = measure_encode_total(hd, scratch)
            smooth = measure_smooth(hd, scratch, "ladder", "--profile", "ladder", vid=LADDER_PLAYED)
            rows.append((
                "ladder 1080p30 60 s at 1× while encoding (design \"the rung played first\"): "
                "waits after the first frame, jumps, end; whole encode ÷ the 720p profile's",
                "0 waits",
                f"{smooth.pauses} waits, {smooth.backward} jumps, ended at {smooth.last:.2f}/"
                f"{smooth.duration:.2f} s; whole encode {ladder_total:.1f} s ÷ "
                f"{single_total:.1f} s",
                f"{ladder_total / single_total:.2f}×",
            ))  # fmt: skip
            for name, src, label in (("hd", hd, "1080p30 60 s"), ("uhd", uhd, "4K60 20 s")):
                smooth = measure_smooth(src, scratch, name)
                rows.append((
                    f"play {label} at 1× while encoding: backward jumps, cache waits, "
                    "largest step, end", "0 jumps, no skip",
                    f"{smooth.backward} jumps, {smooth.pauses} waits, largest step "
                    f"{smooth.biggest_step:.2f} s, ended at {smooth.last:.2f}/"
                    f"{smooth.duration:.2f} s after {smooth.seconds:.1f} s", "—",
                ))  # fmt: skip
    print(f"Viewra Desktop benchmark, {datetime.date.today()}, {machine()}")
    print(f"profile {PROFILE}; sources: {hd.name}, {uhd.name}, {film.name}")
    print()
    print("| measure | target | result | ratio |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
