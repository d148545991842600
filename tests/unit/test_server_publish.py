"""server: the player page, the LAN listener, the limit on bad tokens, late files; the
layout names they rely on; the live packager's command."""

from __future__ import annotations

import threading
import time

import pytest

from viewra_desktop.core import lan, layout, live, player_page
from viewra_desktop.core.layout import Part
from viewra_desktop.core.mount import Mount
from viewra_desktop.core.streams import audio, video

from .test_server import http, make_served, served  # noqa: F401 - the fixture

LAN = "127.0.0.2"  # all of 127/8 is loopback: a second address, as a LAN one would be


def test_names_for_publishing_are_read_back_and_the_key_never_is():
    assert layout.parse(layout.LIVE_MPD).part is Part.MANIFEST
    assert layout.parse(layout.PLAYER_PAGE).part is Part.PAGE
    assert layout.parse(layout.PLAYER_SCRIPT).part is Part.PAGE
    for secret in (layout.ENTRY_KEY, layout.key_file("clip"), ".live/live.mpd"):
        assert layout.parse(secret) is None
    assert layout.key_file("clip") == "clip.key.json"
    assert layout.partial_export("clip") == ".clip.partial-"


def test_the_session_has_its_player_page(served):  # noqa: F811
    page = served.get(layout.PLAYER_PAGE)
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert b'{"dash": "manifest.mpd", "hls": "master.m3u8"}' in page.body
    script = served.get(layout.PLAYER_SCRIPT)
    assert script.status == 200 and script.body == player_page.script()
    assert http(served.port, "/" + "A" * 32 + "/" + layout.PLAYER_PAGE).status == 404


def test_requests_for_unknown_sessions_are_refused_for_a_while(served):  # noqa: F811
    for _ in range(lan.FAILURES):
        assert http(served.port, "/" + "B" * 32 + "/manifest.mpd").status == 404
    assert http(served.port, "/" + "B" * 32 + "/manifest.mpd").status == 429
    assert served.get("manifest.mpd").status == 429  # a guesser learns nothing more


def test_a_player_reading_ahead_of_a_closed_session_is_not_taken_for_a_guesser(served):  # noqa: F811
    """mpv's DASH demuxer asks for several segments ahead as a session closes: those are
    404s, and they must not get the next session's player refused."""
    closed = served.path("audio/3.m4s")
    served.server.unmount(served.url)
    for _ in range(3 * lan.FAILURES):
        assert http(served.port, closed).status == 404
    other = served.server.mount(Mount(served.folder, served.ledger, {}))
    token = other.rstrip("/").rsplit("/", 1)[1]
    assert http(served.port, f"/{token}/manifest.mpd").status == 200
    for _ in range(lan.FAILURES):  # a token never given out still counts
        http(served.port, "/" + "C" * 32 + "/manifest.mpd")
    assert http(served.port, f"/{token}/manifest.mpd").status == 429


def test_the_lan_listener_serves_the_same_sessions_with_cors_for_its_own_page(tmp_path):
    one = make_served(tmp_path)
    try:
        base = one.server.listen_lan(LAN)
        assert base == f"http://{LAN}:{one.port}"
        url = one.server.lan_url(one.url)
        assert url == f"{base}/{one.token}/"
        own = {"Origin": base}
        response = http(one.port, one.path("manifest.mpd"), headers=own, host=LAN)
        assert response.status == 200 and response.body == b"<MPD/>\n"
        assert response.headers["access-control-allow-origin"] == base
        other = http(one.port, one.path("manifest.mpd"), host=LAN,
                     headers={"Origin": "http://elsewhere.example"})  # fmt: skip
        assert other.status == 200 and "access-control-allow-origin" not in other.headers
        assert http(one.port, "/manifest.mpd", host=LAN).status == 404
        loopback = one.get("manifest.mpd", headers={"Origin": "http://elsewhere.example"})
        assert loopback.headers["access-control-allow-origin"] == "*"
        one.server.stop_lan()
        assert one.server.lan_url(one.url) is None
        with pytest.raises(OSError):
            http(one.port, one.path("manifest.mpd"), host=LAN, timeout=2)
    finally:
        one.server.close()


def test_a_late_file_is_waited_for(tmp_path):
    one = make_served(tmp_path)
    try:
        mount = one.server.lookup(one.token)
        assert mount is not None
        ready = threading.Event()
        mount.late[layout.LIVE_MPD] = ready

        def publish() -> None:
            time.sleep(0.3)
            (one.folder / layout.LIVE_MPD).write_bytes(b"<MPD dynamic/>")
            ready.set()

        threading.Thread(target=publish).start()
        began = time.monotonic()
        response = one.get(layout.LIVE_MPD)
        assert response.status == 200 and response.body == b"<MPD dynamic/>"
        assert time.monotonic() - began >= 0.25
    finally:
        one.server.close()


def test_live_packager_keeps_every_segment_and_turns_static_at_the_end():
    inputs = [(video(0), ".live/pipe-0.fifo"), (audio(0), ".live/pipe-1.fifo")]
    argv = live.packager_command("/p", inputs, 0.5, 3600.5)
    assert argv[1] == (
        "in=.live/pipe-0.fifo,stream=video,init_segment=.live/video/init.mp4,"
        "segment_template=.live/video/$Number$.m4s"
    )
    flag = {argv[i]: argv[i + 1] for i in range(3, len(argv) - 1) if argv[i].startswith("--")}
    assert float(flag["--time_shift_buffer_depth"]) >= 3600.5
    assert flag["--preserved_segments_outside_live_window"] == "0"
    assert flag["--segment_duration"] == "0.5"
    assert flag["--mpd_output"] == ".live/live.mpd"
    assert "--event_to_vod_on_end_of_stream" in argv
    assert "--generate_static_live_mpd" not in argv and "--low_latency_dash_mode" not in argv
