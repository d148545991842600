"""numbering: segment numbers on the timeline, for video (the grid) and audio (the unit)."""

from __future__ import annotations

import pytest

from viewra_desktop.core.numbering import Timeline, to_local, to_timeline
from viewra_desktop.core.plan import RunSpec, make_grid
from viewra_desktop.core.streams import StreamKind

VIDEO, AUDIO = StreamKind.VIDEO, StreamKind.AUDIO
# 0.5, 0.5, then 1 s segments; 10.3 s: video 1..12, audio 1..21 (each last 0.3 s long).
TIMELINE = Timeline(make_grid(10.3), 10.3, 0.5)


def test_counts():
    assert TIMELINE.grid[:4] == (0.0, 0.5, 1.0, 2.0)
    assert TIMELINE.count(VIDEO) == 12
    assert TIMELINE.count(AUDIO) == 21
    assert TIMELINE.count(StreamKind.TEXT) == 0
    assert Timeline((0.0,), 0.08, 0.5).count(AUDIO) == 1


def test_spans_and_durations():
    assert TIMELINE.span(VIDEO, 1) == (0.0, 0.5)
    assert TIMELINE.span(VIDEO, 3) == (1.0, 2.0)
    assert TIMELINE.span(VIDEO, 11) == (9.0, 10.0)
    assert TIMELINE.span(VIDEO, 12) == (10.0, 10.3)
    assert TIMELINE.span(AUDIO, 1) == (0.0, 0.5)
    assert TIMELINE.span(AUDIO, 21) == (10.0, 10.3)
    assert sum(TIMELINE.durations(VIDEO)) == pytest.approx(10.3)
    assert sum(TIMELINE.durations(AUDIO)) == pytest.approx(10.3)


@pytest.mark.parametrize(
    ("seconds", "video", "audio"),
    [(0.0, 1, 1), (0.49, 1, 1), (0.5, 2, 2), (1.999999, 3, 4), (2.0, 4, 5), (10.2, 12, 21)],
)
def test_the_segment_holding_a_time(seconds, video, audio):
    assert TIMELINE.at(VIDEO, seconds) == video
    assert TIMELINE.at(AUDIO, seconds) == audio


def test_a_runs_numbers():
    # A run from video segment 4 (2 s) to 6 (ends at 5 s).
    assert TIMELINE.first_from(VIDEO, 2.0) == 4
    assert TIMELINE.first_from(AUDIO, 2.0) == 5
    assert TIMELINE.last_before(VIDEO, 5.0) == 6
    assert TIMELINE.last_before(AUDIO, 5.0) == 10
    spec = RunSpec(4, 6)
    assert spec.first_number(TIMELINE, AUDIO) == 5 and spec.last_number(TIMELINE, AUDIO) == 10
    assert RunSpec(4).last_number(TIMELINE, AUDIO) == 21


def test_run_numbers_and_timeline_numbers():
    # The packager numbers a run's segments from 0.
    assert to_timeline(5, 0) == 5 and to_timeline(5, 3) == 8
    assert to_local(5, 8) == 3


def test_audio_in_video_segments():
    assert TIMELINE.video_holding(AUDIO, 1) == 1
    assert TIMELINE.video_holding(AUDIO, 4) == 3  # 1.5 s is in video segment 3 (1..2 s)
    assert TIMELINE.video_holding(VIDEO, 7) == 7
    assert list(TIMELINE.within(AUDIO, 3)) == [3, 4]
    assert list(TIMELINE.within(AUDIO, 11)) == [19, 20]
    assert list(TIMELINE.within(AUDIO, 12)) == [21]
    assert list(TIMELINE.within(VIDEO, 5)) == [5]


def test_time_ahead():
    assert TIMELINE.ahead(VIDEO, 4, 6) == pytest.approx(2.0)
    assert TIMELINE.ahead(AUDIO, 3, 7) == pytest.approx(2.0)


def test_ranges_merge_and_ignore_numbers_off_the_timeline():
    assert TIMELINE.ranges(VIDEO, [1, 2, 3, 7, 8, 40]) == [(0.0, 2.0), (5.0, 7.0)]
    assert TIMELINE.ranges(VIDEO, []) == []
