"""``viewra-desktop serve``: encode, package and serve one file, headless.

Prints exactly one JSON line with the URLs on stdout as soon as they can be requested, then
serves until SIGINT/SIGTERM. Any player can watch: mpv, VLC, a browser. The line holds
``dash`` and ``hls`` (the static manifests, for mpv and every player), ``dash_live`` (the
packager's own dynamic MPD, ``core.live``, for players that handle live DASH; it turns static
at the end), ``page`` (the session's Shaka Player page) and, with ``--lan``, ``lan_page``,
``lan_dash`` and ``lan_hls``: the same on the LAN address, for another device.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .core import binaries, heap, layout
from .core.cache import Cache
from .core.errors import ViewraError
from .core.lifecycle import Events, State
from .core.paths import AppPaths
from .core.phases import Phases, process_started
from .core.profiles import Profile, get_profile
from .core.session import Session
from .signals import stop_event

# Imported once the encode has started (the inspector: once the URLs are printed), off the
# first frame's way.
if TYPE_CHECKING:
    from .core.inspector import Inspector
    from .core.live import LiveDash
    from .core.server import SegmentServer

logger = logging.getLogger(__name__)

LIVE_DELAY_S = 1.0


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
    profiles: dict[str, Profile] | None = None,
    lan: str | None = None,
) -> int:
    """Serve ``file`` until a signal. ``profiles``: the user's own, by name; ``lan``: None to
    stay on loopback, "" to also listen on the LAN address found, or the address to listen
    on."""
    phases = Phases(process_started(), "serve")
    phases.mark("imports")
    heap.return_large_blocks()  # its memory stays flat over a long film (core.heap)
    stop = stop_event("stopping")

    serving = threading.Event()

    def on_state(state: State) -> None:
        # Failures while starting are raised (and reported once by the caller); later ones
        # are told here, and the segments already complete stay served.
        if serving.is_set() and state is State.FAILED and session.failure is not None:
            print(f"viewra-desktop: {session.failure.message}", file=sys.stderr, flush=True)
        if state in (State.FAILED, State.STOPPED) and live is not None:
            live.stop()

    profile = get_profile(profile_name, profiles).with_codec(codec)
    address = None
    if lan is not None:
        from .core.lan import lan_address

        address = lan_address(lan)
    cache = Cache(cache_dir or paths.cache)
    cache.ensure()
    # A port or an address the user chose is tried before anything is encoded, so a wrong
    # one says so first; otherwise (a free port on loopback) the server, with the HTTP
    # modules, comes while ffmpeg starts.
    server = _server(port) if port or address is not None else None
    session = Session(file, profile, cache, Events(state=on_state, step=phases.mark))
    inspector: Inspector | None = None
    live: LiveDash | None = None
    try:
        if server is not None and address is not None:
            _listen_lan(server, address)
        session.start()
        if server is None:
            server = _server(port)
        mount = session.mount()
        tools = binaries.find_tools()
        if session.state is State.ENCODING:
            from .core.live import LiveDash

            assert session.plan is not None and session.ledger is not None
            unit, duration = session.plan.timeline.unit, session.plan.duration
            live = LiveDash(session.folder, session.ledger, unit, duration, tools)
            mount.late[layout.LIVE_MPD] = live.ready
        url = server.mount(mount)
        line = announcement(session, url)
        line.update(
            _live_and_page(url, live is not None or (session.folder / layout.LIVE_MPD).is_file())
        )
        if address is not None:
            line.update(_lan_urls(server, url))
        server.start()
        print(json.dumps(line), flush=True)
        serving.set()
        # After the first frame's way: what a crash left behind is removed (never this
        # session's entry, which it holds), and the timing goes into the log.
        cache.sweep()
        # The package's thumbnail sheets, in the background (quality metrics: the window's).
        from .core.inspector import Inspector

        inspector = Inspector(session, tools.ffmpeg, measure=False)
        inspector.start()
        # The live packager starts a moment after the line: nothing delays the first frame.
        if live is not None and not stop.wait(LIVE_DELAY_S):
            live.start()
        while not stop.wait(0.25):
            if phases.seconds("first answer") is not None:
                phases.log_once()
    finally:
        if inspector is not None:
            inspector.stop()
        phases.log_once()
        session.stop()
        if live is not None:
            live.stop()
        if server is not None:
            server.close()
    return 0


def _server(port: int) -> SegmentServer:
    from .core.server import SegmentServer

    try:
        return SegmentServer(port=port)
    except OSError as exc:
        raise ViewraError(f"Port {port} cannot be used ({exc.strerror or exc}).") from exc


def _live_and_page(base: str, live: bool) -> dict[str, str]:
    """The live MPD (a finished session without one offers the static MPD) and the page."""
    return {
        "dash_live": base + (layout.LIVE_MPD if live else layout.MPD),
        "page": base + layout.PLAYER_PAGE,
    }


def _listen_lan(server: SegmentServer, address: str) -> None:
    try:
        server.listen_lan(address)
    except OSError as exc:
        raise ViewraError(f"The address {address} cannot be used ({exc.strerror or exc}).") from exc


def _lan_urls(server: SegmentServer, url: str) -> dict[str, str]:
    lan = server.lan_url(url) or ""
    names = {"page": layout.PLAYER_PAGE, "dash": layout.MPD, "hls": layout.HLS_MASTER}
    return {f"lan_{kind}": lan + name for kind, name in names.items()}
