"""Inspecting real encodes: quality metrics checked against ffmpeg itself, the stats command
on finished and running entries, and thumbnails (count, timing, served), with the real
Session, server, ffmpeg and packager."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from media import make_clip
from procs import processes_using, wait_until

from e2e.support import VIEWRA, Serve, V, start_session
from viewra_desktop.core import layout
from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.inspector import Inspector
from viewra_desktop.core.session import State
from viewra_desktop.core.thumbnails import made_slots

pytestmark = pytest.mark.e2e

FFMPEG = find_tools().ffmpeg


@dataclass
class Inspected:
    clip: Path
    cache: Path
    session: object
    inspector: Inspector


def inspect_to_the_end(clip: Path, cache: Path, timeout: float = 180) -> Inspected:
    """Encode ``clip`` (360p) and inspect it until every video segment is measured."""
    session, server, _url = start_session(clip, cache, "360p")
    inspector = Inspector(session, FFMPEG)
    inspector.start()
    plan = session.plan
    try:

        def measured() -> bool:
            report = inspector.report
            rows = report.rows_of(V) if report else ()
            return (
                session.state is State.FINISHED
                and len(rows) == plan.count(V)
                and all(r.metrics is not None for r in rows)
            )

        assert wait_until(measured, timeout, 0.1), "not every segment was measured"
    finally:
        inspector.stop()
        session.stop()
        server.close()
    return Inspected(clip, cache, session, inspector)


@pytest.fixture(scope="module")
def inspected(media_dir, tmp_path_factory) -> Inspected:
    clip = make_clip(media_dir, "inspect-12s-720p.mp4", 12, size="1280x720")
    return inspect_to_the_end(clip, tmp_path_factory.mktemp("inspect-cache"))


def ffmpeg_summary(encode: Path, clip: Path, start: float, duration: float) -> dict[str, float]:
    """ffmpeg's own PSNR, SSIM and XPSNR summary of one segment against the source, with
    the 360p profile's scaling written out here."""
    graph = (
        "[1:v]scale=640:360:flags=bicubic,setsar=1,format=yuv420p,setpts=PTS-STARTPTS,"
        "settb=AVTB,split=3[a][b][c];[0:v]setpts=PTS-STARTPTS,settb=AVTB[d];"
        "[d][a]psnr=shortest=1[p];[p][b]ssim=shortest=1[q];[q][c]xpsnr=shortest=1"
    )
    done = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostats", "-i", str(encode), "-ss", f"{start}",
         "-t", f"{duration}", "-i", str(clip), "-filter_complex", graph, "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    log = done.stderr
    return {
        "psnr": float(re.search(r"PSNR .* average:([\d.]+)", log).group(1)),
        "ssim": float(re.search(r"SSIM .* All:([\d.]+)", log).group(1)),
        "xpsnr": float(re.search(r"XPSNR\s+y:\s*([\d.]+)", log).group(1)),
    }


def test_every_segment_is_measured_and_matches_ffmpeg_on_that_segment(inspected, tmp_path):
    report = inspected.inspector.report
    assert report is not None
    rows = report.rows_of(V)
    assert all(r.metrics.frames > 0 for r in rows)
    assert all(30 < r.metrics.psnr < 70 and 0.9 < r.metrics.ssim <= 1 for r in rows)
    # A segment in the middle of a batch: its numbers are its frames' alone.
    row = next(r for r in rows if r.number == 6)
    folder = inspected.session.folder
    encode = tmp_path / "segment.mp4"
    encode.write_bytes(
        (folder / layout.init(V)).read_bytes() + (folder / layout.segment(V, 6)).read_bytes()
    )
    direct = ffmpeg_summary(encode, inspected.clip, row.start, row.duration)
    assert row.metrics.psnr == pytest.approx(direct["psnr"], abs=1e-4)
    assert row.metrics.ssim == pytest.approx(direct["ssim"], abs=1e-5)
    assert row.metrics.xpsnr == pytest.approx(direct["xpsnr"], abs=1e-3)
    assert list((folder / layout.INSPECT).glob("job-*")) == []  # no scratch left behind
    assert processes_using(folder) == []


def stats_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*VIEWRA, "stats", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, VIEWRA_HOME=str(home)),
    )


