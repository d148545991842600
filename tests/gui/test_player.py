"""PlayerState from mpv properties, the Player's signals and commands, and real libmpv."""

from __future__ import annotations

import locale
import threading

import pytest

from gui.fakes import FakeMpv
from viewra_desktop.app.player import (
    MpvLog,
    Player,
    PlayerState,
    TrackInfo,
    apply_property,
    create_player,
)


def test_apply_property_reads_mpv_values():
    state = PlayerState()
    state = apply_property(state, "idle-active", False)
    state = apply_property(state, "time-pos", 12.5)
    state = apply_property(state, "duration", 60.0)
    state = apply_property(state, "pause", True)
    state = apply_property(state, "volume", 150.0)
    state = apply_property(state, "mute", True)
    assert state.position == 12.5 and state.duration == 60.0
    assert state.paused and state.muted
    assert state.volume == 130.0  # clamped to mpv's volume-max
    assert apply_property(state, "time-pos", None).position == 0.0
    assert apply_property(state, "volume", "junk").volume == 130.0
    assert apply_property(state, "unknown-property", 1) is state


def test_going_idle_forgets_the_file():
    state = PlayerState(idle=False, position=5.0, duration=9.0)
    state = apply_property(state, "track-list", [{"id": 1, "type": "audio", "selected": True}])
    assert state.audio_tracks
    idle = apply_property(state, "idle-active", True)
    assert idle.idle and idle.position == 0.0 and idle.duration == 0.0
    assert idle.audio_tracks == () and idle.subtitle_tracks == ()


def test_buffering_means_mpv_waits_for_data():
    playing = PlayerState(idle=False, core_idle=False, paused=False)
    assert not playing.buffering
    assert PlayerState(idle=False, core_idle=False, paused_for_cache=True).buffering
    assert PlayerState(idle=False, core_idle=True, paused=False).buffering  # before frame 1
    assert not PlayerState(idle=False, core_idle=True, paused=True).buffering  # user paused
    assert not PlayerState(idle=True, paused_for_cache=True).buffering
    assert not PlayerState(idle=False, core_idle=True, eof=True).buffering
    assert PlayerState(idle=False, core_idle=False, seeking=True).buffering


def test_track_list_becomes_audio_and_subtitle_tracks():
    tracks = [
        {"id": 1, "type": "video", "selected": True},
        {"id": 1, "type": "audio", "lang": "eng", "selected": True},
        {"id": 2, "type": "audio", "title": "Director", "selected": False},
        {"id": 3, "type": "sub", "lang": "deu", "codec": "subrip", "selected": True},
        {"id": "x", "type": "audio"},
        "garbage",
    ]
    state = apply_property(PlayerState(), "track-list", tracks)
    assert state.audio_tracks == (
        TrackInfo(1, "audio", "1: [eng]", True, lang="eng"),
        TrackInfo(2, "audio", "2: Director", False),
    )
    assert state.subtitle_tracks == (TrackInfo(3, "sub", "3: [deu]", True, lang="deu"),)
    assert state.video_loaded
    url = "http://127.0.0.1:1/t/text/0.vtt"
    added = [{"id": 1, "type": "sub", "external": True, "external-filename": url}]
    state = apply_property(state, "track-list", added)
    assert state.subtitle_tracks[0].source == url and not state.video_loaded


@pytest.fixture
def player():
    mpv = FakeMpv([])
    return Player(mpv), mpv


def test_updates_from_mpvs_thread_reach_the_gui_thread_as_signals(qtbot, player):
    p, mpv = player
    positions: list[float] = []
    p.position_changed.connect(positions.append)
    paused: list[bool] = []
    p.paused_changed.connect(paused.append)

    def mpv_thread() -> None:
        mpv.report("time-pos", 1.0)
        mpv.report("time-pos", 1.0)  # unchanged: no second signal
        mpv.report("time-pos", 2.0)
        mpv.report("pause", True)

    thread = threading.Thread(target=mpv_thread)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: paused == [True])
    assert positions == [1.0, 2.0]


