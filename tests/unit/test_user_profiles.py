"""The user's own profiles: every setting checked in plain words, and profiles.toml read,
written atomically and read back the same; a broken file is one sentence and the built-in
profiles still work."""

from __future__ import annotations

import dataclasses
import os

import pytest

from viewra_desktop.core import profile_rules, user_profiles
from viewra_desktop.core.profile_rules import Problem, ProfileError, build, problems
from viewra_desktop.core.profiles import BUILTIN, Profile, Rung, get_profile
from viewra_desktop.core.user_profiles import ProfileStore

GOOD = {
    "label": "My AV1",
    "codec": "av1",
    "crf": 30,
    "preset": "8",
    "bit_depth": 10,
    "audio_codec": "opus",
    "audio_kbps": 96,
    "segment_seconds": 6.0,
    "hardware": "",
    "rungs": [{"size": 360, "maxrate_kbps": 1200}, {"size": 720, "maxrate_kbps": 5000}],
}


def message(name="mine", **changes) -> list[str]:
    table = {**GOOD, **changes}
    return [p.message for p in problems(name, {k: v for k, v in table.items() if v != "-"})]


def test_a_good_profile_has_no_problem_and_lists_its_rungs_largest_first():
    assert problems("mine", GOOD) == []
    profile = build("mine", GOOD)
    assert [r.short_side for r in profile.rungs] == [720, 360]
    assert (profile.codec, profile.crf, profile.preset, profile.bit_depth) == ("av1", 30, "8", 10)
    assert (profile.audio_codec, profile.audio_kbps, profile.segment_seconds) == ("opus", 96, 6.0)
    assert profile.builtin is False and profile.label == "My AV1"


def test_defaults_fill_what_a_table_leaves_out():
    profile = build("small", {"rungs": [{}]})  # one rung at the source's size
    assert profile.rungs == (Rung(None),)
    assert (profile.codec, profile.preset, profile.crf, profile.label) == (
        "h264", "veryfast", None, "small"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"preset": "14"}, "AV1 speed must be 0–13"),
        ({"codec": "vp9", "preset": "9"}, "VP9 speed must be 0–8"),
        (
            {"codec": "h264", "preset": "turbo", "bit_depth": 8},
            "x264 preset must be one of ultrafast … veryslow",
        ),  # noqa: E501
        (
            {"codec": "hevc", "preset": "8", "bit_depth": 8},
            "x265 preset must be one of ultrafast … veryslow",
        ),  # noqa: E501
        ({"codec": "h264", "preset": "fast", "bit_depth": 8, "crf": 52}, "CRF must be 0–51"),
        ({"crf": 0}, "AV1 CRF must be 1–63"),
        ({"crf": "high"}, "AV1 CRF must be a whole number"),
        ({"codec": "mpeg2"}, "Unknown codec 'mpeg2': choose h264, hevc, av1 or vp9"),
        (
            {"hardware": "cuda"},
            "Unknown hardware family 'cuda': choose auto or one of nvenc, "
            "vaapi, qsv, videotoolbox, amf, v4l2m2m",
        ),  # fmt: skip
        ({"audio_codec": "mp3"}, "Unknown audio codec 'mp3': choose aac or opus"),
        ({"audio_kbps": 8}, "The audio bitrate must be 32–512 kbit/s"),
        ({"segment_seconds": 0.5}, "The segment length must be 1 to 20 seconds"),
        ({"bit_depth": 12}, "Bit depth must be 8 or 10"),
        (
            {"codec": "h264", "preset": "fast", "bit_depth": 10},
            "10-bit (which keeps HDR) is for AV1 and VP9; H.264 and HEVC are 8-bit here",
        ),  # fmt: skip
        ({"rungs": [{"size": 100}]}, "Sizes must be 144 to 4320 pixels"),
        ({"rungs": [{"size": 720}, {"size": 8000}]}, "Sizes must be 144 to 4320 pixels (rung 2)"),
        ({"rungs": []}, "A profile needs at least one size"),
        ({"rungs": [{"size": 720}, {"size": 720}]}, "Each size may be in the ladder once"),
        (
            {"crf": "-", "rungs": [{"size": 720, "bitrate_kbps": 3000}]},
            "A bitrate needs a cap (maxrate) at least as high",
        ),  # fmt: skip
        (
            {"crf": "-", "rungs": [{"size": 720, "bitrate_kbps": 3000, "maxrate_kbps": 2000}]},
            "A bitrate needs a cap (maxrate) at least as high",
        ),  # fmt: skip
        (
            {"rungs": [{"size": 720, "bitrate_kbps": 3000, "maxrate_kbps": 4000}]},
            "A bitrate is for target-bitrate encoding: clear the CRF, or the bitrate",
        ),  # fmt: skip
        ({"rungs": [{"size": 720, "maxrate_kbps": 10}]}, "Maxrate must be 50–200000 kbit/s"),
        ({"rungs": [{"size": 720, "speed": 3}]}, "Unknown rung setting 'speed'"),
        ({"crff": 20}, "Unknown setting 'crff'"),
    ],
)
def test_each_wrong_value_is_told_in_plain_words(changes, said):
    assert message(**changes) == [said]


def test_problems_name_their_field():
    found = problems("mine", {**GOOD, "crf": 99, "preset": "99", "audio_kbps": 1})
    assert {p.field for p in found} == {"crf", "preset", "audio_kbps"}
    assert Problem("crf", "AV1 CRF must be 1–63") in found


