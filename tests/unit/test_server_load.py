"""server under load and abuse: many clients at once, malformed requests."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from unit.test_server import SEGMENT, V, http, make_served, wait_for
from viewra_desktop.core.server import HOST


@pytest.fixture
def served(tmp_path):
    served = make_served(tmp_path)
    yield served
    served.server.close()


def test_two_hundred_clients_waiting_then_served(served):
    """200 clients wait on one segment; all get the whole file when it completes."""
    with ThreadPoolExecutor(max_workers=200) as pool:
        futures = [pool.submit(served.get, "video/3.m4s", timeout=30) for _ in range(200)]
        assert wait_for(lambda: threading.active_count() > 300, 10)  # all are waiting
        served.complete(V, 3)
        results = [future.result(timeout=30) for future in futures]
    assert {r.status for r in results} == {200}
    assert all(r.body == SEGMENT for r in results)


def test_two_hundred_clients_on_ready_files(served):
    served.complete(V, 1)
    served.ledger.set_init_ready(V)
    names = ["manifest.mpd", "video.m3u8", "video/1.m4s", "video/init.mp4"] * 50
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(lambda name: served.get(name, timeout=30), names))
    assert all(r.status == 200 for r in results)
    assert sum(r.body == SEGMENT for r in results) == 50


def _raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return reply


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\xff\xfe garbage \r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        b"DELETE /x HTTP/1.1\r\n\r\n",
        b"GET http://evil.example/../../etc/passwd HTTP/1.1\r\n\r\n",
        b"",
    ],
)
def test_malformed_requests_do_not_stop_it(served, data):
    reply = _raw(served.port, data)
    assert b" 200 " not in reply.split(b"\r\n", 1)[0]
    assert b"root:" not in reply
    served.complete(V, 1)
    assert served.get("video/1.m4s").status == 200  # still serving


def test_a_silent_client_does_not_block_others(served):
    """A client that connects and sends nothing holds one thread, not the server."""
    idle = [socket.create_connection((HOST, served.port)) for _ in range(20)]
    try:
        served.complete(V, 2)
        assert http(served.port, served.path("video/2.m4s"), timeout=5).status == 200
    finally:
        for sock in idle:
            sock.close()
