"""probe: recorded ffprobe JSON, and every kind of bad input ending in one InputError."""

from __future__ import annotations

import copy
import json
import os
import pathlib
import random
import re
import subprocess
from fractions import Fraction

import pytest
from media import make_clip, make_film

from viewra_desktop.core import probe as probe_module
from viewra_desktop.core.errors import InputError, ToolNotFoundError, ViewraError
from viewra_desktop.core.probe import (
    MAX_KEYFRAME_GAP_S,
    can_decode,
    check_readable,
    from_record,
    keyframe_gap,
    parse_decoders,
    parse_probe,
    probe,
    read,
    video_decoders,
)

from .factories import probe_json, recorded_media

# -- parse_probe on recorded ffprobe output --------------------------------------------------


def test_odd_size_clip():
    info = recorded_media("odd_size")
    assert info.duration == pytest.approx(1.0)
    assert info.path == "/media/odd_size" and info.size == 1000
    assert "mp4" in info.format_name.split(",")
    video = info.video
    assert video is not None
    assert (video.index, video.codec) == (0, "h264")
    assert (video.width, video.height) == (1917, 1077)
    assert video.frame_rate == pytest.approx(30.0)
    assert video.rotation == 0
    assert video.sample_aspect == 1
    assert video.display_size == (1917, 1077)
    assert not video.interlaced
    assert [(a.index, a.codec, a.channels, a.sample_rate) for a in info.audio] == [
        (1, "aac", 2, 48000)
    ]
    assert info.subtitles == ()


def test_rotated_clip_swaps_display_size():
    info = recorded_media("rotated")
    assert info.video is not None
    # Recorded with `ffmpeg -display_rotation 90` (counter-clockwise, as ffprobe reports it).
    assert info.video.rotation == 90
    assert (info.video.width, info.video.height) == (320, 180)
    assert info.video.display_size == (180, 320)


def test_legacy_rotate_tag_counts_clockwise():
    data = probe_json("rotated")
    stream = data["streams"][0]
    del stream["side_data_list"]
    stream["tags"]["rotate"] = "90"  # old files: 90 degrees clockwise
    video = parse_probe(data).video
    assert video is not None
    assert video.rotation == -90
    assert video.display_size == (180, 320)
    stream["tags"]["rotate"] = "180"
    video = parse_probe(data).video
    assert video is not None and abs(video.rotation) == 180
    assert video.display_size == (320, 180)


@pytest.mark.parametrize(("matrix", "expected"), [(-90, -90), (270, -90), (-270, 90), (0, 0)])
def test_display_matrix_angles_are_normalised(matrix, expected):
    data = probe_json("rotated")
    data["streams"][0]["side_data_list"][0]["rotation"] = matrix
    video = parse_probe(data).video
    assert video is not None
    assert video.rotation == expected


def test_surround_audio():
    info = recorded_media("surround")
    assert [a.channels for a in info.audio] == [6]
    assert info.audio[0].sample_rate == 48000


def test_two_audio_tracks_keep_order_language_and_title():
    info = recorded_media("two_audio")
    assert "matroska" in info.format_name
    # Matroska reports no per-stream duration: the format's duration is used.
    assert info.duration == pytest.approx(1.021)
    assert [(a.index, a.channels, a.language, a.title) for a in info.audio] == [
        (1, 2, "eng", "Main"),
        (2, 1, "fra", "Commentaire"),
    ]


def test_text_subtitles():
    info = recorded_media("subtitles")
    assert [(s.index, s.codec, s.language) for s in info.subtitles] == [
        (2, "subrip", "eng"),
        (3, "ass", "deu"),
    ]
    assert all(s.is_text for s in info.subtitles)
    assert info.video is not None and len(info.audio) == 1


def test_bitmap_subtitles_are_not_text():
    data = probe_json("subtitles")
    data["streams"][2]["codec_name"] = "hdmv_pgs_subtitle"
    data["streams"][3]["codec_name"] = "dvd_subtitle"
    assert [s.is_text for s in parse_probe(data).subtitles] == [False, False]


