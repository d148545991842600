"""Faults with real processes: a tool dies, the app is killed, the cache cannot be written,
and many sessions come and go. Nothing is left running and nothing is lost."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from media import make_clip
from procs import wait_until

from e2e.support import Serve, V, fifos_under, processes_using, start_session
from viewra_desktop.core.cache import Cache
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.server import SegmentServer
from viewra_desktop.core.session import Session, State

pytestmark = pytest.mark.e2e


CUT_OFF = -1  # the answer was cut off: a segment streamed while written was abandoned


def _get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            try:
                return response.status, response.read()
            except http.client.IncompleteRead as exc:
                return CUT_OFF, exc.partial
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize("victim", ["packager", "ffmpeg"])
def test_a_tool_dying_mid_encode_fails_cleanly(media_dir, tmp_path, victim):
    clip = make_clip(media_dir, "clip60.mp4", 60)
    session, server, base = start_session(clip, tmp_path / "cache")
    try:
        status, body = _get(base + "video/5.m4s")  # wait until a few segments exist
        assert status == 200 and body
        assert wait_until(lambda: session._run is not None and not session._run.spec.fast_start, 5)
        run = session._run
        assert run is not None
        process = getattr(run, victim)
        assert process is not None
        os.kill(process.pid, signal.SIGKILL)
        assert wait_until(lambda: session.state is State.FAILED, 5)
        assert victim in session.failure.message
        assert "killed" in session.failure.message
        # The other process was stopped too, within seconds.
        assert wait_until(lambda: processes_using(tmp_path / "cache") == [], 5)
        # Segments already complete stay playable; the rest fail fast instead of hanging.
        assert _get(base + "video/5.m4s")[0] == 200
        began = time.monotonic()
        status, body = _get(base + f"video/{session.plan.count(V)}.m4s")
        assert status == 503
        assert time.monotonic() - began < 2
        assert b"Encoding failed" in body
    finally:
        session.stop()
        server.close()
    assert fifos_under(tmp_path / "cache") == []
    assert not (session.folder / "complete.json").exists()


def test_packager_that_dies_at_start_is_reported_and_ffmpeg_freed(media_dir, tmp_path, monkeypatch):
    fake = tmp_path / "packager"
    fake.write_text("#!/bin/sh\necho 'packager: cannot start (test)' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("VIEWRA_PACKAGER", str(fake))
    clip = make_clip(media_dir, "clip6.mp4", 6)
    session, server, base = start_session(clip, tmp_path / "cache")
    try:
        # ffmpeg would block forever opening the pipe; the session must not.
        assert wait_until(lambda: session.state is State.FAILED, 10)
        assert "packager" in session.failure.message
        assert "cannot start (test)" in session.failure.details
        assert wait_until(lambda: processes_using(tmp_path / "cache") == [], 5)
        assert _get(base + "video/1.m4s", timeout=5)[0] == 503
    finally:
        session.stop()
        server.close()
    assert fifos_under(tmp_path / "cache") == []


def test_killed_serve_leaves_no_process_and_the_next_start_cleans_up(media_dir, _isolated_home):
    clip = make_clip(media_dir, "clip60.mp4", 60)
    with Serve(clip, _isolated_home) as serve:
        serve.wait_urls()
        assert wait_until(lambda: processes_using(_isolated_home) != [], 5)
        serve.proc.kill()  # SIGKILL: no handler runs
        serve.proc.wait(5)
        # The parent-death signal takes ffmpeg and the packager with it.
        assert wait_until(lambda: processes_using(_isolated_home) == [], 5)
    sessions = _isolated_home / "cache" / "sessions"
    (entry,) = sessions.iterdir()
    assert fifos_under(entry) != []  # left behind by the kill
    assert not (entry / "complete.json").exists()

    other = make_clip(media_dir, "clip6.mp4", 6)
    with Serve(other, _isolated_home) as again:
        again.wait_urls()  # the sweep comes just after the URLs: it never delays a start
        assert wait_until(lambda: not entry.exists(), 5), "the killed run's entry is still there"
        assert again.stop() == 0
    assert fifos_under(_isolated_home) == []


def test_unwritable_cache_is_one_clear_sentence(media_dir, tmp_path, _isolated_home):
    clip = make_clip(media_dir, "clip6.mp4", 6)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [sys.executable, "-m", "viewra_desktop", "serve", str(clip), "--cache-dir",
         str(blocker / "cache")],
        capture_output=True, text=True, timeout=30,
        env=dict(os.environ, VIEWRA_HOME=str(_isolated_home)),
    )  # fmt: skip
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "cache folder" in done.stderr and "Traceback" not in done.stderr


def test_manifests_that_cannot_be_written_stop_the_run_already_started(
    media_dir, tmp_path, monkeypatch
):
    """The first run starts before the planned manifests are written (a long film's take a
    while): if writing them fails, start() says so in one sentence and that run is gone."""
    from viewra_desktop.core import package
    from viewra_desktop.core.cache import Cache
    from viewra_desktop.core.errors import CacheError
    from viewra_desktop.core.profiles import get_profile
    from viewra_desktop.core.session import Session

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(package, "write_planned_manifests", disk_full)
    clip = make_clip(media_dir, "clip6.mp4", 6)
    session = Session(str(clip), get_profile("360p"), Cache(tmp_path / "cache"))
    with pytest.raises(CacheError, match="cannot be written.*No space left"):
        session.start()
    assert session.runs, "the run had started"
    assert session.state is State.FAILED
    assert wait_until(lambda: processes_using(tmp_path / "cache") == [], 5)
    assert fifos_under(tmp_path / "cache") == []
    session.stop()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _children() -> list[str]:
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.append(entry.name)
    return found


def test_twenty_switches_leak_nothing(media_dir, tmp_path):
    clips = [make_clip(media_dir, "clip60.mp4", 60), make_clip(media_dir, "clip6.mp4", 6)]
    server = SegmentServer()
    server.start()
    cache = Cache(tmp_path / "cache")

    def cycle(index: int) -> None:
        session = Session(str(clips[index % 2]), get_profile("360p"), cache)
        session.start()
        url = server.mount(session.mount())
        if index % 3 == 0:  # sometimes a player is waiting on a segment when it stops
            waiter = threading.Thread(target=_get, args=(url + "video/9.m4s", 10))
            waiter.start()
        else:
            waiter = None
        time.sleep(0.2)
        session.stop()
        server.unmount(url)
        if waiter is not None:
            waiter.join(10)
            assert not waiter.is_alive()

    try:
        cycle(0)  # warm up lazily created things (thread pools, imports)
        threads, fds = threading.active_count(), _open_fds()
        for index in range(1, 21):
            cycle(index)
        assert wait_until(lambda: threading.active_count() <= threads, 5), threading.enumerate()
        assert _open_fds() <= fds
        assert _children() == []
        assert processes_using(tmp_path / "cache") == []
        assert fifos_under(tmp_path / "cache") == []
    finally:
        server.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB file system for the cache (tmpfs; needs root, as CI and set-up run)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_corrupts_nothing(media_dir, small_disk):
    clip = make_clip(media_dir, "clip60-480.mp4", 60, size="854x480")
    session, server, base = start_session(clip, small_disk / "cache")
    try:
        assert wait_until(lambda: session.state is not State.ENCODING, 60)
        assert session.state is State.FAILED
        assert "disk" in session.failure.message and "full" in session.failure.message
        assert wait_until(lambda: processes_using(small_disk) == [], 5)
        # What was complete before the disk filled is still whole and served.
        done = sorted(session.ledger.segments(V))
        assert done, "some segments should have been made before the disk filled"
        status, body = _get(base + f"video/{done[-1]}.m4s")
        assert status == 200
        assert len(body) == (session.folder / "video" / f"{done[-1]}.m4s").stat().st_size
        assert body[4:8] in (b"styp", b"sidx", b"moof")
    finally:
        session.stop()
        server.close()
    assert not (session.folder / "complete.json").exists()
