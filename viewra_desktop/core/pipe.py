"""The pipe from ffmpeg to the packager, behind one small interface.

Callers ask only for the path each side opens (``writer_path`` for ffmpeg, ``reader_path``
for the packager) and call ``close()``, which removes it. Creating one is explicit
(``create_pipe(folder)``), never a side effect of building some other object.

- POSIX: ``FifoPipe``, a FIFO in the run's work folder.
- Windows has no ``mkfifo``. ``RelayPipe`` does what Shaka Streamer does there: two named
  pipes, one ffmpeg writes into and one the packager reads from, and a thread copying from
  the first to the second. (A UDP socket would be simpler and silently drops data at full
  speed.) The copy loop, ``relay``, is a pure function over two file-like objects and the
  thread around it takes its endpoints as functions, so both are tested on Linux with
  FIFOs; only ``_WindowsPipes`` calls the win32 API (through the standard library's
  ``_winapi``), and only on Windows.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024  # one read from the writer's pipe; also each named pipe's buffer
PIPE_SIZE = 256 * 1024  # a FIFO's buffer when it starts with a head (open_writer)
CLOSE_WAIT_S = 1.0  # how long close() waits for the relay thread to end


class Pipe:
    """Interface: a one-way byte stream between two child processes."""

    writer_path: str
    reader_path: str

    def open_writer(self, head: bytes) -> int | None:
        """A writing end already holding ``head`` for a child to inherit (``FifoPipe``),
        or None: the writer opens ``writer_path`` and there is no head."""
        return None

    def writer_opened(self) -> None:
        """The child that inherited ``open_writer``'s end has started."""

    def close(self) -> None:
        raise NotImplementedError


class FifoPipe(Pipe):
    """A POSIX named pipe (``mkfifo``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer_path = self.reader_path = str(path)
        self._writer: int | None = None  # an end opened by open_writer, until handed over

    @classmethod
    def create(cls, folder: Path, name: str) -> FifoPipe:
        path = folder / name
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.mkfifo(path, 0o600)
        return cls(path)

    def open_writer(self, head: bytes) -> int | None:
        """A writing end of the FIFO that already holds ``head``, for a child process to
        write into after it (passed to it as a file descriptor), or None where the head
        cannot go in whole at once: then the writer opens ``writer_path`` itself.

        Opened read-write, which on Linux neither waits for the reader nor fails without
        one; so the writer gets no EPIPE if the reader dies, and its supervisor has to end
        it. The pipe is first made big enough for ``head`` (a FIFO's is 64 KiB, or one page
        once the user's pipes use more than their share)."""
        if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
            return None  # Linux only
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        except OSError as exc:
            logger.warning("pipe %s: no head (%s)", self.path.name, exc)
            return None
        with contextlib.suppress(OSError):  # else it keeps its size, checked next
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, max(PIPE_SIZE, len(head)))
        try:
            whole = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) >= len(head)
            whole = whole and os.write(fd, head) == len(head)  # into an empty pipe: all of it
            os.set_blocking(fd, True)
        except OSError:
            whole = False
        if not whole:
            os.close(fd)
            return None
        self._writer = fd
        return fd

    def writer_opened(self) -> None:
        """The child holds its own copy of the end ``open_writer`` gave: close this one, so
        that the reader sees the end of the stream when the child's closes."""
        if self._writer is not None:
            os.close(self._writer)
            self._writer = None

    def close(self) -> None:
        self.writer_opened()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


# -- the relay --------------------------------------------------------------------------------


class Source(Protocol):
    def read(self, size: int = ..., /) -> bytes | None: ...

    def close(self) -> None: ...


class Sink(Protocol):
    def write(self, data: memoryview, /) -> int | None: ...

    def close(self) -> None: ...


def relay(
    source: Source,
    sink: Sink,
    chunk_size: int = CHUNK_SIZE,
    stop: threading.Event | None = None,
) -> int:
    """Copy ``source`` to ``sink`` in order until the source ends; return the bytes copied.

    ``source.read(n)`` blocks until it has something and returns at most ``n`` bytes, ``b""``
    at the end. ``sink.write`` may take less than it is given (a raw pipe): the rest is
    written again. A sink with ``flush`` is flushed after every chunk, so nothing waits in a
    buffer while the reader waits for it. ``stop``, if set, ends the copy between chunks.
    Errors (the reader went away: ``BrokenPipeError``) are the caller's.
    """
    flush = getattr(sink, "flush", None)
    total = 0
    while stop is None or not stop.is_set():
        data = source.read(chunk_size)
        if data is None:  # only a non-blocking source says this; ours block
            raise BlockingIOError(errno.EAGAIN, "the writer's pipe has nothing yet")
        if not data:
            break
        view = memoryview(data)
        while view:
            written = sink.write(view)
            if written is None:  # only a non-blocking sink says this; ours block
                raise BlockingIOError(errno.EAGAIN, "the reader's pipe would block")
            view = view[written:]
        if flush is not None:
            flush()
        total += len(data)
    return total