def test_cover_art_is_not_the_video():
    info = recorded_media("cover_art")
    raw = probe_json("cover_art")["streams"]
    assert raw[2]["codec_type"] == "video" and raw[2]["disposition"]["attached_pic"] == 1
    assert info.video is not None
    assert (info.video.index, info.video.codec, info.video.width) == (0, "h264", 320)
    assert [a.index for a in info.audio] == [1]


def test_cover_art_first_does_not_hide_the_video():
    data = probe_json("cover_art")
    data["streams"].reverse()  # the picture now comes before the real video
    info = parse_probe(data)
    assert info.video is not None and info.video.index == 0 and info.video.codec == "h264"


def test_audio_file_with_cover_has_no_video():
    info = recorded_media("audio_cover")
    assert info.video is None
    assert [a.codec for a in info.audio] == ["aac"]
    assert info.duration == pytest.approx(1.0)


def test_interlaced_and_progressive():
    interlaced = recorded_media("interlaced").video
    progressive = recorded_media("no_audio").video
    assert interlaced is not None and interlaced.interlaced
    assert interlaced.frame_rate == pytest.approx(25.0)
    assert progressive is not None and not progressive.interlaced


def test_no_audio():
    info = recorded_media("no_audio")
    assert info.audio == () and info.subtitles == ()
    assert info.video is not None


def test_anamorphic_display_size():
    video = recorded_media("anamorphic").video
    assert video is not None
    assert video.sample_aspect == Fraction(64, 45)
    assert video.display_size == (1024, 576)  # 720 * 64 / 45 = 1024


@pytest.mark.parametrize(
    ("average", "base", "field_order", "variable"),
    [
        ("30/1", "30/1", "progressive", False),
        ("30000/1001", "30000/1001", "progressive", False),
        ("2997/100", "30/1", "progressive", False),  # a little jitter: nothing to change
        ("49000000/1516667", "15/1", "progressive", True),  # 15 fps, then 50 fps
        ("25/1", "50/1", "tt", False),  # interlaced: the field rate
        ("25/1", "50/1", "progressive", False),  # the field rate, not flagged as interlaced
        ("0/0", "30/1", "progressive", False),  # unknown average
    ],
)
def test_variable_frame_rate(average, base, field_order, variable):
    data = probe_json("no_audio")
    stream = data["streams"][0]
    stream.update(avg_frame_rate=average, r_frame_rate=base, field_order=field_order)
    video = parse_probe(data).video
    assert video is not None and video.variable_rate is variable


def test_high_frame_rate():
    video = recorded_media("high_fps").video
    assert video is not None and video.frame_rate == pytest.approx(120.0)


def test_unknown_average_rate_falls_back_to_real_base_rate():
    data = probe_json("no_audio")
    data["streams"][0]["avg_frame_rate"] = "0/0"
    data["streams"][0]["r_frame_rate"] = "30000/1001"
    video = parse_probe(data).video
    assert video is not None and video.frame_rate == pytest.approx(29.97, abs=0.001)


@pytest.mark.parametrize("missing", [None, "N/A"])
def test_duration_falls_back_to_the_longest_stream(missing):
    data = probe_json("odd_size")
    if missing is None:
        del data["format"]["duration"]
    else:
        data["format"]["duration"] = missing
    data["streams"][1]["duration"] = "1.250000"
    assert parse_probe(data).duration == pytest.approx(1.25)


def test_a_last_subtitle_cue_after_the_end_does_not_lengthen_the_timeline():
    data = probe_json("odd_size")
    data["format"]["duration"] = "7.500000"  # a container counts the last cue
    for stream in data["streams"]:
        stream.pop("duration", None)
        stream["tags"] = {"DURATION": "00:00:03.000000000"}  # Matroska's per-stream tag
    assert parse_probe(data).duration == pytest.approx(3.0)
    data["streams"][0]["tags"] = {"DURATION": "01:02:03.500000000"}
    assert parse_probe(data).duration == pytest.approx(7.5)  # never past the container


