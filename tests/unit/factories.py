"""Small builders shared by the unit tests."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from viewra_desktop.core.media import AudioStream, MediaInfo, VideoStream, parse_probe

DATA = Path(__file__).resolve().parent.parent / "data"


def probe_json(name: str) -> dict[str, Any]:
    """ffprobe JSON recorded by tests/data/record_data.py."""
    return json.loads((DATA / "probe" / f"{name}.json").read_text("utf-8"))


def recorded_media(name: str) -> MediaInfo:
    return parse_probe(probe_json(name), path=f"/media/{name}", size=1000)


def make_media(
    width: int = 1920,
    height: int = 1080,
    fps: float = 30.0,
    duration: float = 10.0,
    sar: Fraction = Fraction(1),
    rotation: int = 0,
    channels: int | None = 2,
    interlaced: bool = False,
    path: str = "/media/clip.mp4",
    language: str = "",
) -> MediaInfo:
    video = VideoStream(
        index=0,
        codec="h264",
        width=width,
        height=height,
        frame_rate=fps,
        sample_aspect=sar,
        rotation=rotation,
        pix_fmt="yuv420p",
        interlaced=interlaced,
    )
    audio = ()
    if channels:
        audio = (AudioStream(index=1, codec="aac", channels=channels, sample_rate=48000,
                             language=language),)  # fmt: skip
    return MediaInfo(
        path=path,
        size=1000,
        duration=duration,
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        start_time=0.0,
        video=video,
        audio=audio,
    )
