"""Pure decisions of the compare view (no Qt): keeping the source in step with the encode,
and zooming both around a point.

**Sync.** The encode's player leads; the source's follows. Every tick the follower is told
what to do from both positions read at the same moment: the leader's speed while they are
less than a quarter of a frame apart, a little faster or slower while they are further (never a
jump, which would cost a seek), and a seek to the leader's position when it is far off (the
leader seeked, or the follower fell behind while loading). While the leader is paused,
buffering or seeking (or just late: the follower is two frames ahead), the follower pauses
too, on the leader's frame. A position is that of
the frame on show, so one reading is off by up to a frame depending on when each player
shows its next; the mean of the last few readings (``average``) tells the true distance.

**Zoom.** mpv scales the picture by ``2**video-zoom`` around the centre of the fitted
picture and shifts it by ``video-pan-x/y`` times the scaled size. "1:1" is one source pixel
per screen pixel, "2:1" two; the point under the mouse stays where it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RESYNC_S = 0.5  # further apart than this: the follower seeks
NUDGE_GAIN = 1.0  # relative speed change per second of difference
MAX_NUDGE = 0.5  # at most 50 % faster or slower (the follower plays no sound)


@dataclass(frozen=True)
class SyncStep:
    """What the follower does now."""

    speed: float
    seek_to: float | None = None
    paused: bool = False


def sync_step(
    leader: float,
    follower: float,
    leader_speed: float,
    frame: float,
    leader_running: bool = True,
    average: float | None = None,
    leader_paused: bool = False,
) -> SyncStep:
    """The follower's next step, from the two positions (seconds) read at the same moment,
    the leader's speed and one frame's duration; ``average``: the mean of the last few
    differences, for the fine adjustment. A leader that does not run (``leader_running``
    False) may be waiting a moment for data: the follower just waits too; one the user
    paused (``leader_paused``) gets the follower onto its very frame."""
    difference = leader - follower  # > 0: the follower is behind
    if not leader_running or leader_paused:
        on_frame = abs(difference) <= frame / 2 or not leader_paused
        return SyncStep(leader_speed, None if on_frame else leader, paused=True)
    if abs(difference) > RESYNC_S:
        return SyncStep(leader_speed, seek_to=leader)
    if difference <= -2 * frame:  # two frames ahead (the leader stalled): wait for it
        return SyncStep(leader_speed, paused=True)
    if difference >= 2 * frame:  # two frames behind: catch up as fast as it may
        return SyncStep(leader_speed * (1 + MAX_NUDGE))
    smooth, within = (difference, frame / 2) if average is None else (average, frame / 4)
    if abs(smooth) <= within:  # a quarter of a frame on the mean: one reading is a frame off
        return SyncStep(leader_speed)
    nudge = max(-MAX_NUDGE, min(MAX_NUDGE, smooth * NUDGE_GAIN))
    return SyncStep(leader_speed * (1 + nudge))


def same_moment(
    before: float | None, follower: float | None, after: float | None
) -> tuple[float, float] | None:
    """(leader, follower) when the leader's position read before and after the follower's is
    the same (both were read while the same frames were shown), else None."""
    if before is None or follower is None or after is None or abs(after - before) > 1e-9:
        return None
    return before, follower


@dataclass(frozen=True)
class View:
    """A zoom and pan for both players."""

    zoom: float = 0.0  # mpv's video-zoom (log2 of the scale)
    pan_x: float = 0.0
    pan_y: float = 0.0


def fitted_size(area: tuple[float, float], aspect: float) -> tuple[float, float]:
    """The size of a picture of ``aspect`` (width / height) fitted into ``area``."""
    width, height = area
    if width <= 0 or height <= 0 or aspect <= 0:
        return 0.0, 0.0
    if width / height > aspect:
        return height * aspect, height
    return width, width / aspect


def zoom_view(
    scale: float | None,
    source_width: int,
    area: tuple[float, float],
    aspect: float,
    point: tuple[float, float] | None = None,
) -> View:
    """The view that shows ``scale`` screen pixels per source pixel (None: fit), keeping the
    picture's point under ``point`` (widget coordinates; None: the centre) in place."""
    fitted_w, fitted_h = fitted_size(area, aspect)
    if scale is None or fitted_w <= 0 or source_width <= 0:
        return View()
    factor = scale * source_width / fitted_w
    if point is None:
        return View(math.log2(factor))
    # The point's offset from the centre, in fitted picture sizes.
    u = (point[0] - area[0] / 2) / fitted_w
    v = (point[1] - area[1] / 2) / fitted_h
    return View(math.log2(factor), u / factor - u, v / factor - v)
