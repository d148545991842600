"""The installer recipes' pieces that can be checked without building anything: the file
types each desktop registers, the icons, the runtime hook and the host library list."""

from __future__ import annotations

import configparser
import os
import plistlib
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import file_types  # noqa: E402
from linux_host_libs import is_host_library  # noqa: E402


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "resources" / "viewra-desktop.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_file_opens_the_listed_video_types():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "viewra-desktop %f"  # install.sh rewrites it to the full path
    assert entry["Icon"] == "viewra-desktop"
    assert (ROOT / "resources" / "viewra-desktop.svg").is_file()
    listed = [t for t in entry["MimeType"].split(";") if t]
    assert listed == file_types.mime_types()
    assert all(re.fullmatch(r"video/[\w.+-]+", t) for t in listed)


def test_the_open_dialog_accepts_every_registered_extension():
    from viewra_desktop.app.window import VIDEO_FILTER

    for ext in file_types.extensions():
        assert f"*.{ext} " in VIDEO_FILTER or f"*.{ext})" in VIDEO_FILTER, ext


def test_macos_info_plist_declares_the_video_types():
    info = file_types.macos_info_plist("1.2.3")
    plistlib.loads(plistlib.dumps(info))  # a valid property list
    (document,) = info["CFBundleDocumentTypes"]
    assert document["CFBundleTypeRole"] == "Viewer"
    assert "public.movie" in document["LSItemContentTypes"]
    assert {t.uti for t in file_types.VIDEO_TYPES} <= set(document["LSItemContentTypes"])
    imported = {d["UTTypeIdentifier"]: d for d in info["UTImportedTypeDeclarations"]}
    assert set(imported) == {t.uti for t in file_types.VIDEO_TYPES if t.imported}
    mkv = imported["org.matroska.mkv"]
    assert mkv["UTTypeTagSpecification"]["public.filename-extension"] == ["mkv"]
    assert mkv["UTTypeConformsTo"] == ["public.movie"]
    assert info["CFBundleShortVersionString"] == "1.2.3"


def test_windows_associations_register_every_extension_with_one_prog_id(tmp_path):
    target = tmp_path / "associations.iss"
    subprocess.run(
        [sys.executable, str(PACKAGING / "file_types.py"), "iss", str(target)], check=True
    )
    text = target.read_text(encoding="utf-8")
    for ext in file_types.extensions():
        assert rf'Software\Classes\.{ext}\OpenWithProgids"' in text
        assert f'ValueName: ".{ext}"' in text
    # The open command quotes both the program and the file (Inno Setup doubles quotes).
    assert 'ValueData: """{app}\\viewra-desktop.exe"" ""%1"""' in text
    assert all(line.startswith("Root: HKA; ") for line in text.splitlines())


def test_the_windows_installer_includes_the_generated_associations():
    script = (PACKAGING / "windows" / "viewra-desktop.iss").read_text(encoding="utf-8")
    assert "ChangesAssociations=yes" in script
    assert '#include "associations.iss"' in script


def test_icons_for_windows_and_macos(tmp_path):
    from make_icons import ICNS_TYPES, ICO_SIZES, make_icons

    ico, icns = make_icons(tmp_path)
    data = ico.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    for index, size in enumerate(ICO_SIZES):
        width, _h, _c, _r, _p, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert width == (0 if size == 256 else size) and bits == 32
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
    data = icns.read_bytes()
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    at, kinds = 8, []
    while at < len(data):
        kinds.append(data[at : at + 4])
        assert data[at + 8 : at + 16] == b"\x89PNG\r\n\x1a\n"
        at += struct.unpack_from(">I", data, at + 4)[0]
    assert at == len(data)
    assert kinds == [kind for kind, _size in ICNS_TYPES]


HOOK_PROBE = """
import ctypes.util, os, runpy, sys
sys._MEIPASS = sys.argv[1]
runpy.run_path(sys.argv[2])
print(ctypes.util.find_library("mpv"))
print(ctypes.util.find_library("libmpv-2.dll"))
print(ctypes.util.find_library("c") is not None)
print(os.environ.get("LD_LIBRARY_PATH"))
print(os.environ.get("LD_LIBRARY_PATH_ORIG"))
"""


def _run_hook_probe(folder: Path, env: dict[str, str]) -> list[str]:
    """HOOK_PROBE's lines, with the runtime hook loaded as if the bundle were ``folder``."""
    done = subprocess.run(
        [sys.executable, "-c", HOOK_PROBE, str(folder), str(PACKAGING / "rthook_viewra.py")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout.splitlines()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux half of the hook")
def test_runtime_hook_points_python_mpv_at_the_bundled_libmpv(tmp_path):
    (tmp_path / "libmpv.so.2").write_bytes(b"")
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path), LD_LIBRARY_PATH_ORIG="/opt/user/lib")
    mpv, dll, libc, library_path, original = _run_hook_probe(tmp_path, env)
    assert mpv == dll == str(tmp_path / "libmpv.so.2")
    assert libc == "True"  # other libraries are still looked up as usual
    # Programs the app starts get the user's library path back, not the bundle's.
    assert (library_path, original) == ("/opt/user/lib", "None")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux half of the hook")
def test_runtime_hook_without_a_bundled_libmpv_changes_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LD_LIBRARY_PATH")}
    env["LD_LIBRARY_PATH"] = str(tmp_path)
    mpv, _dll, _libc, library_path, _original = _run_hook_probe(tmp_path, env)
    assert "libmpv.so" in mpv or mpv == "None"  # the system's answer, if any
    assert not mpv.startswith(str(tmp_path))
    assert library_path == "None"  # the bundle's path was not the user's: dropped


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("libc.so.6", True),
        ("ld-linux-x86-64.so.2", True),
        ("libGL.so.1", True),
        ("libEGL.so.1", True),
        ("libX11.so.6", True),
        ("libxcb.so.1", True),
        ("libxcb-dri3.so.0", True),
        ("libwayland-client.so.0", True),
        ("libasound.so.2", True),
        ("libpulse.so.0", True),
        ("libpulsecommon-16.1.so", True),
        ("libstdc++.so.6", True),
        ("/usr/lib/x86_64-linux-gnu/libfontconfig.so.1", True),
        ("libmpv.so.2", False),
        ("libavcodec.so.59", False),
        ("libxcb-cursor.so.0", False),  # Qt's xcb plugin needs it; many desktops lack it
        ("libXext.so.6", False),
        ("libjack.so.0", False),
        ("libvulkan.so.1", False),
        ("libpython3.11.so.1.0", False),
        ("libmagic.so.1", False),
    ],
)
def test_host_library_list(name, host):
    assert is_host_library(name) is host
