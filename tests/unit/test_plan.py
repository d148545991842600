"""plan: output size, frame rate, H.264 level and the segment grid."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from viewra_desktop.core import plan as plan_module
from viewra_desktop.core.plan import MIN_TAIL_S, h264_level, make_grid, make_plan
from viewra_desktop.core.profiles import PROFILES, UnknownProfileError, get_profile
from viewra_desktop.core.streams import StreamKind, audio, video

from .factories import make_media, recorded_media

VIDEO, AUDIO = StreamKind.VIDEO, StreamKind.AUDIO

# H.264 Table A-1, High profile (MaxBR and MaxCPB are 1.25 x the Main-profile values):
# level -> (MaxFS macroblocks, MaxMBPS, MaxBR kbit/s, MaxCPB kbit).
H264_HIGH = {
    30: (1620, 40500, 12500, 12500),
    31: (3600, 108000, 17500, 17500),
    32: (5120, 216000, 25000, 25000),
    40: (8192, 245760, 25000, 31250),
    41: (8192, 245760, 62500, 78125),
    42: (8704, 522240, 62500, 78125),
    50: (22080, 589824, 168750, 168750),
    51: (36864, 983040, 300000, 300000),
    52: (36864, 2073600, 300000, 300000),
}


def fits(level: int, width: int, height: int, fps: float, maxrate: int) -> bool:
    max_fs, max_mbps, max_br, max_cpb = H264_HIGH[level]
    mbs = math.ceil(width / 16) * math.ceil(height / 16)
    # commands.ffmpeg_command sets -bufsize to twice -maxrate.
    return mbs <= max_fs and mbs * fps <= max_mbps and maxrate <= max_br and 2 * maxrate <= max_cpb


# -- profiles --------------------------------------------------------------------------------


def test_unknown_profile():
    with pytest.raises(UnknownProfileError) as info:
        get_profile("4k-ultra")
    message = str(info.value)
    assert "'4k-ultra'" in message
    for name in PROFILES:
        assert name in message


def test_known_profiles():
    assert get_profile("720p").short_side == 720
    assert get_profile("source").short_side is None


# -- size ------------------------------------------------------------------------------------


def test_never_upscales():
    plan = make_plan(make_media(640, 360), get_profile("1080p"))
    assert (plan.main_video.width, plan.main_video.height) == (640, 360)


def test_downscales_to_the_short_side():
    plan = make_plan(make_media(1920, 1080), get_profile("720p"))
    assert (plan.main_video.width, plan.main_video.height) == (1280, 720)


def test_odd_source_size_becomes_even():
    media = recorded_media("odd_size")  # 1917x1077
    for name, short in (("source", 1077), ("720p", 720), ("480p", 480)):
        plan = make_plan(media, get_profile(name))
        assert plan.main_video.width % 2 == 0 and plan.main_video.height % 2 == 0
        exact_width = 1917 * min(1, short / 1077)
        exact_height = 1077 * min(1, short / 1077)
        assert abs(plan.main_video.width - exact_width) <= 1, name
        assert abs(plan.main_video.height - exact_height) <= 1, name


def test_portrait_source_fits_its_short_side():
    plan = make_plan(make_media(1080, 1920), get_profile("720p"))
    assert (plan.main_video.width, plan.main_video.height) == (720, 1280)


@pytest.mark.parametrize("rotation", [90, -90, 270])
def test_rotated_source_is_planned_as_shown(rotation):
    plan = make_plan(make_media(1920, 1080, rotation=rotation), get_profile("720p"))
    assert (plan.main_video.width, plan.main_video.height) == (720, 1280)


def test_recorded_rotated_clip():
    plan = make_plan(recorded_media("rotated"), get_profile("720p"))
    assert (plan.main_video.width, plan.main_video.height) == (
        180,
        320,
    )  # shown portrait; small: kept as is


def test_sample_aspect_ratio_is_applied():
    media = recorded_media("anamorphic")  # 720x576 stored, 1024x576 shown
    plan = make_plan(media, get_profile("source"))
    assert (plan.main_video.width, plan.main_video.height) == (1024, 576)
    plan = make_plan(media, get_profile("480p"))
    assert plan.main_video.height == 480
    assert plan.main_video.width % 2 == 0 and abs(plan.main_video.width - 1024 * 480 / 576) <= 1


def test_sample_aspect_ratio_with_rotation():
    # 2:1 pixels, 960x1080 stored = 1920x1080 shown, then turned on its side.
    plan = make_plan(make_media(960, 1080, sar=Fraction(2), rotation=90), get_profile("720p"))
    assert (plan.main_video.width, plan.main_video.height) == (720, 1280)


# -- frame rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fps", "expected"), [(120.0, 60.0), (100.0, 60.0), (240.0, 60.0)])
def test_high_frame_rates_are_capped(fps, expected):
    plan = make_plan(make_media(fps=fps), get_profile("720p"))
    assert plan.main_video.frame_rate == expected


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0, 59.94, 60.0, 0.0])
def test_normal_frame_rates_are_kept(fps):
    assert make_plan(make_media(fps=fps), get_profile("720p")).main_video.frame_rate == 0.0


def test_recorded_high_frame_rate_clip_is_capped():
    assert (
        make_plan(recorded_media("high_fps"), get_profile("source")).main_video.frame_rate == 60.0
    )


# -- level -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "fps", "profile", "expected"),
    [
        (1920, 1080, 30.0, "720p", 31),  # 1280x720p30: 3600 MBs, 108000 MB/s -> 3.1
        (1920, 1080, 30.0, "1080p", 40),  # 1920x1080p30 (1088 coded rows) -> 4.0
        (1920, 1080, 60.0, "1080p", 42),  # 489600 MB/s -> 4.2
        (1920, 1080, 120.0, "1080p", 42),  # capped to 60 fps first
        (640, 360, 30.0, "360p", 30),
        (3840, 2160, 30.0, "source", 51),  # 32400 MBs: over 5.0's 22080
        (3840, 2160, 60.0, "source", 52),
    ],
)
def test_level_for_common_sizes(width, height, fps, profile, expected):
    plan = make_plan(make_media(width, height, fps=fps), get_profile(profile))
    assert plan.main_video.level == expected
    assert plan.main_video.codecs == f"avc1.6400{expected:02x}"


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize(
    ("width", "height", "fps"),
    [(640, 360, 30.0), (720, 576, 25.0), (1280, 720, 60.0), (1920, 1080, 30.0),
     (2560, 1440, 30.0), (3840, 2160, 30.0), (854, 480, 120.0)],
)  # fmt: skip
def test_level_is_the_lowest_that_holds_the_stream(profile, width, height, fps):
    video = make_plan(make_media(width, height, fps=fps), get_profile(profile)).main_video
    out_fps = video.frame_rate or fps
    assert fits(video.level, video.width, video.height, out_fps, video.maxrate_kbps), video.level
    lower = [level for level in H264_HIGH if level < video.level]
    assert not any(fits(level, video.width, video.height, out_fps, video.maxrate_kbps)
                   for level in lower)  # fmt: skip


def test_level_without_a_known_frame_rate_assumes_30():
    assert h264_level(1280, 720, 0.0, 5000) == h264_level(1280, 720, 30.0, 5000) == 31


# -- audio -----------------------------------------------------------------------------------


def test_surround_stays_surround():
    plan = make_plan(recorded_media("surround"), get_profile("720p"))
    (track,) = plan.audio
    assert track.source.channels == 6
    assert track.channels == 6
    assert track.kbps == get_profile("720p").audio_kbps * 3  # 64 kb/s a channel


def test_mono_gets_half_the_audio_rate():
    plan = make_plan(make_media(channels=1), get_profile("720p"))
    assert plan.audio[0].channels == 1
    assert plan.audio[0].kbps == get_profile("720p").audio_kbps // 2


def test_every_audio_track_is_planned():
    media = recorded_media("two_audio")
    first, second = make_plan(media, get_profile("360p")).audio
    assert (first.stream, first.source.language, first.default) == (audio(0), "eng", True)
    assert (second.stream, second.source.language, second.default) == (audio(1), "fra", False)
    assert second.channels == 1 and second.label == "French mono — Commentaire"  # its title


def test_no_audio():
    plan = make_plan(recorded_media("no_audio"), get_profile("360p"))
    assert plan.audio == ()
    assert plan.segmented == (video(0),)


def test_a_plan_needs_video():
    with pytest.raises(ValueError):
        make_plan(recorded_media("audio_cover"), get_profile("360p"))


# -- grid ------------------------------------------------------------------------------------


def test_grid_shape_with_the_original_tuning(monkeypatch):
    # Short first segments of 0.5, 0.5 and 1 s, then 2 s ones.
    monkeypatch.setattr(plan_module, "FIRST_SEGMENTS_S", (0.5, 0.5, 1.0))
    monkeypatch.setattr(plan_module, "SEGMENT_S", 2.0)
    assert make_grid(11.0) == (0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    assert make_grid(10.05) == (0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0)  # no 0.05 s tail
    assert make_grid(10.2) == (0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    assert make_grid(1.0) == (0.0, 0.5)


def test_grid_follows_the_configured_steps():
    steps = [*plan_module.FIRST_SEGMENTS_S]
    expected = [0.0]
    while expected[-1] < 60:
        expected.append(expected[-1] + (steps.pop(0) if steps else plan_module.SEGMENT_S))
    grid = make_grid(100.0)
    assert grid[: len(expected)] == pytest.approx(tuple(expected))
    tail = grid[len(plan_module.FIRST_SEGMENTS_S) :]
    assert {round(b - a, 6) for a, b in zip(tail, tail[1:], strict=False)} == {
        plan_module.SEGMENT_S
    }
    assert grid[:3] == (0.0, 0.5, 1.0)  # the fast start: two half-second segments


DURATIONS = [round(0.05 + 0.037 * i, 3) for i in range(400)] + [60.0, 3600.0, 7322.48]


@pytest.mark.parametrize("duration", DURATIONS[::7] + DURATIONS[-3:])
def test_grid_invariants(duration):
    plan = make_plan(make_media(duration=duration), get_profile("360p"))
    grid = plan.grid
    assert grid[0] == 0.0
    assert list(grid) == sorted(set(grid))
    for time in grid:  # every grid time is a whole number of packager units
        units = Decimal(repr(time)) / Decimal(repr(plan.timeline.unit))
        assert units == units.to_integral_value(), time
    video = plan.timeline.durations(VIDEO)
    assert len(video) == plan.timeline.count(VIDEO) == len(grid)
    assert sum(video) == pytest.approx(duration, abs=1e-9)
    assert all(d > 0 for d in video)
    if len(video) > 1:
        assert video[-1] > MIN_TAIL_S
    expected_audio = math.ceil(Decimal(repr(duration)) / Decimal(repr(plan.timeline.unit)))
    assert plan.timeline.count(AUDIO) == expected_audio
    audio = plan.timeline.durations(AUDIO)
    assert len(audio) == expected_audio
    assert sum(audio) == pytest.approx(duration, abs=1e-9)
    assert all(0 < d <= plan.timeline.unit for d in audio)


@pytest.mark.parametrize("duration", [10.0, 10.5, 3.0, 0.5])
def test_audio_segments_on_exact_multiples(duration):
    plan = make_plan(make_media(duration=duration), get_profile("360p"))
    assert plan.timeline.count(AUDIO) == int(duration / 0.5)
    assert plan.timeline.durations(AUDIO)[-1] == pytest.approx(0.5)


def test_segment_spans():
    plan = make_plan(make_media(duration=4.2), get_profile("360p"))
    assert plan.timeline.span(VIDEO, 1) == (0.0, plan.grid[1])
    assert plan.timeline.span(VIDEO, len(plan.grid)) == (plan.grid[-1], 4.2)
    assert plan.timeline.span(AUDIO, 1) == (0.0, 0.5)
    assert plan.timeline.span(AUDIO, plan.timeline.count(AUDIO)) == (4.0, 4.2)


def test_very_short_clip():
    plan = make_plan(make_media(duration=0.08), get_profile("360p"))
    assert plan.grid == (0.0,)
    assert plan.timeline.durations(VIDEO) == [pytest.approx(0.08)]
    assert plan.timeline.count(AUDIO) == 1
