"""The user's profiles on the command line: ``--list-profiles`` lists a profile from
profiles.toml in ``VIEWRA_HOME``, ``serve --profile mine`` encodes and plays with it, and a
broken file is one sentence while the built-in profiles still work."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest
from media import make_clip

from e2e.support import Serve, play
from viewra_desktop.core.profiles import BUILTIN

pytestmark = pytest.mark.e2e

MINE = """\
[profiles.mine]
label = "Mine, 240p Opus"
crf = 30
preset = "superfast"
audio_codec = "opus"
audio_kbps = 64
rungs = [{ size = 240, maxrate_kbps = 600 }]
"""
BROKEN = "[profiles.mine]\ncrf = 30\nrungs = [{ size = 240 }\n"  # the list is never closed


def home_with(tmp_path, text: str):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "profiles.toml").write_text(text, "utf-8")
    return home


def viewra(home, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, VIEWRA_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "viewra_desktop", *args],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_list_profiles_shows_yours_beside_the_built_in_ones(tmp_path):
    done = viewra(home_with(tmp_path, MINE), "--list-profiles")
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [p.name for p in BUILTIN] + ["mine"]
    assert lines[-1].split()[:4] == ["mine", "yours", "H.264", "240p"]
    assert lines[-1].endswith("(Mine, 240p Opus)")
    assert all(" built-in " in line for line in lines[:-1])
    refused = viewra(home_with(tmp_path / "other", MINE), "--profile", "theirs")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("viewra-desktop: There is no profile named 'theirs'")
    assert refused.stderr.strip().endswith("mine.") and len(refused.stderr.splitlines()) == 1


def test_serve_plays_with_your_profile(media_dir, tmp_path):
    clip = make_clip(media_dir, "clip3.mp4", 3)
    with Serve(clip, home_with(tmp_path, MINE), "--profile", "mine") as serve:
        urls = serve.wait_urls()
        mpd = urllib.request.urlopen(urls["dash"], timeout=30).read().decode()
        assert 'width="426" height="240"' in mpd and 'codecs="opus"' in mpd
        result = play(urls["hls"], speed=3.0, timeout=90)
        assert result.end_reason == "eof"
        assert result.duration == pytest.approx(3, abs=0.1)
        assert serve.stop() == 0


def test_a_broken_file_is_one_sentence_and_the_built_in_profiles_still_work(media_dir, tmp_path):
    home = home_with(tmp_path, BROKEN)
    path = home / "config" / "profiles.toml"
    listed = viewra(home, "--list-profiles")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [p.name for p in BUILTIN]
    assert listed.stderr.splitlines() == [
        f"viewra-desktop: Your profiles file {path} is broken at its end "
        "(Unclosed array); the built-in profiles are used."
    ]
    assert "Traceback" not in listed.stderr

    clip = make_clip(media_dir, "clip3.mp4", 3)
    refused = viewra(home, "serve", str(clip), "--profile", "mine")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines()[-1].startswith("viewra-desktop: There is no profile named")
    with Serve(clip, home, "--profile", "360p") as serve:
        urls = serve.wait_urls()
        assert play(urls["dash"], speed=3.0, timeout=90).end_reason == "eof"
        assert serve.stop() == 0
