"""Every track of a film-like source: three audio languages, two subtitle tracks, chapters.

The real ffmpeg, packager, server, libmpv and Shaka Player (Chromium) on a generated MKV.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import mpv
import pytest
import web_player
from media import make_film
from procs import wait_until

from e2e.support import Serve

pytestmark = pytest.mark.e2e

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}
AUDIO = [
    ("en", 6, "English 5.1"),
    ("fr", 2, "French"),
    ("en", 2, "English — Director's commentary"),
]


@pytest.fixture(scope="module")
def film(media_dir):
    return make_film(media_dir)


@pytest.fixture(scope="module")
def served(film, tmp_path_factory):
    """One serve of the film for the whole module (its encode finishes meanwhile)."""
    with Serve(film, tmp_path_factory.mktemp("home"), "--profile", "360p") as serve:
        yield serve.wait_urls()
        assert serve.stop() == 0


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read().decode("utf-8")


def attributes(line: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line)}


def test_the_json_line_lists_subtitles_and_chapters(served):
    subtitles = served["subtitles"]
    assert [(s["language"], s["title"], s["forced"]) for s in subtitles] == [
        ("en", "English", False), ("fr", "French (forced)", True)
    ]  # fmt: skip
    assert all(s["url"].startswith("http://127.0.0.1:") for s in subtitles)
    chapters = get(served["chapters"])
    assert chapters.startswith("WEBVTT")
    assert re.findall(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n(.+)", chapters) == [
        "Opening", "The road", "The sea"
    ]  # fmt: skip


def test_the_hls_master_lists_every_track(served):
    lines = get(served["hls"]).splitlines()
    audio = [attributes(x) for x in lines if x.startswith("#EXT-X-MEDIA:TYPE=AUDIO")]
    assert [(a["LANGUAGE"], int(a["CHANNELS"]), a["NAME"]) for a in audio] == AUDIO
    assert [a["DEFAULT"] for a in audio] == ["YES", "NO", "NO"]
    assert [a["AUTOSELECT"] for a in audio] == ["YES", "YES", "NO"]  # not the commentary
    assert {a["GROUP-ID"] for a in audio} == {"audio"}
    text = [attributes(x) for x in lines if x.startswith("#EXT-X-MEDIA:TYPE=SUBTITLES")]
    assert [(t["LANGUAGE"], t["NAME"], t["FORCED"]) for t in text] == [
        ("en", "English", "NO"), ("fr", "French (forced)", "YES")
    ]  # fmt: skip
    variant = attributes(next(x for x in lines if x.startswith("#EXT-X-STREAM-INF")))
    assert variant["AUDIO"] == "audio" and variant["SUBTITLES"] == text[0]["GROUP-ID"]


def test_the_mpd_lists_every_track(served):
    root = ET.fromstring(get(served["dash"]))
    sets = root.findall("d:Period/d:AdaptationSet", NS)
    audio = [s for s in sets if s.get("contentType") == "audio"]
    assert [(s.get("lang"), s.findtext("d:Label", namespaces=NS)) for s in audio] == [
        (lang, label) for lang, _channels, label in AUDIO
    ]
    roles = [s.find("d:Role", NS).get("value") for s in audio]  # type: ignore[union-attr]
    assert roles == ["main", "dub", "commentary"]
    text = [s for s in sets if s.get("contentType") == "text"]
    assert [(s.get("lang"), s.get("mimeType")) for s in text] == [
        ("en", "text/vtt"), ("fr", "text/vtt")
    ]  # fmt: skip
    assert [s.find("d:Role", NS).get("value") for s in text] == [  # type: ignore[union-attr]
        "subtitle", "forced-subtitle"
    ]  # fmt: skip


class Player:
    """A libmpv with no output, and a way to wait for a property."""

    def __init__(self) -> None:
        self.mpv = mpv.MPV(vo="null", ao="null")
        self.positions: list[float] = []
        self._cond = threading.Condition()
        self.mpv.observe_property("time-pos", self._on_time)

    def _on_time(self, _name, value) -> None:
        if value is not None:
            with self._cond:
                self.positions.append(value)
                self._cond.notify_all()

    def wait(self, predicate, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = predicate()
            except (AttributeError, RuntimeError, TypeError, KeyError):
                value = None
            if value:
                return value
            time.sleep(0.05)
        return None

    def advances(self, seconds: float = 0.5) -> bool:
        start = self.mpv.time_pos or 0.0
        return bool(self.wait(lambda: (self.mpv.time_pos or 0.0) > start + seconds, 20))


def audio_tracks(player: Player) -> list[dict]:
    found = player.wait(lambda: [t for t in player.mpv.track_list if t["type"] == "audio"] or None)
    return found or []


def test_libmpv_over_dash_switches_live_between_every_audio_track(served):
    player = Player()
    try:
        player.mpv.play(served["dash"])
        tracks = audio_tracks(player)
        assert [t.get("lang") for t in tracks] == [lang for lang, _c, _l in AUDIO]
        for track, (_lang, channels, _label) in zip(tracks, AUDIO, strict=True):
            player.mpv.aid = track["id"]
            assert player.wait(lambda c=channels: player.mpv.audio_params["channel-count"] == c)
            assert player.advances(), f"audio track {track['id']} does not play"
    finally:
        player.mpv.terminate()


@pytest.mark.parametrize("number", [0, 1, 2])
def test_libmpv_over_hls_plays_every_audio_track(served, number):
    """Over HLS, FFmpeg's demuxer ends playback when a rendition is switched on mid-play
    (the window plays DASH); each track plays when chosen at load."""
    player = Player()
    try:
        player.mpv.loadfile(served["hls"], aid=str(number + 1))
        tracks = audio_tracks(player)
        assert [t.get("lang") for t in tracks] == [lang for lang, _c, _l in AUDIO]
        channels = AUDIO[number][1]
        assert player.wait(lambda: player.mpv.audio_params["channel-count"] == channels)
        assert player.advances(), f"audio track {number + 1} does not play"
    finally:
        player.mpv.terminate()


CUES = [  # per text track: (start, end, text) of a cue
    [(1.0, 3.0, "Where are we going?"), (5.0, 7.5, "To the sea, before night falls.")],
    [(2.0, 4.0, "Panneau : Plage à 2 km"), (6.0, 8.0, "Sortie")],
]


def test_each_subtitle_track_shows_its_cues_at_their_times(served):
    player = Player()
    try:
        player.mpv.play(served["dash"])
        assert player.wait(lambda: player.mpv.time_pos is not None)
        for subtitle, cues in zip(served["subtitles"], CUES, strict=True):
            player.mpv.command("sub-add", subtitle["url"], "select", subtitle["title"])
            for start, end, cue in cues:
                player.mpv.seek(start - 0.6, "absolute", "exact")
                assert player.wait(lambda s=start: (player.mpv.time_pos or 0) < s), "no seek"
                assert player.wait(lambda: player.mpv.sub_text == ""), player.mpv.sub_text
                shown = player.wait(
                    lambda c=cue: player.mpv.time_pos if player.mpv.sub_text == c else None
                )
                assert shown is not None, (subtitle["title"], cue, player.mpv.sub_text)
                assert start - 0.1 <= shown <= end, (cue, shown)
    finally:
        player.mpv.terminate()


@pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing()))
@pytest.mark.parametrize("kind", ["dash", "hls"])
def test_shaka_player_lists_languages_and_text_tracks_and_plays_to_the_end(served, kind):
    script = """
        return {
          audio: player.getAudioTracks().map((a) => [a.language, a.label, a.channelsCount]),
          text: player.getTextTracks().map((t) => [t.language, t.label, t.forced]),
        };
    """
    report = web_player.play("shaka", served[kind], rate=2.0, timeout=90, script=script)
    assert report["errors"] == [] and report["ended"], report
    assert report["duration"] == pytest.approx(10.0, abs=0.2)
    seen = report["eval"]
    assert seen["audio"] == [[lang, label, channels] for lang, channels, label in AUDIO]
    assert seen["text"] == [["en", "English", False], ["fr", "French (forced)", True]]


def test_broken_and_unknown_subtitle_tracks_are_left_out_and_the_rest_plays(media_dir, tmp_path):
    from media import make_bad_subtitles

    from e2e.support import play

    clip = make_bad_subtitles(media_dir)
    home = tmp_path / "home"
    with Serve(clip, home, "--profile", "360p") as serve:
        urls = serve.wait_urls()
        # The unknown format is not offered; the broken one is, until it fails.
        assert [s["language"] for s in urls["subtitles"]] == ["en", "de"]
        good, broken = (s["url"] for s in urls["subtitles"])
        assert get(good).startswith("WEBVTT")
        with pytest.raises(urllib.error.HTTPError) as failed:
            get(broken)
        assert failed.value.code == 404
        played = play(urls["dash"], speed=2.0, timeout=60)
        assert played.end_reason == "eof" and played.duration == pytest.approx(3.0, abs=0.2)
        sessions = home / "cache" / "sessions"
        assert wait_until(lambda: any(sessions.glob("*/complete.json")), 30)
        assert serve.stop() == 0
    log = (home / "logs" / "viewra-desktop.log").read_text("utf-8")
    assert "The subtitle track French was left out: its format (unknown) cannot be read." in log
    assert "subtitle track German left out: it could not be converted" in log
    entry = next(sessions.iterdir())
    master = (entry / "master.m3u8").read_text("utf-8")
    assert master.count("TYPE=SUBTITLES") == 1 and 'LANGUAGE="en"' in master
