"""mpv options for playing a Viewra session from the local server.

The app's player and the benchmark use the same set. They matter most for the time to the
first frame: the stream comes from loopback with codec parameters in the init segments, so
there is nothing to gain from probing several segments before starting.
"""

from __future__ import annotations

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
