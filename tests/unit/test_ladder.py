"""Ladders, codecs and encoders: rungs fitted to the source, each encoder's options, the
codecs strings, hardware encoders tried and fallen back from, and the manifests' rungs."""

from __future__ import annotations

import dataclasses

import pytest

from viewra_desktop.core import encoders, hardware
from viewra_desktop.core.commands import Output, ffmpeg_command, output_streams, video_graph
from viewra_desktop.core.manifests import render_master_playlist, render_mpd, tracks_for
from viewra_desktop.core.plan import RunSpec, make_plan
from viewra_desktop.core.profiles import PROFILES, Profile, Rung, get_profile
from viewra_desktop.core.renditions import choose_encoder, fitting_rungs
from viewra_desktop.core.streams import audio, video

from .factories import DATA, make_media

LADDER = get_profile("ladder")


def test_the_ladder_never_upscales():
    sides = lambda media: [min(v.width, v.height) for v in make_plan(media, LADDER).video]  # noqa: E731
    assert sides(make_media(1920, 1080)) == [1080, 720, 480, 360]
    assert sides(make_media(1280, 720)) == [720, 480, 360]
    assert sides(make_media(640, 360)) == [360]
    assert sides(make_media(320, 180)) == [180]  # smaller than every rung: kept as it is
    assert sides(make_media(1080, 1920)) == [1080, 720, 480, 360]  # portrait


def test_rungs_of_the_same_size_are_one():
    rungs = (Rung(720), Rung(None), Rung(480))
    assert fitting_rungs((854, 480), rungs) == [Rung(None)] or fitting_rungs((854, 480), rungs) == [
        Rung(None)
    ]
    assert len(fitting_rungs((1280, 720), rungs)) == 2  # 720 and the source are the same


def test_ladder_renditions_have_their_own_levels_and_caps():
    plan = make_plan(make_media(1920, 1080), LADDER)
    assert [v.stream for v in plan.video] == [video(0), video(1), video(2), video(3)]
    assert [v.maxrate_kbps for v in plan.video] == [8000, 5000, 2500, 1200]
    assert [v.codecs for v in plan.video] == [
        "avc1.640028", "avc1.64001f", "avc1.64001f", "avc1.64001e"
    ]  # fmt: skip
    assert [v.label for v in plan.video] == ["1080p", "720p", "480p", "360p"]


def test_one_decode_feeds_every_rung():
    plan = make_plan(make_media(1920, 1080), LADDER)
    graph, labels = video_graph(plan, [v.stream for v in plan.video], 0.0)
    assert graph is not None and graph.startswith(
        "[0:0]split=4[s0][s1][s2][s3];[s0]scale=1920:1080"
    )
    assert graph.count("scale=") == 4 and graph.endswith("[v3]")
    groups = output_streams(plan)
    assert groups == ((video(0), audio(0)), (video(1),), (video(2),), (video(3),))
    outputs = [Output(f"/p{n}", g) for n, g in enumerate(groups)]
    argv = ffmpeg_command("/ffmpeg", plan, outputs, RunSpec())
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-map"] == [
        "[v0]", "0:1", "[v1]", "[v2]", "[v3]"
    ]  # fmt: skip
    assert argv.count("-filter_complex") == 1 and "-filter:v:0" not in argv
    # Its fast start keeps the source's decoder on frame threads (one rendition does not).
    first = ffmpeg_command("/ffmpeg", plan, outputs, RunSpec(1, 3, fast_start=True))
    assert "-thread_type" not in first


def test_a_run_of_some_streams_has_outputs_for_them_only():
    plan = make_plan(make_media(1920, 1080), LADDER)
    assert output_streams(plan, (video(2), audio(0))) == ((video(2), audio(0)),)
    assert output_streams(plan, (video(0), video(3))) == ((video(0),), (video(3),))


@pytest.mark.parametrize(
    ("codec", "name", "expected"),
    [
        ("h264", "libx264", ["-preset:v:0", "veryfast", "-crf:v:0", "22"]),
        ("hevc", "libx265", ["-preset:v:0", "ultrafast", "-crf:v:0", "22"]),
        ("av1", "libsvtav1", ["-preset:v:0", "10", "-crf:v:0", "22"]),
        ("vp9", "libvpx-vp9", ["-deadline:v:0", "realtime", "-cpu-used:v:0", "8"]),
    ],
)
def test_each_codec_has_its_encoder_and_options(codec, name, expected):
    plan = make_plan(make_media(1280, 720), get_profile("720p").with_codec(codec))
    argv = ffmpeg_command("/ffmpeg", plan, [Output("/p", plan.segmented)], RunSpec())
    assert argv[argv.index("-c:v:0") + 1] == name
    start = argv.index(expected[0])
    assert argv[start : start + len(expected)] == expected
    assert "-force_key_frames:v:0" in argv  # keyframes on the grid, whatever the encoder


def test_codecs_strings():
    assert encoders.codecs_string("h264", 31) == "avc1.64001f"
    assert encoders.codecs_string("hevc", 31) == "hvc1.1.6.L93.B0"
    assert encoders.codecs_string("av1", 40) == "av01.0.08M.08"
    assert encoders.codecs_string("av1", 40, ten_bit=True) == "av01.0.08M.10"
    assert encoders.codecs_string("vp9", 31) == "vp09.00.31.08"
    assert encoders.audio_codecs_string("opus") == "opus"


