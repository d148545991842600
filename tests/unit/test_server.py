"""server: the waiting HTTP server, with a real Ledger and a folder (no encoding)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from viewra_desktop.core import layout
from viewra_desktop.core.ledger import Ledger
from viewra_desktop.core.mount import Mount
from viewra_desktop.core.server import HOST, SegmentServer
from viewra_desktop.core.streams import StreamId, audio, video

V, A = video(0), audio(0)

SEGMENT = bytes(range(100))  # every byte tells its offset


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def http(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    host: str = HOST,
) -> Response:
    """One request, sent byte for byte as given (no client-side path clean-up)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return Response(int(status_line.split()[1]), parsed, body)


@dataclass
class Served:
    server: SegmentServer
    ledger: Ledger
    folder: Path
    url: str
    requested: list[tuple[StreamId, int]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def token(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[1]

    def path(self, name: str) -> str:
        return f"/{self.token}/{name}"

    def get(self, name: str, **kwargs) -> Response:
        return http(self.port, self.path(name), **kwargs)

    def complete(self, stream: StreamId, number: int, data: bytes = SEGMENT) -> None:
        """What the session does: the file is on disk first, then the ledger says so."""
        (self.folder / layout.segment(stream, number)).write_bytes(data)
        self.ledger.add_segments(stream, {number: 0.5})


MANIFESTS = {
    "manifest.mpd": b"<MPD/>\n",
    "master.m3u8": b"#EXTM3U\n",
    "video.m3u8": b"#EXTM3U\n#video\n",
    "audio.m3u8": b"#EXTM3U\n#audio\n",
}


def make_served(tmp_path: Path, segment_wait: float = 20.0, audio: bool = True) -> Served:
    folder = tmp_path / "session"
    streams = (V, A) if audio else (V,)
    for stream in streams:
        (folder / layout.folder(stream)).mkdir(parents=True)
        (folder / layout.init(stream)).write_bytes(f"{layout.name(stream)}-init".encode())
    (folder / "subtitles").mkdir()
    (folder / "subtitles" / "0.vtt").write_bytes(b"WEBVTT\n")
    for name, data in MANIFESTS.items():
        (folder / name).write_bytes(data)
    (folder / "complete.json").write_bytes(b"{}")
    (folder / ".work").mkdir()
    (folder / ".work" / "secret.txt").write_bytes(b"secret")
    (tmp_path / "outside.txt").write_bytes(b"outside")
    ledger = Ledger(streams)
    server = SegmentServer(segment_wait=segment_wait)
    server.start()
    served = Served(server, ledger, folder, "")
    counts = {V: 6, A: 10 if audio else 0}
    mount = Mount(folder, ledger, counts, on_request=lambda s, n: served.requested.append((s, n)))
    served.url = server.mount(mount)
    return served


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    served = make_served(tmp_path)
    yield served
    served.server.close()


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# -- where it listens ------------------------------------------------------------------------


def test_binds_loopback_only(served):
    assert served.server.base_url == f"http://127.0.0.1:{served.port}"
    assert served.url.startswith(served.server.base_url + "/") and served.url.endswith("/")
    assert served.get("manifest.mpd").status == 200
    # 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 does not answer there.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", served.port), timeout=2).close()


def test_tokens_are_unguessable_and_distinct(served):
    other = served.server.mount(Mount(served.folder, served.ledger, {V: 1}))
    token = other.rstrip("/").rsplit("/", 1)[1]
    assert token != served.token and len(token) >= 22


# -- what can be named -----------------------------------------------------------------------


def bad_paths(served: Served) -> list[str]:
    t = served.token
    return [
        "/",
        f"/{t}",
        f"/{t}/",  # the bare session folder: no listing
        f"/{'A' * 32}/manifest.mpd",  # a well-formed token that is not mounted
        f"/{t[:-1]}/manifest.mpd",
        f"/{t}/../{t}/manifest.mpd",
        f"/{t}/video/../manifest.mpd",
        f"/{t}/../outside.txt",
        f"/{t}/../../../../etc/passwd",
        f"/{t}/%2e%2e/outside.txt",
        f"/{t}/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"/{t}/video%2f1.m4s",
        f"/{t}//etc/passwd",
        f"/{t}/etc/passwd",
        "//etc/passwd",
        f"/{t}/complete.json",
        f"/{t}/.work/secret.txt",
        f"/{t}/video/",
        f"/{t}/video/0.m4s",
        f"/{t}/video/01.m4s",
        f"/{t}/video/1.mp4",
        f"/{t}/video/1.m4s/",
        f"/{t}/manifest.mpd/",
        f"/{t}/subtitles/../../outside.vtt",
        f"/{t}/subtitles/",
        f"/{t}/text/1.m4s",
    ]


def test_bad_paths_are_404_without_listing(served):
    served.complete(V, 1)
    served.ledger.set_init_ready(V)
    for path in bad_paths(served):
        started = time.monotonic()
        response = http(served.port, path)
        assert response.status == 404, path
        assert time.monotonic() - started < 2, path  # answered, not held
        for leak in (b"manifest", b"secret", b"outside", b"root:", b"<a ", b"init"):
            assert leak not in response.body.lower(), (path, response.body)
    assert served.requested == []  # nothing bad ever reached the session


def test_unmounted_session_is_404(served):
    served.server.unmount(served.url)
    assert served.get("manifest.mpd").status == 404


def test_stream_the_session_does_not_have(tmp_path):
    served = make_served(tmp_path, audio=False)
    try:
        (served.folder / "audio").mkdir()
        (served.folder / "audio" / "1.m4s").write_bytes(SEGMENT)
        started = time.monotonic()
        assert served.get("audio/1.m4s").status == 404
        assert served.get("audio/init.mp4").status == 404
        assert time.monotonic() - started < 2
    finally:
        served.server.close()


# -- what it answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("manifest.mpd", "application/dash+xml"),
        ("master.m3u8", "application/vnd.apple.mpegurl"),
        ("video.m3u8", "application/vnd.apple.mpegurl"),
        ("audio.m3u8", "application/vnd.apple.mpegurl"),
        ("video/init.mp4", "video/mp4"),
        ("audio/init.mp4", "audio/mp4"),
        ("video/3.m4s", "video/mp4"),
        ("audio/3.m4s", "audio/mp4"),
        ("subtitles/0.vtt", "text/vtt"),
    ],
)
def test_content_types(served, name, content_type):
    for stream in (V, A):
        served.ledger.set_init_ready(stream)
        served.complete(stream, 3)
    response = served.get(name)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.body == (served.folder / name).read_bytes()
    assert response.headers["content-length"] == str(len(response.body))


