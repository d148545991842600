"""player_options: how many threads mpv decodes a session's video on."""

from __future__ import annotations

from viewra_desktop.core.encoders import VideoEncoder
from viewra_desktop.core.player_options import decoder_threads
from viewra_desktop.core.renditions import VideoRendition
from viewra_desktop.core.streams import video


def rung(width: int, height: int, fps: float = 30.0, codec: str = "h264") -> VideoRendition:
    return VideoRendition(video(0), width, height, fps, level=40, maxrate_kbps=5000,
                          encoder=VideoEncoder(codec, "x"))  # fmt: skip


def test_one_thread_while_it_keeps_up_with_the_largest_rendition():
    assert decoder_threads([rung(1280, 720)]) == 1
    assert decoder_threads([rung(1920, 1080), rung(1280, 720), rung(640, 360)]) == 1
    assert decoder_threads([rung(1280, 720, fps=60.0)]) == 1


def test_mpv_chooses_above_it():
    assert decoder_threads([rung(1920, 1080, fps=60.0)]) == 0
    assert decoder_threads([rung(3840, 2160), rung(1280, 720)]) == 0


def test_the_source_timing_counts_where_a_rendition_keeps_it():
    assert decoder_threads([rung(1920, 1080, fps=0.0)], source_fps=25.0) == 1
    assert decoder_threads([rung(1920, 1080, fps=0.0)], source_fps=50.0) == 0
    assert decoder_threads([rung(1920, 1080, fps=0.0)]) == 1  # unknown: taken as 30


def test_codecs_with_their_own_threading_are_left_to_mpv():
    assert decoder_threads([rung(1280, 720, codec="vp9")]) == 1
    assert decoder_threads([rung(1920, 1080, codec="vp9")]) == 0
    assert decoder_threads([rung(640, 360, codec="hevc")]) == 0
    assert decoder_threads([rung(640, 360, codec="av1")]) == 0
    assert decoder_threads([]) == 0
