"""server: a segment the packager is still writing is streamed as it grows (chunked), and
ends properly only once the ledger records it complete."""

from __future__ import annotations

import http.client
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from viewra_desktop.core.ledger import Ledger
from viewra_desktop.core.mount import Mount
from viewra_desktop.core.server import HOST, LAVF_BLOCK, SegmentServer
from viewra_desktop.core.streams import StreamId, audio, video

V, A = video(0), audio(0)

TIMEOUT = 5.0  # only a guard against a hang: nothing here waits this long when it works


def wait_for(predicate, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def pattern(size: int, seed: int) -> bytes:
    return bytes((i * 7 + seed) % 251 for i in range(size))


# Three steps of a growing segment; the last is larger than the server's 256 KiB chunk.
STEPS = [pattern(1000, 1), pattern(5000, 2), pattern(300_000, 3)]
WHOLE = b"".join(STEPS)


@dataclass
class Served:
    server: SegmentServer
    ledger: Ledger
    folder: Path  # the mounted session folder (complete segments)
    run: Path  # the packager's run folder, where segments grow
    url: str = ""
    requested: list[tuple[StreamId, int]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    def path(self, name: str) -> str:
        return f"/{self.url.rstrip('/').rsplit('/', 1)[1]}/{name}"

    def grow(self, number: int, data: bytes, local: int = 0) -> Path:
        """Append to the file the packager writes segment ``number`` to, and say so."""
        partial = self.run / "video" / f"{local}.m4s"
        with partial.open("ab") as handle:
            handle.write(data)
        self.ledger.set_partial(V, number, partial)
        return partial

    def complete(self, number: int, local: int = 0) -> bytes:
        """What the session does: move the finished file into the package, then record it."""
        target = self.folder / "video" / f"{number}.m4s"
        os.replace(self.run / "video" / f"{local}.m4s", target)
        self.ledger.add_segments(V, {number: 1.0})
        return target.read_bytes()


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    folder, run = tmp_path / "session", tmp_path / "run-1"
    for stream in ("video", "audio"):
        (folder / stream).mkdir(parents=True)
        (run / stream).mkdir(parents=True)
    ledger = Ledger((V, A))
    server = SegmentServer(segment_wait=20.0)
    server.start()
    served = Served(server, ledger, folder, run)
    on_request = lambda s, n: served.requested.append((s, n))  # noqa: E731
    served.url = server.mount(Mount(folder, ledger, {V: 6, A: 6}, on_request))
    yield served
    server.close()


class Raw:
    """An HTTP/1.1 client on a bare socket: every byte of the framing is visible."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=TIMEOUT)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        version: str = "HTTP/1.1",
    ):
        lines = [f"{method} {path} {version}", "Host: x"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buffer += data

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def head(self) -> tuple[int, dict[str, str]]:
        status = int(self._line().split()[1])
        headers = {}
        while line := self._line().decode("latin-1"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def chunk(self) -> bytes:
        """The next chunk's data; b"" for the final chunk (``0\\r\\n\\r\\n``)."""
        size = int(self._line(), 16)
        data = self._exact(size)
        assert self._line() == b""  # CRLF after the data (or the end of the empty trailer)
        return data

    def body(self, size: int) -> bytes:
        """Chunks until ``size`` bytes of body came (the final chunk must not come first)."""
        data = b""
        while len(data) < size:
            got = self.chunk()
            assert got, f"the response ended after {len(data)} of {size} bytes"
            data += got
        assert len(data) == size
        return data

    def sized_body(self, headers: dict[str, str]) -> bytes:
        return self._exact(int(headers["content-length"]))

    def quiet(self, wait: float = 0.2) -> bool:
        """Nothing more came, and the connection is still open."""
        if self.buffer:
            return False
        readable, _, _ = select.select([self.sock], [], [], wait)
        return not readable


@pytest.fixture
def raw(served) -> Iterator[Raw]:
    client = Raw(served.port)
    yield client
    client.close()


def start_stream(served: Served, raw: Raw, headers: dict[str, str] | None = None) -> None:
    """Segment 2 is being written (its first step is on disk); ask for it and check that the
    answer is a chunked stream that starts with what is on disk."""
    served.grow(2, STEPS[0])
    raw.send(served.path("video/2.m4s"), headers=headers)
    status, got = raw.head()
    assert status == 200
    assert got["transfer-encoding"] == "chunked"
    assert "content-length" not in got
    assert got["content-type"] == "video/mp4"
    assert got["cache-control"] == "no-cache"  # not cached as a (possibly cut-off) segment
    assert raw.body(len(STEPS[0])) == STEPS[0]
    assert not served.ledger.has(V, 2)  # the first bytes came while it was incomplete


# -- (a) streaming as the file grows ---------------------------------------------------------


@pytest.mark.parametrize("headers", [None, {"Range": "bytes=0-"}, {"Range": "bytes = 0-"}])
def test_growing_segment_arrives_as_it_is_written(served, raw, headers):
    events = []
    start_stream(served, raw, headers)
    events.append("step 1 received")
    for step in STEPS[1:]:
        served.grow(2, step)
        assert raw.body(len(step)) == step
        assert not served.ledger.has(V, 2)
        events.append("step received")
    assert raw.quiet()  # no final chunk while the segment is incomplete
    whole = served.complete(2)
    events.append("complete")
    assert raw.chunk() == b""  # and now the final chunk
    events.append("final chunk")
    assert whole == WHOLE
    assert events == [
        "step 1 received",
        "step received",
        "step received",
        "complete",
        "final chunk",
    ]
    assert served.requested == [(V, 2)]


def test_bytes_written_just_before_completion_are_sent_before_the_end(served, raw):
    start_stream(served, raw)
    served.grow(2, STEPS[1])
    served.complete(2)  # the last step and the completion together
    rest = b""
    while data := raw.chunk():
        rest += data
    assert rest == STEPS[1]


def test_http_client_reads_the_whole_streamed_body(served):
    served.grow(2, STEPS[0])
    connection = http.client.HTTPConnection(HOST, served.port, timeout=TIMEOUT)
    try:
        connection.request("GET", served.path("video/2.m4s"))
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("Content-Length") is None
        first = response.read(len(STEPS[0]))
        assert first == STEPS[0]
        assert not served.ledger.has(V, 2)

        def write_the_rest() -> None:  # the packager and the session, while the client reads
            for step in STEPS[1:]:
                served.grow(2, step)
            served.complete(2)

        writer = threading.Thread(target=write_the_rest, daemon=True)
        writer.start()
        body = first + response.read()  # to the final chunk
        writer.join(timeout=TIMEOUT)
        assert body == WHOLE
        assert response.isclosed()
        # The connection is still good: a second request on it gets the complete file.
        connection.request("GET", served.path("video/2.m4s"))
        again = connection.getresponse()
        assert again.status == 200 and again.getheader("Content-Length") == str(len(WHOLE))
        assert again.read() == WHOLE
    finally:
        connection.close()


# -- (b), (e) cut off when the segment will not be finished ----------------------------------


def assert_cut_off(raw: Raw) -> bytes:
    """Read to the end of the connection; fail if the final chunk comes."""
    rest = b""
    with pytest.raises(EOFError):
        while data := raw.chunk():
            rest += data
    assert b"0\r\n\r\n" not in raw.buffer
    return rest


def test_dropped_partial_cuts_the_answer_off(served, raw):
    start_stream(served, raw)
    served.grow(2, STEPS[1])
    assert raw.body(len(STEPS[1])) == STEPS[1]
    served.ledger.drop_partials()  # the run was stopped: segment 2 will not be finished here
    assert assert_cut_off(raw) == b""
    assert not served.ledger.has(V, 2)
    # Another run finishes it later: it is served whole.
    served.grow(2, STEPS[2], local=5)
    served.complete(2, local=5)
    other = Raw(served.port)
    try:
        other.send(served.path("video/2.m4s"), headers={"Connection": "close"})
        status, headers = other.head()
        assert status == 200 and "transfer-encoding" not in headers
        assert other.sized_body(headers) == STEPS[2]
    finally:
        other.close()


def test_replaced_partial_cuts_the_answer_off(served, raw):
    start_stream(served, raw)
    served.grow(3, STEPS[1], local=1)  # the packager moved on without finishing 2
    assert assert_cut_off(raw) == b""


def test_pipeline_failure_cuts_the_answer_off(served, raw):
    start_stream(served, raw)
    served.ledger.fail("Encoding failed: ffmpeg exited with code 1.")
    assert assert_cut_off(raw) == b""
    other = Raw(served.port)
    try:
        other.send(served.path("video/2.m4s"), headers={"Connection": "close"})
        status, headers = other.head()
        assert status == 503
        assert b"ffmpeg exited with code 1" in other.sized_body(headers)
    finally:
        other.close()


def test_failure_from_another_thread_while_the_client_waits_for_bytes(served, raw):
    start_stream(served, raw)
    failing = threading.Timer(0.1, served.ledger.fail, args=("The session was stopped.",))
    failing.start()
    assert assert_cut_off(raw) == b""  # the read was blocked when the failure came
    failing.join(timeout=TIMEOUT)


# -- (c) requests that cannot be streamed wait for the whole segment -------------------------


def test_later_range_and_head_wait_for_the_complete_segment(served):
    served.grow(2, STEPS[0])
    ranged, head = Raw(served.port), Raw(served.port)
    try:
        ranged.send(served.path("video/2.m4s"), headers={"Range": "bytes=100-"})
        head.send(served.path("video/2.m4s"), method="HEAD", headers={"Connection": "close"})
        # Both reached the server and are waiting (the session is told before any wait).
        assert wait_for(lambda: len(served.requested) == 2)
        assert served.requested == [(V, 2), (V, 2)]
        served.grow(2, STEPS[1])
        assert ranged.quiet() and head.quiet()  # no partial answer for either
        served.grow(2, STEPS[2])
        served.complete(2)

        status, headers = ranged.head()
        assert status == 206
        assert "transfer-encoding" not in headers
        assert headers["content-range"] == f"bytes 100-{len(WHOLE) - 1}/{len(WHOLE)}"
        assert headers["content-length"] == str(len(WHOLE) - 100)
        assert ranged.sized_body(headers) == WHOLE[100:]

        status, headers = head.head()
        assert status == 200
        assert "transfer-encoding" not in headers
        assert headers["content-length"] == str(len(WHOLE))
        with pytest.raises(EOFError):  # no body: the connection closes after the headers
            head._fill()
        assert head.buffer == b""
    finally:
        ranged.close()
        head.close()


def test_an_http_1_0_client_waits_for_the_whole_segment(served, raw):
    """HTTP/1.0 has no chunked encoding: such a client gets the segment once it is whole."""
    served.grow(2, STEPS[0])
    raw.send(served.path("video/2.m4s"), version="HTTP/1.0")
    assert wait_for(lambda: served.requested == [(V, 2)])
    assert raw.quiet()
    served.grow(2, STEPS[1])
    served.grow(2, STEPS[2])
    served.complete(2)
    status, headers = raw.head()
    assert status == 200
    assert "transfer-encoding" not in headers
    assert raw.sized_body(headers) == WHOLE


# -- (d) the stream ends properly: the connection can be used again -------------------------


def test_keep_alive_after_a_streamed_answer(served, raw):
    start_stream(served, raw)
    served.grow(2, STEPS[1])
    served.complete(2)
    body = STEPS[0]
    while data := raw.chunk():
        body += data
    assert body == STEPS[0] + STEPS[1]
    assert raw.buffer == b"" and raw.quiet()  # nothing after the final chunk

    # A complete segment on the same connection: sized, not chunked.
    raw.send(served.path("video/2.m4s"))
    status, headers = raw.head()
    assert status == 200 and "transfer-encoding" not in headers
    assert raw.sized_body(headers) == body

    # And another growing one, streamed again on the same connection.
    served.grow(3, STEPS[2], local=1)
    raw.send(served.path("video/3.m4s"))
    status, headers = raw.head()
    assert status == 200 and headers["transfer-encoding"] == "chunked"
    assert raw.body(len(STEPS[2])) == STEPS[2]
    served.complete(3, local=1)
    assert raw.chunk() == b""
    assert raw.buffer == b"" and raw.quiet()


# -- readers: the session does not stop a run under a player still reading it --------------


def test_the_ledger_counts_an_answer_while_it_streams(served, raw):
    assert served.ledger.readers == 0
    start_stream(served, raw)
    assert served.ledger.readers == 1
    served.complete(2)
    assert raw.chunk() == b""
    assert wait_for(lambda: served.ledger.readers == 0)


def test_a_client_that_goes_away_mid_stream_is_no_longer_counted(served, raw):
    start_stream(served, raw)
    assert served.ledger.readers == 1
    raw.close()  # what a player does when it seeks elsewhere
    assert wait_for(lambda: served.ledger.readers == 0)
    assert not served.ledger.has(V, 2)  # still being written: only the reader left


# -- (f) libavformat's block reads: a caught-up answer is padded to the next 32 KiB -------------


def fragment(size: int, seed: int) -> bytes:
    """A moof + mdat pair as the packager writes one, ``size`` bytes of sample data."""
    moof = struct.pack(">I4s", 100, b"moof") + pattern(92, seed)
    return moof + struct.pack(">I4s", 8 + size, b"mdat") + pattern(size, seed + 1)


def without_free_boxes(data: bytes) -> tuple[bytes, int]:
    """The body's own boxes, and how many ``free`` boxes came between them."""
    kept, free, at = b"", 0, 0
    while at < len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"free":
            assert data[at + 8 : at + size] == bytes(size - 8)
            free += 1
        else:
            kept += data[at : at + size]
        at += size
    return kept, free


LAVF = {"User-Agent": "libmpv"}


def read_available(raw: Raw, size: int, before: int = 0) -> bytes:
    """Chunks until ``size`` bytes came and the answer (``before`` bytes came earlier) is a
    whole number of 32 KiB blocks."""
    data = raw.body(size)
    while (before + len(data)) % LAVF_BLOCK:
        data += raw.chunk()
    return data


@pytest.mark.parametrize("agent", ["libmpv", "Lavf/60.16.100"])
def test_a_block_reader_gets_each_caught_up_answer_padded_to_a_block(served, raw, agent):
    steps = [b"".join(fragment(300, s) for s in (1, 3)), fragment(50_000, 5), fragment(10, 7)]
    served.grow(2, steps[0])
    raw.send(served.path("video/2.m4s"), headers={"User-Agent": agent})
    assert raw.head()[0] == 200
    body = read_available(raw, len(steps[0]))
    assert len(body) == LAVF_BLOCK  # the fragments, then a free box up to the block
    for step in steps[1:]:
        served.grow(2, step)
        body += read_available(raw, len(step), len(body))
    assert raw.quiet()  # padded once per catch-up, not on every look at the file
    whole = served.complete(2)
    assert raw.chunk() == b""
    kept, free = without_free_boxes(body)
    assert kept == whole == b"".join(steps)
    assert free == 3
    assert len(body) == 4 * LAVF_BLOCK  # 1 block, then 50 KB to the end of the 3rd, then 1


@pytest.mark.parametrize(
    "written",
    [500, 100, 50],  # inside the mdat; the moof whole, its mdat not begun; inside the moof
)
def test_a_fragment_being_written_waits_and_the_one_before_is_padded(served, raw, written):
    """The packager's writes do not end where its fragments do. A block reader gets the
    whole fragments at once, padded (never a box inside a box, nor between a moof and its
    mdat, whose samples it finds at an offset from itself), and the rest once it is whole."""
    first, second = fragment(300, 1), fragment(1000, 3)
    served.grow(2, first + second[:written])
    raw.send(served.path("video/2.m4s"), headers=LAVF)
    assert raw.head()[0] == 200
    body = read_available(raw, len(first))
    assert body[: len(first)] == first
    assert len(body) == LAVF_BLOCK and body[len(first) + 4 : len(first) + 8] == b"free"
    assert raw.quiet()  # nothing of the fragment still being written
    served.grow(2, second[written:])
    body += read_available(raw, len(second), len(body))
    assert body[LAVF_BLOCK : LAVF_BLOCK + len(second)] == second
    whole = served.complete(2)
    assert raw.chunk() == b""
    assert without_free_boxes(body) == (whole, 2)


def test_a_block_reader_gets_each_full_block_of_a_fragment_being_written(served, raw):
    keyframe = fragment(60_000, 1)
    served.grow(2, keyframe[:40_000])
    raw.send(served.path("video/2.m4s"), headers=LAVF)
    assert raw.head()[0] == 200
    assert raw.body(LAVF_BLOCK) == keyframe[:LAVF_BLOCK]  # what the reader can take now
    assert raw.quiet()
    served.grow(2, keyframe[40_000:])
    body = read_available(raw, len(keyframe) - LAVF_BLOCK, LAVF_BLOCK)
    assert body[: len(keyframe) - LAVF_BLOCK] == keyframe[LAVF_BLOCK:]
    served.complete(2)
    assert raw.chunk() == b""


def test_a_fragment_held_back_comes_when_the_segment_is_complete(served, raw):
    first, second = fragment(300, 1), fragment(1000, 3)
    served.grow(2, first + second[:500])
    raw.send(served.path("video/2.m4s"), headers=LAVF)
    assert raw.head()[0] == 200
    body = read_available(raw, len(first))
    assert raw.quiet()
    with (served.run / "video" / "0.m4s").open("ab") as handle:
        handle.write(second[500:])  # the packager's last write, then the segment is complete
    whole = served.complete(2)
    while chunk := raw.chunk():
        body += chunk
    kept, free = without_free_boxes(body)
    assert kept == whole == first + second
    assert free in (1, 2)  # a second padding if the server saw the last write before the end


def test_other_clients_get_the_file_as_it_is(served, raw):
    data = fragment(300, 1)
    served.grow(2, data)
    raw.send(served.path("video/2.m4s"), headers={"User-Agent": "Mozilla/5.0"})
    assert raw.head()[0] == 200
    assert raw.body(len(data)) == data
    assert raw.quiet()
    served.complete(2)
    assert raw.chunk() == b""


def test_a_file_that_is_not_boxes_is_streamed_unpadded(served, raw):
    garbage = struct.pack(">I4s", 3, b"moof") + bytes(100)  # a size below its own header
    served.grow(2, garbage)
    raw.send(served.path("video/2.m4s"), headers=LAVF)
    assert raw.head()[0] == 200
    assert raw.body(len(garbage)) == garbage
    assert raw.quiet()
    served.complete(2)
    assert raw.chunk() == b""
