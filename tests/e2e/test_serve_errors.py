"""Bad input to ``serve``: one line on stderr, non-zero exit, within seconds, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from media import make_clip

pytestmark = pytest.mark.e2e


def _serve(*args: str, home) -> tuple[int, str, str, float]:
    env = dict(os.environ, VIEWRA_HOME=str(home))
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "viewra_desktop", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - began


def _assert_refused(result, *words: str) -> None:
    code, out, err, took = result
    assert code != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]
    assert took < 10


def test_missing_file(tmp_path, _isolated_home):
    _assert_refused(_serve(str(tmp_path / "nope.mp4"), home=_isolated_home), "nope.mp4", "exist")


def test_folder(tmp_path, _isolated_home):
    folder = tmp_path / "videos"
    folder.mkdir()
    _assert_refused(_serve(str(folder), home=_isolated_home), "folder")


def test_text_named_mp4(tmp_path, _isolated_home):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    _assert_refused(_serve(str(fake), home=_isolated_home), "notes.mp4")


def test_empty_file(tmp_path, _isolated_home):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    _assert_refused(_serve(str(empty), home=_isolated_home), "empty")


def test_unknown_profile(media_dir, _isolated_home):
    clip = make_clip(media_dir, "clip2.mp4", 2)
    code, _out, err, _took = _serve(str(clip), "--profile", "4k", home=_isolated_home)
    assert code == 1  # one sentence naming the profiles there are (the user's too)
    assert err.startswith("viewra-desktop: There is no profile named '4k'") and "ladder" in err
    assert "Traceback" not in err


def test_version(_isolated_home):
    done = subprocess.run(
        [sys.executable, "-m", "viewra_desktop", "--version"], capture_output=True, text=True
    )
    from viewra_desktop import __version__

    assert done.returncode == 0
    assert done.stdout.strip() == f"viewra-desktop {__version__}"


def test_still_picture(tmp_path, _isolated_home):
    from viewra_desktop.core.binaries import find_tools

    picture = tmp_path / "photo.jpg"
    subprocess.run(
        [find_tools().ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240",
         "-frames:v", "1", str(picture)],
        check=True,
    )  # fmt: skip
    _assert_refused(_serve(str(picture), home=_isolated_home), "photo.jpg", "picture")
