"""End to end: the real ffmpeg, Shaka Packager, HTTP server and libmpv on generated media."""

from __future__ import annotations

import json
import signal
import time
import urllib.request

import pytest
from media import make_clip

from e2e.support import Serve, fifos_under, play, processes_using

pytestmark = pytest.mark.e2e

CLIP_SECONDS = 60


@pytest.fixture(scope="module")
def clip60(media_dir):
    return make_clip(media_dir, "clip60.mp4", CLIP_SECONDS)


def _assert_clean_stop(serve: Serve, home) -> None:
    code = serve.stop(signal.SIGTERM, timeout=10)
    assert code == 0, serve.proc.stderr.read()
    assert processes_using(home) == []
    assert fifos_under(home) == []


@pytest.mark.parametrize("kind", ["dash", "hls"])
def test_plays_from_start_to_end_while_encoding(clip60, _isolated_home, kind):
    """The player gets the whole timeline up front and plays it to EOF, never jumping back."""
    with Serve(clip60, _isolated_home) as serve:
        urls = serve.wait_urls()
        # Three times realtime: the encode of this small clip still runs ahead of the player.
        result = play(urls[kind], speed=3.0, timeout=90)
        assert result.end_reason == "eof"
        assert result.duration == pytest.approx(CLIP_SECONDS, abs=0.5)
        assert result.times, "no playback position was ever reported"
        assert result.times[0] < 1.0
        assert result.times[-1] >= CLIP_SECONDS - 0.5
        assert result.backward_jumps == []
        _assert_clean_stop(serve, _isolated_home)


def test_seed_manual_check(clip60, _isolated_home):
    """The seed's manual test: manifest within 3 s, segments keep arriving, playback ready."""
    with Serve(clip60, _isolated_home) as serve:
        urls = serve.wait_urls(timeout=10)
        with urllib.request.urlopen(urls["dash"], timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/dash+xml"
            mpd = response.read().decode()
        manifest_after = time.monotonic() - serve.started
        assert manifest_after < 3.0, f"manifest only after {manifest_after:.2f} s"
        assert 'type="static"' in mpd

        base = urls["dash"].rsplit("/", 1)[0]
        arrivals = []
        for number in range(1, 8):
            with urllib.request.urlopen(f"{base}/video/{number}.m4s", timeout=30) as response:
                body = response.read()
                assert response.status == 200
                assert body[4:8] in (b"styp", b"sidx", b"moof")
            arrivals.append(time.monotonic())
        assert arrivals == sorted(arrivals)

        result = play(urls["dash"], timeout=30, end="3")
        assert result.started_after is not None
        assert result.end_reason == "eof"
        assert result.times[-1] >= 2.5
        _assert_clean_stop(serve, _isolated_home)


def test_finished_session_replays_from_cache(media_dir, _isolated_home):
    clip = make_clip(media_dir, "clip6.mp4", 6)
    with Serve(clip, _isolated_home) as serve:
        urls = serve.wait_urls()
        assert play(urls["hls"], speed=4.0, timeout=60).end_reason == "eof"
        sessions = list((_isolated_home / "cache" / "sessions").iterdir())
        assert len(sessions) == 1
        complete = sessions[0] / "complete.json"
        deadline = time.monotonic() + 30
        while not complete.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        record = json.loads(complete.read_text())
        _assert_clean_stop(serve, _isolated_home)
    assert not (sessions[0] / ".work").exists()
    stamp = complete.stat().st_mtime_ns

    with Serve(clip, _isolated_home) as again:
        urls = again.wait_urls()
        # No encoder runs for a finished session.
        assert processes_using(_isolated_home) == []
        result = play(urls["dash"], speed=4.0, timeout=60)
        assert result.end_reason == "eof"
        assert result.duration == pytest.approx(sum(record["segments"]["video"]), abs=0.1)
        _assert_clean_stop(again, _isolated_home)
    assert complete.stat().st_mtime_ns == stamp
    # The second run took the media from the record: one ffprobe ran in all (the first
    # run's), and each run logged where its time to the first answer went.
    log = (_isolated_home / "logs" / "viewra-desktop.log").read_text()
    assert sum("core.probe: probe: " in line for line in log.splitlines()) == 1
    timings = [line for line in log.splitlines() if "timing of serve: imports" in line]
    assert len(timings) == 2
    assert "first answer" in timings[1] and "ffmpeg started" not in timings[1]


def test_stopped_encode_is_never_taken_for_finished(clip60, _isolated_home):
    with Serve(clip60, _isolated_home) as serve:
        urls = serve.wait_urls()
        base = urls["dash"].rsplit("/", 1)[0]
        with urllib.request.urlopen(f"{base}/video/2.m4s", timeout=30) as response:
            assert response.status == 200
        _assert_clean_stop(serve, _isolated_home)
    (session,) = (_isolated_home / "cache" / "sessions").iterdir()
    assert not (session / "complete.json").exists()

    with Serve(clip60, _isolated_home) as again:
        urls = again.wait_urls()
        # It encodes again: ffmpeg and the packager run for this entry.
        assert processes_using(_isolated_home) != []
        _assert_clean_stop(again, _isolated_home)


def test_sigint_stops_everything_within_seconds(clip60, _isolated_home):
    with Serve(clip60, _isolated_home) as serve:
        serve.wait_urls()
        time.sleep(1.0)
        assert processes_using(_isolated_home), "ffmpeg and the packager should be running"
        began = time.monotonic()
        code = serve.stop(signal.SIGINT, timeout=10)
        assert code == 0
        assert time.monotonic() - began < 5.0
        assert processes_using(_isolated_home) == []
        assert fifos_under(_isolated_home) == []