def test_empty_json():
    info = parse_probe({})
    assert info.video is None and info.duration == 0.0 and info.audio == ()


def test_parse_does_not_change_its_input():
    data = probe_json("cover_art")
    before = copy.deepcopy(data)
    parse_probe(data)
    assert data == before


# -- bad input -------------------------------------------------------------------------------


def assert_one_sentence_naming(exc: BaseException, name: str) -> None:
    message = str(exc)
    assert type(exc) is InputError
    assert name in message
    assert message.endswith(".")
    assert "\n" not in message
    # One sentence: no full stop followed by more text (file names here have no ". ").
    assert not re.search(r"[.!?]\s+\S", message), message


def test_missing_file(tools, tmp_path):
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(tmp_path / "gone.mp4"))
    assert_one_sentence_naming(info.value, "gone.mp4")
    assert "does not exist" in str(info.value)


def test_folder(tools, tmp_path):
    folder = tmp_path / "holiday.mp4"
    folder.mkdir()
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(folder))
    assert_one_sentence_naming(info.value, "holiday.mp4")
    assert "folder" in str(info.value)


def test_empty_file(tools, tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(empty))
    assert_one_sentence_naming(info.value, "empty.mp4")
    assert "empty" in str(info.value).replace("empty.mp4", "")


def test_not_a_regular_file(tools, tmp_path):
    fifo = tmp_path / "stream.mp4"
    os.mkfifo(fifo)
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(fifo))  # must not block opening the FIFO
    assert_one_sentence_naming(info.value, "stream.mp4")


def test_unreadable_file(tools, tmp_path, monkeypatch):
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(b"\x00" * 64)
    locked.chmod(0)
    if os.geteuid() == 0:
        # chmod 000 does not stop root from reading: make opening this one file fail instead.
        real_open = pathlib.Path.open

        def deny(self, *args, **kwargs):
            if self.name == "locked.mp4":
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "open", deny)
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(locked))
    assert_one_sentence_naming(info.value, "locked.mp4")
    assert "permission denied" in str(info.value)


def test_random_bytes_named_mp4(tools, tmp_path):
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(random.Random(7).randbytes(64 * 1024))
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(noise))
    assert_one_sentence_naming(info.value, "noise.mp4")
    assert info.value.details  # ffprobe's complaint is kept for the log


@pytest.mark.parametrize("name", ["notes.txt", "notes.mp4"])
def test_text_file(tools, tmp_path, name):
    text = tmp_path / name
    text.write_text("Shopping list\n- milk\n- bread\n" * 20, "utf-8")
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(text))
    assert_one_sentence_naming(info.value, name)


def test_subtitle_file_has_no_video(tools, tmp_path):
    srt = tmp_path / "film.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n", "utf-8")
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(srt))
    assert_one_sentence_naming(info.value, "film.srt")
    assert "no video" in str(info.value)


def test_audio_only_file_has_no_video(tools, tmp_path):
    song = tmp_path / "song.m4a"
    subprocess.run(
        [tools.ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.3",
         "-c:a", "aac", "-y", str(song)],
        check=True,
    )  # fmt: skip
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(song))
    assert_one_sentence_naming(info.value, "song.m4a")
    assert "no video" in str(info.value)


def test_a_real_clip_probes(tools, tmp_path):
    clip = tmp_path / "name: with colon.mp4"
    subprocess.run(
        [tools.ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:duration=0.5",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-y",
         "file:" + str(clip)],
        check=True,
    )  # fmt: skip
    info = probe(tools.ffprobe, str(clip))
    assert info.video is not None and (info.video.width, info.video.height) == (160, 90)
    assert info.duration == pytest.approx(0.5, abs=0.05)
    assert info.path == str(clip.resolve())
    assert info.size == clip.stat().st_size


def test_check_readable_returns_the_resolved_path(tmp_path, monkeypatch):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    assert check_readable("a.mp4") == clip.resolve()


