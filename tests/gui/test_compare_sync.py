"""The compare view's sync with the real libmpv: the source file's player stays within one
frame of the encode's player (playing a real session's package through the real server)
while it plays, after a seek, at another speed and when paused. Both positions are read straight
from mpv at the same moment (``compare_math.same_moment``). A position is the frame on show,
so one frame apart is what two players on the same frame clock read half the time."""

from __future__ import annotations

import locale
import time

import pytest
from e2e.support import start_session
from media import make_clip
from procs import wait_until

from viewra_desktop.app.compare_math import same_moment
from viewra_desktop.app.compare_sync import CompareSync
from viewra_desktop.app.player import create_player
from viewra_desktop.core.session import State

pytestmark = pytest.mark.e2e

FRAME = 1 / 30
TOLERANCE = FRAME + 1e-3  # "within one frame"


@pytest.fixture
def players(qapp, media_dir, tmp_path):
    locale.setlocale(locale.LC_NUMERIC, "C")  # libmpv needs it, after the QApplication
    # 360p both sides: the follower decodes the source in real time even on a busy machine.
    clip = make_clip(media_dir, "sync-20s.mp4", 20)
    session, server, url = start_session(clip, tmp_path / "cache", "360p")
    # Measured once the encoder has finished: on a busy 2-core machine its full-speed encode
    # starves the two players, whose stalls would be measured instead of the sync's steps.
    assert wait_until(lambda: session.state is State.FINISHED, 120), session.state
    leader = create_player(vo="null", ao="null")
    follower = create_player(vo="null", aid="no", cache="no")
    sync = CompareSync(leader, follower)
    leader.load(url + "manifest.mpd")
    follower.load_file(str(clip), start=0.0)
    sync.start(FRAME)
    yield leader, follower, sync
    sync.stop()
    leader.terminate()
    follower.terminate()
    session.stop()
    server.close()


STALL_GRACE_S = 0.25  # after the leader stalls, the follower's time to pause and resume


def differences(
    qtbot, leader, follower, seconds: float, skipped: list | None = None
) -> list[float]:
    """leader - follower, read at the same moment, every 20 ms for ``seconds``, while the
    leader plays. A reading while the leader stalls (waits for data, or shows one frame for
    longer than two frames' time: the encode is being made on a busy machine) and for
    ``STALL_GRACE_S`` after it is not one of playing in step: it goes to ``skipped``."""
    found: list[float] = []
    last: tuple[float, float] | None = None  # the leader's position, and since when
    grace_until = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        qtbot.wait(20)  # the sync's timer runs meanwhile
        pair = same_moment(
            leader.exact_position(), follower.exact_position(), leader.exact_position()
        )
        if pair is None:
            continue
        now = time.monotonic()
        if last is None or pair[0] != last[0]:
            last = (pair[0], now)
        frame_time = FRAME / max(leader.state.speed, 0.1)
        stalled = leader.state.buffering or now - last[1] > 2 * frame_time
        if stalled:
            grace_until = now + STALL_GRACE_S
        if (stalled or now < grace_until) and not leader.state.paused:
            if skipped is not None:
                skipped.append(pair[0] - pair[1])
            continue
        found.append(pair[0] - pair[1])
    return found


def in_step(readings: list[float], skipped: list[float]) -> None:
    """Within one frame, and measured most of the time (the leader did not stall all along)."""
    assert len(readings) > 3 * len(skipped), (readings, skipped)
    assert max(abs(d) for d in readings) <= TOLERANCE, readings


def settle(qtbot, leader, follower, beyond: float, timeout: float = 30.0) -> None:
    """Wait until the leader plays past ``beyond`` and the two have met."""

    def met() -> bool:
        position = leader.exact_position()
        if position is None or position < beyond or leader.state.buffering:
            return False
        return all(abs(d) <= TOLERANCE for d in differences(qtbot, leader, follower, 0.4))

    qtbot.waitUntil(met, timeout=int(timeout * 1000))


def test_source_stays_within_a_frame_of_the_encode(qtbot, players):
    leader, follower, sync = players
    settle(qtbot, leader, follower, beyond=1.0)
    skipped: list[float] = []
    playing = differences(qtbot, leader, follower, 2.0, skipped)
    assert len(playing) > 20
    in_step(playing, skipped)

    leader.seek(12.0)  # far ahead: the encoder restarts there, the follower seeks
    settle(qtbot, leader, follower, beyond=12.5)
    skipped = []
    in_step(differences(qtbot, leader, follower, 1.5, skipped), skipped)

    leader.set_speed(1.5)
    qtbot.waitUntil(lambda: leader.state.speed == 1.5, timeout=5000)
    settle(qtbot, leader, follower, beyond=(leader.exact_position() or 0) + 0.5)
    skipped = []
    in_step(differences(qtbot, leader, follower, 1.5, skipped), skipped)
    assert follower.state.speed == pytest.approx(1.5, rel=0.1)

    leader.set_paused(True)  # the follower pauses, and goes to the very frame the leader shows
    qtbot.waitUntil(lambda: follower.state.paused, timeout=5000)
    qtbot.waitUntil(
        lambda: all(abs(d) < 1e-3 for d in differences(qtbot, leader, follower, 0.2)),
        timeout=10000,
    )
    paused = differences(qtbot, leader, follower, 0.5)
    assert paused and max(abs(d) for d in paused) < 1e-3, paused
    assert sync.running
