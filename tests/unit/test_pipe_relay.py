"""pipe: the relay behind the Windows pipe, tested with ordinary files and FIFOs.

On Windows ``RelayPipe`` gets its ends from two named pipes; on POSIX the same class gets
them from two FIFOs, which block in open() and report a vanished reader the same way, so the
thread, end-of-file handling and closing are the production code. The tests at the end run
the real named pipes, on Windows only (the packages workflow runs them there).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import sys
import threading
import time
from pathlib import Path

import pytest

from viewra_desktop.core.pipe import CHUNK_SIZE, CLOSE_WAIT_S, RelayPipe, create_pipe, relay

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
windows_only = pytest.mark.skipif(sys.platform != "win32", reason="Windows named pipes")

# -- the copy loop ------------------------------------------------------------------------------


class ChunkySource:
    """Hands out its data in pieces of random size, as a pipe does."""

    def __init__(self, data: bytes, seed: int = 1) -> None:
        self._data = data
        self._at = 0
        self._random = random.Random(seed)
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        take = self._random.randint(1, max(1, size))
        piece = self._data[self._at : self._at + take]
        self._at += len(piece)
        return piece

    def close(self) -> None:
        self.closed = True


class TrickleSink:
    """Takes at most ``most`` bytes per write, as a raw pipe may."""

    def __init__(self, most: int = 7) -> None:
        self.most = most
        self.received = bytearray()
        self.writes = 0

    def write(self, data) -> int:
        self.writes += 1
        piece = bytes(data[: self.most])
        self.received += piece
        return len(piece)

    def close(self) -> None:
        pass


def pattern(size: int) -> bytes:
    """Bytes where any reordering, loss or repetition shows."""
    return b"".join(i.to_bytes(4, "big") for i in range(size // 4))


def test_relay_copies_in_order_and_counts():
    data = pattern(1_000_000)
    sink = io.BytesIO()
    assert relay(io.BytesIO(data), sink, chunk_size=4096) == len(data)
    assert sink.getvalue() == data


def test_relay_with_uneven_reads_and_short_writes():
    data = pattern(200_000)
    sink = TrickleSink(most=1000)
    assert relay(ChunkySource(data), sink, chunk_size=CHUNK_SIZE) == len(data)
    assert bytes(sink.received) == data
    assert sink.writes >= len(data) // 1000


def test_relay_of_nothing():
    sink = io.BytesIO()
    assert relay(io.BytesIO(b""), sink) == 0
    assert sink.getvalue() == b""


def test_relay_flushes_each_chunk_so_the_reader_never_waits_on_a_buffer():
    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    # The sink is buffered: without a flush the bytes would sit in it.
    with open(read_fd, "rb", buffering=0) as source, open(out_write, "wb") as sink:
        thread = threading.Thread(target=relay, args=(source, sink), daemon=True)
        thread.start()
        os.write(write_fd, b"first fragment")
        assert os.read(out_read, 100) == b"first fragment"  # the writer is still open
        os.close(write_fd)
        thread.join(5)
        assert not thread.is_alive()
    assert os.read(out_read, 100) == b""
    os.close(out_read)


def test_relay_stops_between_chunks_when_asked():
    stop = threading.Event()

    class StopAfterFirst(io.BytesIO):
        def write(self, data) -> int:
            stop.set()
            return super().write(data)

    sink = StopAfterFirst()
    assert relay(io.BytesIO(pattern(40_000)), sink, chunk_size=1000, stop=stop) == 1000
    assert sink.getvalue() == pattern(40_000)[:1000]


def test_relay_lets_a_vanished_reader_show():
    class Gone:
        def write(self, data) -> int:
            raise BrokenPipeError(errno.EPIPE, "the reader went away")

        def close(self) -> None:
            pass

    with pytest.raises(BrokenPipeError):
        relay(io.BytesIO(b"data"), Gone())


# -- the relay thread, with FIFOs standing in for the two named pipes ---------------------------


def fifo_relay(folder: Path, chunk_size: int = CHUNK_SIZE) -> RelayPipe:
    """A RelayPipe whose ends are two FIFOs: open() blocks until the other process comes,
    like ConnectNamedPipe, and ``wake`` connects to each and hangs up, like the Windows one."""
    writer_path, reader_path = folder / "in.fifo", folder / "out.fifo"
    os.mkfifo(writer_path, 0o600)
    os.mkfifo(reader_path, 0o600)

    def open_source():
        return open(writer_path, "rb", buffering=0)

    def open_sink():
        return open(reader_path, "wb", buffering=0)

    def wake() -> None:
        for path, flags in ((writer_path, os.O_WRONLY), (reader_path, os.O_RDONLY)):
            try:
                fd = os.open(path, flags | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody is waiting on that side
                continue
            os.close(fd)

    return RelayPipe(
        str(writer_path), str(reader_path), open_source, open_sink, wake, chunk_size
    ).start()


class Reader:
    """The packager's side: reads the reader path to its end on a thread, hashing."""

    def __init__(self, path: str, stop_after: int | None = None) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.reads = 0
        self._path = path
        self._stop_after = stop_after
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with open(self._path, "rb", buffering=0) as handle:
            while True:
                data = handle.read(50_000)
                if not data:
                    return
                self.reads += 1
                self.digest.update(data)
                self.size += len(data)
                if self._stop_after is not None and self.size >= self._stop_after:
                    return  # the packager died: its end is closed

    def wait(self, timeout: float = 20) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the reader never saw the end of the stream"