def test_missing_ffprobe_is_a_tool_error_not_a_crash(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x" * 100)
    with pytest.raises(ToolNotFoundError) as info:
        probe(str(tmp_path / "no-ffprobe"), str(clip))
    assert "VIEWRA_FFPROBE" in str(info.value)


def fake_ffprobe(folder: pathlib.Path, body: str) -> str:
    path = folder / "ffprobe"
    path.write_text("#!/bin/sh\n" + body + "\n", "utf-8")
    path.chmod(0o755)
    return str(path)


def test_broken_ffprobe_is_a_tool_error(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x" * 100)
    broken = fake_ffprobe(tmp_path, 'echo "libfoo.so: not found" >&2; exit 127')
    with pytest.raises(ToolNotFoundError):
        probe(broken, str(clip))


def test_working_ffprobe_that_rejects_the_file_is_an_input_error(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x" * 100)
    picky = fake_ffprobe(
        tmp_path, '[ "$1" = "-version" ] && echo "ffprobe version 8" && exit 0; exit 1'
    )
    with pytest.raises(ViewraError) as info:
        probe(picky, str(clip))
    assert_one_sentence_naming(info.value, "a.mp4")


# -- decoders, keyframe spacing, damaged files -----------------------------------------------

DECODERS = """Decoders:
 V..... = Video
 A..... = Audio
 ------
 V....D av1                  Alliance for Open Media AV1
 V....D h264                 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10
 V..... h264_v4l2m2m         V4L2 mem2mem H.264 decoder wrapper (codec h264)
 V..... hevc_cuvid           Nvidia CUVID HEVC decoder (codec hevc)
 A....D aac                  AAC (Advanced Audio Coding)
"""


def test_parse_decoders_maps_codecs_to_decoders():
    decoders = parse_decoders(DECODERS)
    assert decoders == {
        "av1": frozenset({"av1"}),
        "h264": frozenset({"h264", "h264_v4l2m2m"}),
        "hevc": frozenset({"hevc_cuvid"}),
    }


def test_only_software_decoders_count():
    decoders = parse_decoders(DECODERS)
    assert can_decode(decoders, "h264")
    assert not can_decode(decoders, "av1")  # FFmpeg's own AV1 decoder needs a GPU
    assert not can_decode(decoders, "hevc")  # only a GPU decoder
    assert not can_decode(decoders, "unknown")
    with_dav1d = parse_decoders(DECODERS + " V....D libdav1d   dav1d AV1 decoder (codec av1)\n")
    assert can_decode(with_dav1d, "av1")
    assert can_decode({}, "av1")  # no list: let ffmpeg try


def test_the_real_decoder_list(tools):
    decoders = video_decoders(tools.ffprobe)
    for codec in ("h264", "hevc", "vp9", "mpeg2video", "prores"):
        assert can_decode(decoders, codec), codec


def test_keyframe_gap():
    every_second = "".join(f"{t / 10:.6f},{'K_' if t % 10 == 0 else '__'},\n" for t in range(50))
    assert keyframe_gap(every_second) == pytest.approx(1.0)
    # The tail after the last keyframe counts too: here 2.9 s.
    assert keyframe_gap("0.0,K_\n1.0,K_\n1.5,__\nN/A,__\n3.9,__\n") == pytest.approx(2.9)
    assert keyframe_gap("1.4,K__,\n1.44,___,\n") == MAX_KEYFRAME_GAP_S  # one keyframe
    assert keyframe_gap("") == MAX_KEYFRAME_GAP_S
    assert keyframe_gap("0,K\n100,K\n") == MAX_KEYFRAME_GAP_S  # capped


def _clip(tools, path: pathlib.Path, *args: str, seconds: float = 2) -> pathlib.Path:
    subprocess.run(
        [tools.ffmpeg, "-v", "error",
         "-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=25:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *args,
         "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_transport_streams_get_their_keyframe_spacing(tools, tmp_path):
    gop = probe(tools.ffprobe, str(_clip(tools, tmp_path / "gop.ts", "-g", "10")))
    assert gop.keyframe_gap == pytest.approx(0.4)
    single = probe(tools.ffprobe, str(_clip(tools, tmp_path / "single.ts")))
    assert single.keyframe_gap == MAX_KEYFRAME_GAP_S
    # MP4 seeking lands on keyframes by itself: no scan.
    assert probe(tools.ffprobe, str(_clip(tools, tmp_path / "clip.mp4"))).keyframe_gap == 0.0


def test_mp4_cut_before_its_index_is_damaged(tools, tmp_path):
    whole = _clip(tools, tmp_path / "whole.mp4", seconds=4).read_bytes()
    cut = tmp_path / "recording.mp4"
    cut.write_bytes(whole[: len(whole) // 2])  # the index (moov) is written last
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(cut))
    assert_one_sentence_naming(info.value, "recording.mp4")
    assert "damaged" in str(info.value)


def test_random_bytes_are_not_called_a_damaged_video(tools, tmp_path):
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(random.Random(8).randbytes(4096))
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(noise))
    assert "not a video file" in str(info.value)


def test_undecodable_codec_is_refused_up_front(tools, tmp_path):
    if can_decode(video_decoders(tools.ffprobe), "av1"):
        pytest.skip("this ffmpeg decodes AV1")
    clip = tmp_path / "new.mkv"
    done = subprocess.run(
        [tools.ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:duration=0.5",
         "-c:v", "libsvtav1", "-preset", "12", "-y", str(clip)],
        capture_output=True,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip("this ffmpeg has no AV1 encoder")
    with pytest.raises(ViewraError) as info:
        probe(tools.ffprobe, str(clip))
    assert_one_sentence_naming(info.value, "new.mkv")
    assert "AV1" in str(info.value) and "cannot decode" in str(info.value)


# -- what ffprobe said, kept in a finished entry's record --------------------------------------


def test_the_record_gives_back_the_same_media_without_ffprobe(tools, tmp_path):
    film = make_film(tmp_path, seconds=2.0)
    media, said = read(tools.ffprobe, str(film))
    # The record goes through JSON on disk (complete.json).
    kept = json.loads(json.dumps(said))
    assert from_record(kept, str(film)) == media
    assert media.audio and media.subtitles  # the film has tracks worth comparing
    assert from_record({}, str(film)) is None
    assert from_record({"probe": "not ffprobe json"}, str(film)) is None


def test_a_probe_begun_ahead_is_the_one_read_takes(tools, tmp_path, monkeypatch):
    """``begin`` starts ffprobe at once; ``read`` then takes that process and its output
    instead of starting another."""
    clip = make_clip(tmp_path, "clip.mp4", 2, size="320x180")
    probe_module.begin(tools.ffprobe, str(clip))
    begun = dict(probe_module._BEGUN)
    assert len(begun) == 1

    def no_new_process(*args, **kwargs):
        raise AssertionError("a second ffprobe was started")

    monkeypatch.setattr(probe_module.subprocess, "Popen", no_new_process)
    info, said = read(tools.ffprobe, str(clip))
    assert info.video is not None and info.duration == pytest.approx(2, abs=0.1)
    assert said["probe"]["format"]
    assert probe_module._BEGUN == {}
    ((started, listing),) = begun.values()
    assert started.returncode == 0


def test_probes_begun_and_never_read_are_stopped(tools, tmp_path):
    clip = make_clip(tmp_path, "clip.mp4", 2, size="320x180")
    probe_module.begin(tools.ffprobe, str(clip))
    ((started, listing),) = probe_module._BEGUN.values()
    probe_module.end_begun()
    assert probe_module._BEGUN == {}
    assert started.returncode is not None  # ended and reaped
    assert listing is None or listing.returncode is not None


def test_a_probe_begun_on_a_bad_path_leaves_the_message_to_read(tools, tmp_path):
    probe_module.begin(tools.ffprobe, str(tmp_path / "gone.mp4"))
    assert probe_module._BEGUN == {}
    with pytest.raises(InputError, match="does not exist"):
        read(tools.ffprobe, str(tmp_path / "gone.mp4"))
