from __future__ import annotations

import pytest

from viewra_desktop.core.binaries import Tools, find_tools


@pytest.fixture(scope="session")
def tools() -> Tools:
    """The real ffmpeg, ffprobe and packager (the same ones the app uses)."""
    return find_tools()


@pytest.fixture(autouse=True)
def _remove_test_fifos(request):
    """Tests of pipes make FIFOs of their own in tmp_path: remove them afterwards, so no FIFO
    is ever left in the temp folder."""
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if folder is not None:
        from procs import fifos_under

        for fifo in fifos_under(folder):
            fifo.unlink(missing_ok=True)
