"""binaries: where the tools come from, and refusing ones that do not work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from viewra_desktop.core import binaries
from viewra_desktop.core.binaries import check_tool, find_tool
from viewra_desktop.core.errors import ToolNotFoundError


def script(path: Path, body: str, mode: int = 0o755) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n", "utf-8")
    path.chmod(mode)
    return path


def test_override_to_a_missing_path_names_the_variable(tmp_path):
    missing = str(tmp_path / "nowhere" / "ffmpeg")
    with pytest.raises(ToolNotFoundError) as info:
        find_tool("ffmpeg", environ={"VIEWRA_FFMPEG": missing})
    message = str(info.value)
    assert "VIEWRA_FFMPEG" in message
    assert missing in message


def test_override_to_a_folder_is_refused(tmp_path):
    with pytest.raises(ToolNotFoundError) as info:
        find_tool("packager", environ={"VIEWRA_PACKAGER": str(tmp_path)})
    assert "VIEWRA_PACKAGER" in str(info.value)


def test_override_to_a_file_that_is_not_executable_is_refused(tmp_path):
    plain = script(tmp_path / "ffprobe", "echo hi", mode=0o644)
    with pytest.raises(ToolNotFoundError) as info:
        find_tool("ffprobe", environ={"VIEWRA_FFPROBE": str(plain)})
    assert "VIEWRA_FFPROBE" in str(info.value)


def test_override_to_a_working_executable_is_used(tmp_path, monkeypatch):
    fake = script(tmp_path / "my-ffmpeg", 'echo "ffmpeg version fake-1"')
    monkeypatch.chdir(tmp_path)
    assert find_tool("ffmpeg", environ={"VIEWRA_FFMPEG": str(fake)}) == str(fake)
    # A relative override is made absolute.
    assert find_tool("ffmpeg", environ={"VIEWRA_FFMPEG": "./my-ffmpeg"}) == str(fake)
    assert check_tool("ffmpeg", str(fake)) == "ffmpeg version fake-1"


def test_override_wins_over_the_bundled_build(tmp_path, monkeypatch):
    fake = script(tmp_path / "packager", 'echo "packager version fake"')
    monkeypatch.setattr(binaries, "_bundled", lambda tool: "/should/not/be/used")
    assert find_tool("packager", environ={"VIEWRA_PACKAGER": str(fake)}) == str(fake)


def test_falls_back_to_path(tmp_path, monkeypatch):
    fake = script(tmp_path / "ffprobe", 'echo "ffprobe version path"')
    monkeypatch.setattr(binaries, "_bundled", lambda tool: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_tool("ffprobe", environ={}) == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolNotFoundError) as info:
        find_tool("ffprobe", environ={})
    assert "VIEWRA_FFPROBE" in str(info.value)  # tells how to point at one


def test_bundled_build_is_found_without_overrides():
    found = find_tool("packager", environ={})
    assert os.path.isabs(found) and os.access(found, os.X_OK)


def test_check_tool_on_a_script_that_exits_1(tmp_path):
    broken = script(tmp_path / "ffmpeg", 'echo "error: missing library" >&2; exit 1')
    with pytest.raises(ToolNotFoundError) as info:
        check_tool("ffmpeg", str(broken))
    assert str(broken) in str(info.value)
    assert "missing library" in info.value.details


def test_check_tool_on_a_silent_script(tmp_path):
    silent = script(tmp_path / "ffprobe", "exit 0")
    with pytest.raises(ToolNotFoundError):
        check_tool("ffprobe", str(silent))


@pytest.mark.parametrize("kind", ["missing", "no-shebang", "no-exec-bit"])
def test_check_tool_on_something_that_cannot_run(tmp_path, kind):
    path = tmp_path / "ffmpeg"
    if kind == "no-shebang":
        path.write_bytes(b"\x7fELF garbage")
        path.chmod(0o755)
    elif kind == "no-exec-bit":
        script(path, "echo hi", mode=0o644)
    with pytest.raises(ToolNotFoundError) as info:
        check_tool("ffmpeg", str(path))
    assert "VIEWRA_FFMPEG" in str(info.value)


def test_check_tool_asks_the_packager_for_its_version(tmp_path):
    # The packager takes --version, ffmpeg and ffprobe take -version.
    fake = script(tmp_path / "packager", '[ "$1" = "--version" ] && echo "packager v9" || exit 2')
    assert check_tool("packager", str(fake)) == "packager v9"
    with pytest.raises(ToolNotFoundError):
        check_tool("ffmpeg", str(fake))


def test_the_real_tools_run(tools):
    assert check_tool("ffmpeg", tools.ffmpeg).startswith("ffmpeg version")
    assert check_tool("ffprobe", tools.ffprobe).startswith("ffprobe version")
    assert "packager" in check_tool("packager", tools.packager).lower()


def test_find_tools_uses_the_overrides(tmp_path, monkeypatch, tools):
    fake = script(tmp_path / "ffmpeg", 'echo "ffmpeg version override"')
    monkeypatch.setenv("VIEWRA_FFMPEG", str(fake))
    found = binaries.find_tools()
    assert found.ffmpeg == str(fake)
    assert found.ffprobe == tools.ffprobe
