"""Publishing end to end: ``export`` (plain, encrypted, in a batch stopped by Ctrl+C), the
encrypted preview session, ``serve --lan`` and ``dash_live``: the real ffmpeg, packager,
server, libmpv and, where installed, Chromium with Shaka Player."""

from __future__ import annotations

import collections
import functools
import json
import os
import re
import select
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import web_player
from media import make_clip, make_film

from e2e.support import VIEWRA, Serve, fifos_under, play, processes_using, start_session
from viewra_desktop.core import layout
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.export import ExportCancelled, ExportOptions, repackage

pytestmark = pytest.mark.e2e
web = pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing()))

CLIP_S = 8
LAN = "127.0.0.2"  # a second loopback address stands in for the LAN one


def export(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VIEWRA_HOME=str(home))
    done = subprocess.run(
        [*VIEWRA, "export", *args], capture_output=True, text=True, env=env, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@dataclass
class Exported:
    clear: Path  # 4 s segments, DASH and HLS
    encrypted: Path  # 2 s segments, DASH only, encrypted
    clear_output: str
    encrypted_output: str
    home: Path


@pytest.fixture(scope="module")
def exported(media_dir, tmp_path_factory) -> Exported:
    clip = make_clip(media_dir, "clip8-720p.mp4", CLIP_S, size="1280x720")
    home, out = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("out")
    first = export(home, str(clip), "--to", str(out / "clear"))
    second = export(
        home,
        str(clip),
        "--to",
        str(out / "enc"),
        "--encrypt",
        "--segment-seconds",
        "2",
        "--dash-only",
        "--scheme",
        "cbcs",
    )
    return Exported(
        out / "clear" / "clip8-720p", out / "enc" / "clip8-720p", first.stdout, second.stdout, home
    )


@functools.cache
def _static_server(root: str) -> str:
    """A plain web server for a folder (what a CDN would be), for the whole module."""
    handler = functools.partial(QuietHandler, directory=root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def published(package: Path) -> str:
    """The package's URL on a plain web server."""
    return f"{_static_server(str(package.parent))}/{package.name}/"


def segment_seconds(mpd: str) -> list[float]:
    """Video segment durations in an MPD with one SegmentTimeline per Representation."""
    video = mpd.split('contentType="video"', 1)[1].split("</AdaptationSet>", 1)[0]
    timescale = int(re.search(r'timescale="(\d+)"', video).group(1))
    lengths = []
    for d, r in re.findall(r'<S t="\d+" d="(\d+)"(?: r="(\d+)")?/>', video):
        lengths += [int(d) / timescale] * (int(r or 0) + 1)
    return lengths


def frame(url: str, at: float = 5.0, **options) -> tuple[bytes | None, int]:
    """The picture mpv shows at ``at`` seconds (None if it shows none), and how many errors
    it logged."""
    import mpv

    errors = collections.Counter()

    def log(level, _prefix, _text):
        errors[level] += level in ("error", "fatal")

    player = mpv.MPV(
        vo="null",
        ao="null",
        pause=True,
        start=str(at),
        hr_seek="yes",
        log_handler=log,
        loglevel="error",
        **options,
    )
    try:
        player.play(url)
        deadline = time.monotonic() + 30
        while (player.time_pos or 0) < at - 0.05:
            assert time.monotonic() < deadline, "mpv did not reach the frame"
            time.sleep(0.05)
        picture = None
        deadline = time.monotonic() + 10  # the frame may be shown a moment after the clock
        while picture is None and time.monotonic() < deadline:
            try:
                picture = bytes(player.command("screenshot-raw", "video")["data"])
            except SystemError:  # no frame on screen yet
                time.sleep(0.1)
    finally:
        player.terminate()
    return picture, errors["error"] + errors["fatal"]


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def difference(one: bytes | None, two: bytes | None) -> float:
    """Mean absolute difference of two pictures, over a sample of their bytes."""
    assert one is not None and two is not None, "mpv showed no picture"
    step = 997
    pairs = list(zip(one[::step], two[::step], strict=True))
    return sum(abs(a - b) for a, b in pairs) / len(pairs)


# -- export -----------------------------------------------------------------------------------


def test_export_writes_a_package_with_segments_of_the_chosen_length(exported):
    package = exported.clear
    assert "encoding" in exported.clear_output  # the entry was not finished: encoded first
    assert f"exported to {package}" in exported.clear_output
    for name in (
        layout.MPD,
        layout.HLS_MASTER,
        layout.PLAYER_PAGE,
        layout.PLAYER_SCRIPT,
        "video.m3u8",
        "audio.m3u8",
        "video/init.mp4",
        "audio/init.mp4",
    ):
        assert (package / name).is_file(), name
    mpd = (package / layout.MPD).read_text()
    assert 'type="static"' in mpd and "ContentProtection" not in mpd
    assert segment_seconds(mpd) == [4.0, 4.0]
    assert (package / "video.m3u8").read_text().count("#EXTINF:4.000,") == 2
    leftovers = [p.name for p in package.parent.iterdir() if p.name != package.name]
    assert leftovers == []  # no temporary folder, no key file
    assert fifos_under(package.parent) == []


def test_exported_package_plays_to_the_end_in_mpv(exported):
    for manifest in (layout.MPD, layout.HLS_MASTER):
        result = play(published(exported.clear) + manifest, speed=4.0, timeout=60)
        assert result.end_reason == "eof"
        assert result.duration == pytest.approx(CLIP_S, abs=0.1)
        assert result.times[-1] >= CLIP_S - 0.2
        assert result.backward_jumps == []


@web
def test_exported_player_page_plays_it_in_chromium(exported):
    report = web_player.open_page(published(exported.clear) + layout.PLAYER_PAGE, timeout=60)
    assert report["errors"] == [], report
    assert report["ended"] and report["maxTime"] >= CLIP_S - 0.2, report
    assert report["duration"] == pytest.approx(CLIP_S, abs=0.1)


def test_export_keeps_every_audio_track_and_the_text_subtitles(media_dir, tmp_path):
    film = make_film(media_dir)
    home, out = tmp_path / "home", tmp_path / "out"
    export(home, str(film), "--to", str(out), "--profile", "360p")
    package = out / "film"
    mpd = (package / layout.MPD).read_text()
    sets = re.findall(r'contentType="(\w+)" lang="(\w+)".*?<Role [^>]*value="([\w-]+)"', mpd, re.S)
    assert sorted(sets) == sorted([
        ("audio", "en", "main"), ("audio", "fr", "dub"), ("audio", "en", "commentary"),
        ("text", "en", "subtitle"), ("text", "fr", "forced-subtitle"),
    ])  # fmt: skip
    master = (package / layout.HLS_MASTER).read_text()
    assert 'NAME="English — Director\'s commentary"' in master
    assert master.count("TYPE=SUBTITLES") == 2 and "FORCED=YES" in master
    result = play(published(package) + layout.MPD, speed=4.0, timeout=60)
    assert result.end_reason == "eof" and result.times[-1] >= 9.8
    if web_player.missing() is None:
        script = "return [player.getAudioTracks().length, player.getTextTracks().length]"
        page = web_player.open_page(published(package) + layout.PLAYER_PAGE, script=script)
        assert page["errors"] == [] and page["ended"], page
        assert page["eval"] == [3, 2], page


def test_second_export_reuses_the_encode_and_keeps_the_key_out_of_the_package(exported):
    package = exported.encrypted
    assert "encoding" not in exported.encrypted_output  # no second encode
    assert len(list((exported.home / "cache" / "sessions").iterdir())) == 1
    key_file = package.parent / layout.key_file(package.name)
    assert str(key_file) in exported.encrypted_output
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    record = json.loads(key_file.read_text())
    assert record["scheme"] == "cbcs"
    for path in package.rglob("*"):  # no file to publish holds the key
        if path.is_file():
            assert record["key"].encode() not in path.read_bytes(), path
    mpd = (package / layout.MPD).read_text()
    assert 'value="cbcs"' in mpd
    assert segment_seconds(mpd) == [2.0] * 4
    assert not (package / layout.HLS_MASTER).exists()  # --dash-only


def test_encrypted_package_decodes_with_its_key_only(exported):
    record = json.loads((exported.encrypted.parent / "clip8-720p.key.json").read_text())
    clear, clear_errors = frame(published(exported.clear) + layout.MPD)
    url = published(exported.encrypted) + layout.MPD
    decrypted, errors = frame(url, demuxer_lavf_o=f"cenc_decryption_key={record['key']}")
    assert (clear_errors, errors) == (0, 0)
    assert difference(clear, decrypted) < 0.5  # the same picture: decryption is exact
    garbled, errors = frame(url)
    assert errors > 0  # mpv reports decoding errors ...
    assert garbled is None or difference(clear, garbled) > 5  # ... and shows no picture


@web
def test_encrypted_player_page_plays_with_the_key_in_its_address_only(exported):
    record = json.loads((exported.encrypted.parent / "clip8-720p.key.json").read_text())
    page = published(exported.encrypted) + record["page"]
    report = web_player.open_page(page, timeout=60)
    assert report["errors"] == [] and report["ended"], report
    locked = web_player.open_page(published(exported.encrypted) + layout.PLAYER_PAGE, timeout=30)
    assert not locked["ended"] and locked["maxTime"] == 0
    assert any("encrypted" in error for error in locked["errors"]), locked


def test_cancelled_repackaging_leaves_nothing(exported, tmp_path):
    (entry,) = (exported.home / "cache" / "sessions").iterdir()
    cancel = threading.Event()
    with pytest.raises(ExportCancelled):
        repackage(
            entry,
            tmp_path,
            "clip",
            ExportOptions(),
            find_tools(),
            on_progress=lambda progress: cancel.set(),
            cancel=cancel,
        )
    assert list(tmp_path.iterdir()) == []
    assert processes_using(tmp_path) == []


def test_batch_export_stopped_by_ctrl_c_keeps_finished_packages_only(media_dir, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name, clip in (
        ("1-short.mp4", make_clip(media_dir, "clip6.mp4", 6)),
        ("2-shorter.mp4", make_clip(media_dir, "clip3.mp4", 3)),
        ("3-long.mp4", make_clip(media_dir, "clip60.mp4", 60)),
    ):
        (batch / name).symlink_to(clip)
    home, out = tmp_path / "home", tmp_path / "out"
    env = dict(os.environ, VIEWRA_HOME=str(home))
    argv = [*VIEWRA, "export", str(batch), "--to", str(out), "--profile", "360p"]
    pipe = subprocess.PIPE
    proc = subprocess.Popen(argv, stdout=pipe, stderr=pipe, text=True, env=env)
    lines = []
    try:
        deadline = time.monotonic() + 90
        while not any(line.startswith("[3/3] 3-long.mp4: encoding") for line in lines):
            assert time.monotonic() < deadline, lines
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                line = proc.stdout.readline()
                assert line, f"export ended early: {lines} {proc.stderr.read()}"
                lines.append(line.strip())
        # The third file is being encoded (between two runs there is a moment without one).
        assert wait_until(lambda: processes_using(home) != [], 10), "nothing is encoding"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    rest = proc.stdout.read()
    assert "[3/3] 3-long.mp4: cancelled" in rest
    assert sorted(p.name for p in out.iterdir()) == ["1-short", "2-shorter"]
    for name in ("1-short", "2-shorter"):
        assert (out / name / layout.MPD).is_file() and (out / name / layout.PLAYER_PAGE).is_file()
    assert processes_using(home) == [] and fifos_under(home) == [] and fifos_under(out) == []


# -- the encrypted preview ------------------------------------------------------------------------


def test_encrypted_preview_session_plays_with_its_key(media_dir, tmp_path):
    session = server = None
    try:
        session, server, base = start_session(
            make_clip(media_dir, "clip3.mp4", 3), tmp_path, encrypt=True
        )
        encryption = session.plan.encryption
        assert encryption is not None
        result = play(base + layout.MPD, timeout=60, **encryption.mpv_options)
        assert result.end_reason == "eof" and result.times[-1] >= 2.8
        assert (session.folder / layout.ENTRY_KEY).is_file()
        assert urllib.request.urlopen(base + "video/1.m4s", timeout=10).status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + layout.ENTRY_KEY, timeout=10)
        assert refused.value.code == 404  # the key is never served
    finally:
        if session is not None:
            session.stop()
        if server is not None:
            server.close()


# -- serve: the LAN and live DASH -----------------------------------------------------------------


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _get(url: str, origin: str | None = None) -> tuple[int, str | None]:
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status, response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def test_serve_lan_over_loopback_with_and_without_the_token(media_dir, _isolated_home):
    clip = make_clip(media_dir, "clip6.mp4", 6)
    with Serve(clip, _isolated_home, "--lan-address", LAN) as serve:
        urls = serve.wait_urls()
        origin = urls["lan_page"].split("/", 3)
        own = f"{origin[0]}//{origin[2]}"
        assert own.startswith(f"http://{LAN}:")
        assert _get(urls["lan_page"]) == (200, None)
        assert _get(urls["lan_dash"], own) == (200, own)  # its own page may read it
        assert _get(urls["lan_dash"], "http://elsewhere.example") == (200, None)
        assert _get(urls["dash"])[0] == 200  # loopback goes on as before
        assert _get(f"{own}/manifest.mpd")[0] == 404  # no token
        assert _get(f"{own}/{'x' * 32}/manifest.mpd")[0] == 404  # a wrong one
        assert play(urls["lan_hls"], speed=4.0, timeout=60).end_reason == "eof"
        if web_player.missing() is None:
            report = web_player.open_page(urls["lan_page"], timeout=60)
            assert report["errors"] == [] and report["ended"], report
        for _ in range(30):
            status = _get(f"{own}/{'y' * 32}/manifest.mpd")[0]
        assert status == 429  # guessing tokens is refused after a while
        assert serve.stop() == 0


@web
def test_dash_live_plays_in_chromium_from_the_start_while_encoding(media_dir, _isolated_home):
    clip = make_clip(media_dir, "clip12-720p.mp4", 12, size="1280x720")
    with Serve(clip, _isolated_home, "--profile", "720p") as serve:
        urls = serve.wait_urls()
        assert "lan_page" not in urls
        port = urls["dash"].split("/")[2].split(":")[1]
        with pytest.raises(OSError):  # loopback only: nothing listens on another address
            urllib.request.urlopen(f"http://{LAN}:{port}/", timeout=2)
        report = web_player.play("shaka", urls["dash_live"], timeout=90, start=0)
        assert report["errors"] == [], report
        assert report["live"] is True  # it was the dynamic MPD while encoding
        assert report["minTime"] < 1.0 and report["ended"], report
        assert report["maxTime"] >= 11.8 and report["backwards"] == 0
        deadline = time.monotonic() + 30
        while 'type="static"' not in (
            mpd := urllib.request.urlopen(urls["dash_live"]).read().decode()
        ):
            assert time.monotonic() < deadline, mpd
            time.sleep(0.2)
        (entry,) = (_isolated_home / "cache" / "sessions").iterdir()
        deadline = time.monotonic() + 10
        while (entry / layout.LIVE_WORK).exists():
            assert time.monotonic() < deadline, "the live packager's folder was not removed"
            time.sleep(0.1)
        assert serve.stop() == 0
    assert processes_using(_isolated_home) == [] and fifos_under(_isolated_home) == []
