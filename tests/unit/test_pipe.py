"""pipe: the FIFO between ffmpeg and the packager."""

from __future__ import annotations

import os
import stat
import threading
import time

from viewra_desktop.core.pipe import FifoPipe, create_pipe, is_fifo


def test_create_makes_a_private_fifo(tmp_path):
    pipe = FifoPipe.create(tmp_path)
    assert is_fifo(pipe.path)
    assert pipe.reader_path == pipe.writer_path == str(tmp_path / "pipe.fifo")
    assert stat.S_IMODE(pipe.path.lstat().st_mode) == 0o600
    pipe.close()


def test_create_replaces_a_leftover(tmp_path):
    (tmp_path / "pipe.fifo").write_bytes(b"stale regular file from a crash")
    pipe = create_pipe(tmp_path)
    assert is_fifo(pipe.path)


def test_is_fifo_on_other_things(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    assert not is_fifo(tmp_path / "file")
    assert not is_fifo(tmp_path)
    assert not is_fifo(tmp_path / "missing")


def test_data_flows_through(tmp_path):
    pipe = FifoPipe.create(tmp_path)
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


def test_release_writer_unblocks_a_writer_stuck_in_open(tmp_path):
    pipe = FifoPipe.create(tmp_path)
    started = threading.Event()
    outcome: list[str] = []

    def writer() -> None:
        started.set()
        try:
            with open(pipe.writer_path, "wb"):  # blocks until a reader opens the other end
                outcome.append("opened")
        except OSError as exc:
            outcome.append(f"error {exc}")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert started.wait(2)
    time.sleep(0.3)
    assert thread.is_alive() and outcome == []  # really blocked: no reader came
    pipe.release_writer()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert outcome == ["opened"]
    pipe.close()


def test_release_writer_without_a_writer_or_a_pipe(tmp_path):
    pipe = FifoPipe.create(tmp_path)
    pipe.release_writer()  # nobody waiting: harmless
    pipe.close()
    pipe.release_writer()  # pipe gone: harmless
    assert not pipe.path.exists()


def test_close_removes_it_and_is_idempotent(tmp_path):
    pipe = FifoPipe.create(tmp_path)
    pipe.close()
    assert not os.path.lexists(pipe.path)
    pipe.close()
    assert list(tmp_path.iterdir()) == []
