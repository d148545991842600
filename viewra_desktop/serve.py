"""``viewra-desktop serve``: encode, package and serve one file, headless.

Prints exactly one JSON line with the manifest URLs on stdout as soon as they can be
requested, then serves until SIGINT/SIGTERM. Any player can watch: mpv, VLC, a browser.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .core import layout
from .core.cache import Cache
from .core.errors import ViewraError
from .core.lifecycle import Events, State
from .core.paths import AppPaths
from .core.phases import Phases, process_started
from .core.profiles import get_profile
from .core.server import SegmentServer
from .core.session import Session

logger = logging.getLogger(__name__)


def announcement(session: Session, url: str) -> dict[str, object]:
    """serve's JSON line: the manifests, each text track's WebVTT (served once it is ready,
    a request waits for it), and the chapters."""
    plan = session.plan
    assert plan is not None
    line: dict[str, object] = {"dash": url + layout.MPD, "hls": url + layout.HLS_MASTER}
    line["subtitles"] = [
        {
            "language": text.language,
            "title": text.label,
            "forced": text.forced,
            "url": url + layout.text_file(text.stream),
        }
        for text in plan.text
        if not session.from_cache or text in session.texts()
    ]
    if plan.media.chapters:
        line["chapters"] = url + layout.CHAPTERS
    return line


def run_serve(
    file: str,
    profile_name: str,
    port: int,
    cache_dir: Path | None,
    paths: AppPaths,
    codec: str | None = None,
) -> int:
    phases = Phases(process_started(), "serve")
    phases.mark("imports")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    serving = threading.Event()

    def on_state(state: State) -> None:
        # Failures while starting are raised (and reported once by the caller); later ones
        # are told here, and the segments already complete stay served.
        if serving.is_set() and state is State.FAILED and session.failure is not None:
            print(f"viewra-desktop: {session.failure.message}", file=sys.stderr, flush=True)

    profile = get_profile(profile_name).with_codec(codec)
    cache = Cache(cache_dir or paths.cache)
    cache.ensure()
    try:
        server = SegmentServer(port=port)
    except OSError as exc:
        raise ViewraError(f"Port {port} cannot be used ({exc.strerror or exc}).") from exc
    session = Session(file, profile, cache, Events(state=on_state, step=phases.mark))
    try:
        session.start()
        url = server.mount(session.mount())
        server.start()
        print(json.dumps(announcement(session, url)), flush=True)
        serving.set()
        # After the first frame's way: what a crash left behind is removed (never this
        # session's entry, which it holds), and the timing goes into the log.
        cache.sweep()
        while not stop.wait(0.25):
            if phases.seconds("first answer") is not None:
                phases.log_once()
    finally:
        phases.log_once()
        session.stop()
        server.close()
    return 0