def test_stats_command_prints_the_finished_entry(inspected, tmp_path):
    done = stats_cli(
        str(inspected.clip), "--profile", "360p", "--cache-dir", str(inspected.cache),
        home=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    folder = inspected.session.folder
    plan = inspected.session.plan
    video_rows = [r for r in table if r["stream"] == "video"]
    assert len(video_rows) == plan.count(V)
    for row in video_rows:
        size = (folder / layout.segment(V, int(row["segment"]))).stat().st_size
        assert int(row["bytes"]) == size
        assert float(row["kbps"]) == pytest.approx(size * 8 / float(row["duration"]) / 1000, 0.01)
        assert float(row["psnr"]) > 30 and float(row["ssim"]) > 0.9 and float(row["xpsnr"]) > 25
        assert row["vmaf"] == ""  # this ffmpeg has no libvmaf
    assert {r["stream"] for r in table} == {"video", "audio"}
    other = stats_cli(str(inspected.clip), "--cache-dir", str(inspected.cache), home=tmp_path)
    assert other.returncode == 1
    assert other.stderr.count("\n") == 1 and "has not been encoded with the 720p" in other.stderr
    assert "Traceback" not in other.stderr


def test_stats_command_reads_a_running_entry_another_process_holds(media_dir, tmp_path):
    clip = make_clip(media_dir, "clip30.mp4", 30, size="1280x720")
    cache = tmp_path / "cache"
    with Serve(clip, tmp_path / "home", "--profile", "720p", "--cache-dir", str(cache)) as serve:
        serve.wait_urls()
        segments = list(cache.glob("sessions/*/video"))
        assert wait_until(lambda: len(list(segments[0].glob("*.m4s"))) >= 3, 60), "three segments"
        done = stats_cli(str(clip), "--profile", "720p", "--cache-dir", str(cache), home=tmp_path)
        assert done.returncode == 0, done.stderr
        rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["stream"] == "video"]
        assert 3 <= len(rows) < 30  # what is complete so far, while it encodes
        assert all(int(r["bytes"]) > 0 and float(r["duration"]) > 0 for r in rows)
        assert serve.stop() == 0


# -- thumbnails --------------------------------------------------------------------------------

RAMP_S = 8


def make_ramp(folder: Path) -> Path:
    """8 s whose brightness tells the time (luma 30 + 20 per second), a keyframe a second."""
    target = folder / "ramp-8s.mp4"
    if not target.exists():
        partial = folder / "partial-ramp.mp4"
        subprocess.run(
            [FFMPEG, "-v", "error", "-f", "lavfi", "-i",
             f"color=c=black:s=320x180:r=30:d={RAMP_S},format=yuv420p,"
             "geq=lum='30+20*floor(T)':cb=128:cr=128",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-keyint_min", "30",
             "-sc_threshold", "0", "-y", str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(target)
    return target


def mean_gray(picture: Path, crop: str = "") -> float:
    """The picture's mean brightness, as ffmpeg turns it to full-range grey."""
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(picture), "-vf", f"{crop}format=gray",
         "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return sum(raw) / len(raw)


def second_gray(second: int) -> float:
    """The ramp's grey at ``second``: luma 30 + 20 per second, from video range to full."""
    return (30 + 20 * second - 16) * 255 / 219


def test_thumbnails_one_per_second_show_their_second_and_are_served(media_dir, tmp_path):
    clip = make_ramp(media_dir)
    session, server, url = start_session(clip, tmp_path / "cache", "360p")
    inspector = Inspector(session, FFMPEG, measure=False)
    try:
        inspector.start()
        folder = session.folder
        image = session.plan.image
        assert image.interval == 1.0 and image.slots(session.plan.duration) == RAMP_S
        assert wait_until(lambda: (folder / layout.image_sheet(1)).is_file(), 60), "the sheet"
        assert wait_until(lambda: len(made_slots(folder)) == RAMP_S, 10), "every picture"
        assert made_slots(folder) == set(range(RAMP_S))
        for slot in range(RAMP_S):
            assert mean_gray(folder / layout.tile(slot)) == pytest.approx(second_gray(slot), abs=3)
        sheet = folder / layout.image_sheet(1)
        for slot in (0, 3, 7):  # the same picture in its place on the sheet (row 0)
            crop = f"crop={image.width}:{image.height}:{slot * image.width}:0,"
            assert mean_gray(sheet, crop) == pytest.approx(second_gray(slot), abs=3)
        assert not (folder / layout.image_sheet(2)).exists()
        with urllib.request.urlopen(url + layout.image_sheet(1), timeout=30) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"] == "image/jpeg"
            assert answer.read() == sheet.read_bytes()
    finally:
        inspector.stop()
        session.stop()
        server.close()
    assert processes_using(tmp_path / "cache") == []
    assert not any(p.suffix == ".tmp" for p in folder.rglob("*"))


def test_background_work_stands_aside_while_a_seek_restarts_the_encoder(media_dir, tmp_path):
    clip = make_clip(media_dir, "clip60.mp4", 60)
    session, server, _url = start_session(clip, tmp_path / "cache", "360p")
    inspector = Inspector(session, FFMPEG)
    try:
        inspector.start()
        assert wait_until(lambda: inspector._process is not None, 60), "no background work"
        runs = len(session.runs)
        session.request(V, session.plan.count(V) - 5)  # far ahead: the encoder restarts
        assert wait_until(lambda: len(session.runs) > runs, 10), "the encoder did not restart"
        seen: list[str] = []

        def paused_and_stopped() -> bool:
            process = inspector._process
            if not inspector.paused:
                return False
            if process is None or process.pid is None:
                seen.append("no process")  # it waits to start the next one
                return True
            stat = Path(f"/proc/{process.pid}/stat").read_text()
            seen.append(stat[stat.rindex(")") + 2])
            return seen[-1] == "T"  # SIGSTOP: stopped

        assert wait_until(paused_and_stopped, 10, 0.005), f"never stood aside: {seen}"
        seek_run = session.runs[-1]
        assert wait_until(lambda: not inspector.paused, 60), "never resumed"
        assert seek_run.done  # it resumed once the new run had made a segment
    finally:
        inspector.stop()
        session.stop()
        server.close()
    assert processes_using(tmp_path / "cache") == []