@pytest.mark.parametrize(
    ("name", "taken", "said"),
    [
        ("", (), "A profile needs a name"),
        ("720p", (), "720p is a built-in profile's name: choose another"),
        (
            "my profile",
            (),
            "A name is up to 40 letters, digits, '.', '-' or '_', starting with a letter or digit",
        ),  # fmt: skip
        ("mine", ("mine",), "Another profile is named mine"),
    ],
)
def test_names(name, taken, said):
    assert profile_rules.check_name(name, taken) == said


def test_build_refuses_a_wrong_profile_with_its_first_problem():
    with pytest.raises(ProfileError, match=r"^CRF must be 0–51\.$"):
        build("mine", {"codec": "h264", "crf": 60, "rungs": [{"size": 720}]})


# -- the file ---------------------------------------------------------------------------------


def test_saved_profiles_load_back_equal_and_the_file_reads_as_toml_a_person_can_edit(tmp_path):
    mine = build("mine", GOOD)
    target = Profile("target", "Target 2 Mb/s", (Rung(None), Rung(1080, 6000, 4000, 12000)),
                     crf=None, hardware="vaapi", builtin=False)  # fmt: skip
    store = ProfileStore(tmp_path / "config")
    store.save([mine, target])
    text = (tmp_path / "config" / "profiles.toml").read_text("utf-8")
    assert text.startswith("# Viewra Desktop: your own encoding profiles")
    assert (
        "[profiles.mine]" in text
        and 'codec = "av1"' in text
        and "crf" not in text.split("[profiles.target]")[1]
    )  # a target bitrate: no CRF
    again = ProfileStore(tmp_path / "config")
    loaded = again.load()
    assert loaded.problem == ""
    assert loaded.profiles == (mine, target)
    assert get_profile("target", again.mapping()) == target
    assert store.profiles == loaded.profiles
    assert [p.name for p in again.all()] == [p.name for p in BUILTIN] + ["mine", "target"]
    assert [p.name for p in tmp_path.joinpath("config").iterdir()] == ["profiles.toml"]  # no temp


def test_a_missing_file_is_no_profiles_and_no_problem(tmp_path):
    assert ProfileStore(tmp_path).load() == user_profiles.Loaded()


def test_a_broken_file_is_one_sentence_with_its_line_and_column(tmp_path):
    path = tmp_path / "profiles.toml"
    path.write_text('[profiles.mine]\ncodec = "av1"\ncrf = = 3\n', "utf-8")
    store = ProfileStore(tmp_path)
    loaded = store.load()
    assert loaded.profiles == ()
    assert loaded.problem.startswith(f"Your profiles file {path} is broken at line 3, column 7 (")
    assert loaded.problem.endswith("; the built-in profiles are used.")
    assert "\n" not in loaded.problem
    assert get_profile("720p", store.mapping()).name == "720p"  # the built-ins still work


def test_a_profile_that_cannot_be_used_is_told_and_the_others_load(tmp_path):
    path = tmp_path / "profiles.toml"
    path.write_text(
        "[profiles.good]\nrungs = [{ size = 480 }]\n"
        '[profiles.bad]\ncodec = "h264"\ncrf = 70\nrungs = [{ size = 480 }]\n',
        "utf-8",
    )
    loaded = ProfileStore(tmp_path).load()
    assert [p.name for p in loaded.profiles] == ["good"]
    assert loaded.problem == (
        f"The profile 'bad' in {path} cannot be used (CRF must be 0–51); "
        "your other profiles and the built-in profiles are used."
    )


def test_saving_over_a_broken_file_keeps_it_aside(tmp_path):
    path = tmp_path / "profiles.toml"
    path.write_text("[profiles.mine\n", "utf-8")
    store = ProfileStore(tmp_path)
    assert store.load().problem
    store.save([build("mine", GOOD)])
    assert (tmp_path / "profiles.toml.broken").read_text("utf-8") == "[profiles.mine\n"
    assert ProfileStore(tmp_path).load().profiles == (build("mine", GOOD),)


def test_saving_lists_the_rungs_as_loading_will(tmp_path):
    store = ProfileStore(tmp_path)
    store.save([Profile("up", "Up", (Rung(360), Rung(720)), builtin=False)])
    assert [r.short_side for r in store.profiles[0].rungs] == [720, 360]
    assert ProfileStore(tmp_path).load().profiles == store.profiles


def test_a_wrong_profile_is_never_written(tmp_path):
    store = ProfileStore(tmp_path)
    store.save([build("mine", GOOD)])
    before = (tmp_path / "profiles.toml").read_bytes()
    wrong = dataclasses.replace(build("mine", GOOD), crf=80)
    with pytest.raises(ProfileError, match="AV1 CRF must be 1–63"):
        store.save([wrong])
    assert (tmp_path / "profiles.toml").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["profiles.toml"]


def test_editing_a_profile_changes_its_cache_key():
    mine = build("mine", GOOD)
    assert dataclasses.replace(mine, crf=31).fingerprint() != mine.fingerprint()
    assert dataclasses.replace(mine, label="Renamed").fingerprint() == mine.fingerprint()


def test_the_listing_marks_whose_each_profile_is():
    lines = user_profiles.listing(BUILTIN, [build("mine", GOOD)])
    assert len(lines) == len(BUILTIN) + 1
    assert lines[-1].split() == ["mine", "yours", "AV1", "720p,", "360p", "(My", "AV1)"]
    ladder = next(line for line in lines if line.startswith("ladder"))
    assert "built-in" in ladder and "H.264" in ladder and "1080p, 720p, 480p, 360p" in ladder
