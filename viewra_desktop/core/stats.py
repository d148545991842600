"""Encode statistics: each segment's real size and duration, with its quality metrics.

A ``Report`` is a frozen snapshot: one row per complete segment of every segmented stream
(its bytes on disk, its duration read from its fragments, its bit rate), the quality metrics
of the video segments measured so far (``metrics``), and the encoder's speed over time. It
gives the figures the stats panel shows (average and peak bit rate, size so far, projected
final size, the worst segments) and the CSV that ``viewra-desktop stats`` prints.

``collect`` builds one from what a running session knows (its ledger); ``read_entry`` from a
cache entry on disk alone, finished or still being encoded by another process: it takes no
lock and reads only files that are written whole (segments, the completion record, the
metrics file, whose last line may be cut short and is then skipped).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import layout
from .fmp4 import Fmp4Error, init_info, span
from .plan import Plan
from .streams import StreamId, StreamKind, ordered

logger = logging.getLogger(__name__)

METRIC_NAMES = ("psnr", "ssim", "xpsnr", "vmaf")
COLUMNS = ("stream", "segment", "start", "duration", "bytes", "kbps", *METRIC_NAMES)


@dataclass(frozen=True)
class Metrics:
    """The quality of one video segment against the source (None: not measured)."""

    psnr: float  # dB, ffmpeg psnr's "average" (of the planes, weighted by their size)
    ssim: float  # ffmpeg ssim's "All"
    xpsnr: float | None = None  # dB, ffmpeg xpsnr's luma value
    vmaf: float | None = None  # libvmaf's mean, when the ffmpeg in use has it
    frames: int = 0

    def value(self, name: str) -> float | None:
        return getattr(self, name) if name in METRIC_NAMES else None

    def to_json(self) -> dict[str, float | int | None]:
        return {name: self.value(name) for name in METRIC_NAMES} | {"frames": self.frames}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Metrics:
        def number(name: str) -> float | None:
            value = data.get(name)
            return float(value) if isinstance(value, (int, float)) else None

        psnr, ssim = number("psnr"), number("ssim")
        if psnr is None or ssim is None:
            raise ValueError("a metrics record needs psnr and ssim")
        frames = data.get("frames")
        return cls(
            psnr, ssim, number("xpsnr"), number("vmaf"), frames if isinstance(frames, int) else 0
        )


@dataclass(frozen=True)
class SegmentRow:
    stream: StreamId
    number: int
    start: float
    duration: float
    bytes: int
    metrics: Metrics | None = None

    @property
    def kbps(self) -> float:
        return self.bytes * 8 / self.duration / 1000 if self.duration > 0 else 0.0


@dataclass(frozen=True)
class SpeedSample:
    elapsed: float  # seconds since the session started
    speed: float  # the encoder's speed, × realtime


@dataclass(frozen=True)
class Summary:
    """One stream's figures."""

    stream: StreamId
    segments: int
    seconds: float  # of the timeline, complete
    bytes: int
    average_kbps: float
    peak_kbps: float
    projected_bytes: int  # at the same rate over the whole timeline


