"""Every track of a film-like source: three audio languages, two subtitle tracks, chapters.

The real ffmpeg, packager, server, libmpv and Shaka Player (Chromium) on a generated MKV.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET

import mpv
import pytest
import web_player
from media import make_film

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


@pytest.mark.parametrize("kind", ["dash", "hls"])
def test_libmpv_sees_and_plays_every_audio_track(served, kind):
    player = Player()
    try:
        player.mpv.play(served[kind])
        tracks = player.wait(
            lambda: [t for t in player.mpv.track_list if t["type"] == "audio"] or None
        )
        assert tracks is not None and len(tracks) == 3
        assert [t.get("lang") for t in tracks] == [lang for lang, _c, _l in AUDIO]
        for track, (_lang, channels, _label) in zip(tracks, AUDIO, strict=True):
            player.mpv.aid = track["id"]
            assert player.wait(lambda t=track: player.mpv.current_tracks["audio"]["id"] == t["id"])
            assert player.wait(lambda c=channels: player.mpv.audio_params["channel-count"] == c), (
                track
            )
            assert player.advances(), f"audio track {track['id']} does not play"
    finally:
        player.mpv.terminate()


def test_each_subtitle_track_shows_its_cues_at_their_times(served):
    player = Player()
    try:
        player.mpv.play(served["hls"])
        assert player.wait(lambda: player.mpv.time_pos is not None)
        player.mpv.pause = True
        expected = [(1.5, "Where are we going?"), (6.5, "Sortie")]
        for subtitle, (at, cue) in zip(served["subtitles"], expected, strict=True):
            player.mpv.command("sub-add", subtitle["url"], "select", subtitle["title"])
            player.mpv.seek(at, "absolute", "exact")
            assert player.wait(lambda c=cue: player.mpv.sub_text == c), (
                subtitle,
                player.mpv.sub_text,
            )
            # Between cues nothing shows.
            player.mpv.seek(4.2 if at < 5 else 9.5, "absolute", "exact")
            assert player.wait(lambda: player.mpv.sub_text == ""), player.mpv.sub_text
    finally:
        player.mpv.terminate()


@pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing()))
@pytest.mark.parametrize("kind", ["dash", "hls"])
def test_shaka_player_lists_languages_and_text_tracks_and_plays_to_the_end(served, kind):
    script = """
        return {
          audio: player.getAudioLanguagesAndRoles().map((x) => x.language + ":" + x.role),
          text: player.getTextTracks().map((t) => t.language + ":" + t.forced),
        };
    """
    report = web_player.play("shaka", served[kind], rate=2.0, timeout=90, script=script)
    assert report["errors"] == [] and report["ended"], report
    assert report["duration"] == pytest.approx(10.0, abs=0.2)
    seen = report["eval"]
    assert {entry.split(":")[0] for entry in seen["audio"]} == {"en", "fr"}
    assert sorted(seen["text"]) == ["en:false", "fr:true"]
