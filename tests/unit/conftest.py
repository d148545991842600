from __future__ import annotations

import pytest

from viewra_desktop.core.binaries import Tools, find_tools


@pytest.fixture(scope="session")
def tools() -> Tools:
    """The real ffmpeg, ffprobe and packager (the same ones the app uses)."""
    return find_tools()
