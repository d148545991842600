"""A built Linux package, run the way a user's machine runs it (packaging/check_linux_bundle.py).

Building takes minutes, so this runs only when asked:

    packaging/build-linux
    export VIEWRA_TEST_BUNDLE=dist/viewra-desktop-VERSION-linux-x86_64.tar.gz
    .venv/bin/pytest tests/packaging
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import check_linux_bundle as check  # noqa: E402

ARTIFACT = os.environ.get("VIEWRA_TEST_BUNDLE")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not ARTIFACT, reason="set VIEWRA_TEST_BUNDLE to a package from packaging/build-linux"
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux package"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    assert ARTIFACT is not None
    return check.unpack(Path(ARTIFACT).resolve(), tmp_path_factory.mktemp("unpacked"))


@pytest.fixture(scope="module")
def jail(app) -> check.Jail:
    return check.Jail.for_bundle(app)


@pytest.fixture(scope="module")
def clip(app, tmp_path_factory) -> Path:
    return check.make_clip(app, tmp_path_factory.mktemp("clip"))


def test_contents_resolve_with_only_host_libraries_from_the_system(app):
    report = check.check_static(app)
    assert report.libraries > 100
    assert "libmpv.so.2" not in report.host_needed
    assert all(check.is_host_library(name) for name in report.host_needed)


def test_the_jail_hides_the_system_libmpv_the_repository_and_python(app, jail):
    hidden = {Path(p).name for p in jail.hidden_files}
    assert any(name.startswith("libmpv.so") for name in hidden)
    assert "libavcodec.so.59" in hidden or any(n.startswith("libavcodec") for n in hidden)
    assert any(ROOT.is_relative_to(d) for d in jail.hidden_dirs)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    assert any(stdlib.is_relative_to(d) for d in jail.hidden_dirs)
    assert not {"/", "/usr", "/usr/lib"} & set(jail.hidden_dirs)


def test_version_runs_with_nothing_from_the_project(app, jail, tmp_path):
    assert check.check_version(app, jail, tmp_path).startswith("viewra-desktop ")


def test_serve_plays_to_the_end(app, jail, clip, tmp_path):
    summary = check.check_serve(app, jail, tmp_path, clip)
    assert "to the end (eof)" in summary


def test_the_window_plays_with_the_bundled_libmpv(app, jail, clip, tmp_path):
    report = check.check_window(app, jail, tmp_path, clip)
    assert Path(report.libmpv).is_relative_to(app)
    assert report.from_bundle > 100


def test_install_and_uninstall_for_one_user(app, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    done = subprocess.run(
        [str(app / "install.sh")], env=env, capture_output=True, text=True, check=True
    )
    installed = home / ".local" / "lib" / "viewra-desktop"
    assert f"Uninstall with: {installed}/uninstall.sh" in done.stdout
    link = home / ".local" / "bin" / "viewra-desktop"
    assert link.is_symlink() and link.resolve() == (installed / "viewra-desktop").resolve()
    entry = home / ".local" / "share" / "applications" / "viewra-desktop.desktop"
    assert f'Exec="{installed}/viewra-desktop" %f' in entry.read_text()
    assert "MimeType=video/mp4;" in entry.read_text()
    icon = home / ".local/share/icons/hicolor/scalable/apps/viewra-desktop.svg"
    assert icon.is_file()
    version = subprocess.run(
        [str(link), "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("viewra-desktop ")

    (home / ".cache" / "viewra-desktop").mkdir(parents=True)
    mimeapps = home / ".config" / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True)
    mimeapps.write_text(
        "[Default Applications]\nvideo/mp4=viewra-desktop.desktop\n"
        "video/webm=other.desktop;viewra-desktop.desktop;\n"
    )
    subprocess.run(
        [str(installed / "uninstall.sh"), "--purge"], env=env, capture_output=True, check=True
    )
    assert not installed.exists() and not link.exists() and not entry.exists()
    assert not icon.exists()
    assert not (home / ".cache" / "viewra-desktop").exists()
    assert mimeapps.read_text() == "[Default Applications]\nvideo/webm=other.desktop;\n"
