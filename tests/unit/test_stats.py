"""stats: per-segment sizes, rates and metrics; the figures; the CSV; reading an entry."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from unit.factories import make_media
from viewra_desktop.core import layout, stats
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.stats import Metrics, Report, SegmentRow, SpeedSample
from viewra_desktop.core.streams import audio, video

V, A = video(0), audio(0)


def plan_for(duration: float = 10.0):
    return make_plan(make_media(duration=duration), get_profile("720p"))


def write_segments(folder, stream, sizes: dict[int, int]) -> None:
    (folder / layout.folder(stream)).mkdir(parents=True, exist_ok=True)
    for number, size in sizes.items():
        (folder / layout.segment(stream, number)).write_bytes(b"x" * size)


def test_rows_take_real_sizes_and_the_timeline_starts(tmp_path):
    plan = plan_for()
    write_segments(tmp_path, V, {1: 50_000, 3: 125_000})
    report = stats.collect(plan, tmp_path, {V: {1: 0.5, 3: 1.0, 4: 1.0}})  # 4 not on disk
    rows = report.rows_of(V)
    assert [(r.number, r.start, r.bytes) for r in rows] == [(1, 0.0, 50_000), (3, 1.0, 125_000)]
    assert rows[0].kbps == pytest.approx(50_000 * 8 / 0.5 / 1000)
    assert rows[1].kbps == pytest.approx(1000.0)


def test_figures_average_peak_size_and_projection():
    rows = (
        SegmentRow(V, 1, 0.0, 0.5, 50_000),  # 800 kbit/s
        SegmentRow(V, 2, 0.5, 0.5, 25_000),  # 400
        SegmentRow(V, 3, 1.0, 1.0, 100_000),  # 800
        SegmentRow(A, 1, 0.0, 0.5, 8_000),
    )
    report = Report(duration=20.0, rows=rows)
    summary = report.summary(V)
    assert summary.segments == 3 and summary.seconds == 2.0 and summary.bytes == 175_000
    assert summary.average_kbps == pytest.approx(700.0)
    assert summary.peak_kbps == pytest.approx(800.0)
    assert summary.projected_bytes == 175_000 * 10  # 2 s of 20
    assert report.bytes == 183_000
    assert report.projected_bytes == 175_000 * 10 + 8_000 * 40
    assert report.streams == (V, A)


def test_worst_segments_are_the_lowest_measured():
    def row(number, psnr):
        return SegmentRow(V, number, float(number), 1.0, 1000, Metrics(psnr, 0.99, 40.0))

    report = Report(10.0, (row(1, 40.0), row(2, 35.5), row(3, 38.0), SegmentRow(V, 4, 4, 1, 9)))
    assert [r.number for r in report.worst("psnr", 2)] == [2, 3]
    assert report.worst("vmaf") == ()  # not measured


def test_csv_has_the_columns_and_one_row_per_segment():
    rows = (
        SegmentRow(V, 2, 0.5, 0.5, 40_000, Metrics(41.23456, 0.99123, 38.5, None, 15)),
        SegmentRow(V, 1, 0.0, 0.5, 50_000, Metrics(math.inf, 1.0, None)),
        SegmentRow(A, 1, 0.0, 0.5, 3_000),
    )
    table = list(csv.reader(io.StringIO(Report(10.0, rows).to_csv())))
    assert table[0] == [
        "stream", "segment", "start", "duration", "bytes", "kbps", "psnr", "ssim", "xpsnr", "vmaf"
    ]  # fmt: skip
    assert table[1] == ["video", "1", "0.000", "0.500", "50000", "800.0", "inf", "1.0000", "", ""]
    assert table[2] == [
        "video", "2", "0.500", "0.500", "40000", "640.0", "41.2346", "0.9912", "38.5000", ""
    ]  # fmt: skip
    assert table[3] == ["audio", "1", "0.000", "0.500", "3000", "48.0", "", "", "", ""]


def test_metrics_file_round_trip_skips_a_cut_line(tmp_path):
    stats.append_metrics(tmp_path, {(V, 3): Metrics(40.0, 0.98, 37.0, 91.5, 30)})
    stats.append_metrics(tmp_path, {(V, 4): Metrics(41.0, 0.985)})
    with (tmp_path / layout.METRICS).open("a") as handle:
        handle.write('{"stream": "video", "segment": 5, "psn')  # a writer was cut off
    found = stats.read_metrics(tmp_path)
    assert found == {
        (V, 3): Metrics(40.0, 0.98, 37.0, 91.5, 30),
        (V, 4): Metrics(41.0, 0.985, None, None, 0),
    }


def test_durations_of_a_finished_entry_come_from_its_record(tmp_path):
    plan = plan_for()
    record = {"segments": {"video": [0.5, 0.5, 1.0], "audio": [0.5, 0.49]}}
    (tmp_path / layout.COMPLETE).write_text(json.dumps(record))
    durations = stats.read_durations(tmp_path, plan)
    assert durations == {V: {1: 0.5, 2: 0.5, 3: 1.0}, A: {1: 0.5, 2: 0.49}}


def test_speed_samples_are_kept_in_the_report(tmp_path):
    plan = plan_for()
    samples = [SpeedSample(1.0, 2.5), SpeedSample(2.0, 3.0)]
    assert stats.collect(plan, tmp_path, {V: {}}, speeds=samples).speeds == tuple(samples)
