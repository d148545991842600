"""mpv options for playing a Viewra session from the local server.

The app's player and the benchmark use the same set. They matter most for the time to the
first frame: the stream comes from loopback with codec parameters in the init segments, so
there is nothing to gain from probing several segments before starting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

MPV_OPTIONS: dict[str, str] = {
    # Codec parameters are in the init segments: do not read segments ahead to probe.
    "demuxer_lavf_probe_info": "no",
    "demuxer_lavf_analyzeduration": "0.1",
    # Wait for the encoder rather than giving up on a slow segment.
    "network_timeout": "120",
    # Start, restart after a seek, and resume after running dry only once a little is
    # buffered (mpv's default: start at once, then wait for 1 s after running dry). The
    # encoder usually runs faster than playback, so a head start of a couple of frames keeps
    # playback ahead of it; starting on the very first frame runs dry at once, and then
    # mpv's 1 s wait is a visible stall (measured with the benchmark).
    "cache_pause_initial": "yes",
    "cache_pause_wait": "0.05",
    # Precise seeks: the clock lands on the target, not on the keyframe before it.
    "hr_seek": "yes",
}


# Decoding on one thread: libavcodec's frame threads each hold a frame back, so with mpv's
# automatic count (cores + 1) the first picture waits for two more frames from the encoder.
# In turns on the benchmark's 720p30 stream (6 rounds), serve's first frame came after
# 0.398 s against 0.447 s. One thread keeps up with as many pixels per second as these, with room to
# spare beside the encoder (measured here: 1080p30 H.264 decodes at 4.6x realtime on one
# core); above them, and for HEVC and AV1 (heavier to decode), mpv picks the count.
ONE_THREAD_PIXEL_RATE = {"h264": 1920 * 1080 * 30, "vp9": 1280 * 720 * 30}
DEFAULT_FPS = 30.0  # a rendition that keeps an unknown source timing


class Picture(Protocol):
    """What the decoder's load depends on (a ``renditions.VideoRendition`` has these)."""

    @property
    def codec(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...

    @property
    def frame_rate(self) -> float: ...


def decoder_threads(renditions: Sequence[Picture], source_fps: float = 0.0) -> int:
    """mpv's ``vd-lavc-threads`` for a session's video: 1 if one thread keeps up with the
    largest rendition, else 0 (mpv's choice). A rendition's frame rate 0.0 keeps the
    source's (``source_fps``; unknown: ``DEFAULT_FPS``)."""
    if not renditions:
        return 0
    for rendition in renditions:
        limit = ONE_THREAD_PIXEL_RATE.get(rendition.codec)
        fps = rendition.frame_rate or source_fps or DEFAULT_FPS
        if limit is None or rendition.width * rendition.height * fps > limit:
            return 0
    return 1
