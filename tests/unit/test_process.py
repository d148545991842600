"""process: supervised children that always end, reaped, with their last words kept."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from viewra_desktop.core.process import Status, SupervisedProcess

# Ignores SIGTERM (exec keeps the ignored disposition), says so, then sleeps.
STUBBORN = ["sh", "-c", 'trap "" TERM; echo ready; exec sleep 30']


def start_ready(proc_argv: list[str], name: str = "stubborn") -> SupervisedProcess:
    ready = threading.Event()
    proc = SupervisedProcess(name, proc_argv, on_stdout_line=lambda line: ready.set())
    proc.start()
    assert ready.wait(5), "the child never became ready"
    return proc


def reaped(pid: int) -> bool:
    """A zombie still has /proc/<pid>; a reaped child does not."""
    return not Path(f"/proc/{pid}").exists()


def test_kill_ends_a_child_that_ignores_sigterm_at_once():
    proc = start_ready(STUBBORN)
    pid = proc.pid
    assert pid is not None and proc.status() is Status.RUNNING
    assert proc.describe_exit() == "stubborn is running"
    started = time.monotonic()
    proc.kill()
    assert time.monotonic() - started < 1.0
    assert proc.returncode == -signal.SIGKILL
    assert reaped(pid)
    assert proc.status() is Status.FINISHED  # we stopped it: not an error
    assert proc.describe_exit() == "stubborn was killed by SIGKILL"


def test_kill_is_idempotent():
    proc = start_ready(STUBBORN)
    proc.kill()
    code = proc.returncode
    proc.kill()  # already ended: nothing to do
    assert code is not None and proc.returncode == code


def test_kill_from_two_threads():
    proc = start_ready(STUBBORN)
    threads = [threading.Thread(target=proc.kill) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in threads)
    assert proc.returncode == -signal.SIGKILL


def test_error_exit_and_stderr_tail():
    script = "for i in $(seq 1 60); do echo line$i >&2; done; exit 3"
    proc = SupervisedProcess("ffmpeg", ["sh", "-c", script])
    proc.start()
    assert proc.wait(5) == 3
    assert proc.status() is Status.ERRORED
    assert proc.describe_exit() == "ffmpeg exited with code 3"
    assert proc.stderr_tail(3) == "line58\nline59\nline60"
    assert proc.stderr_tail() == "\n".join(f"line{i}" for i in range(49, 61))  # 12 by default
    assert proc.stderr_tail(1000).splitlines()[0] == "line21"  # keeps the last 40


def test_clean_exit():
    lines: list[str] = []
    proc = SupervisedProcess("packager", [sys.executable, "-c", "print('a'); print('b')"],
                             on_stdout_line=lines.append)  # fmt: skip
    proc.start()
    assert proc.wait(5) == 0
    assert proc.status() is Status.FINISHED
    assert proc.describe_exit() == "packager exited with code 0"
    proc.kill()  # harmless after the end
    assert proc.returncode == 0 and proc.status() is Status.FINISHED
    assert lines == ["a", "b"]


def test_killed_by_someone_else_is_an_error():
    proc = start_ready(["sh", "-c", "echo ready; exec sleep 30"], name="victim")
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(5) == -signal.SIGKILL
    assert proc.status() is Status.ERRORED  # not stopped by us
    assert proc.describe_exit() == "victim was killed by SIGKILL"


def test_statuses_combine_by_max():
    assert max(Status.FINISHED, Status.RUNNING) is Status.RUNNING
    assert max(Status.RUNNING, Status.ERRORED) is Status.ERRORED


def test_not_started():
    proc = SupervisedProcess("idle", ["true"])
    assert proc.pid is None and proc.returncode is None and proc.wait(0.1) is None
    proc.kill()  # nothing to stop


def test_missing_program_raises_oserror():
    proc = SupervisedProcess("ghost", ["/nonexistent/ffmpeg"])
    with pytest.raises(OSError):
        proc.start()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux parent-death signal")
def test_a_child_dies_with_the_thread_that_started_it_and_runs_as_itself():
    started: list[SupervisedProcess] = []

    def starter() -> None:
        proc = SupervisedProcess("orphan", ["sleep", "30"])
        proc.start()
        started.append(proc)
        # setpriv has exec'd the tool by the time it sleeps: the pid is sleep's own.
        assert wait_for(lambda: Path(f"/proc/{proc.pid}/comm").read_text().strip() == "sleep")

    thread = threading.Thread(target=starter)
    thread.start()
    thread.join()
    (proc,) = started
    assert proc.wait(5) == -signal.SIGKILL  # the kernel's parent-death signal


def test_tied_argv_runs_the_program_found_on_the_path_through_setpriv():
    from viewra_desktop.core.process import tied_to_parent

    tied = tied_to_parent(["sleep", "1"])
    if tied is None:  # no setpriv with --pdeathsig here: a preexec_fn does the job
        pytest.skip("no setpriv --pdeathsig on this machine")
    assert tied[1:4] == ["--pdeathsig", "KILL", "--"]
    assert os.path.basename(tied[0]) == "setpriv" and tied[4].endswith("/sleep")
    assert tied[5:] == ["1"]
    with pytest.raises(FileNotFoundError):
        tied_to_parent(["/nonexistent/ffmpeg"])


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.01)
    return False
