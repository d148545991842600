"""Viewra Desktop benchmark: prints one table of start, seek, replay, smoothness and cost.

    .venv/bin/python -m benchmarks.bench [--runs N] [--quick]

Everything runs for real: ``viewra-desktop serve`` as a subprocess, libmpv in this process
(no video or audio output), the real ffmpeg and Shaka Packager. The seed design's pipeline
(its documented commands, with only the two flags the packager rejects removed) runs in the
same session for comparison. Sources are generated once into ``.bench/``: a 60 s 1080p30
H.264+AAC clip and a 20 s 4K60 clip. Timings on a shared machine are noisy: compare the
columns of one run, not figures from different runs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import http.server
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import mpv

from viewra_desktop.core import layout
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.commands import Output, ffmpeg_command, output_streams, packager_command
from viewra_desktop.core.pipe import FifoPipe
from viewra_desktop.core.plan import RunSpec, make_plan
from viewra_desktop.core.player_options import MPV_OPTIONS
from viewra_desktop.core.probe import probe
from viewra_desktop.core.profiles import CODECS, Profile, get_profile

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
VIEWRA = [sys.executable, "-m", "viewra_desktop"]
PROFILE = "720p"


# -- sources ---------------------------------------------------------------------------------


def make_sources() -> tuple[Path, Path]:
    """60 s 1080p30 (a moving fractal over a test pattern) and 20 s 4K60, made once."""
    ffmpeg = find_tools().ffmpeg
    BENCH_DIR.mkdir(exist_ok=True)
    hd = BENCH_DIR / "src-1080p30-60s.mp4"
    uhd = BENCH_DIR / "src-2160p60-20s.mp4"
    recipes = {
        hd: [
            "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
            "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-filter_complex", "[1:v]scale=1920:1080[m];[0:v][m]blend=all_mode=average,"
            "format=yuv420p[v]",
            "-map", "[v]", "-map", "2:a", "-t", "60",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        ],
        uhd: [
            "-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=60",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "20", "-pix_fmt", "yuv420p",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
        ],
    }  # fmt: skip
    for target, recipe in recipes.items():
        if target.exists():
            continue
        print(f"making {target.name} (once)...", file=sys.stderr)
        partial = target.with_suffix(".partial.mp4")
        subprocess.run(
            [ffmpeg, "-v", "error", *recipe, "-c:a", "aac", "-ac", "2", "-b:a", "128k",
             "-movflags", "+faststart", "-y", str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(target)
    return hd, uhd


# -- players and servers -----------------------------------------------------------------------


@dataclass
class Watch:
    """What an mpv instance reports: positions with their times, cache pauses, the end."""

    player: mpv.MPV
    times: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, time-pos)
    pauses: int = 0
    duration: float = 0.0
    ended: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def create(cls, **options: str) -> Watch:
        """A libmpv with the app's session options (and ``options``)."""
        player = mpv.MPV(vo="null", ao="null", **{**MPV_OPTIONS, **options})
        watch = cls(player)
        player.observe_property("time-pos", watch._on_time)
        player.observe_property("paused-for-cache", watch._on_pause)
        player.observe_property("duration", watch._on_duration)
        player.event_callback("end-file")(lambda _event: watch.ended.set())
        return watch

    def _on_time(self, _name: str, value: float | None) -> None:
        if value is not None:
            with self.cond:
                self.times.append((time.monotonic(), value))
                self.cond.notify_all()

    def _on_duration(self, _name: str, value: float | None) -> None:
        if value:
            self.duration = value

    def _on_pause(self, _name: str, value: bool | None) -> None:
        if value:
            self.pauses += 1

    def wait(self, predicate: Callable[[float], bool], timeout: float, since: int = 0):
        """(monotonic time, position) of the first position from ``since`` that matches."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for stamp, value in self.times[since:]:
                    if predicate(value):
                        return stamp, value
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self) -> None:
        self.player.terminate()


@contextlib.contextmanager
def serve(
    file: Path, cache: Path, *options: str
) -> Iterator[tuple[float, dict[str, str], subprocess.Popen]]:
    """Start ``viewra-desktop serve`` (``options``: else the 720p profile); yield (start
    time, URLs, process); stop it after."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            *VIEWRA,
            "serve",
            str(file),
            "--cache-dir",
            str(cache),
            *(options or ("--profile", PROFILE)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        yield started, urls, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def first_frame(file: Path, cache: Path, *options: str, vid: str = "auto") -> float:
    """Seconds from starting serve to a running mpv's first frame (video track ``vid``)."""
    watch = Watch.create(vid=vid)
    try:
        with serve(file, cache, *options) as (started, urls, _proc):
            watch.player.play(urls["dash"])
            hit = watch.wait(lambda _t: True, 60)
            assert hit is not None, "no frame"
            return hit[0] - started
    finally:
        watch.close()


def wait_complete(cache: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(cache.glob("sessions/*/complete.json")):
            return
        time.sleep(0.2)
    raise TimeoutError("the encode did not finish")


# -- measures ----------------------------------------------------------------------------------


def measure_first_frames(
    src: Path, runs: int, scratch: Path, *options: str, vid: str = "auto"
) -> list[float]:
    results = []
    for index in range(runs):
        cache = scratch / f"ff-{index}"
        results.append(first_frame(src, cache, *options, vid=vid))
        shutil.rmtree(cache, ignore_errors=True)
    return results


LADDER_PLAYED = "2"  # the ladder's 720p rung (of 1080p, 720p, 480p, 360p): a 720p window


def measure_ladder_and_single(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    """First frames of the ladder (playing its 720p rung) and of the 720p profile, in turns."""
    found: dict[str, list[float]] = {"ladder": [], "single": []}
    for index in range(runs):
        for name, options, vid in (
            ("ladder", ("--profile", "ladder"), LADDER_PLAYED), ("single", (), "auto")
        ):  # fmt: skip
            cache = scratch / f"lf-{name}-{index}"
            found[name].append(first_frame(src, cache, *options, vid=vid))
            shutil.rmtree(cache, ignore_errors=True)
    return found


def measure_codec_first_frames(src: Path, runs: int, scratch: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {codec: [] for codec in CODECS}
    for index in range(runs):
        for codec in CODECS:
            cache = scratch / f"cf-{codec}-{index}"
            found[codec].append(first_frame(src, cache, "--profile", PROFILE, "--codec", codec))
            shutil.rmtree(cache, ignore_errors=True)
    return found


def encode_speed(src: Path, scratch: Path, profile: Profile, seconds: float) -> float:
    """Realtime factor of one ffmpeg encoding every rung of ``profile`` (one decode, each
    rung into a file) over the first ``seconds`` of ``src``: the "all rungs at once" design."""
    tools = find_tools()
    plan = make_plan(probe(tools.ffprobe, str(src)), profile)
    groups = output_streams(plan)
    outputs = [Output(str(scratch / f"rung-{n}.mp4"), g) for n, g in enumerate(groups)]
    last = plan.timeline.at(plan.main_video.stream.kind, seconds - 1e-6)
    began = time.monotonic()
    subprocess.run(
        ffmpeg_command(tools.ffmpeg, plan, outputs, RunSpec(1, last)),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wall = time.monotonic() - began
    for output in outputs:
        Path(output.path).unlink(missing_ok=True)
    return RunSpec(1, last).end_time(plan.timeline) / wall


def measure_encode_total(src: Path, scratch: Path, *options: str) -> float:
    """Seconds from starting serve to a finished package (no player)."""
    cache = scratch / "total"
    with serve(src, cache, *options) as (started, _urls, _proc):
        wait_complete(cache)
        seconds = time.monotonic() - started
    shutil.rmtree(cache, ignore_errors=True)
    return seconds


SEEK_RUN_S = 0.5  # a seek counts as done once the clock has run this far from the target


def measure_seeks(src: Path, runs: int, scratch: Path) -> list[float]:
    """Seek far ahead of the encoder; seconds until the clock runs from the target.

    Measured as the moment the clock has run SEEK_RUN_S past the target, less SEEK_RUN_S: a
    clock that shows the target and then stalls does not count as running.
    """
    results = []
    for index in range(runs):
        cache = scratch / f"seek-{index}"
        watch = Watch.create()
        try:
            with serve(src, cache) as (_started, urls, _proc):
                watch.player.play(urls["dash"])
                assert watch.wait(lambda t: t > 0.2, 30)
                for target in (30.0, 50.0, 20.0):
                    since = len(watch.times)
                    began = time.monotonic()
                    watch.player.seek(target, "absolute")
                    done = watch.wait(lambda t, x=target: t >= x + SEEK_RUN_S, 30, since)
                    assert done, f"the clock never ran from {target}"
                    # It landed on the target and ran from there, without a jump. (A position
                    # from before the seek may still arrive just after it: skip those.)
                    path = [t for _stamp, t in watch.times[since:] if t <= done[1]]
                    landed = next(i for i, t in enumerate(path) if abs(t - target) < 0.05)
                    assert all(t < target for t in path[:landed]), path[: landed + 3]
                    path = path[landed:]
                    steps = [b - a for a, b in zip(path, path[1:], strict=False)]
                    assert all(0 <= step < 0.1 for step in steps), path
                    results.append(done[0] - began - SEEK_RUN_S)
        finally:
            watch.close()
        shutil.rmtree(cache, ignore_errors=True)
    return results


def measure_replay(src: Path, runs: int, scratch: Path) -> list[float]:
    cache = scratch / "replay"
    with serve(src, cache):
        wait_complete(cache)
    results = [first_frame(src, cache) for _ in range(runs)]
    shutil.rmtree(cache, ignore_errors=True)
    return results


@dataclass
class Smooth:
    seconds: float  # wall time to play the whole clip
    duration: float
    last: float
    backward: int
    pauses: int
    biggest_step: float  # largest jump between two reported positions


def measure_smooth(src: Path, scratch: Path, name: str, *options: str, vid: str = "auto") -> Smooth:
    """Play the whole clip at 1x while it encodes."""
    cache = scratch / f"smooth-{name}"
    watch = Watch.create(vid=vid)
    try:
        with serve(src, cache, *options) as (_started, urls, _proc):
            began = time.monotonic()
            watch.player.play(urls["dash"])
            assert watch.ended.wait(600), "playback did not end"
            wall = time.monotonic() - began
            duration = watch.duration
    finally:
        watch.close()
    shutil.rmtree(cache, ignore_errors=True)
    positions = [p for _s, p in watch.times]
    steps = [b - a for a, b in zip(positions, positions[1:], strict=False)]
    return Smooth(
        seconds=wall,
        duration=duration,
        last=positions[-1] if positions else 0.0,
        backward=sum(1 for s in steps if s < -1e-6),
        pauses=watch.pauses,
        biggest_step=max(steps, default=0.0),
    )


def measure_overhead(src: Path, pairs: int, scratch: Path) -> list[float]:
    """Wall time of ffmpeg -> FIFO -> packager over the same ffmpeg writing a file."""
    tools = find_tools()
    plan = make_plan(probe(tools.ffprobe, str(src)), get_profile(PROFILE))
    streams = plan.segmented  # one output: what a run of a single rendition writes
    ratios = []
    for index in range(pairs):
        folder = scratch / f"overhead-{index}"
        folder.mkdir(parents=True)
        began = time.monotonic()
        whole = RunSpec()
        direct_file = folder / "direct.mp4"
        subprocess.run(
            ffmpeg_command(tools.ffmpeg, plan, [Output(str(direct_file), streams)], whole),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        direct = time.monotonic() - began
        run_dir = folder / ".work" / "run"
        for stream in streams:
            (run_dir / layout.run_segments(stream)).mkdir(parents=True)
        pipe = FifoPipe.create(run_dir, layout.pipe(0))
        began = time.monotonic()
        relative = f".work/run/{layout.pipe(0)}"
        packager = subprocess.Popen(
            packager_command(tools.packager, plan, [Output(relative, streams)], ".work/run"),
            cwd=folder,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            ffmpeg_command(tools.ffmpeg, plan, [Output(pipe.writer_path, streams)], whole),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assert packager.wait() == 0
        piped = time.monotonic() - began
        pipe.close()
        ratios.append(piped / direct)
        shutil.rmtree(folder, ignore_errors=True)
    return ratios


def encode_seconds(src: Path, cache: Path, inspect: bool) -> tuple[float, int]:
    """Wall time of a whole encode (Session start to finished package), with or without the
    background inspection (thumbnails, then quality metrics) the window runs beside it;
    and how many metrics batches were measured before the encode finished."""
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


# -- the seed's pipeline -----------------------------------------------------------------------


def seed_commands(tools, src: Path, out: Path, pipe: str) -> tuple[list[str], list[str]]:
    """The seed's manual test, as documented, minus --fragment_duration and
    --low_latency_dash_mode (the packager refuses them together, and the latter without
    --utc_timings)."""
    packager = [
        tools.packager,
        f"in={pipe},stream=0,output={out}/video.mp4,segment_template={out}/video-$Number$.m4s",
        f"in={pipe},stream=1,output={out}/audio.mp4,segment_template={out}/audio-$Number$.m4s",
        "--segment_duration", "4",
        "--mpd_output", f"{out}/manifest.mpd",
        "--generate_static_live_mpd",
        "--suggested_presentation_delay", "8",
        "--time_shift_buffer_depth", "3600",
        "--allow_approximate_segment_timeline",
    ]  # fmt: skip
    ffmpeg = [
        tools.ffmpeg, "-v", "error", "-i", str(src),
        "-c:v", "libx264", "-preset", "fast", "-crf", "23",
        "-c:a", "aac", "-b:a", "128k",
        "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
        "-frag_duration", "4000000", "-y", pipe,
    ]  # fmt: skip
    return packager, ffmpeg


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the player closing a connection early is not news


@dataclass
class SeedResult:
    manifest_after: float
    first_frame: float
    encode_seconds: float


def measure_seed(src: Path, scratch: Path) -> SeedResult:
    tools = find_tools()
    out = scratch / "seed"
    out.mkdir(parents=True)
    pipe = FifoPipe.create(out, "test.pipe")
    handler = functools.partial(_QuietHandler, directory=str(out))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    packager_argv, ffmpeg_argv = seed_commands(tools, src, out, pipe.writer_path)
    watch = Watch.create()
    try:
        began = time.monotonic()
        packager = subprocess.Popen(packager_argv, stderr=subprocess.DEVNULL)
        ffmpeg = subprocess.Popen(ffmpeg_argv)
        manifest = out / "manifest.mpd"
        while not manifest.exists():
            if packager.poll() is not None and not manifest.exists():
                raise RuntimeError("the seed's packager ended without a manifest")
            time.sleep(0.02)
        manifest_after = time.monotonic() - began
        watch.player.play(f"http://127.0.0.1:{httpd.server_address[1]}/manifest.mpd")
        hit = watch.wait(lambda _t: True, 120)
        assert hit is not None
        ffmpeg.wait()
        packager.wait()
        encode = time.monotonic() - began
    finally:
        watch.close()
        httpd.shutdown()
        pipe.close()
    shutil.rmtree(out, ignore_errors=True)
    return SeedResult(manifest_after, hit[0] - began, encode)


# -- report ------------------------------------------------------------------------------------


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"{statistics.median(values):.2f} s (median of {len(values)}, "
        f"{min(values):.2f}–{max(values):.2f})"
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each timing")
    parser.add_argument("--quick", action="store_true", help="skip the 1x playbacks")
    args = parser.parse_args(argv)
    hd, uhd = make_sources()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="viewra-bench-") as tmp:
        scratch = Path(tmp)
        os.environ["VIEWRA_HOME"] = str(scratch / "home")
        seed = measure_seed(hd, scratch)
        rows.append((
            "first frame, live encode (serve start → running mpv shows a frame)", "≤ 0.6 s",
            _stats(measure_first_frames(hd, args.runs, scratch)),
            f"{seed.first_frame:.2f} s (manifest only at {seed.manifest_after:.2f} s, "
            f"encode {seed.encode_seconds:.1f} s)",
        ))  # fmt: skip
        rows.append((
            "seek far ahead while encoding (seek → clock running from the target: at target"
            " + 0.5 s, less 0.5 s)", "≤ 1.5 s",
            _stats(measure_seeks(hd, max(1, args.runs // 2), scratch)),
            "impossible until the encode ends (no manifest)",
        ))  # fmt: skip
        rows.append((
            "first frame, replay of a finished session from the cache", "≤ 0.3 s",
            _stats(measure_replay(hd, args.runs, scratch)), "—",
        ))  # fmt: skip
        from benchmarks.publish import measure_export

        export = measure_export(hd, args.runs, scratch)
        rows.append((
            "export the finished package (repackaged to 4 s segments, with its player page)",
            "no second encode", f"{_stats(export.exports)}; the encode took "
            f"{export.encode:.1f} s", "—",
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
        ladder_first = measure_ladder_and_single(hd, args.runs, scratch)
        ladder_ratio = statistics.median(ladder_first["ladder"]) / statistics.median(
            ladder_first["single"]
        )
        rows.append((
            "first frame, ladder 1080p–360p playing its 720p rung (÷ the 720p profile's, "
            "in turns)", "≤ 1.25×",
            f"{_stats(ladder_first['ladder'])}; 720p profile {_stats(ladder_first['single'])}: "
            f"{ladder_ratio:.2f}×", "—",
        ))  # fmt: skip
        codec_first = measure_codec_first_frames(hd, max(1, args.runs // 2), scratch)
        rows.append((
            "first frame per codec, 720p profile", "—",
            "; ".join(f"{codec} {_stats(v)}" for codec, v in codec_first.items()), "—",
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
            ladder_total = measure_encode_total(hd, scratch, "--profile", "ladder")
            single_total = measure_encode_total(hd, scratch)
            smooth = measure_smooth(hd, scratch, "ladder", "--profile", "ladder", vid=LADDER_PLAYED)
            rows.append((
                "ladder 1080p30 60 s at 1× while encoding (design \"the rung played first\"): "
                "waits after the first frame, jumps, end; whole encode ÷ the 720p profile's",
                "0 waits",
                f"{smooth.pauses} waits, {smooth.backward} jumps, ended at {smooth.last:.2f}/"
                f"{smooth.duration:.2f} s; whole encode {ladder_total:.1f} s ÷ {single_total:.1f} s"
                f" = {ladder_total / single_total:.2f}×", "—",
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
    print(f"profile {PROFILE}; sources: {hd.name}, {uhd.name}")
    print()
    print("| measure | target | Viewra Desktop | seed pipeline |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