def test_opus_audio():
    profile = dataclasses.replace(get_profile("720p"), audio_codec="opus")
    plan = make_plan(make_media(1280, 720, channels=6), profile)
    argv = ffmpeg_command("/ffmpeg", plan, [Output("/p", plan.segmented)], RunSpec(4))
    assert argv[argv.index("-c:a:0") + 1] == "libopus"
    assert argv[argv.index("-mapping_family:a:0") + 1] == "1"  # 5.1
    assert "first_pts=312" in argv[argv.index("-filter:a:0") + 1]  # Opus's priming
    assert plan.audio[0].codecs == "opus"


def test_a_10_bit_av1_profile_keeps_hdr_and_others_tone_map():
    hdr = dataclasses.replace(
        make_media(1920, 1080).video, color_primaries="bt2020", color_transfer="smpte2084",
        color_space="bt2020nc", color_range="tv",
    )  # fmt: skip
    media = dataclasses.replace(make_media(1920, 1080), video=hdr)
    ten = dataclasses.replace(get_profile("1080p"), codec="av1", preset="10", bit_depth=10)
    kept = make_plan(media, ten).main_video
    assert kept.color.tone_map is None and kept.color.transfer == "smpte2084" and kept.ten_bit
    assert kept.codecs.endswith(".10")
    argv = ffmpeg_command("/ffmpeg", make_plan(media, ten), [Output("/p", (video(0),))], RunSpec())
    chain = argv[argv.index("-filter:v:0") + 1]
    assert "format=yuv420p10le" in chain and "lut3d" not in chain
    assert "color_trc=smpte2084" in chain
    mapped = make_plan(media, get_profile("1080p").with_codec("av1")).main_video
    assert mapped.color.tone_map == "smpte2084" and not mapped.ten_bit


def test_every_output_setting_is_in_the_fingerprint():
    base = get_profile("720p")
    prints = {base.fingerprint()}
    for change in (
        {"codec": "hevc"}, {"crf": 23}, {"preset": "fast"}, {"audio_codec": "opus"},
        {"audio_kbps": 96}, {"bit_depth": 10}, {"hardware": "auto"},
        {"rungs": (Rung(720, 4000),)},
    ):  # fmt: skip
        prints.add(dataclasses.replace(base, **change).fingerprint())
    assert len(prints) == 9
    renamed = dataclasses.replace(base, name="mine", label="Mine", builtin=False)
    assert renamed.fingerprint() == base.fingerprint()  # names do not change the output
    assert "ladder" in PROFILES and PROFILES["ladder"].is_ladder


def test_hardware_encoders_listed_and_tried():
    listing = (DATA / "ffmpeg-encoders-hardware.txt").read_text("utf-8")
    assert hardware.listed(listing) == ["h264_v4l2m2m", "hevc_v4l2m2m"]  # not h263, vp8...
    argv = hardware.trial_command("/ffmpeg", "h264_vaapi")
    assert argv[argv.index("-vaapi_device") + 1] == hardware.VAAPI_DEVICE
    assert "format=nv12,hwupload" in argv


def test_a_profile_falls_back_to_software_when_its_hardware_does_not_work():
    asks = Profile("hw", "HW", (Rung(720),), hardware="v4l2m2m")
    assert choose_encoder(asks, frozenset()).name == "libx264"
    assert choose_encoder(asks, frozenset({"h264_v4l2m2m"})).name == "h264_v4l2m2m"
    auto = dataclasses.replace(asks, hardware="auto")
    assert choose_encoder(auto, frozenset({"h264_vaapi", "h264_nvenc"})).name == "h264_nvenc"
    plan = make_plan(make_media(1280, 720), asks, hardware=frozenset({"h264_v4l2m2m"}))
    argv = ffmpeg_command("/ffmpeg", plan, [Output("/p", plan.segmented)], RunSpec())
    assert argv[argv.index("-c:v:0") + 1] == "h264_v4l2m2m"
    assert "-crf:v:0" not in argv and "-b:v:0" in argv  # capped bitrate, its own terms


def test_the_hls_master_lists_every_rung_with_its_attributes():
    plan = make_plan(make_media(1920, 1080, fps=25.0), LADDER)
    lines = render_master_playlist(plan, tracks_for(plan)).splitlines()
    variants = [line for line in lines if line.startswith("#EXT-X-STREAM-INF")]
    assert len(variants) == 4
    for line, size in zip(variants, ("1920x1080", "1280x720", "854x480", "640x360"), strict=True):
        for attribute in ("BANDWIDTH=", "AVERAGE-BANDWIDTH=", 'CODECS="avc1.', 'AUDIO="audio"'):
            assert attribute in line, (attribute, line)
        assert f"RESOLUTION={size}" in line and "FRAME-RATE=25.000" in line
    assert render_mpd(plan, tracks_for(plan)).count("<Representation") == 6  # + thumbnails


def test_measured_bandwidths_replace_the_estimates():
    plan = make_plan(make_media(1280, 720, duration=3.0), get_profile("720p"))
    tracks = tracks_for(plan, sizes={video(0): [50_000, 50_000, 250_000, 100_000]})
    line = next(x for x in render_master_playlist(plan, tracks).splitlines() if "STREAM-INF" in x)
    audio_rate = plan.audio[0].bandwidth
    assert f"BANDWIDTH={2_000_000 + audio_rate}," in line  # the 1 s segment of 250 kB
    assert f"AVERAGE-BANDWIDTH={round(8 * 450_000 / 3.0) + audio_rate}," in line
