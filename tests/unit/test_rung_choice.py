"""Which rung of a ladder plays first: the nearest the video area, never larger when one fits."""

from __future__ import annotations

import pytest

from viewra_desktop.app.rung_choice import playing_rung, start_rung

RUNGS = [(1920, 1080), (1280, 720), (854, 480), (640, 360)]


@pytest.mark.parametrize(
    ("area", "index"),
    [
        ((1920, 1080), 0),  # a full HD screen: the 1080p rung
        ((2560, 1440), 0),  # larger than every rung: the largest
        ((1100, 620), 2),  # 1280×720 would not fit: 480p
        ((1280, 719), 2),  # one pixel short in height is not a fit
        ((1280, 720), 1),
        ((300, 200), 3),  # none fits: the smallest
    ],
)
def test_the_largest_rung_that_fits_the_area(area, index):
    assert start_rung(RUNGS, area) == index


def test_the_order_of_the_rungs_does_not_matter():
    assert start_rung(list(reversed(RUNGS)), (1100, 620)) == 1  # 854×480, listed second
    assert start_rung([(720, 1280), (360, 640)], (800, 1300)) == 0  # portrait


def test_the_rung_that_plays_is_the_selected_video_track():
    assert playing_rung([False, True, False]) == 1
    assert playing_rung([]) is None