def test_manifests_are_revalidated_and_segments_cached(served):
    served.complete(V, 1)
    assert served.get("manifest.mpd").headers["cache-control"] == "no-cache"
    assert "max-age" in served.get("video/1.m4s").headers["cache-control"]


def test_segment_request_waits_for_the_ledger(served):
    result: dict = {}

    def fetch() -> None:
        result["response"] = served.get("video/2.m4s")
        result["at"] = time.monotonic()

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    time.sleep(0.4)
    assert thread.is_alive()  # held, not answered 404
    assert served.requested == [(V, 2)]  # the session was told
    data = bytes(range(256)) * 1200  # larger than one 256 KiB chunk
    (served.folder / "video" / "2.m4s").write_bytes(data)
    time.sleep(0.2)
    assert thread.is_alive()  # the file alone is not enough: the ledger decides
    added = time.monotonic()
    served.ledger.add_segments(V, {2: 0.5})
    thread.join(timeout=5)
    assert not thread.is_alive()
    response = result["response"]
    assert response.status == 200
    assert response.body == data
    assert result["at"] - added < 1.0


def test_init_segment_waits_too(served):
    result: dict = {}
    thread = threading.Thread(
        target=lambda: result.update(r=served.get("audio/init.mp4")), daemon=True
    )
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive()
    served.ledger.set_init_ready(A)
    thread.join(timeout=5)
    assert result["r"].status == 200 and result["r"].body == b"audio-init"
    assert served.requested == []  # init segments do not move the encoder


def test_ready_segment_does_not_call_the_session(served):
    served.complete(V, 5)
    assert served.get("video/5.m4s").status == 200
    assert served.requested == []


def test_failed_pipeline_gives_503_quickly(served):
    served.ledger.fail("Encoding failed: ffmpeg exited with code 1.")
    started = time.monotonic()
    response = served.get("video/3.m4s")
    assert response.status == 503
    assert time.monotonic() - started < 0.5
    assert b"ffmpeg exited with code 1" in response.body


