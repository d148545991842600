"""layout: every file name, and the server's accepted names read back from them."""

from __future__ import annotations

import pytest

from viewra_desktop.core import layout
from viewra_desktop.core.layout import Name, Part
from viewra_desktop.core.streams import IMAGE, StreamId, StreamKind, audio, ordered, text, video

SEGMENTED = [video(0), video(3), audio(0), audio(2), audio(12)]


def test_names_of_the_first_streams_are_the_plain_words():
    assert layout.init(video(0)) == "video/init.mp4"
    assert layout.segment(audio(0), 7) == "audio/7.m4s"
    assert layout.playlist(video(0)) == "video.m3u8"
    assert layout.segment_template(audio(0)) == "audio/$Number$.m4s"


def test_later_streams_carry_their_index():
    assert layout.segment(audio(2), 1) == "audio-2/1.m4s"
    assert layout.playlist(video(3)) == "video-3.m3u8"
    assert layout.text_file(text(1)) == "subtitles/1.vtt"
    assert layout.image_sheet(4) == "thumbnails/4.jpg"


@pytest.mark.parametrize("stream", SEGMENTED)
def test_every_segmented_name_reads_back(stream):
    assert layout.parse(layout.init(stream)) == Name(Part.INIT, stream)
    assert layout.parse(layout.segment(stream, 42)) == Name(Part.SEGMENT, stream, 42)
    assert layout.parse(layout.playlist(stream)) == Name(Part.MANIFEST, stream)
    assert layout.stream_named(layout.name(stream)) == stream


def test_whole_files_read_back():
    assert layout.parse(layout.text_file(text(0))) == Name(Part.FILE, text(0))
    assert layout.parse(layout.text_file(text(5))) == Name(Part.FILE, text(5))
    assert layout.parse(layout.image_sheet(3)) == Name(Part.FILE, IMAGE, 3)
    assert layout.parse(layout.CHAPTERS) == Name(Part.FILE)
    assert layout.parse(layout.MPD) == Name(Part.MANIFEST)
    assert layout.parse(layout.HLS_MASTER) == Name(Part.MANIFEST)


@pytest.mark.parametrize(
    "name",
    [
        "", "/manifest.mpd", "video/0.m4s", "video/01.m4s", "audio-0/1.m4s", "audio-01/1.m4s",
        "audio-1000/1.m4s", "subtitles/1.m4s", "subtitles/init.mp4", "thumbnails/init.mp4",
        "text/1.vtt", "video/1.vtt", "video/../complete.json", "complete.json", ".lock",
        ".work/run-1-1/video/0.m4s", "video/1.m4s/", "VIDEO/1.m4s", "video/1234567890.m4s",
        "subtitles/01.vtt", "thumbnails/0.jpg", "movie.mp4",
    ],
)  # fmt: skip
def test_nothing_else_is_a_name(name):
    assert layout.parse(name) is None


def test_run_folder_names():
    assert layout.run_folder(3, 12) == "run-3-12"
    assert layout.run_init(audio(1)) == "audio-1-init.mp4"
    assert layout.run_segment(video(0), 0) == "video/0.m4s"
    assert layout.run_segment_template(video(0)) == "video/$Number$.m4s"
    assert layout.run_segment_number("17.m4s") == 17
    assert layout.run_segment_number("17.m4s.tmp") is None
    assert layout.run_segment_number("init.mp4") is None
    assert layout.pipe(1) == "pipe-1.fifo"


def test_package_files_lists_every_file():
    files = layout.package_files({video(0): 2, audio(1): 1}, whole=("subtitles/0.vtt",))
    assert files == [
        "manifest.mpd", "master.m3u8",
        "video.m3u8", "video/init.mp4", "video/1.m4s", "video/2.m4s",
        "audio-1.m3u8", "audio-1/init.mp4", "audio-1/1.m4s",
        "subtitles/0.vtt",
    ]  # fmt: skip
    assert all(layout.parse(name) is not None for name in files)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manifest.mpd", "application/dash+xml"),
        ("audio-2.m3u8", "application/vnd.apple.mpegurl"),
        ("subtitles/0.vtt", "text/vtt"),
        ("thumbnails/1.jpg", "image/jpeg"),
        ("audio-2/3.m4s", "audio/mp4"),
        ("video/init.mp4", "video/mp4"),
    ],
)
def test_content_types(name, expected):
    assert layout.content_type(name, layout.parse(name)) == expected


def test_streams_order_and_print():
    assert ordered([text(0), audio(1), IMAGE, video(1), audio(0), video(0)]) == (
        video(0), video(1), audio(0), audio(1), text(0), IMAGE
    )  # fmt: skip
    assert str(audio(2)) == "audio 2"
    assert StreamKind.VIDEO.segmented and StreamKind.AUDIO.segmented
    assert not StreamKind.TEXT.segmented and not StreamKind.IMAGE.segmented
    assert StreamId(StreamKind.AUDIO, 1) == audio(1)
