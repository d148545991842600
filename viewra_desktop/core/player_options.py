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
    # Precise seeks: the clock lands on the target, not on the keyframe before it.
    "hr_seek": "yes",
}
