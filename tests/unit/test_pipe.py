"""pipe: the FIFO between ffmpeg and the packager."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading

import pytest

from viewra_desktop.core import pipe as pipe_module
from viewra_desktop.core.pipe import FifoPipe, create_pipe, is_fifo


def test_create_makes_a_private_fifo(tmp_path):
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    assert is_fifo(pipe.path)
    assert pipe.reader_path == pipe.writer_path == str(tmp_path / "pipe.fifo")
    assert stat.S_IMODE(pipe.path.lstat().st_mode) == 0o600
    pipe.close()


def test_create_replaces_a_leftover(tmp_path):
    (tmp_path / "pipe.fifo").write_bytes(b"stale regular file from a crash")
    pipe = create_pipe(tmp_path, "pipe.fifo")
    assert is_fifo(pipe.path)


def test_is_fifo_on_other_things(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    assert not is_fifo(tmp_path / "file")
    assert not is_fifo(tmp_path)
    assert not is_fifo(tmp_path / "missing")


def test_data_flows_through(tmp_path):
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    got: list[bytes] = []

    def read() -> None:
        with open(pipe.reader_path, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    with open(pipe.writer_path, "wb") as handle:
        handle.write(b"fragmented mp4")
    reader.join(timeout=5)
    assert got == [b"fragmented mp4"]


def test_close_removes_it_and_is_idempotent(tmp_path):
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    pipe.close()
    assert not os.path.lexists(pipe.path)
    pipe.close()
    assert list(tmp_path.iterdir()) == []


def _read_all(path: str, got: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    return reader


def test_a_writer_handed_over_sends_the_head_first_and_its_end_is_the_end(tmp_path):
    """The end ``open_writer`` opens holds the head before any reader came; a child that
    inherits it writes after the head, and once the child and the pipe's own copy are
    closed the reader has reached the end."""
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    head = bytes(range(256)) * 256  # 64 KiB: more than a page, all of a default FIFO
    fd = pipe.open_writer(head)
    assert fd is not None
    got: list[bytes] = []
    reader = _read_all(pipe.reader_path, got)
    child = subprocess.run(
        [sys.executable, "-c", f"import os; os.write({fd}, b'the child')"],
        pass_fds=(fd,), check=True,
    )  # fmt: skip
    assert child.returncode == 0
    pipe.writer_opened()
    reader.join(timeout=5)
    assert not reader.is_alive()
    assert got == [head + b"the child"]
    pipe.close()
    assert not os.path.lexists(pipe.path)


def test_close_closes_a_writer_never_handed_over(tmp_path):
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    fd = pipe.open_writer(b"head")
    assert fd is not None
    pipe.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_no_head_where_the_pipe_cannot_hold_it(tmp_path, monkeypatch):
    """A pipe that cannot be made big enough (one page, once a user's pipes take more than
    their share) gets no head rather than part of one: the writer opens the path itself,
    and the FIFO starts empty."""
    real = fcntl.fcntl

    def one_page(fd, command, *args):
        if command == fcntl.F_SETPIPE_SZ:
            raise PermissionError("over the user's share")
        return 4096 if command == fcntl.F_GETPIPE_SZ else real(fd, command, *args)

    monkeypatch.setattr(pipe_module.fcntl, "fcntl", one_page)
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    assert pipe.open_writer(bytes(8192)) is None
    monkeypatch.undo()
    got: list[bytes] = []
    reader = _read_all(pipe.reader_path, got)
    with open(pipe.writer_path, "wb") as handle:
        handle.write(b"fragmented mp4")
    reader.join(timeout=5)
    assert got == [b"fragmented mp4"]
    pipe.close()
