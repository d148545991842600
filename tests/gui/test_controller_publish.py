"""The controller's publishing parts: encrypted previews and sharing on the LAN, with the
real SegmentServer (the sessions are fakes)."""

from __future__ import annotations

import urllib.request

import pytest
from PySide6.QtCore import QObject, Slot

from gui.test_controller import (  # noqa: F401 - fake_sessions: a fixture
    FakeSession,
    fake_session_controller,
    fake_sessions,
    opened,
)
from viewra_desktop.app import controller as controller_module
from viewra_desktop.app.controller import SessionController
from viewra_desktop.core.server import SegmentServer

LAN = "127.0.0.2"  # a second loopback address stands in for the LAN one


class Shares(QObject):
    def __init__(self, ctrl: SessionController) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.failures: list[str] = []
        self.done: list[tuple[int, bool]] = []
        ctrl.share_changed.connect(self.on_share)
        ctrl.failed.connect(self.on_failed)
        ctrl.request_done.connect(self.on_done)

    @Slot(str)
    def on_share(self, url: str) -> None:
        self.urls.append(url)

    @Slot(str, str)
    def on_failed(self, message: str, _details: str) -> None:
        self.failures.append(message)

    @Slot(int, bool)
    def on_done(self, request: int, started: bool) -> None:
        self.done.append((request, started))


@pytest.fixture
def real_server_controller(qtbot, tmp_path, fake_sessions, monkeypatch):  # noqa: F811
    monkeypatch.setattr(controller_module, "lan_address", lambda: LAN)
    ctrl = fake_session_controller(tmp_path, SegmentServer)
    ctrl.shares = Shares(ctrl)
    ctrl.start()
    yield ctrl
    ctrl.shutdown()
    assert ctrl.wait(10000)


def test_encrypted_preview_shared_on_the_lan(qtbot, real_server_controller, tmp_path):
    ctrl, shares = real_server_controller, real_server_controller.shares
    ctrl.set_encrypt(True)
    request = ctrl.open(str(tmp_path / "clip.mp4"), "480p")
    qtbot.waitUntil(lambda: (request, True) in shares.done)
    encryption = FakeSession.instances[-1].plan.encryption
    assert encryption is not None  # the session was asked to encrypt
    assert shares.urls[-1] == ""  # not shared yet
    ctrl.set_lan(True)
    qtbot.waitUntil(lambda: shares.urls[-1] != "")
    url = shares.urls[-1]
    page, _, fragment = url.partition("#")
    assert page.startswith(f"http://{LAN}:") and page.endswith("/index.html")
    assert fragment == encryption.page_fragment  # the key rides in the fragment only
    with urllib.request.urlopen(page, timeout=10) as response:
        assert response.status == 200 and b"shaka" in response.read()
    ctrl.set_lan(False)
    qtbot.waitUntil(lambda: shares.urls[-1] == "")
    with pytest.raises(OSError):
        urllib.request.urlopen(page, timeout=2)
    ctrl.set_encrypt(False)
    again = ctrl.open(str(tmp_path / "clip.mp4"), "480p")
    qtbot.waitUntil(lambda: (again, True) in shares.done)
    assert FakeSession.instances[-1].plan.encryption is None
    assert shares.failures == []