def test_failure_while_waiting_gives_503(served):
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(r=served.get("video/3.m4s")))
    thread.start()
    time.sleep(0.3)
    failed = time.monotonic()
    served.ledger.fail("The session was stopped.")
    thread.join(timeout=5)
    assert result["r"].status == 503
    assert time.monotonic() - failed < 1.0


def test_finished_without_the_segment_gives_404(served):
    served.complete(V, 1)
    served.ledger.finish()
    started = time.monotonic()
    assert served.get("video/2.m4s").status == 404
    assert time.monotonic() - started < 0.5
    assert served.get("video/1.m4s").status == 200


def test_number_above_the_manifest_count_is_404_at_once(served):
    started = time.monotonic()
    assert served.get("video/7.m4s").status == 404  # the manifests list 6
    assert served.get("audio/11.m4s").status == 404  # and 10
    assert served.get("video/999999999.m4s").status == 404
    assert time.monotonic() - started < 0.5
    assert served.requested == []


def test_waiting_too_long_gives_504(tmp_path):
    served = make_served(tmp_path, segment_wait=0.3)
    try:
        started = time.monotonic()
        assert served.get("video/2.m4s").status == 504
        assert 0.3 <= time.monotonic() - started < 2
    finally:
        served.server.close()


def test_closing_the_server_releases_waiting_requests(tmp_path):
    served = make_served(tmp_path)
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(r=served.get("video/2.m4s")))
    thread.start()
    time.sleep(0.3)
    served.server.close()
    thread.join(timeout=5)
    assert result["r"].status == 503


# -- ranges and HEAD -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-9", 0, 9), ("bytes=-5", 95, 99), ("bytes=5-", 5, 99), ("bytes=90-500", 90, 99),
     ("bytes=99-99", 99, 99), ("bytes=-500", 0, 99)],
)  # fmt: skip
def test_ranges(served, header, first, last):
    served.complete(V, 1)
    response = served.get("video/1.m4s", headers={"Range": header})
    assert response.status == 206
    assert response.body == SEGMENT[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/100"
    assert response.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=500-600", "bytes=-0", "bytes=9-3"])
def test_unsatisfiable_ranges(served, header):
    served.complete(V, 1)
    response = served.get("video/1.m4s", headers={"Range": header})
    assert response.status == 416
    assert response.headers["content-range"] == "bytes */100"
    assert response.body == b""


def test_range_on_a_manifest(served):
    response = served.get("manifest.mpd", headers={"Range": "bytes=1-3"})
    assert response.status == 206 and response.body == b"MPD"


def test_head_has_no_body(served):
    served.complete(V, 1)
    response = served.get("video/1.m4s", method="HEAD")
    assert response.status == 200
    assert response.headers["content-length"] == "100"
    assert response.headers["content-type"] == "video/mp4"
    assert response.body == b""  # the socket closed right after the headers
    missing = served.get("nothing.txt", method="HEAD")
    assert missing.status == 404 and missing.body == b""
    ranged = served.get("video/1.m4s", method="HEAD", headers={"Range": "bytes=0-9"})
    assert ranged.status == 206 and ranged.body == b""


def test_options_allows_cross_origin_ranges(served):
    response = served.get("manifest.mpd", method="OPTIONS")
    assert response.status == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Range" in response.headers["access-control-allow-headers"]


def test_keep_alive_serves_several_requests_on_one_connection(served):
    served.complete(V, 1)
    with socket.create_connection((HOST, served.port), timeout=5) as sock:
        request = f"GET {served.path('video/1.m4s')} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        sock.sendall(request + request)
        data = b""
        while data.count(SEGMENT) < 2:
            chunk = sock.recv(65536)
            assert chunk, "connection closed early"
            data += chunk
    assert data.count(b"HTTP/1.1 200") == 2


# -- clients that go away --------------------------------------------------------------------


def test_client_that_disconnects_releases_its_thread(served):
    before = threading.active_count()
    sock = socket.create_connection((HOST, served.port), timeout=5)
    sock.sendall(f"GET {served.path('video/4.m4s')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert wait_for(lambda: threading.active_count() == before + 1, 2.0)
    assert wait_for(lambda: served.requested == [(V, 4)], 2.0)
    time.sleep(0.2)
    assert threading.active_count() == before + 1  # still waiting for segment 4
    sock.close()
    closed = time.monotonic()
    assert wait_for(lambda: threading.active_count() == before, 2.0)
    assert time.monotonic() - closed < 1.2
    # The server still works afterwards.
    served.complete(V, 4)
    assert served.get("video/4.m4s").status == 200
