"""What encoding costs: the FIFO's overhead, the all-rungs-at-once design's speed, a whole
encode's time, and playing at 1x while encoding."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from viewra_desktop.core import layout
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.commands import Output, ffmpeg_command, output_streams, packager_command
from viewra_desktop.core.pipe import FifoPipe
from viewra_desktop.core.plan import RunSpec, make_plan
from viewra_desktop.core.probe import probe
from viewra_desktop.core.profiles import Profile, get_profile

from .players import PROFILE, Watch, serve, wait_complete


def measure_encode_total(src: Path, scratch: Path, *options: str) -> float:
    """Seconds from starting serve to a finished package (no player)."""
    cache = scratch / "total"
    with serve(src, cache, *options) as served:
        wait_complete(cache)
        seconds = time.monotonic() - served.started
    shutil.rmtree(cache, ignore_errors=True)
    return seconds


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
        with serve(src, cache, *options) as served:
            began = time.monotonic()
            watch.player.play(served.urls["dash"])
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
