"""ledger: complete and growing segments, and waiting for them across threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from viewra_desktop.core.ledger import Ledger, Wait

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


# -- the segment being written ---------------------------------------------------------------

RUN = Path("/cache/run-1/video")


def test_partial_is_known_by_its_number_and_stream():
    ledger = Ledger(("video", "audio"))
    assert ledger.partial("video", 3) is None
    ledger.set_partial("video", 3, RUN / "2.m4s")
    assert ledger.partial("video", 3) == RUN / "2.m4s"
    assert ledger.partial("video", 2) is None
    assert ledger.partial("video", 4) is None
    assert ledger.partial("audio", 3) is None
    assert not ledger.has("video", 3)  # being written is not complete


def test_a_complete_segment_is_never_partial_again():
    ledger = Ledger(("video",))
    ledger.add_segments("video", {3: 1.0})
    ledger.set_partial("video", 3, RUN / "2.m4s")
    assert ledger.partial("video", 3) is None
    assert ledger.follow("video", 3, RUN / "2.m4s", timeout=5) is Wait.READY


def test_add_segments_clears_the_partial_it_completes():
    ledger = Ledger(("video",))
    path = RUN / "2.m4s"
    ledger.set_partial("video", 3, path)
    assert ledger.follow("video", 3, path, timeout=0.01) is Wait.GROWING
    ledger.add_segments("video", {1: 0.5, 2: 0.5})  # other numbers leave it alone
    assert ledger.partial("video", 3) == path
    assert ledger.follow("video", 3, path, timeout=0.01) is Wait.GROWING
    ledger.add_segments("video", {3: 1.0})
    assert ledger.partial("video", 3) is None
    started = time.monotonic()
    assert ledger.follow("video", 3, path, timeout=5) is Wait.READY
    assert time.monotonic() - started < 0.5


def test_drop_partials_makes_followers_fail():
    ledger = Ledger(("video", "audio"))
    video, audio = RUN / "2.m4s", RUN.parent / "audio" / "4.m4s"
    ledger.set_partial("video", 3, video)
    ledger.set_partial("audio", 5, audio)
    ledger.drop_partials()
    assert ledger.partial("video", 3) is None and ledger.partial("audio", 5) is None
    started = time.monotonic()
    assert ledger.follow("video", 3, video, timeout=5) is Wait.FAILED
    assert ledger.follow("audio", 5, audio, timeout=5) is Wait.FAILED
    assert time.monotonic() - started < 0.5
    assert ledger.failure is None  # only the run stopped, not the pipeline


def test_the_next_partial_replaces_the_previous_one():
    ledger = Ledger(("video",))
    ledger.set_partial("video", 3, RUN / "2.m4s")
    ledger.set_partial("video", 4, RUN / "3.m4s")
    assert ledger.partial("video", 3) is None
    assert ledger.partial("video", 4) == RUN / "3.m4s"
    # 3 was left unfinished (not added): its reader must not take what it got as whole.
    assert ledger.follow("video", 3, RUN / "2.m4s", timeout=5) is Wait.FAILED
    assert ledger.follow("video", 4, RUN / "3.m4s", timeout=0.01) is Wait.GROWING


def test_a_replaced_partial_that_was_completed_is_ready():
    ledger = Ledger(("video",))
    ledger.set_partial("video", 3, RUN / "2.m4s")
    ledger.add_segments("video", {3: 1.0})
    ledger.set_partial("video", 4, RUN / "3.m4s")
    assert ledger.follow("video", 3, RUN / "2.m4s", timeout=5) is Wait.READY


def test_the_same_number_written_by_another_run_fails_the_old_reader():
    ledger = Ledger(("video",))
    old, new = RUN / "2.m4s", Path("/cache/run-2/video/0.m4s")
    ledger.set_partial("video", 3, old)
    ledger.set_partial("video", 3, new)
    assert ledger.partial("video", 3) == new
    assert ledger.follow("video", 3, old, timeout=5) is Wait.FAILED
    assert ledger.follow("video", 3, new, timeout=0.01) is Wait.GROWING


def test_failure_makes_followers_fail():
    ledger = Ledger(("video",))
    path = RUN / "2.m4s"
    ledger.set_partial("video", 3, path)
    ledger.add_segments("video", {2: 0.5})
    ledger.fail("ffmpeg exited with code 1")
    assert ledger.follow("video", 3, path, timeout=5) is Wait.FAILED
    assert ledger.wait("video", 3, timeout=5, growing=True) is Wait.FAILED
    assert ledger.follow("video", 2, RUN / "1.m4s", timeout=5) is Wait.READY  # complete


def test_follow_says_growing_after_its_timeout_when_nothing_changes():
    ledger = Ledger(("video",))
    path = RUN / "2.m4s"
    ledger.set_partial("video", 3, path)
    started = time.monotonic()
    assert ledger.follow("video", 3, path, timeout=0.2) is Wait.GROWING
    assert 0.15 <= time.monotonic() - started < 1.0
    assert ledger.partial("video", 3) == path


def follow_in_thread(ledger: Ledger, number: int, path: Path) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run() -> None:
        result["outcome"] = ledger.follow("video", number, path, timeout=10)
        result["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


@pytest.mark.parametrize(
    ("how", "outcome"),
    [("add", Wait.READY), ("drop", Wait.FAILED), ("replace", Wait.FAILED), ("fail", Wait.FAILED)],
)
def test_follower_is_woken_by_news_from_another_thread(how, outcome):
    ledger = Ledger(("video",))
    path = RUN / "2.m4s"
    ledger.set_partial("video", 3, path)
    thread, result = follow_in_thread(ledger, 3, path)
    time.sleep(0.1)
    assert thread.is_alive()
    news = time.monotonic()
    if how == "add":
        ledger.add_segments("video", {3: 1.0})
    elif how == "drop":
        ledger.drop_partials()
    elif how == "replace":
        ledger.set_partial("video", 4, RUN / "3.m4s")
    else:
        ledger.fail("stopped")
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert result["outcome"] is outcome
    assert result["at"] - news < 0.5


def test_wait_growing_returns_at_once_for_a_partial():
    ledger = Ledger(("video",))
    ledger.set_partial("video", 3, RUN / "2.m4s")
    assert ledger.wait("video", 3, timeout=5, growing=True) is Wait.GROWING
    assert ledger.wait("video", 3, timeout=0.05) is Wait.TIMEOUT  # without growing: not ready
    assert ledger.wait("video", 4, timeout=0.05, growing=True) is Wait.TIMEOUT
    ledger.add_segments("video", {3: 1.0})
    assert ledger.wait("video", 3, timeout=5, growing=True) is Wait.READY


def test_wait_growing_is_woken_by_set_partial_from_another_thread():
    ledger = Ledger(("video",))
    result: dict = {}

    def run(key: str, growing: bool) -> None:
        result[key] = ledger.wait("video", 3, timeout=10, poll=10, growing=growing)
        result[key + "-at"] = time.monotonic()

    growing = threading.Thread(target=run, args=("growing", True), daemon=True)
    whole = threading.Thread(target=run, args=("whole", False), daemon=True)
    growing.start()
    whole.start()
    time.sleep(0.2)
    assert growing.is_alive() and whole.is_alive()
    ledger.set_partial("video", 2, RUN / "1.m4s")  # another number: both keep waiting
    time.sleep(0.1)
    assert growing.is_alive() and whole.is_alive()
    started = time.monotonic()
    ledger.set_partial("video", 3, RUN / "2.m4s")
    growing.join(timeout=2)
    assert not growing.is_alive()
    assert result["growing"] is Wait.GROWING
    assert result["growing-at"] - started < 0.5
    time.sleep(0.1)
    assert whole.is_alive()  # a waiter for the whole segment keeps waiting
    completed = time.monotonic()
    ledger.add_segments("video", {3: 1.0})
    whole.join(timeout=2)
    assert result["whole"] is Wait.READY
    assert result["whole-at"] - completed < 0.5


def test_readers_are_counted_until_they_end():
    ledger = Ledger(("video",))
    assert ledger.readers == 0
    ledger.reader_started()
    ledger.reader_started()
    assert ledger.readers == 2
    ledger.reader_ended()
    assert ledger.readers == 1
    ledger.reader_ended()
    assert ledger.readers == 0


def test_requests_are_counted_while_they_wait():
    ledger = Ledger(("video",))
    assert ledger.waiting == 0
    waiter = threading.Thread(target=ledger.wait, args=("video", 2, 5.0), kwargs={"growing": True})
    waiter.start()
    deadline = time.monotonic() + 2
    while ledger.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert ledger.waiting == 1  # the session's monitor looks more often meanwhile
    ledger.set_partial("video", 2, RUN / "1.m4s")
    waiter.join(timeout=2)
    assert not waiter.is_alive()
    assert ledger.waiting == 0
    assert ledger.wait("video", 2, 0.01, growing=True) is Wait.GROWING
    assert ledger.waiting == 0  # also after an answer that needed no wait


def test_a_whole_file_is_waited_for_until_it_is_made_or_given_up():
    ledger = Ledger([])
    ledger.expect_files(["subtitles/0.vtt", "subtitles/1.vtt"])
    assert ledger.wait_file("subtitles/0.vtt", timeout=0.05) is Wait.TIMEOUT
    threading.Timer(0.05, ledger.file_done, ("subtitles/0.vtt", True)).start()
    assert ledger.wait_file("subtitles/0.vtt", timeout=5) is Wait.READY
    ledger.file_done("subtitles/1.vtt", False)  # its maker leaves a stand-in on disk
    assert ledger.wait_file("subtitles/1.vtt", timeout=5) is Wait.READY
    assert ledger.file_ready("subtitles/0.vtt") and not ledger.file_ready("subtitles/1.vtt")
    assert ledger.wait_file("manifest.mpd", timeout=0) is Wait.READY  # not being made
