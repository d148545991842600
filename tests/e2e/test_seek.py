"""Seeking while encoding, in process: the real Session, server, ffmpeg, packager and libmpv."""

from __future__ import annotations

import threading
import time

import mpv
import pytest
from media import make_clip
from procs import wait_until

from e2e.support import A, V, made, start_session
from viewra_desktop.core.session import State

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(media_dir, tmp_path):
    clip = make_clip(media_dir, "clip60.mp4", 60)
    session, server, url = start_session(clip, tmp_path / "cache")
    yield session, url + "manifest.mpd"
    session.stop()
    server.close()


class Clock:
    """time-pos values libmpv reports, with a way to wait for one."""

    def __init__(self, player: mpv.MPV) -> None:
        self.times: list[float] = []
        self._cond = threading.Condition()
        player.observe_property("time-pos", self._on_time)

    def _on_time(self, _name, value) -> None:
        if value is not None:
            with self._cond:
                self.times.append(value)
                self._cond.notify_all()

    def wait_for(self, predicate, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for value in self.times:
                    if predicate(value):
                        return value
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def mark(self) -> int:
        with self._cond:
            return len(self.times)


@pytest.fixture
def served_long(media_dir, tmp_path):
    """A 4-minute clip: far enough for a seek to stay ahead of even a fast encoder."""
    clip = make_clip(media_dir, "clip240-small.mp4", 240, size="320x180")
    session, server, url = start_session(clip, tmp_path / "cache")
    yield session, url + "manifest.mpd"
    session.stop()
    server.close()


def test_seek_far_ahead_restarts_there_and_fills_the_gap(served_long):
    session, url = served_long
    player = mpv.MPV(vo="null", ao="null")
    clock = Clock(player)
    try:
        player.play(url)
        assert clock.wait_for(lambda t: t > 0.3, 20) is not None
        # Far ahead of the encoder, which is still near the start.
        assert session.encoded_ranges()[-1][1] < 100
        player.seek(200.0, "absolute")
        mark = clock.mark()
        landed = clock.wait_for(lambda t: t >= 199.9, 20)
        assert landed is not None and landed < 201.5
        after = clock.times[mark:]
        assert [t for t in after if 5 < t < 199.9] == [], "the clock ran through skipped time"
        assert clock.wait_for(lambda t: t >= 201.0, 20) is not None
        moving = clock.times[clock.mark() - 1 :]
        assert all(b >= a for a, b in zip(moving, moving[1:], strict=False))
        # The encoder went there: a run started at the segment holding 200 s.
        assert any(state.spec.first > 150 for state in session.runs)

        # Seeking back to a part already encoded is served from the cache: no run for it.
        before = list(session.runs)
        player.seek(0.6, "absolute")
        assert clock.wait_for(lambda t: 0.5 <= t < 2.0, 15) is not None
        started_since = session.runs[len(before) :]
        assert all(state.spec.first > 2 for state in started_since)
    finally:
        player.terminate()

    # The gap left behind is filled: the entry ends complete, every segment once.
    assert wait_until(lambda: session.state in (State.FINISHED, State.FAILED), 120)
    assert session.state is State.FINISHED, session.failure
    plan, ledger = session.plan, session.ledger
    assert sorted(ledger.segments(V)) == list(range(1, plan.count(V) + 1))
    assert sorted(ledger.segments(A)) == list(range(1, plan.count(A) + 1))
    assert (session.folder / "complete.json").is_file()
    # Nothing is encoded twice: beyond the plan, at most the one segment a run is making
    # when it meets a range another run made.
    total = sum(len(made(state)) for state in session.runs)
    assert total <= plan.count(V) + len(session.runs) - 1


def test_timeline_is_complete_and_ordered_after_a_plain_encode(served):
    session, _url = served
    assert wait_until(lambda: session.state is State.FINISHED, 120), session.failure
    plan = session.plan
    ranges = session.encoded_ranges()
    assert ranges == [(0.0, pytest.approx(plan.duration))]
    # The fast-start run covered the start, then one run did the rest.
    assert [(s.spec.first, s.spec.fast_start) for s in session.runs] == [(1, True), (4, False)]
    assert sum(len(made(state)) for state in session.runs) == plan.count(V)