class RelayPipe(Pipe):
    """Two pipes and a thread copying from the writer's to the reader's.

    The platform gives three functions: ``open_source()`` waits for the writer and returns
    its end to read from, ``open_sink()`` waits for the reader and returns its end to write
    to, and ``wake()`` makes an ``open_source()`` or ``open_sink()`` still waiting for a
    process that never came return at once (it connects itself and hangs up); ``on_end()``,
    if given, runs last on the relay thread however it ended (to free what is left).
    When the writer finishes, the sink is closed after the last byte, so the reader sees the
    end of the stream; when the reader goes away, the source is closed, so the writer's
    next write fails and it exits, as with a FIFO.
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        writer_path: str,
        reader_path: str,
        open_source: Callable[[], Source],
        open_sink: Callable[[], Sink],
        wake: Callable[[], None],
        chunk_size: int = CHUNK_SIZE,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self.writer_path = writer_path
        self.reader_path = reader_path
        self._open_source = open_source
        self._open_sink = open_sink
        self._wake = wake
        self._chunk_size = chunk_size
        self._on_end = on_end
        self._stop = threading.Event()
        self.copied = 0  # bytes relayed, once the thread has ended
        self.error: OSError | None = None  # why the copy ended early, if it did
        self._thread = threading.Thread(
            target=self._run, name=f"pipe-relay-{next(self._ids)}", daemon=True
        )

    def start(self) -> RelayPipe:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        source: Source | None = None
        sink: Sink | None = None
        try:
            source = self._open_source()
            if self._stop.is_set():
                return
            sink = self._open_sink()
            if self._stop.is_set():
                return
            self.copied = relay(source, sink, self._chunk_size, self._stop)
        except OSError as exc:
            # A process went away (killed, or the packager stopped reading): nothing to do
            # but close both ends, which tells the other one.
            self.error = exc
            if not self._stop.is_set():
                logger.debug("%s: %s", self._thread.name, exc)
        finally:
            # The sink first: everything written is now the reader's, then its end of file.
            for end in (sink, source):
                if end is not None:
                    with contextlib.suppress(OSError):
                        end.close()
            if self._on_end is not None:
                try:
                    self._on_end()
                except OSError as exc:
                    logger.debug("%s: %s", self._thread.name, exc)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the relay to end by itself (the writer finished); True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def close(self) -> None:
        """Stop relaying. A process still holding its end keeps the thread (a daemon) until
        that process ends; close() does not wait for it longer than ``CLOSE_WAIT_S``."""
        self._stop.set()
        if not self._thread.is_alive():
            return
        deadline = time.monotonic() + CLOSE_WAIT_S
        while self._thread.is_alive() and time.monotonic() < deadline:
            self._wake()  # again: the thread may not have been waiting yet the first time
            self._thread.join(0.02)
        if self._thread.is_alive():
            logger.warning("%s: a process still holds the pipe open", self._thread.name)


# -- Windows ------------------------------------------------------------------------------------

if sys.platform == "win32":
    import _winapi

    # Values from the Windows SDK (winbase.h, winerror.h); not all are exported by _winapi.
    _PIPE_ACCESS_INBOUND = 0x00000001
    _PIPE_ACCESS_OUTBOUND = 0x00000002
    _FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000
    _PIPE_BYTE_WAIT = 0  # PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT
    _GENERIC_READ = 0x80000000
    _GENERIC_WRITE = 0x40000000
    _OPEN_EXISTING = 3
    _ERROR_BROKEN_PIPE = 109
    _ERROR_NO_DATA = 232  # the other end is closing
    _ERROR_PIPE_NOT_CONNECTED = 233
    _ERROR_PIPE_CONNECTED = 535  # the client came before ConnectNamedPipe: fine

    class _PipeEnd:
        """The server end of one named pipe, as a file-like object for ``relay``."""

        def __init__(self, handle: int, outbound: bool) -> None:
            self._handle: int | None = handle
            self._outbound = outbound

        def connect(self) -> None:
            """Wait until the process that should open this pipe has opened it."""
            assert self._handle is not None
            try:
                _winapi.ConnectNamedPipe(self._handle, False)
            except OSError as exc:
                # Connected already, or connected and already gone: reading or writing
                # tells which.
                if exc.winerror not in (_ERROR_PIPE_CONNECTED, _ERROR_NO_DATA):
                    raise

        def read(self, size: int = CHUNK_SIZE, /) -> bytes:
            assert self._handle is not None
            try:
                data, _error = _winapi.ReadFile(self._handle, size, False)
            except OSError as exc:
                if exc.winerror in (_ERROR_BROKEN_PIPE, _ERROR_PIPE_NOT_CONNECTED):
                    return b""  # the writer closed its end
                raise
            return bytes(data)

        def write(self, data: memoryview, /) -> int:
            assert self._handle is not None
            written, _error = _winapi.WriteFile(self._handle, data, False)
            return int(written)

        def close(self) -> None:
            handle, self._handle = self._handle, None
            if handle is not None:
                if self._outbound:
                    _flush(handle)
                _winapi.CloseHandle(handle)

    def _flush(handle: int) -> None:
        # Wait until the reader has read everything before closing: the documented way to
        # hand over the end of the data on a named pipe. Fails at once if it is gone.
        import ctypes

        ctypes.windll.kernel32.FlushFileBuffers(ctypes.c_void_p(handle))

    def _create(name: str, access: int) -> _PipeEnd:
        handle = _winapi.CreateNamedPipe(
            name,
            access | _FILE_FLAG_FIRST_PIPE_INSTANCE,  # fail rather than share a name
            _PIPE_BYTE_WAIT,
            1,  # one instance: one writer on one side, one reader on the other
            CHUNK_SIZE,
            CHUNK_SIZE,
            0,
            _winapi.NULL,
        )
        return _PipeEnd(handle, outbound=access == _PIPE_ACCESS_OUTBOUND)

    def _poke(name: str, access: int) -> None:
        """Connect to a pipe and hang up at once, so that a ConnectNamedPipe returns."""
        try:
            handle = _winapi.CreateFile(
                name, access, 0, _winapi.NULL, _OPEN_EXISTING, 0, _winapi.NULL
            )
        except OSError:  # busy (its process is connected) or gone: nothing waits
            return
        _winapi.CloseHandle(handle)

    def _create_windows_pipe() -> RelayPipe:
        base = rf"\\.\pipe\viewra-{os.getpid()}-{os.urandom(16).hex()}"
        writer_path, reader_path = base + "-in", base + "-out"
        inbound = _create(writer_path, _PIPE_ACCESS_INBOUND)  # ffmpeg writes into it
        try:
            outbound = _create(reader_path, _PIPE_ACCESS_OUTBOUND)  # the packager reads it
        except OSError:
            inbound.close()
            raise

        def open_source() -> _PipeEnd:
            inbound.connect()
            return inbound

        def open_sink() -> _PipeEnd:
            outbound.connect()
            return outbound

        def wake() -> None:
            _poke(writer_path, _GENERIC_WRITE)
            _poke(reader_path, _GENERIC_READ)

        def on_end() -> None:  # a pipe the relay never got to (it stopped first)
            inbound.close()
            outbound.close()

        return RelayPipe(
            writer_path, reader_path, open_source, open_sink, wake, on_end=on_end
        ).start()


def create_pipe(folder: Path, name: str) -> Pipe:
    """The platform's pipe: a FIFO ``name`` in ``folder`` on POSIX, a named-pipe relay on
    Windows (named by the system)."""
    if os.name == "posix":
        return FifoPipe.create(folder, name)
    if sys.platform == "win32":
        return _create_windows_pipe()
    raise NotImplementedError(f"no pipe implementation for {sys.platform}")


def relative_path(pipe_path: str, folder: Path) -> str:
    """A FIFO inside ``folder`` (a packager's working directory) named relative to it, so no
    comma or '=' from a user's folder name reaches the packager's stream descriptors; a
    Windows pipe name stays as it is."""
    path = Path(pipe_path)
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else pipe_path


def is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(path.lstat().st_mode)
    except OSError:
        return False
