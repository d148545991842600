"""metrics: which segments to measure, the ffmpeg command, and averaging as ffmpeg does.

That the numbers match ffmpeg's own summary on the same frames is checked for real in
tests/e2e/test_inspect.py; here the parsing and the arithmetic, on recorded values."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from unit.factories import make_media
from viewra_desktop.core import metrics
from viewra_desktop.core.metrics import Batch
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import video

V = video(0)
RECORDED = Path(__file__).resolve().parent.parent / "data" / "metrics_frames.txt"


def plan_for(keyframe_gap: float = 0.0):
    media = make_media(duration=30.0)
    if keyframe_gap:
        from dataclasses import replace

        media = replace(media, keyframe_gap=keyframe_gap)
    return make_plan(media, get_profile("720p"))


def test_pick_takes_consecutive_complete_segments_not_measured():
    timeline = plan_for().timeline
    complete = {n: 1.0 for n in (1, 2, 3, 5, 6, 7, 8)}
    assert metrics.pick(timeline, complete, measured=[1]) == (2, 3)
    assert metrics.pick(timeline, complete, measured=[1, 2, 3]) == (5, 6, 7, 8)
    assert metrics.pick(timeline, complete, measured=[1, 2, 3], limit=2) == (5, 6)
    assert metrics.pick(timeline, complete, measured=complete) == ()
    assert metrics.pick(timeline, complete, measured=[6]) == (1, 2, 3)


def test_command_measures_each_segment_on_its_own_with_one_thread():
    plan = plan_for()
    batch = Batch(V, (5, 6, 7), (30, 30, 30), start=3.0, duration=3.0)
    argv = metrics.command("ffmpeg", plan, batch)
    assert argv.count("-threads") == 2 and all(
        argv[i + 1] == "1" for i, a in enumerate(argv) if a.endswith("threads")
    )
    assert argv[argv.index("-ss") + 1] == "3.000000"  # the source from the batch's start
    graph = argv[argv.index("-filter_complex") + 1]
    assert "scale=1280:720:flags=bicubic" in graph  # the encoder's own filters
    for trim in ("start_frame=0:end_frame=30", "start_frame=30:end_frame=60",
                 "start_frame=60:end_frame=90"):  # fmt: skip
        assert graph.count(trim) == 2  # the encode's frames and the source's
    assert graph.count("]psnr=") == graph.count("]ssim=") == graph.count("]xpsnr=") == 3
    assert "libvmaf" not in graph
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-map"] == ["[o0]", "[o1]", "[o2]"]
    assert "metadata=mode=print:file=segment-6.txt" in graph


def test_command_with_vmaf_and_without_xpsnr():
    batch = Batch(V, (1,), (15,), start=0.0, duration=0.5)
    graph = metrics.command("ffmpeg", plan_for(), batch, vmaf=True, xpsnr=False)
    text = graph[graph.index("-filter_complex") + 1]
    assert "xpsnr" not in text
    assert "libvmaf=log_fmt=json:log_path=segment-1.vmaf.json:n_threads=1" in text
    assert "-ss" not in graph  # from the start: no seek


def test_command_seeks_earlier_for_sources_that_seek_to_any_packet():
    batch = Batch(V, (21,), (30,), start=20.0, duration=1.0)
    argv = metrics.command("ffmpeg", plan_for(keyframe_gap=10.0), batch)
    assert argv[argv.index("-ss") + 1] == "9.000000"  # as the run that made it seeks
    assert "trim=start=11" in argv[argv.index("-filter_complex") + 1]


def test_parse_values_reads_metadata_print_output():
    frames = metrics.parse_values(RECORDED.read_text())
    assert len(frames) == 3
    assert frames[0]["psnr.mse_avg"] == 1.841007
    assert frames[0]["ssim.All"] == 0.995783
    assert frames[0]["xpsnr.xpsnr.y"] == 50.052071


def test_summarize_averages_as_the_filters_do():
    frames = [
        {"psnr.mse_avg": 2.0, "ssim.All": 0.99, "xpsnr.xpsnr.y": 40.0},
        {"psnr.mse_avg": 4.0, "ssim.All": 0.97, "xpsnr.xpsnr.y": 46.0},
    ]
    result = metrics.summarize(frames, vmaf=93.25)
    # PSNR of the mean MSE (not the mean of the PSNRs).
    assert result.psnr == pytest.approx(10 * math.log10(255**2 / 3.0))
    assert result.ssim == pytest.approx(0.98)
    # XPSNR of the mean root error: -20 log10(mean(10^(-x/20))).
    expected = -20 * math.log10((10 ** (-40 / 20) + 10 ** (-46 / 20)) / 2)
    assert result.xpsnr == pytest.approx(expected)
    assert result.vmaf == 93.25 and result.frames == 2
    assert metrics.summarize([{"psnr.mse_avg": 0.0, "ssim.All": 1.0}]).psnr == math.inf
    with pytest.raises(ValueError):
        metrics.summarize([])


def test_results_keep_only_fully_measured_segments(tmp_path):
    batch = Batch(V, (4, 5), (3, 4), start=2.0, duration=2.0)
    (tmp_path / batch.values_file(0)).write_text(RECORDED.read_text())  # 3 frames: whole
    (tmp_path / batch.values_file(1)).write_text(RECORDED.read_text())  # 3 of 4: cut short
    found = metrics.results(tmp_path, batch)
    assert list(found) == [4]
    assert found[4].frames == 3


def test_read_vmaf_takes_the_pooled_mean(tmp_path):
    log = tmp_path / "v.json"
    log.write_text('{"frames": [], "pooled_metrics": {"vmaf": {"min": 80, "mean": 95.5}}}')
    assert metrics.read_vmaf(log) == 95.5
    log.write_text("{}")
    assert metrics.read_vmaf(log) is None


def test_filter_names_from_ffmpeg_filters():
    text = (
        "Filters:\n  T.. = Timeline support\n ------\n"
        " TS psnr              VV->V      Calculate the PSNR between two video streams.\n"
        " .. libvmaf           VV->V      Calculate the VMAF between two video streams.\n"
    )
    assert metrics.filter_names(text) == frozenset({"psnr", "libvmaf"})
