"""The compare view's sync with the real libmpv: the source file's player stays within one
frame of the encode's player (playing a real session through the real server) while it
plays, after a seek, at another speed and when paused. Both positions are read straight
from mpv at the same moment (``compare_math.same_moment``)."""

from __future__ import annotations

import locale
import time

import pytest
from e2e.support import start_session
from media import make_clip

from viewra_desktop.app.compare_math import same_moment
from viewra_desktop.app.compare_sync import CompareSync
from viewra_desktop.app.player import create_player

pytestmark = pytest.mark.e2e

FRAME = 1 / 30
TOLERANCE = FRAME + 1e-3  # "within one frame"


@pytest.fixture
def players(qapp, media_dir, tmp_path):
    locale.setlocale(locale.LC_NUMERIC, "C")  # libmpv needs it, after the QApplication
    clip = make_clip(media_dir, "sync-20s-720p.mp4", 20, size="1280x720")
    session, server, url = start_session(clip, tmp_path / "cache", "360p")
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


def differences(qtbot, leader, follower, seconds: float) -> list[float]:
    """leader - follower, read at the same moment, every 20 ms for ``seconds``."""
    found = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        qtbot.wait(20)  # the sync's timer runs meanwhile
        pair = same_moment(
            leader.exact_position(), follower.exact_position(), leader.exact_position()
        )
        if pair is not None:
            found.append(pair[0] - pair[1])
    return found


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
    playing = differences(qtbot, leader, follower, 2.0)
    assert len(playing) > 20
    assert max(abs(d) for d in playing) <= TOLERANCE, playing

    leader.seek(12.0)  # far ahead: the encoder restarts there, the follower seeks
    settle(qtbot, leader, follower, beyond=12.5)
    after_seek = differences(qtbot, leader, follower, 1.5)
    assert after_seek and max(abs(d) for d in after_seek) <= TOLERANCE, after_seek

    leader.set_speed(1.5)
    qtbot.waitUntil(lambda: leader.state.speed == 1.5, timeout=5000)
    settle(qtbot, leader, follower, beyond=(leader.exact_position() or 0) + 0.5)
    faster = differences(qtbot, leader, follower, 1.5)
    assert faster and max(abs(d) for d in faster) <= TOLERANCE, faster
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
