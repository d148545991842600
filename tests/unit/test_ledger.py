"""ledger: the packager's live playlists, and waiting for segments across threads."""

from __future__ import annotations

import json
import threading
import time

import pytest

from viewra_desktop.core.ledger import Ledger, Wait, parse_live_playlist
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile

from .factories import DATA, recorded_media

PACKAGER = DATA / "packager"


def test_parse_recorded_video_playlist():
    segments = parse_live_playlist((PACKAGER / "video.m3u8").read_text("utf-8"))
    # Shaka Packager v3.8.0 on a 5 s clip: 0.5, 0.5, then 1 s segments.
    assert segments == {1: 0.5, 2: 0.5, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0}


def test_parse_recorded_audio_playlist():
    segments = parse_live_playlist((PACKAGER / "audio.m3u8").read_text("utf-8"))
    assert sorted(segments) == list(range(1, 12))
    assert segments[1] == 0.515 and segments[2] == 0.491 and segments[11] == 0.051


def test_packager_cuts_where_the_plan_says():
    """The recorded packager run (made with the plan's own commands) cut the video exactly on
    the planned grid, and made at least the planned audio segments."""
    meta = json.loads((PACKAGER / "plan.json").read_text("utf-8"))
    plan = make_plan(recorded_media("pipeline"), get_profile(meta["profile"]))
    if list(plan.grid) != meta["grid"]:
        pytest.skip("the grid changed since the recording: run tests/data/record_data.py")
    video = parse_live_playlist((PACKAGER / "video.m3u8").read_text("utf-8"))
    audio = parse_live_playlist((PACKAGER / "audio.m3u8").read_text("utf-8"))
    assert [video[n] for n in sorted(video)] == pytest.approx(plan.video_durations(), abs=1e-3)
    assert len(audio) >= plan.audio_segments
    # Audio is cut on AAC frames (21.3 ms): each segment is within a frame of the plan.
    for number, planned in enumerate(plan.audio_durations(), start=1):
        assert abs(audio[number] - planned) <= 0.022, number


PACKAGER_STYLE = """#EXTM3U
#EXT-X-VERSION:6
## Generated with https://github.com/shaka-project/shaka-packager version v3.8.0
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-MAP:URI="../../video-init.mp4"
#EXTINF:0.500,
../../video/1.m4s
#EXTINF:1.001,
../../video/2.m4s\r
#EXT-X-DISCONTINUITY

#EXTINF:2.000,title
../../video/7.m4s
not-a-segment.ts
#EXTINF:bad,
../../video/8.m4s
../../video/9.m4s
#EXTINF:0.250,
video/10.m4s
"""


def test_parse_packager_style_variants():
    assert parse_live_playlist(PACKAGER_STYLE) == {1: 0.5, 2: 1.001, 7: 2.0, 10: 0.25}


def test_parse_empty_and_header_only():
    assert parse_live_playlist("") == {}
    assert parse_live_playlist("#EXTM3U\n#EXT-X-TARGETDURATION:1\n") == {}


# -- Ledger.wait -----------------------------------------------------------------------------


def test_add_segments_reports_what_is_new():
    ledger = Ledger(("video", "audio"))
    assert ledger.add_segments("video", {1: 0.5, 2: 0.5})
    assert not ledger.add_segments("video", {1: 0.5})
    assert ledger.add_segments("video", {2: 0.5, 3: 1.0})
    assert ledger.segments("video") == {1: 0.5, 2: 0.5, 3: 1.0}
    assert ledger.count("video") == 3 and ledger.count("audio") == 0
    assert ledger.has("video", 3) and not ledger.has("audio", 3)
    copy = ledger.segments("video")
    copy[99] = 1.0
    assert not ledger.has("video", 99)


def test_ready():
    ledger = Ledger(("video",))
    ledger.add_segments("video", {4: 1.0})
    assert ledger.wait("video", 4, timeout=5) is Wait.READY


def test_init_segment():
    ledger = Ledger(("video", "audio"))
    assert ledger.wait("audio", None, timeout=0.05) is Wait.TIMEOUT
    ledger.set_init_ready("audio")
    assert ledger.init_ready("audio") and not ledger.init_ready("video")
    assert ledger.wait("audio", None, timeout=5) is Wait.READY


def test_failed():
    ledger = Ledger(("video",))
    ledger.add_segments("video", {1: 0.5})
    ledger.fail("ffmpeg exited with code 1")
    ledger.fail("a later message")
    assert ledger.failure == "ffmpeg exited with code 1"
    assert ledger.wait("video", 2, timeout=5) is Wait.FAILED
    # Segments finished before the failure are still served.
    assert ledger.wait("video", 1, timeout=5) is Wait.READY


def test_missing_after_finish():
    ledger = Ledger(("video",))
    ledger.add_segments("video", {1: 0.5})
    ledger.finish()
    assert ledger.finished
    start = time.monotonic()
    assert ledger.wait("video", 2, timeout=5) is Wait.MISSING
    assert time.monotonic() - start < 0.5
    assert ledger.wait("video", 1, timeout=5) is Wait.READY


def test_missing_past_a_known_end():
    ledger = Ledger(("video",))
    ledger.set_end("video", 5)
    assert ledger.end("video") == 5
    assert ledger.wait("video", 6, timeout=5) is Wait.MISSING
    assert ledger.wait("video", 5, timeout=0.05) is Wait.TIMEOUT


def test_timeout():
    ledger = Ledger(("video",))
    start = time.monotonic()
    assert ledger.wait("video", 1, timeout=0.2, poll=0.05) is Wait.TIMEOUT
    assert 0.2 <= time.monotonic() - start < 1.0


def test_cancelled():
    ledger = Ledger(("video",))
    assert ledger.wait("video", 1, timeout=5, cancelled=lambda: True) is Wait.CANCELLED
    gone = threading.Event()
    threading.Timer(0.2, gone.set).start()
    start = time.monotonic()
    assert ledger.wait("video", 1, timeout=5, cancelled=gone.is_set, poll=0.05) is Wait.CANCELLED
    assert time.monotonic() - start < 1.0


def wait_in_thread(ledger: Ledger, number: int) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run() -> None:
        # A long poll period: only a notification can wake this waiter in time.
        result["outcome"] = ledger.wait("video", number, timeout=10, poll=10)
        result["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_waiter_is_woken_by_add_segments_from_another_thread():
    ledger = Ledger(("video",))
    thread, result = wait_in_thread(ledger, 3)
    time.sleep(0.2)
    assert thread.is_alive()  # really waiting
    ledger.add_segments("video", {1: 0.5, 2: 0.5})
    time.sleep(0.1)
    assert thread.is_alive()  # other segments do not end the wait
    added = time.monotonic()
    ledger.add_segments("video", {3: 1.0})
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert result["outcome"] is Wait.READY
    assert result["at"] - added < 0.5


@pytest.mark.parametrize("how", ["fail", "finish"])
def test_waiter_is_woken_by_fail_and_finish(how):
    ledger = Ledger(("video",))
    thread, result = wait_in_thread(ledger, 3)
    time.sleep(0.1)
    if how == "fail":
        ledger.fail("stopped")
    else:
        ledger.finish()
    thread.join(timeout=2)
    assert result["outcome"] is (Wait.FAILED if how == "fail" else Wait.MISSING)
