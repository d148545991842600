"""pipe: the FIFO between ffmpeg and the packager."""

from __future__ import annotations

import os
import stat
import threading

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