@needs_fifo
def test_a_large_transfer_arrives_whole_and_in_order(tmp_path):
    pipe = fifo_relay(tmp_path)
    reader = Reader(pipe.reader_path)
    rng = random.Random(7)
    expected = hashlib.sha256()
    total = 0
    with open(pipe.writer_path, "wb", buffering=0) as writer:
        for _ in range(400):  # about 64 MiB in writes of every size, like ffmpeg's
            block = rng.randbytes(rng.randint(1, 320_000))
            writer.write(block)
            expected.update(block)
            total += len(block)
    reader.wait()
    assert pipe.join(5)
    assert (reader.size, reader.digest.hexdigest()) == (total, expected.hexdigest())
    assert pipe.copied == total and pipe.error is None
    pipe.close()


@needs_fifo
def test_the_end_of_the_writer_is_the_end_for_the_reader(tmp_path):
    pipe = fifo_relay(tmp_path)
    reader = Reader(pipe.reader_path)
    with open(pipe.writer_path, "wb", buffering=0) as writer:
        writer.write(b"init segment")
        time.sleep(0.2)
        assert reader.thread.is_alive()  # the writer is open: the reader waits for more
        writer.write(b" and a fragment")
    reader.wait(5)  # closed by the relay after the last byte: the reader sees its end
    assert reader.size == len(b"init segment and a fragment")
    assert pipe.join(5)


@needs_fifo
def test_the_reader_going_away_makes_the_writer_fail(tmp_path):
    pipe = fifo_relay(tmp_path, chunk_size=4096)
    reader = Reader(pipe.reader_path, stop_after=100_000)
    failure: list[OSError] = []

    def write_forever() -> None:
        try:
            with open(pipe.writer_path, "wb", buffering=0) as writer:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    writer.write(b"x" * 65536)
        except OSError as exc:
            failure.append(exc)

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    reader.wait()
    writer.join(10)
    assert not writer.is_alive(), "the writer kept writing into a pipe nobody reads"
    assert failure and failure[0].errno == errno.EPIPE
    assert pipe.join(5)
    assert isinstance(pipe.error, BrokenPipeError)


@needs_fifo
def test_close_while_nobody_came(tmp_path):
    pipe = fifo_relay(tmp_path)
    time.sleep(0.1)
    assert pipe.running  # waiting for the writer
    started = time.monotonic()
    pipe.close()
    assert time.monotonic() - started < CLOSE_WAIT_S
    assert not pipe.running
    pipe.close()  # again: harmless


@needs_fifo
def test_close_right_after_start(tmp_path):
    for attempt in range(20):  # the thread may not be waiting yet when close() pokes it
        folder = tmp_path / str(attempt)
        folder.mkdir()
        pipe = fifo_relay(folder)
        pipe.close()
        assert not pipe.running


