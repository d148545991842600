"""Segments streamed while the packager writes them: real Session, server, ffmpeg, packager."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from media import make_clip
from procs import wait_until

from e2e.support import A, V, made, start_session
from viewra_desktop.core import layout
from viewra_desktop.core.fmp4 import compact, read_init, read_span
from viewra_desktop.core.session import State

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(media_dir, tmp_path):
    clip = make_clip(media_dir, "clip60.mp4", 60)
    session, server, url = start_session(clip, tmp_path / "cache")
    yield session, url
    session.stop()
    server.close()


def _send(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", parts.path)
    return connection


def _open(url: str) -> http.client.HTTPResponse:
    return _send(url).getresponse()


def packaged(session, number: int, body: bytes) -> bool:
    """Is ``body`` the packaged video segment ``number``: the bytes the package holds, or the
    packager's fragment-per-frame form of them (what a player gets while it is written)?"""
    kept = (session.folder / "video" / f"{number}.m4s").read_bytes()
    track = read_init(session.folder / "video" / "init.mp4")
    return body == kept or (compact(body, track) == kept and len(kept) < len(body))


def test_a_segment_arrives_while_it_is_written_and_ends_whole(served):
    session, url = served
    number = 40  # far ahead: a run starts there, so the segment is not made yet
    response = _open(url + f"video/{number}.m4s")
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    first = response.read1(64 * 1024)
    # The first bytes came while the packager was still writing the segment.
    assert first[4:8] == b"styp"
    assert not session.ledger.has(V, number)
    body = first + response.read()  # the rest, up to the last chunk
    assert session.ledger.has(V, number)
    assert packaged(session, number, body)


def test_a_seek_waits_for_an_answer_still_streaming_so_nothing_is_cut_off(served):
    session, url = served
    response = _open(url + "video/40.m4s")
    first = response.read1(64 * 1024)  # streaming from the run started at 40
    other = _send(url + "video/20.m4s")  # a request elsewhere while 40 is still read
    body = first + response.read()  # whole: the run at 40 was not stopped under it
    assert packaged(session, 40, body)
    answer = other.getresponse()
    assert answer.status == 200 and answer.read()
    assert [s.spec.first for s in session.runs][-2:] == [40, 20]


def test_a_player_that_closes_its_answer_lets_the_seek_go_at_once(served):
    session, url = served
    response = _open(url + "video/40.m4s")
    assert response.read1(64 * 1024)
    response.close()  # what a player does when it seeks away
    other = _open(url + "video/20.m4s")
    assert other.status == 200 and other.read()
    # The run at 40 was stopped before it finished segment 40; it is made again later.
    assert [s.spec.first for s in session.runs][-2:] == [40, 20]
    assert 40 not in made(session.runs[-2])
    again = _open(url + "video/40.m4s").read()
    assert wait_until(lambda: session.ledger.has(V, 40), 30)
    assert packaged(session, 40, again)


def test_the_finished_package_holds_whole_segments_of_the_planned_lengths(served):
    """Runs end on the grid: no run's sliver of audio past its end takes a segment's place,
    and each packaged segment is one fragment whose length the ledger recorded."""
    session, _url = served
    assert wait_until(lambda: session.state is State.FINISHED, 120), session.failure
    plan = session.plan
    assert len(session.runs) >= 2  # the fast start, then the rest: one boundary at least
    for stream in (V, A):
        planned = plan.durations(stream)
        segments = session.ledger.segments(stream)
        assert sorted(segments) == list(range(1, len(planned) + 1))
        track = read_init(session.folder / layout.init(stream))
        for number, duration in segments.items():
            path = session.folder / layout.segment(stream, number)
            assert path.read_bytes().count(b"moof") == 1, (stream, number)
            assert read_span(path, track).duration == pytest.approx(duration, abs=1e-6)
            slack = 0.065 if number == len(planned) else 0.022  # AAC frames: 21.3 ms
            assert abs(duration - planned[number - 1]) <= slack, (stream, number, duration)
