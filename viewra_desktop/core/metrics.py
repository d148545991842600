"""Quality metrics: PSNR, SSIM and XPSNR (and VMAF, when ffmpeg has libvmaf) per segment.

A *batch* is a few consecutive complete segments of one video rendition. One ffmpeg decodes
them (the package's init segment and theirs, concatenated) and the source over the same
time (seeked as a run seeks it, through the filters the encoder used: the same size, the same
scaler, so the numbers measure the encoder's loss, not the downscale's). Each segment gets
its own filter chain (``trim`` by frame number), so its numbers are those of its frames alone,
exactly what ffmpeg's filters give when run on that segment by itself (XPSNR looks at the
frame before: a segment's first frame must not see the last one of the segment before).

ffmpeg's filters attach each frame's values to the frame; ``metadata=mode=print`` writes them
to a file per segment, and ``summarize`` averages them as the filters do for their summary:
PSNR from the mean of the frames' MSE, SSIM as the mean of the frames' values, XPSNR from the
mean of the frames' root weighted squared error, VMAF as libvmaf's pooled mean.

The work runs at the lowest priority, with one thread: ``-threads 1`` for both decoders and
the filters. ``Inspector`` (``inspector.py``) runs the batches.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .commands import input_seek, video_filters
from .fmp4 import init_info, span
from .numbering import Timeline
from .plan import Plan
from .stats import Metrics
from .streams import StreamId, StreamKind

logger = logging.getLogger(__name__)

BATCH_SEGMENTS = 8  # segments one ffmpeg measures: enough to spread the start-up cost
MAX_8BIT = 255.0  # video_filters make every encode 8-bit 4:2:0
ENCODE_FILE = "encode.mp4"  # in the batch's scratch folder: init + the batch's segments
_FRAME = re.compile(r"^frame:\s*(\d+)")
_VALUE = re.compile(r"^lavfi\.([a-z_]+)\.([A-Za-z_.]+)=(\S+)$")


@dataclass(frozen=True)
class Batch:
    """Consecutive segments of one rendition, and how many frames each holds."""

    stream: StreamId
    numbers: tuple[int, ...]
    frames: tuple[int, ...]
    start: float  # the first segment's start on the timeline, seconds
    duration: float  # of all of them

    def values_file(self, position: int) -> str:
        """The file the ``position``-th segment's per-frame values go to."""
        return f"segment-{self.numbers[position]}.txt"

    def vmaf_file(self, position: int) -> str:
        return f"segment-{self.numbers[position]}.vmaf.json"


def pick(
    timeline: Timeline,
    complete: Mapping[int, float],
    measured: Iterable[int],
    limit: int = BATCH_SEGMENTS,
) -> tuple[int, ...]:
    """The next segments to measure: the first complete one not measured yet and those
    complete after it, consecutive, at most ``limit``; () when there is none."""
    done = set(measured)
    todo = sorted(n for n in complete if n not in done)
    if not todo:
        return ()
    numbers = [todo[0]]
    while len(numbers) < limit and numbers[-1] + 1 in complete and numbers[-1] + 1 not in done:
        numbers.append(numbers[-1] + 1)
    return tuple(numbers)


def prepare(folder: Path, scratch: Path, plan: Plan, stream: StreamId, numbers: Sequence[int]):
    """Write the batch's encode file (init + segments) into ``scratch``; return the Batch."""
    init = (folder / layout.init(stream)).read_bytes()
    track = init_info(init)
    frames, parts = [], [init]
    for number in numbers:
        data = (folder / layout.segment(stream, number)).read_bytes()
        frames.append(span(data, track, f"segment {number}").samples)
        parts.append(data)
    (scratch / ENCODE_FILE).write_bytes(b"".join(parts))
    start = plan.timeline.span(StreamKind.VIDEO, numbers[0])[0]
    end = plan.timeline.span(StreamKind.VIDEO, numbers[-1])[1]
    return Batch(stream, tuple(numbers), tuple(frames), start, end - start)


