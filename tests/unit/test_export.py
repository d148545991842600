"""export: segment lengths, names, sources and the packager's exact command."""

from __future__ import annotations

import pytest

from viewra_desktop.core import layout
from viewra_desktop.core.export import (
    ExportError,
    ExportOptions,
    check_segment_seconds,
    expand_sources,
    package_name,
    packager_command,
)
from viewra_desktop.core.keys import make_encryption
from viewra_desktop.core.streams import audio, video

KID, KEY = "00112233445566778899aabbccddeeff", "0123456789abcdef0123456789abcdef"
OLD_KID, OLD_KEY = "ffeeddccbbaa99887766554433221100", "fedcba9876543210fedcba9876543210"
INPUTS = [(video(0), ".work/pipe-0.fifo"), (audio(0), ".work/pipe-1.fifo")]


@pytest.mark.parametrize("seconds", [1, 2, 4, 6, 60])
def test_whole_seconds_are_cut_at_the_encodes_keyframes(seconds):
    assert check_segment_seconds(seconds) == float(seconds)


@pytest.mark.parametrize("seconds", [0, 0.5, 2.5, 61, -4])
def test_other_lengths_are_refused_in_one_sentence(seconds):
    with pytest.raises(ExportError, match="whole number of seconds from 1 to 60"):
        check_segment_seconds(seconds)


def test_package_names_are_unique_in_a_batch():
    taken: set[str] = set()
    names = [package_name(p, taken) for p in ("/a/clip.mp4", "/b/clip.mkv", "/c/clip.mov")]
    assert names == ["clip", "clip-2", "clip-3"]
    assert package_name("/d/...", taken) == "video"  # no name left: a word


def test_a_folder_gives_its_videos_in_order(tmp_path):
    for name in ("b.mkv", "a.mp4", "notes.txt", ".hidden.mp4", "C.MOV"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    single = str(tmp_path / "notes.txt")
    assert expand_sources([str(tmp_path), single]) == [
        str(tmp_path / n) for n in ("C.MOV", "a.mp4", "b.mkv")
    ] + [single]


def test_packager_command_dash_and_hls():
    assert packager_command("/p", INPUTS, ExportOptions()) == [
        "/p",
        "in=.work/pipe-0.fifo,stream=video,init_segment=video/init.mp4,"
        "segment_template=video/$Number$.m4s,playlist_name=video.m3u8",
        "in=.work/pipe-1.fifo,stream=audio,init_segment=audio/init.mp4,"
        "segment_template=audio/$Number$.m4s,playlist_name=audio.m3u8,hls_name=Audio 1",
        "--segment_duration", "4",
        "--generate_static_live_mpd", "--mpd_output", layout.MPD,
        "--hls_master_playlist_output", layout.HLS_MASTER, "--hls_playlist_type", "VOD",
        "--io_cache_size", "1048576",
        "--io_block_size", "1024",
        "--quiet",
    ]  # fmt: skip


def test_packager_command_one_kind_of_manifest():
    dash = packager_command("/p", INPUTS, ExportOptions(2.0, hls=False))
    assert "--mpd_output" in dash and "--hls_master_playlist_output" not in dash
    assert not any("playlist_name" in arg for arg in dash)
    assert dash[dash.index("--segment_duration") + 1] == "2"
    hls = packager_command("/p", INPUTS, ExportOptions(dash=False))
    assert "--mpd_output" not in hls and "--hls_master_playlist_output" in hls


def test_packager_command_encrypts_and_decrypts_an_encrypted_preview():
    encryption = make_encryption(KEY, KID, "cbcs")
    source = make_encryption(OLD_KEY, OLD_KID)
    argv = packager_command("/p", INPUTS, ExportOptions(encryption=encryption), source)
    keys = argv[argv.index("--keys") + 1]
    assert keys == f"label=:key_id={KID}:key={KEY},label=source:key_id={OLD_KID}:key={OLD_KEY}"
    assert {"--enable_raw_key_encryption", "--enable_raw_key_decryption"} <= set(argv)
    assert argv[argv.index("--protection_scheme") + 1] == "cbcs"
    assert argv[argv.index("--clear_lead") + 1] == "0"
    clear = packager_command("/p", INPUTS, ExportOptions(), source)
    assert "--enable_raw_key_encryption" not in clear
    assert clear[clear.index("--keys") + 1] == f"label=source:key_id={OLD_KID}:key={OLD_KEY}"
    with pytest.raises(ExportError, match="key ID given is the preview's"):
        packager_command(
            "/p", INPUTS, ExportOptions(encryption=make_encryption(KEY, OLD_KID)), source
        )


def test_packager_command_names_audio_tracks_and_adds_text_tracks():
    from dataclasses import replace

    from viewra_desktop.core.plan import make_plan
    from viewra_desktop.core.profiles import get_profile

    from .factories import make_media

    plan = make_plan(make_media(language="fre"), get_profile("360p"))
    track = replace(plan.audio[0], label="French, stereo", role="dub")
    argv = packager_command("/p", INPUTS, ExportOptions(), audio=[track])
    assert argv[2].endswith(
        ",language=fr,roles=dub,playlist_name=audio.m3u8,hls_name=French stereo"
    )