@needs_fifo
def test_close_while_waiting_for_the_reader_makes_the_writer_fail(tmp_path):
    pipe = fifo_relay(tmp_path)
    failure: list[OSError] = []
    connected = threading.Event()

    def writer() -> None:
        try:
            with open(pipe.writer_path, "wb", buffering=0) as handle:
                connected.set()
                for _ in range(100):  # far more than a pipe holds
                    handle.write(b"y" * 65536)
        except OSError as exc:
            failure.append(exc)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert connected.wait(5)
    time.sleep(0.2)
    assert thread.is_alive()  # blocked: the pipe is full and the reader never came
    pipe.close()
    thread.join(5)
    assert not thread.is_alive()
    assert failure and failure[0].errno == errno.EPIPE
    assert not pipe.running


@needs_fifo
def test_close_while_a_live_writer_stalls_returns_and_the_thread_ends_with_it(tmp_path, caplog):
    pipe = fifo_relay(tmp_path)
    reader = Reader(pipe.reader_path)
    writer = open(pipe.writer_path, "wb", buffering=0)  # noqa: SIM115 - closed below
    writer.write(b"some")
    time.sleep(0.2)
    started = time.monotonic()
    pipe.close()  # the relay waits in read() for a writer that is alive and silent
    assert time.monotonic() - started < CLOSE_WAIT_S + 0.5
    assert "still holds the pipe open" in caplog.text
    writer.close()  # the process ends: so does the relay
    assert pipe.join(5)
    reader.wait(5)
    assert reader.size == 4


# -- Windows: the real named pipes ----------------------------------------------------------


def write_blocks(path: str, seed: int, count: int) -> tuple[int, str]:
    """Write random blocks as ffmpeg does (open for writing, truncate); return size, sha256."""
    rng = random.Random(seed)
    digest = hashlib.sha256()
    total = 0
    with open(path, "wb", buffering=0) as writer:
        for _ in range(count):
            block = rng.randbytes(rng.randint(1, 300_000))
            writer.write(block)
            digest.update(block)
            total += len(block)
    return total, digest.hexdigest()


@windows_only
def test_windows_pipe_carries_a_large_stream_in_order_to_its_end(tmp_path):
    pipe = create_pipe(tmp_path, "pipe.fifo")
    assert isinstance(pipe, RelayPipe)
    assert pipe.writer_path.startswith("\\\\.\\pipe\\viewra-")
    assert pipe.reader_path != pipe.writer_path
    reader = Reader(pipe.reader_path)  # the packager opens first, as the session starts it
    total, digest = write_blocks(pipe.writer_path, seed=3, count=200)
    reader.wait(60)
    assert (reader.size, reader.digest.hexdigest()) == (total, digest)
    assert pipe.join(10) and pipe.copied == total and pipe.error is None
    pipe.close()


@windows_only
def test_windows_pipe_writer_first(tmp_path):
    pipe = create_pipe(tmp_path, "pipe.fifo")
    result: list[tuple[int, str]] = []
    writer = threading.Thread(
        target=lambda: result.append(write_blocks(pipe.writer_path, seed=4, count=40)),
        daemon=True,
    )
    writer.start()
    time.sleep(0.3)
    reader = Reader(pipe.reader_path)
    reader.wait(60)
    writer.join(10)
    assert result and (reader.size, reader.digest.hexdigest()) == result[0]
    pipe.close()


@windows_only
def test_windows_pipe_close_while_nobody_came(tmp_path):
    pipe = create_pipe(tmp_path, "pipe.fifo")
    time.sleep(0.1)
    started = time.monotonic()
    pipe.close()
    assert time.monotonic() - started < CLOSE_WAIT_S
    assert not pipe.running
    with pytest.raises(OSError):  # the pipes are gone
        open(pipe.writer_path, "wb").close()


@windows_only
def test_windows_pipe_close_fails_a_writer_nobody_reads(tmp_path):
    pipe = create_pipe(tmp_path, "pipe.fifo")
    failure: list[OSError] = []

    def writer() -> None:
        try:
            write_blocks(pipe.writer_path, seed=5, count=100)
        except OSError as exc:
            failure.append(exc)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # the pipe is full and the packager never came
    pipe.close()  # what stopping a run does
    thread.join(10)
    assert not thread.is_alive() and failure
    assert pipe.join(5)
