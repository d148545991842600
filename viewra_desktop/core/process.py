"""Supervised external processes.

One place starts every ffmpeg and packager process: it logs the exact argv, ties the child's
life to this process (on Linux a parent-death signal, so a killed app leaves no encoder
behind: set by util-linux's ``setpriv`` between its exec and the tool's, which lets Python
start the child with vfork; a ``preexec_fn`` forces a full fork, which in the app, with Qt
and mpv mapped, takes 15–30 ms per process, against about 1 ms), keeps the tail of stderr
for error messages, and kills and reaps it, so no zombie is left. Background work
(thumbnails, quality metrics) runs at the lowest priority the OS has (``background``: niced,
and on Linux the idle scheduling class, so it gets only time the encoder leaves), and can be
paused and resumed (``pause``: POSIX only).
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import enum
import errno
import functools
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

STDERR_TAIL_LINES = 40
_PR_SET_PDEATHSIG = 1


class Status(enum.IntEnum):
    """Ordered so that the status of several processes is their max."""

    FINISHED = 0
    RUNNING = 1
    ERRORED = 2


def _load_prctl():
    """libc's prctl, resolved once here: dlopen() is not safe between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


@functools.cache
def _setpriv() -> str | None:
    """util-linux's setpriv, if it sets a parent-death signal (2.33 and later), else None."""
    if _PRCTL is None:
        return None
    found = shutil.which("setpriv")
    if found is None:
        return None
    try:
        done = subprocess.run(
            [found, "--help"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found if "--pdeathsig" in done.stdout else None


def tied_to_parent(argv: Sequence[str], cwd: str | None = None) -> list[str] | None:
    """``argv`` run with SIGKILL as its parent-death signal through setpriv (Linux), or None
    where there is no setpriv (then a ``preexec_fn`` sets it). The program must exist: the
    wrapper would otherwise turn Popen's OSError into an exit status."""
    setpriv = _setpriv()
    if setpriv is None:
        return None
    program = shutil.which(argv[0]) if os.sep not in argv[0] else argv[0]
    if program is None or not os.access(os.path.join(cwd or "", program), os.X_OK):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), argv[0])
    return [setpriv, "--pdeathsig", "KILL", "--", program, *argv[1:]]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child after fork
    """Linux: the kernel sends SIGKILL to the child when the thread that forked it ends."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died between fork and prctl
        os._exit(1)


def _background() -> None:  # pragma: no cover - runs in the child after fork
    """The lowest priority: nice 19, and on Linux SCHED_IDLE (only time nobody else wants)."""
    with contextlib.suppress(OSError):
        os.nice(19)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _in_background_child() -> None:  # pragma: no cover - runs in the child after fork
    _die_with_parent()
    _background()


class SupervisedProcess:
    """A child process with a name, a stderr tail and an escalating ``stop()``.

    ``on_stdout_line`` (if given) receives every stdout line on a reader thread.
    Start it from a thread that outlives it: on Linux the parent-death signal is tied to the
    starting thread.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        cwd: str | None = None,
        on_stdout_line: Callable[[str], None] | None = None,
        background: bool = False,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.name = name
        self.pass_fds = tuple(pass_fds)  # file descriptors it inherits (POSIX)
        self.background = background
        self.argv = list(argv)
        self.cwd = cwd
        self._on_stdout_line = on_stdout_line
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._popen: subprocess.Popen[bytes] | None = None
        self._readers: list[threading.Thread] = []
        self._stopping = False
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        logger.info("start %s: %s", self.name, shlex.join(self.argv))
        kwargs: dict = {}
        argv = self.argv
        if os.name == "posix" and self.background:
            kwargs["preexec_fn"] = _in_background_child  # niced before exec: off the clock
        elif _PRCTL is not None:
            tied = tied_to_parent(self.argv, self.cwd)
            if tied is None:
                kwargs["preexec_fn"] = _die_with_parent
            else:
                argv = tied
        if os.name == "posix":
            # Its own process group: a Ctrl+C in the terminal reaches the app, which then
            # stops the children in order, instead of reaching the children directly.
            kwargs["start_new_session"] = True
        elif sys.platform == "win32":
            flags = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
            if self.background:
                flags |= subprocess.IDLE_PRIORITY_CLASS  # type: ignore[attr-defined]
            kwargs["creationflags"] = flags
        self._popen = subprocess.Popen(
            argv,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if self._on_stdout_line else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=True,
            pass_fds=self.pass_fds,
            **kwargs,
        )
        self._reader("stderr", self._popen.stderr, self._stderr_line)
        if self._on_stdout_line:
            self._reader("stdout", self._popen.stdout, self._on_stdout_line)

    def _reader(self, what: str, stream, handle: Callable[[str], None]) -> None:
        def run() -> None:
            try:
                for raw in iter(stream.readline, b""):
                    line = raw.decode("utf-8", "replace").rstrip()
                    if line:
                        handle(line)
            except (OSError, ValueError):
                pass
            finally:
                stream.close()

        thread = threading.Thread(target=run, name=f"{self.name}-{what}", daemon=True)
        thread.start()
        self._readers.append(thread)

    def _stderr_line(self, line: str) -> None:
        self._stderr_tail.append(line)
        logger.debug("%s: %s", self.name, line)

    # -- state ------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen else None

    def status(self) -> Status:
        code = self.returncode
        if self._popen is None:
            return Status.FINISHED
        if code is None:
            return Status.RUNNING
        return Status.FINISHED if code == 0 or self._stopping else Status.ERRORED

    def stderr_tail(self, lines: int = 12) -> str:
        for thread in self._readers:
            thread.join(timeout=0.5)  # let the reader catch the last words of a dead process
        return "\n".join(list(self._stderr_tail)[-lines:])

    def describe_exit(self) -> str:
        code = self.returncode
        if code is None:
            return f"{self.name} is running"
        if code < 0:
            try:
                return f"{self.name} was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"{self.name} was killed by signal {-code}"
        return f"{self.name} exited with code {code}"

    def wait(self, timeout: float | None = None) -> int | None:
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def pause(self, paused: bool) -> None:
        """Stop (SIGSTOP) or continue (SIGCONT) a running process; nothing on Windows."""
        popen = self._popen
        if os.name != "posix" or popen is None or popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(popen.pid, signal.SIGSTOP if paused else signal.SIGCONT)

    # -- stopping ---------------------------------------------------------------------------

    def kill(self) -> None:
        """Immediate SIGKILL and reap. Safe to call twice or from several threads.

        Runs are stopped this way: what they have not finished is thrown away, so no process
        needs a clean exit (a terminated ffmpeg would first flush its encoder), and SIGKILL
        also ends an ffmpeg blocked opening a FIFO, where SIGTERM does not."""
        with self._lock:
            popen = self._popen
            if popen is not None and popen.poll() is None:
                logger.info("kill %s (pid %d)", self.name, popen.pid)
                self._stopping = True
                with contextlib.suppress(ProcessLookupError):
                    popen.kill()  # SIGKILL ends a stopped (paused) process too
                popen.wait()
            for thread in self._readers:
                thread.join(timeout=2.0)
