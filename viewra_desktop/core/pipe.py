"""The pipe from ffmpeg to the packager, behind one small interface.

On POSIX it is a FIFO in the session's work folder. Callers ask only for the path each side
opens (``writer_path`` for ffmpeg, ``reader_path`` for the packager) and call ``close()``,
which removes it. Creating one is explicit (``create()``), never a side effect of building
some other object.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)


class Pipe:
    """Interface: a one-way byte stream between two child processes."""

    writer_path: str
    reader_path: str

    def release_writer(self) -> None:
        """Unblock a writer stuck opening the pipe because the reader never came."""

    def close(self) -> None:
        raise NotImplementedError


class FifoPipe(Pipe):
    """A POSIX named pipe (``mkfifo``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer_path = self.reader_path = str(path)

    @classmethod
    def create(cls, folder: Path, name: str = "pipe.fifo") -> FifoPipe:
        path = folder / name
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.mkfifo(path, 0o600)
        return cls(path)

    def release_writer(self) -> None:
        # Opening the read end without blocking lets a writer blocked in open() return; the
        # descriptor is closed at once, so its next write fails with EPIPE and it exits.
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENXIO):
                logger.debug("release_writer: %s", exc)
            return
        os.close(fd)

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def create_pipe(folder: Path) -> Pipe:
    if os.name == "posix":
        return FifoPipe.create(folder)
    raise NotImplementedError("named pipes on this system are not supported yet")


def is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(path.lstat().st_mode)
    except OSError:
        return False
