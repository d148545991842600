"""keys: raw keys, the packager's flags, the players' settings, the key files."""

from __future__ import annotations

import json
import stat
from dataclasses import replace

import pytest

from viewra_desktop.core import keys, layout
from viewra_desktop.core.cache import Cache, session_key
from viewra_desktop.core.commands import packager_command
from viewra_desktop.core.keys import EncryptionError, make_encryption
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile

from .factories import make_media

KID, KEY = "00112233445566778899aabbccddeeff", "0123456789abcdef0123456789abcdef"


def test_random_keys_are_sixteen_bytes_and_differ():
    one, two = make_encryption(), make_encryption()
    for value in (one.key, one.key_id):
        assert len(value) == 32 and int(value, 16) >= 0
    assert one.key != two.key and one.key_id != two.key_id
    assert (one.scheme, one.clear_lead) == ("cenc", 0.0)


def test_given_values_are_kept_and_normalised():
    given = make_encryption(KEY.upper(), "00112233-4455-6677-8899-AABBCCDDEEFF", "cbcs", 2)
    assert (given.key, given.key_id, given.scheme, given.clear_lead) == (KEY, KID, "cbcs", 2.0)
    assert given.clear_keys == {KID: KEY}
    assert given.mpv_options == {"demuxer_lavf_o": f"cenc_decryption_key={KEY}"}
    assert given.page_fragment == f"key={KID}:{KEY}"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"key": "abc"}, "key must be 32 hexadecimal digits"),
        ({"key_id": "zz" * 16}, "key ID must be 32 hexadecimal digits"),
        ({"scheme": "cbc1"}, "scheme must be one of cenc, cbcs"),
        ({"clear_lead": -1}, "clear lead must be between"),
    ],
)
def test_bad_values_are_one_sentence(kwargs, words):
    with pytest.raises(EncryptionError, match=words):
        make_encryption(**kwargs)


def test_packager_flags():
    assert keys.packager_args(make_encryption(KEY, KID, "cbcs", 1.5)) == [
        "--enable_raw_key_encryption",
        "--keys", f"label=:key_id={KID}:key={KEY}",
        "--protection_scheme", "cbcs",
        "--clear_lead", "1.5",
    ]  # fmt: skip


def test_an_encrypted_plan_makes_the_runs_packager_encrypt():
    plan = make_plan(make_media(), get_profile("360p"))
    clear = packager_command("/p", plan, [], ".work/run-1")
    encrypted = packager_command(
        "/p", replace(plan, encryption=make_encryption(KEY, KID)), [], ".work/run-1"
    )
    assert encrypted == clear + keys.packager_args(make_encryption(KEY, KID))


def test_key_file_beside_a_package_is_private_and_tells_each_player(tmp_path):
    path = tmp_path / layout.key_file("clip")
    encryption = make_encryption(KEY, KID)
    keys.write_key_file(path, encryption, tmp_path / "clip")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = json.loads(path.read_text())
    assert record["shaka"] == {"drm": {"clearKeys": {KID: KEY}}}
    assert record["mpv"] == f"--demuxer-lavf-o=cenc_decryption_key={KEY}"
    assert record["page"] == f"index.html#key={KID}:{KEY}"
    assert keys.read_key_file(path) == encryption


def test_an_encrypted_entry_keeps_its_key_and_is_an_entry_of_its_own(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    assert session_key(str(clip), "720p") != session_key(str(clip), "720p", "encrypted")
    assert session_key(str(clip), "720p") == session_key(str(clip), "720p")
    entry, lock = Cache(tmp_path / "cache").open_entry("k")
    try:
        first = keys.entry_encryption(entry.path, layout.ENTRY_KEY)
        (entry.path / "manifest.mpd").write_text("old")
        entry.reset()  # a new encode of the entry keeps the key
        assert not (entry.path / "manifest.mpd").exists()
        assert keys.entry_encryption(entry.path, layout.ENTRY_KEY) == first
    finally:
        lock.release()
