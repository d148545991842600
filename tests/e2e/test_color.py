"""Colour end to end: HDR10 and HLG come out SDR BT.709, as mpv's GPU renderer tone-maps the
source; SDR tags are carried. Frames are rendered by libmpv (vo=gpu on Mesa, under Xvfb)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import mpv
import pytest
from procs import wait_until
from PySide6.QtGui import QImage

from e2e.support import Serve
from viewra_desktop.core.binaries import find_tools

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
import check_linux_bundle as check  # noqa: E402

pytestmark = pytest.mark.e2e

AT = 1.5  # the frame compared
TAGS = {
    "pq": "color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc:range=tv",
    "hlg": "color_primaries=bt2020:color_trc=arib-std-b67:colorspace=bt2020nc:range=tv",
    "bt601": "color_primaries=smpte170m:color_trc=smpte170m:colorspace=smpte170m:range=tv",
    "full": "color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=pc",
}


def make_source(folder: Path, kind: str) -> Path:
    """3 s of testsrc2 with the ``kind`` tags: 10-bit High 10 for HDR (bright parts near
    1000 cd/m² in PQ), 8-bit otherwise."""
    target = folder / f"color-{kind}.mp4"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    hdr = kind in ("pq", "hlg")
    chain = "format=yuv420p10le,lutyuv=y=64+(val-64)*0.75" if hdr else "format=yuv420p"
    if kind == "full":
        chain = "format=yuvj420p"
    argv = [
        find_tools().ffmpeg, "-v", "error",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=3",
        "-vf", f"{chain},setparams={TAGS[kind]}",
        "-c:v", "libx264", "-preset", "ultrafast", *(["-profile:v", "high10"] if hdr else []),
        "-y", str(target),
    ]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True)
    return target


def stream_info(url_or_path: str) -> dict:
    done = subprocess.run(
        [find_tools().ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=pix_fmt,color_primaries,color_transfer,color_space,color_range",
         "-of", "json", url_or_path],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout)["streams"][0]


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (scripts/setup.sh installs it)")
    with check.xvfb() as number:
        yield number


def render(display: str, source: str, picture: Path) -> Path:
    """The frame at ``AT`` as mpv's GPU renderer shows it (static BT.2390 tone mapping for
    HDR: per-frame peak detection off, as a fixed encode cannot follow it)."""
    os.environ["DISPLAY"] = display
    log: list[str] = []
    player = mpv.MPV(
        log_handler=lambda level, part, text: log.append(f"{level} {part}: {text}"),
        loglevel="warn", vo="gpu", gpu_api="opengl", gpu_sw="yes", hwdec="no", ao="null",
        pause=True, start=str(AT), hr_seek="yes", hdr_compute_peak="no", geometry="640x360",
        osc="no", keep_open="yes",
    )  # fmt: skip
    try:
        player.play(source)
        assert wait_until(lambda: player.time_pos is not None and player.video_params, 30)
        time.sleep(0.5)  # the frame reaches the window
        try:
            player.command("screenshot-to-file", str(picture), "window")
        except SystemError as exc:
            raise AssertionError("".join(log)) from exc
    finally:
        player.terminate()
    return picture


def mean_luma(picture: Path) -> float:
    image = QImage(str(picture)).convertToFormat(QImage.Format.Format_RGB888)
    data, line = bytes(image.constBits()), image.bytesPerLine()
    total = 0.0
    for y in range(image.height()):
        row = data[y * line : y * line + image.width() * 3]
        total += 0.2126 * sum(row[0::3]) + 0.7152 * sum(row[1::3]) + 0.0722 * sum(row[2::3])
    return total / (image.width() * image.height())


@contextlib.contextmanager
def served(clip: Path, home: Path) -> Iterator[dict]:
    """``serve`` of ``clip``, its encode finished (a player reads it from the cache)."""
    with Serve(clip, home, "--profile", "360p") as serve:
        urls = serve.wait_urls()
        sessions = home / "cache" / "sessions"
        assert wait_until(lambda: any(sessions.glob("*/complete.json")), 60)
        yield urls
        assert serve.stop() == 0


def package_of(home: Path) -> Path:
    return next((home / "cache" / "sessions").iterdir())


@pytest.mark.parametrize("kind", ["pq", "hlg"])
def test_hdr_becomes_sdr_bt709_that_looks_like_mpvs_tone_mapping(
    media_dir, tmp_path, display, kind
):
    clip = make_source(media_dir, kind)
    assert stream_info(str(clip))["pix_fmt"] == "yuv420p10le"
    home = tmp_path / "home"
    with served(clip, home) as urls:
        info = stream_info(str(package_of(home) / "video.m3u8"))
        assert info["pix_fmt"] == "yuv420p"
        assert (info["color_primaries"], info["color_transfer"], info["color_space"]) == (
            "bt709", "bt709", "bt709"
        )  # fmt: skip
        reference = mean_luma(render(display, str(clip), tmp_path / "source.png"))
        made = mean_luma(render(display, urls["dash"], tmp_path / "encode.png"))
    assert reference > 20, "the reference frame is black"
    assert abs(made - reference) <= 0.15 * reference, (made, reference)


@pytest.mark.parametrize(("kind", "expected"), [
    ("bt601", ("smpte170m", "smpte170m", "smpte170m", "tv")),
    ("full", ("bt709", "bt709", "bt709", "pc")),
])  # fmt: skip
def test_sdr_colour_tags_are_carried(media_dir, tmp_path, kind, expected):
    clip = make_source(media_dir, kind)
    home = tmp_path / "home"
    with served(clip, home):
        info = stream_info(str(package_of(home) / "video.m3u8"))
    found = (info.get("color_primaries"), info.get("color_transfer"), info.get("color_space"),
             info.get("color_range"))  # fmt: skip
    assert found == expected
