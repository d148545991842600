"""The ladder and the codecs end to end: real ffmpeg, packager, server, libmpv, Chromium."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import subprocess
import urllib.request

import pytest
import web_player
from media import make_clip
from procs import wait_until

from e2e.support import Serve, play, start_session
from viewra_desktop.core import layout
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.fmp4 import read_init, read_span
from viewra_desktop.core.lifecycle import State
from viewra_desktop.core.profiles import Profile, Rung, get_profile
from viewra_desktop.core.streams import video

pytestmark = pytest.mark.e2e

SECONDS = 6


@pytest.fixture(scope="module")
def ladder(media_dir, tmp_path_factory):
    """A 720p clip served with the ladder profile (720p, 480p, 360p: no 1080p, never
    upscaled), its encode left to finish; yields (URLs, the package folder)."""
    clip = make_clip(media_dir, "clip6-720p.mp4", SECONDS, size="1280x720")
    home = tmp_path_factory.mktemp("home")
    with Serve(clip, home, "--profile", "ladder") as serve:
        urls = serve.wait_urls()
        sessions = home / "cache" / "sessions"
        yield urls, sessions
        assert serve.stop() == 0


def wait_package(sessions):
    assert wait_until(lambda: any(sessions.glob("*/complete.json")), 120)
    return next(sessions.glob("*/complete.json")).parent


@pytest.mark.parametrize("kind", ["dash", "hls"])
@pytest.mark.parametrize("rung", [1, 2, 3])
def test_every_rung_plays_to_the_end_with_the_right_duration(ladder, kind, rung):
    urls, _sessions = ladder
    result = play(urls[kind], speed=3.0, timeout=90, vid=str(rung))
    assert result.end_reason == "eof"
    assert result.duration == pytest.approx(SECONDS, abs=0.1)
    assert result.times and result.times[-1] >= SECONDS - 0.2
    assert result.backward_jumps == []


def test_rungs_share_one_segment_grid_and_the_master_lists_them(ladder):
    _urls, sessions = ladder
    package = wait_package(sessions)
    starts = []
    for index in range(3):
        stream = video(index)
        track = read_init(package / layout.init(stream))
        count = len(list((package / layout.folder(stream)).glob("*.m4s")))
        spans = [read_span(package / layout.segment(stream, n), track) for n in range(1, count + 1)]
        starts.append([round(s.start / s.timescale, 3) for s in spans])
    assert starts[0] == starts[1] == starts[2]  # segment N of every rung starts at one time
    assert starts[0][:4] == [pytest.approx(t, abs=0.07) for t in (0.0, 0.5, 1.0, 2.0)]
    master = (package / layout.HLS_MASTER).read_text("utf-8")
    variants = re.findall(r"#EXT-X-STREAM-INF:(.*)\n(.*)", master)
    assert [uri for _attrs, uri in variants] == ["video.m3u8", "video-1.m3u8", "video-2.m3u8"]
    record = json.loads((package / layout.COMPLETE).read_text("utf-8"))
    for (attributes, _uri), index in zip(variants, range(3), strict=True):
        values = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', attributes))
        assert values["RESOLUTION"] in ("1280x720", "854x480", "640x360")
        assert values["FRAME-RATE"] == "30.000" and values["AUDIO"] == '"audio"'
        assert values["CODECS"].startswith('"avc1.') and "mp4a.40.2" in values["CODECS"]
        # Rewritten from the real segments: the average is their bytes over their length.
        stream = video(index)
        durations = record["segments"][layout.name(stream)]
        total = sum((package / layout.segment(stream, n)).stat().st_size
                    for n in range(1, len(durations) + 1))  # fmt: skip
        video_average = round(8 * total / sum(durations))
        assert abs(int(values["AVERAGE-BANDWIDTH"]) - video_average) < 200_000
        assert int(values["BANDWIDTH"]) >= int(values["AVERAGE-BANDWIDTH"])


CODEC_SECONDS = 4


@pytest.mark.parametrize("codec", ["hevc", "av1", "vp9"])
def test_each_codec_plays_in_libmpv_over_dash_and_hls(media_dir, tmp_path, codec):
    clip = make_clip(media_dir, "clip4.mp4", CODEC_SECONDS)
    with Serve(clip, tmp_path / "home", "--profile", "360p", "--codec", codec) as serve:
        urls = serve.wait_urls()
        mpd = urllib.request.urlopen(urls["dash"], timeout=30).read().decode()
        expected = {"hevc": 'codecs="hvc1.', "av1": 'codecs="av01.', "vp9": 'codecs="vp09.'}
        assert expected[codec] in mpd
        for kind in ("dash", "hls"):
            result = play(urls[kind], speed=3.0, timeout=90)
            assert result.end_reason == "eof", (codec, kind)
            assert result.duration == pytest.approx(CODEC_SECONDS, abs=0.1)
        assert serve.stop() == 0


@pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing()))
@pytest.mark.parametrize("codec", ["vp9", "av1"])
def test_shaka_player_plays_vp9_and_av1(media_dir, tmp_path, codec):
    clip = make_clip(media_dir, "clip4.mp4", CODEC_SECONDS)
    with Serve(clip, tmp_path / "home", "--profile", "360p", "--codec", codec) as serve:
        urls = serve.wait_urls()
        report = web_player.play("shaka", urls["dash"], rate=2.0, timeout=90)
        assert report["errors"] == [] and report["ended"], report
        assert report["duration"] == pytest.approx(CODEC_SECONDS, abs=0.2)
        assert serve.stop() == 0


def test_a_10_bit_av1_profile_keeps_hdr(media_dir, tmp_path):
    from e2e.test_color import make_source

    clip = make_source(media_dir, "pq")
    profile = Profile("av1-hdr", "AV1 HDR", (Rung(360),), codec="av1", preset="10", bit_depth=10)
    session, server, _base = start_session(clip, tmp_path / "cache", profile=profile)
    try:
        assert wait_until(lambda: session.state is State.FINISHED, 120), session.failure
        package = session.folder
    finally:
        session.stop()
        server.close()
    joined = tmp_path / "joined.mp4"
    joined.write_bytes(
        (package / layout.init(video(0))).read_bytes()
        + (package / layout.segment(video(0), 1)).read_bytes()
    )
    info = json.loads(subprocess.run(
        [find_tools().ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,pix_fmt,color_transfer,color_primaries", "-of", "json", str(joined)],
        check=True, capture_output=True, text=True,
    ).stdout)["streams"][0]  # fmt: skip
    assert info["codec_name"] == "av1" and info["pix_fmt"] == "yuv420p10le"
    assert (info["color_transfer"], info["color_primaries"]) == ("smpte2084", "bt2020")


def test_a_hardware_profile_falls_back_to_software_and_says_so(media_dir, tmp_path, caplog):
    """The bundled ffmpeg lists h264_v4l2m2m, which fails here (no device)."""
    caplog.set_level(logging.INFO, logger="viewra_desktop")
    clip = make_clip(media_dir, "clip4.mp4", CODEC_SECONDS)
    profile = dataclasses.replace(get_profile("360p"), name="hw", hardware="v4l2m2m")
    session, server, base = start_session(clip, tmp_path / "cache", profile=profile)
    try:
        assert session.plan is not None and session.plan.main_video.encoder.name == "libx264"
        assert any("V4L2M2M" in note and "libx264" in note for note in session.notes())
        assert play(base + layout.MPD, speed=3.0, timeout=90).end_reason == "eof"
    finally:
        session.stop()
        server.close()
    trial = json.loads((tmp_path / "cache" / "hardware-encoders.json").read_text("utf-8"))
    assert list(trial.values())[0]["h264_v4l2m2m"] is False
    assert "video encoder libx264" in caplog.text
