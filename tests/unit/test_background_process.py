"""SupervisedProcess(background=True): lowest priority, and pause/resume (POSIX)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from viewra_desktop.core.process import Status, SupervisedProcess

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]


def proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def test_background_processes_are_niced_and_idle_scheduled():
    process = SupervisedProcess("sleeper", SLEEPER, background=True)
    process.start()
    try:
        assert process.pid is not None
        fields = proc_stat(process.pid)
        assert int(fields[16]) == 19  # nice (field 19 of stat)
        if hasattr(os, "SCHED_IDLE"):
            assert os.sched_getscheduler(process.pid) == os.SCHED_IDLE
    finally:
        process.kill()
    normal = SupervisedProcess("sleeper", SLEEPER)
    normal.start()
    try:
        assert normal.pid is not None and int(proc_stat(normal.pid)[16]) == 0
    finally:
        normal.kill()


def test_pause_stops_and_resume_continues_and_kill_ends_a_paused_one():
    process = SupervisedProcess("sleeper", SLEEPER, background=True)
    process.start()
    assert process.pid is not None
    pid = process.pid

    def state() -> str:
        return proc_stat(pid)[0]

    process.pause(True)
    deadline = time.monotonic() + 5
    while state() != "T" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state() == "T"
    process.pause(False)
    deadline = time.monotonic() + 5
    while state() == "T" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state() in ("S", "R")
    process.pause(True)
    process.kill()
    assert process.status() is Status.FINISHED
    assert process.returncode is not None