def command(
    ffmpeg: str, plan: Plan, batch: Batch, vmaf: bool = False, xpsnr: bool = True
) -> list[str]:
    """ffmpeg measuring a batch; run it in the batch's scratch folder. ``vmaf`` and
    ``xpsnr``: whether this ffmpeg has those filters (``libvmaf`` is optional; ``xpsnr``
    came with ffmpeg 7.1)."""
    rendition = plan.rendition(batch.stream)
    seek, skip = input_seek(plan, batch.start)
    count = len(batch.numbers)
    metrics = 2 + xpsnr + vmaf
    # The encode, and the source through the encoder's own filters, each from 0 on a common
    # clock, split into one chain per segment (trimmed by frame number).
    graph = [
        f"[0:v]setpts=PTS-STARTPTS,settb=AVTB,split={count}"
        + "".join(f"[d{i}]" for i in range(count)),
        f"[1:v]{video_filters(plan, rendition, skip)},setpts=PTS-STARTPTS,settb=AVTB,"
        f"split={count}" + "".join(f"[r{i}]" for i in range(count)),
    ]
    first = 0
    for i, frames in enumerate(batch.frames):
        trim = f"trim=start_frame={first}:end_frame={first + frames},setpts=PTS-STARTPTS"
        first += frames
        refs = "".join(f"[r{i}m{m}]" for m in range(metrics))
        chain = [
            f"[d{i}]{trim}[d{i}t]",
            f"[r{i}]{trim},split={metrics}{refs}",
            # Each metric passes the encode's frame on with its values attached.
            f"[d{i}t][r{i}m0]psnr=shortest=1[p{i}]",
            f"[p{i}][r{i}m1]ssim=shortest=1[s{i}]",
        ]
        last = f"s{i}"
        if xpsnr:
            chain.append(f"[{last}][r{i}m2]xpsnr=shortest=1[x{i}]")
            last = f"x{i}"
        if vmaf:
            chain.append(
                f"[{last}][r{i}m{metrics - 1}]libvmaf=log_fmt=json:log_path={batch.vmaf_file(i)}"
                f":n_threads=1:shortest=1[v{i}]"
            )
            last = f"v{i}"
        chain.append(f"[{last}]metadata=mode=print:file={batch.values_file(i)}[o{i}]")
        graph += chain
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-loglevel", "error",  # the stderr tail explains a failure
        "-nostats",
        "-filter_threads", "1",  # one thread: it must not take the encoder's cores
        "-filter_complex_threads", "1",
        "-threads", "1",
        "-i", ENCODE_FILE,
        "-threads", "1",
    ]  # fmt: skip
    if seek > 0:
        argv += ["-ss", f"{seek:.6f}"]  # as a run seeks: the same first frame
    argv += [
        "-t", f"{skip + batch.duration + 1:.6f}",  # decode no further than needed (+1 s)
        "-i", "file:" + plan.media.path,
        "-filter_complex", ";".join(graph),
    ]  # fmt: skip
    for i in range(count):
        argv += ["-map", f"[o{i}]", "-f", "null", "-"]  # the values are in the files
    return argv


def parse_values(text: str) -> list[dict[str, float]]:
    """Per frame, the values ``metadata=mode=print`` wrote ("psnr.mse_avg" -> 2.4, ...)."""
    frames: list[dict[str, float]] = []
    for line in text.splitlines():
        line = line.strip()
        if _FRAME.match(line):
            frames.append({})
            continue
        match = _VALUE.match(line)
        if match and frames:
            filter_name, key, value = match.groups()
            try:
                frames[-1][f"{filter_name}.{key}"] = float(value)
            except ValueError:
                continue
    return frames


def _psnr(mse: float) -> float:
    return math.inf if mse <= 0 else 10 * math.log10(MAX_8BIT**2 / mse)


def summarize(frames: Sequence[Mapping[str, float]], vmaf: float | None = None) -> Metrics:
    """A segment's metrics from its frames' values, averaged as ffmpeg's filters average
    them for their own summary line."""
    if not frames:
        raise ValueError("no frame was measured")
    mse = [f["psnr.mse_avg"] for f in frames]
    ssim = [f["ssim.All"] for f in frames]
    xpsnr_values = [f["xpsnr.xpsnr.y"] for f in frames if "xpsnr.xpsnr.y" in f]
    xpsnr = None
    if len(xpsnr_values) == len(frames):
        # xpsnr sums each frame's root weighted error, sqrt(W*H*max^2 / 10^(x/10)), and
        # turns the mean back into dB: the frame size and peak cancel out.
        roots = [0.0 if math.isinf(x) else 10 ** (-x / 20) for x in xpsnr_values]
        mean_root = sum(roots) / len(roots)
        xpsnr = math.inf if mean_root == 0 else -20 * math.log10(mean_root)
    return Metrics(
        psnr=_psnr(sum(mse) / len(mse)),
        ssim=sum(ssim) / len(ssim),
        xpsnr=xpsnr,
        vmaf=vmaf,
        frames=len(frames),
    )


def read_vmaf(path: Path) -> float | None:
    """libvmaf's pooled mean from its JSON log, or None."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return float(data["pooled_metrics"]["vmaf"]["mean"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def results(scratch: Path, batch: Batch, vmaf: bool = False) -> dict[int, Metrics]:
    """Each fully measured segment's metrics, read from the batch's files."""
    found = {}
    for position, number in enumerate(batch.numbers):
        try:
            text = (scratch / batch.values_file(position)).read_text("utf-8")
        except OSError:
            continue
        frames = parse_values(text)
        if len(frames) != batch.frames[position]:
            logger.info(
                "segment %d: %d of %d frames measured; not kept",
                number,
                len(frames),
                batch.frames[position],
            )
            continue
        score = read_vmaf(scratch / batch.vmaf_file(position)) if vmaf else None
        try:
            found[number] = summarize(frames, score)
        except (KeyError, ValueError) as exc:
            logger.warning("segment %d: unreadable metrics (%s)", number, exc)
    return found


def filter_names(text: str) -> frozenset[str]:
    """Filter names in ``ffmpeg -filters`` output."""
    names = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and "->" in parts[2]:
            names.add(parts[1])
    return frozenset(names)
