"""The seed design's pipeline, as its manual test documents it, for comparison: nothing
plays until its packager writes the manifest at the end."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.pipe import FifoPipe

from .players import Watch


def seed_commands(tools, src: Path, out: Path, pipe: str) -> tuple[list[str], list[str]]:
    """The seed's manual test, as documented, minus --fragment_duration and
    --low_latency_dash_mode (the packager refuses them together, and the latter without
    --utc_timings)."""
    packager = [
        tools.packager,
        f"in={pipe},stream=0,output={out}/video.mp4,segment_template={out}/video-$Number$.m4s",
        f"in={pipe},stream=1,output={out}/audio.mp4,segment_template={out}/audio-$Number$.m4s",
        "--segment_duration", "4",
        "--mpd_output", f"{out}/manifest.mpd",
        "--generate_static_live_mpd",
        "--suggested_presentation_delay", "8",
        "--time_shift_buffer_depth", "3600",
        "--allow_approximate_segment_timeline",
    ]  # fmt: skip
    ffmpeg = [
        tools.ffmpeg, "-v", "error", "-i", str(src),
        "-c:v", "libx264", "-preset", "fast", "-crf", "23",
        "-c:a", "aac", "-b:a", "128k",
        "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
        "-frag_duration", "4000000", "-y", pipe,
    ]  # fmt: skip
    return packager, ffmpeg


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the player closing a connection early is not news


@dataclass
class SeedResult:
    manifest_after: float
    first_frame: float
    encode_seconds: float


def measure_seed(src: Path, scratch: Path) -> SeedResult:
    tools = find_tools()
    out = scratch / "seed"
    out.mkdir(parents=True)
    pipe = FifoPipe.create(out, "test.pipe")
    handler = functools.partial(_QuietHandler, directory=str(out))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    packager_argv, ffmpeg_argv = seed_commands(tools, src, out, pipe.writer_path)
    watch = Watch.create()
    try:
        began = time.monotonic()
        packager = subprocess.Popen(packager_argv, stderr=subprocess.DEVNULL)
        ffmpeg = subprocess.Popen(ffmpeg_argv)
        manifest = out / "manifest.mpd"
        while not manifest.exists():
            if packager.poll() is not None and not manifest.exists():
                raise RuntimeError("the seed's packager ended without a manifest")
            time.sleep(0.02)
        manifest_after = time.monotonic() - began
        watch.player.play(f"http://127.0.0.1:{httpd.server_address[1]}/manifest.mpd")
        framed = watch.first_frame(120)
        assert framed is not None
        ffmpeg.wait()
        packager.wait()
        encode = time.monotonic() - began
    finally:
        watch.close()
        httpd.shutdown()
        pipe.close()
    shutil.rmtree(out, ignore_errors=True)
    return SeedResult(manifest_after, framed - began, encode)
