"""The Quality menu with the real player: the real controller and session (ffmpeg, Shaka
Packager, the server) and a real libmpv with no video or audio output, on a 720p clip with
the ``ladder`` profile (720p, 480p, 360p: never upscaled).

The menu lists the rungs; the video starts on the rung nearest the video area; choosing a
rung switches mpv's video track live (its picture width changes, the position goes on), and
switching back to a rung already encoded starts no run for it.
"""

from __future__ import annotations

import pytest
from media import make_clip

from viewra_desktop.core.streams import video

pytestmark = pytest.mark.e2e

SECONDS = 10
WAIT_MS = 90000  # generous: the machine may be busy with other encodes


def labels(menu) -> list[str]:
    return [a.text() for a in menu.actions()]


def choose(menu, text) -> None:
    next(a for a in menu.actions() if a.text() == text).trigger()


@pytest.fixture
def ladder_window(real_window, media_dir):
    clip = make_clip(media_dir, "clip10-720p.mp4", SECONDS, size="1280x720")
    # A video area of about 1000×560: 854×480 fits, 1280×720 not.
    return real_window(clip, "ladder", size=(1000, 700))


def test_the_quality_menu_switches_rungs_live_without_restarting_the_one_played(
    qtbot, ladder_window
):
    w = ladder_window
    mpv = w.player.mpv

    def width():
        return (mpv.video_params or {}).get("w")

    def position():
        return mpv.time_pos or 0.0

    menu = w.quality.menu
    qtbot.waitUntil(lambda: labels(menu) == ["720p", "480p", "360p"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: width() == 854 and position() > 0.3, timeout=WAIT_MS)  # 480p first
    assert [a.text() for a in menu.actions() if a.isChecked()] == ["480p"]
    assert "480p of 720p–360p · 854×480" in w.status.status_label.text()

    # Wait (paused) until the rung played is encoded to the end: the encoder is not hurried.
    session = w.controller._session
    played = video(1)
    w.player.set_paused(True)
    qtbot.waitUntil(
        lambda: len(session.ledger.segments(played)) == session.plan.count(played),
        timeout=WAIT_MS,
    )
    w.player.set_paused(False)

    before = position()
    choose(menu, "360p")  # live: no new load, the encode goes on
    qtbot.waitUntil(lambda: width() == 640, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: position() > before + 0.5, timeout=WAIT_MS)
    assert position() < SECONDS - 1  # the position was kept, not restarted from 0 or ended
    qtbot.waitUntil(lambda: "360p of 720p–360p · 640×360" in w.status.status_label.text(),
                    timeout=5000)  # fmt: skip

    runs = len(session.runs)
    before = position()
    choose(menu, "480p")
    qtbot.waitUntil(lambda: width() == 854, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: position() > before + 0.5, timeout=WAIT_MS)
    again = [r for r in session.runs[runs:] if not r.spec.streams or played in r.spec.streams]
    assert again == []  # 480p was whole: switching back to it restarted nothing
    assert len(w.controller._session.runs) == len(session.runs)  # and the same session