@dataclass(frozen=True)
class Report:
    duration: float  # the whole timeline, seconds
    rows: tuple[SegmentRow, ...] = ()
    speeds: tuple[SpeedSample, ...] = field(default=())

    @property
    def streams(self) -> tuple[StreamId, ...]:
        return ordered({row.stream for row in self.rows})

    def rows_of(self, stream: StreamId) -> tuple[SegmentRow, ...]:
        return tuple(row for row in self.rows if row.stream == stream)

    def summary(self, stream: StreamId) -> Summary:
        rows = self.rows_of(stream)
        seconds = sum(row.duration for row in rows)
        size = sum(row.bytes for row in rows)
        average = size * 8 / seconds / 1000 if seconds > 0 else 0.0
        projected = round(size * self.duration / seconds) if seconds > 0 else 0
        peak = max((row.kbps for row in rows), default=0.0)
        return Summary(stream, len(rows), seconds, size, average, peak, projected)

    @property
    def bytes(self) -> int:
        """Size of the segments so far, every stream."""
        return sum(row.bytes for row in self.rows)

    @property
    def projected_bytes(self) -> int:
        return sum(self.summary(stream).projected_bytes for stream in self.streams)

    def worst(self, metric: str, count: int = 5) -> tuple[SegmentRow, ...]:
        """The measured video segments with the lowest ``metric``, worst first."""
        scored = [
            (value, row)
            for row in self.rows
            if row.metrics is not None and (value := row.metrics.value(metric)) is not None
        ]
        scored.sort(key=lambda pair: (pair[0], pair[1].number))
        return tuple(row for _value, row in scored[:count])

    def to_csv(self) -> str:
        """The per-segment table: stream, segment, start, duration, bytes, kbps, metrics."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in sorted(self.rows, key=lambda r: (r.stream.sort_key, r.number)):
            values = [row.metrics.value(n) if row.metrics else None for n in METRIC_NAMES]
            writer.writerow(
                [
                    layout.name(row.stream),
                    row.number,
                    f"{row.start:.3f}",
                    f"{row.duration:.3f}",
                    row.bytes,
                    f"{row.kbps:.1f}",
                    *("" if v is None else _metric_text(v) for v in values),
                ]
            )
        return out.getvalue()


def _metric_text(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.4f}"


def collect(
    plan: Plan,
    folder: Path,
    segments: Mapping[StreamId, Mapping[int, float]],
    metrics: Mapping[tuple[StreamId, int], Metrics] | None = None,
    speeds: Iterable[SpeedSample] = (),
) -> Report:
    """A report of the complete ``segments`` (number -> duration per stream) in ``folder``."""
    known = metrics or {}
    rows = []
    for stream in ordered(segments):
        for number, duration in sorted(segments[stream].items()):
            try:
                size = os.stat(folder / layout.segment(stream, number)).st_size
            except OSError:
                continue
            start = plan.timeline.span(stream.kind, number)[0]
            rows.append(
                SegmentRow(stream, number, start, duration, size, known.get((stream, number)))
            )
    return Report(plan.duration, tuple(rows), tuple(speeds))


# -- reading a cache entry ---------------------------------------------------------------------


def read_durations(folder: Path, plan: Plan) -> dict[StreamId, dict[int, float]]:
    """Per stream, the complete segments' durations: from the completion record of a
    finished entry, else read from each segment on disk (one that is there is whole)."""
    try:
        record = json.loads((folder / layout.COMPLETE).read_text("utf-8"))
    except (OSError, ValueError):
        record = None
    result: dict[StreamId, dict[int, float]] = {}
    for stream in plan.segmented:
        lengths = record.get("segments", {}).get(layout.name(stream)) if record else None
        if isinstance(lengths, list):
            result[stream] = {n: float(d) for n, d in enumerate(lengths, start=1)}
        else:
            result[stream] = _durations_on_disk(folder, stream)
    return result


def _durations_on_disk(folder: Path, stream: StreamId) -> dict[int, float]:
    try:
        track = init_info((folder / layout.init(stream)).read_bytes())
        names = os.listdir(folder / layout.folder(stream))
    except (OSError, Fmp4Error):
        return {}
    durations = {}
    for name in names:
        stem, dot, suffix = name.partition(".")
        if not (dot and suffix == "m4s" and stem.isdigit()):
            continue  # the init segment, or a temporary file being written
        path = folder / layout.folder(stream) / name
        try:
            durations[int(stem)] = span(path.read_bytes(), track, name).duration
        except (OSError, Fmp4Error) as exc:
            logger.debug("segment %s not read: %s", path, exc)
    return durations


def read_metrics(folder: Path) -> dict[tuple[StreamId, int], Metrics]:
    """The metrics recorded in the entry (a cut-short last line is skipped)."""
    try:
        text = (folder / layout.METRICS).read_text("utf-8")
    except OSError:
        return {}
    found: dict[tuple[StreamId, int], Metrics] = {}
    for line in text.splitlines():
        try:
            data = json.loads(line)
            stream = layout.stream_named(str(data["stream"]))
            if stream is None:
                continue
            found[(stream, int(data["segment"]))] = Metrics.from_json(data)
        except (ValueError, KeyError, TypeError):
            continue
    return found


def append_metrics(folder: Path, results: Mapping[tuple[StreamId, int], Metrics]) -> None:
    """Add measured segments to the entry's metrics file: whole lines in one write each."""
    path = folder / layout.METRICS
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for (stream, number), metrics in sorted(results.items(), key=lambda i: i[0][1]):
            line = {"stream": layout.name(stream), "segment": number, **metrics.to_json()}
            handle.write(json.dumps(line) + "\n")
            handle.flush()


def read_entry(folder: Path, plan: Plan) -> Report:
    """The report of a cache entry, from its files alone (no lock taken)."""
    return collect(plan, folder, read_durations(folder, plan), read_metrics(folder))


def video_streams(report: Report) -> tuple[StreamId, ...]:
    return tuple(s for s in report.streams if s.kind is StreamKind.VIDEO)
