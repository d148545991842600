"""compare_math: the source follows the encode's frame; zoom keeps the point in place."""

from __future__ import annotations

import math

import pytest

from viewra_desktop.app.compare_math import (
    RESYNC_S,
    SyncStep,
    fitted_size,
    same_moment,
    sync_step,
    zoom_view,
)

FRAME = 1 / 30


def test_same_frame_plays_at_the_leaders_speed():
    assert sync_step(10.0, 10.0, 1.5, FRAME) == SyncStep(1.5)
    assert sync_step(10.0, 10.0 - FRAME / 3, 1.0, FRAME) == SyncStep(1.0)


def test_a_frame_behind_speeds_up_a_frame_ahead_slows_down():
    behind = sync_step(10.0, 10.0 - FRAME, 1.0, FRAME)
    ahead = sync_step(10.0, 10.0 + FRAME, 1.0, FRAME)
    assert behind.seek_to is None and behind.speed > 1.0
    assert ahead.seek_to is None and ahead.speed < 1.0
    assert sync_step(10.0, 9.8, 2.0, FRAME).speed == pytest.approx(2.0 * 1.5)  # fast from 2
    assert sync_step(10.0, 10.0, 1.0, FRAME, average=0.1).speed == pytest.approx(1.1)
    assert sync_step(10.0, 9.97, 1.0, FRAME, average=0.0).speed == 1.0  # one reading a frame off
    assert sync_step(10.0, 10.0 - FRAME, 1.0, FRAME, average=0.8).speed == pytest.approx(1.5)


def test_far_apart_seeks_to_the_leader():
    assert sync_step(30.0, 10.0, 1.0, FRAME) == SyncStep(1.0, seek_to=30.0)
    assert sync_step(10.0, 10.0 + RESYNC_S + 0.01, 1.0, FRAME).seek_to == 10.0


def test_a_paused_leader_holds_the_follower_on_its_frame_a_waiting_one_just_waits():
    paused = {"leader_running": False, "leader_paused": True}
    assert sync_step(5.0, 5.0, 1.0, FRAME, **paused) == SyncStep(1.0, paused=True)
    assert sync_step(5.0, 4.9, 1.0, FRAME, **paused) == SyncStep(1.0, seek_to=5.0, paused=True)
    waiting = sync_step(5.0, 4.9, 1.0, FRAME, leader_running=False)  # buffering: no seek
    assert waiting == SyncStep(1.0, paused=True)


def test_same_moment_needs_the_leader_unchanged_around_the_follower():
    assert same_moment(3.0, 2.98, 3.0) == (3.0, 2.98)
    assert same_moment(3.0, 2.98, 3.0333) is None
    assert same_moment(None, 2.0, None) is None


def test_fitted_size_letterboxes():
    assert fitted_size((1000, 1000), 16 / 9) == pytest.approx((1000, 562.5))
    assert fitted_size((2000, 500), 16 / 9) == pytest.approx((500 * 16 / 9, 500))


def _screen(point, view, area, fitted):
    """Where the picture's point at ``point`` (unzoomed) lands after ``view`` (mpv's rule)."""
    factor = 2**view.zoom
    u = (point[0] - area[0] / 2) / fitted[0]
    v = (point[1] - area[1] / 2) / fitted[1]
    x = area[0] / 2 + factor * fitted[0] * (u + view.pan_x)
    y = area[1] / 2 + factor * fitted[1] * (v + view.pan_y)
    return x, y


def test_one_to_one_shows_a_source_pixel_per_screen_pixel_around_the_point():
    area, aspect = (960.0, 540.0), 16 / 9
    view = zoom_view(1.0, 1920, area, aspect, point=(700.0, 120.0))
    assert 2**view.zoom == pytest.approx(2.0)  # a 1920-wide picture fitted into 960 px
    assert _screen((700.0, 120.0), view, area, fitted_size(area, aspect)) == pytest.approx(
        (700.0, 120.0)
    )
    double = zoom_view(2.0, 1920, area, aspect)
    assert 2**double.zoom == pytest.approx(4.0) and (double.pan_x, double.pan_y) == (0, 0)
    assert zoom_view(None, 1920, area, aspect).zoom == 0.0
    assert math.isfinite(zoom_view(1.0, 1920, (0.0, 0.0), aspect).zoom)


def test_two_frames_ahead_waits_two_behind_catches_up_at_once():
    assert sync_step(10.0, 10.0 + 2.5 * FRAME, 1.0, FRAME) == SyncStep(1.0, paused=True)
    catch_up = sync_step(10.0, 10.0 - 3 * FRAME, 1.0, FRAME, average=0.0)
    assert catch_up.speed == pytest.approx(1.5)  # at once, whatever the mean says
