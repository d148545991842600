from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own cache, log and settings folders."""
    home = tmp_path_factory.mktemp("viewra-home")
    monkeypatch.setenv("VIEWRA_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _no_illegal_session_transitions(caplog):
    """A session that tries a state transition its table does not allow fails the test that
    made it try (the app only logs it)."""
    yield
    from viewra_desktop.core.lifecycle import ILLEGAL

    illegal = [r.getMessage() for r in caplog.records if r.getMessage().startswith(ILLEGAL)]
    assert not illegal, illegal


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """One folder of generated media shared by the whole run."""
    return tmp_path_factory.mktemp("media")


def pytest_configure(config):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