def test_buffering_changes_are_signalled_once(qtbot, player):
    p, mpv = player
    seen: list[bool] = []
    p.buffering_changed.connect(seen.append)
    mpv.report("idle-active", False)  # core-idle is still True: waiting for the first frame
    qtbot.waitUntil(lambda: seen == [True])
    mpv.report("core-idle", False)
    qtbot.waitUntil(lambda: seen == [True, False])
    mpv.report("paused-for-cache", True)
    mpv.report("core-idle", True)
    qtbot.waitUntil(lambda: seen == [True, False, True])
    assert p.buffering


def test_commands(qtbot, player):
    p, mpv = player
    p.seek(10.0)  # nothing loaded: ignored
    assert mpv.commands == []
    p.load("http://127.0.0.1:1/t/manifest.mpd", start=42.0)
    assert mpv.commands[-2:] == [
        ("loadfile", "http://127.0.0.1:1/t/manifest.mpd", "replace", "start=42.000"),
        ("set", "pause", "no"),
    ]
    p.load("http://127.0.0.1:1/t/manifest.mpd", decoder_threads=1)
    assert mpv.commands[-2] == (
        "loadfile", "http://127.0.0.1:1/t/manifest.mpd", "replace", "vd-lavc-threads=1"
    )  # fmt: skip
    mpv.report("idle-active", False)
    qtbot.waitUntil(lambda: not p.state.idle)
    p.seek(-3.0)
    assert mpv.last("seek") == ("seek", "0.000", "absolute")
    p.seek(-5.0, relative=True)
    assert mpv.last("seek") == ("seek", "-5.000", "relative")
    p.set_volume(500)
    assert mpv.sets("volume")[-1] == "130"
    p.change_volume(-500)
    assert mpv.sets("volume")[-1] == "0"
    p.select_audio(2)
    p.select_subtitle(None)
    assert mpv.sets("aid") == ["2"] and mpv.sets("sid") == ["no"]


def test_play_at_the_end_starts_again(qtbot, player):
    p, mpv = player
    for name, value in (("idle-active", False), ("eof-reached", True), ("pause", True)):
        mpv.report(name, value)
    qtbot.waitUntil(lambda: p.state.eof and p.state.paused)
    p.toggle_pause()
    assert mpv.last("seek") == ("seek", "0.000", "absolute")
    assert mpv.sets("pause")[-1] == "no"


def test_nothing_reaches_mpv_after_terminate(player):
    p, mpv = player
    p.terminate()
    p.terminate()
    assert mpv.journal == ["mpv terminated"]
    p.load("http://x/manifest.mpd")
    assert mpv.commands == []


def test_mpv_log_keeps_a_tail():
    log = MpvLog()
    for i in range(50):
        log("warn", "ffmpeg", f"line {i}\n")
    tail = log.tail().splitlines()
    assert len(tail) == 30 and tail[-1] == "[ffmpeg] line 49"
    log.clear()
    assert log.tail() == ""


def test_real_libmpv_plays_a_file_through_the_player(qtbot, media_dir):
    from media import make_clip

    clip = make_clip(media_dir, "player-2s.mp4", seconds=2, size="160x90")
    locale.setlocale(locale.LC_NUMERIC, "C")
    p = create_player(vo="null", ao="null")
    try:
        p.set_volume(40)
        p.load(str(clip))
        qtbot.waitUntil(lambda: p.state.duration > 1.5, timeout=20000)
        qtbot.waitUntil(lambda: p.state.position > 0.2, timeout=20000)
        assert p.state.volume == 40
        assert len(p.state.audio_tracks) == 1
        qtbot.waitUntil(lambda: p.state.eof, timeout=20000)  # keep-open: stays at the end
        assert not p.state.idle
    finally:
        p.terminate()


def test_player_options_build_on_the_sessions_own():
    from viewra_desktop.app.player import MPV_OPTIONS
    from viewra_desktop.core.player_options import MPV_OPTIONS as SESSION

    assert SESSION.items() <= MPV_OPTIONS.items()
    assert MPV_OPTIONS["vo"] == "libmpv"  # the render API, never a window of mpv's own
