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

from .core import binaries, layout
from .core.cache import Cache
from .core.errors import ViewraError
from .core.lan import lan_address
from .core.live import LiveDash
from .core.paths import AppPaths
from .core.profiles import get_profile
from .core.server import SegmentServer
from .core.session import Session, State
from .signals import stop_event

logger = logging.getLogger(__name__)

LIVE_DELAY_S = 1.0


def run_serve(
    file: str,
    profile_name: str,
    port: int,
    cache_dir: Path | None,
    paths: AppPaths,
    lan: str | None = None,
) -> int:
    """``lan``: None to stay on loopback, "" to also listen on the LAN address found, or the
    address to listen on."""
    stop = stop_event("stopping")

    serving = threading.Event()

    def on_state(state: State) -> None:
        # Failures while starting are raised (and reported once by the caller); later ones
        # are told here, and the segments already complete stay served.
        if serving.is_set() and state is State.FAILED and session.failure is not None:
            print(f"viewra-desktop: {session.failure.message}", file=sys.stderr, flush=True)
        if state in (State.FAILED, State.STOPPED) and live is not None:
            live.stop()

    profile = get_profile(profile_name)
    address = lan_address(lan) if lan is not None else None
    cache = Cache(cache_dir or paths.cache)
    cache.ensure()
    cache.sweep()
    try:
        server = SegmentServer(port=port)
    except OSError as exc:
        raise ViewraError(f"Port {port} cannot be used ({exc.strerror or exc}).") from exc
    session = Session(file, profile, cache, on_state=on_state)
    live: LiveDash | None = None
    try:
        session.start()
        mount = session.mount()
        if session.state is State.ENCODING:
            assert session.plan is not None and session.ledger is not None
            unit, duration = session.plan.timeline.unit, session.plan.duration
            tools = binaries.find_tools()
            live = LiveDash(session.folder, session.ledger, unit, duration, tools)
            mount.late[layout.LIVE_MPD] = live.ready
        url = server.mount(mount)
        urls = _urls(url, live is not None or (session.folder / layout.LIVE_MPD).is_file())
        if address is not None:
            urls.update(_listen_lan(server, address, url))
        server.start()
        print(json.dumps(urls), flush=True)
        serving.set()
        # The live packager starts a moment after the line: nothing delays the first frame.
        if live is not None and not stop.wait(LIVE_DELAY_S):
            live.start()
        while not stop.wait(0.25):
            pass
    finally:
        session.stop()
        if live is not None:
            live.stop()
        server.close()
    return 0


def _urls(base: str, live: bool) -> dict[str, str]:
    """The session's URLs; a finished session without a live MPD offers the static one."""
    return {
        "dash": base + layout.MPD,
        "hls": base + layout.HLS_MASTER,
        "dash_live": base + (layout.LIVE_MPD if live else layout.MPD),
        "page": base + layout.PLAYER_PAGE,
    }


def _listen_lan(server: SegmentServer, address: str, url: str) -> dict[str, str]:
    try:
        server.listen_lan(address)
    except OSError as exc:
        raise ViewraError(f"The address {address} cannot be used ({exc.strerror or exc}).") from exc
    urls = _urls(server.lan_url(url) or "", live=False)
    return {f"lan_{kind}": urls[kind] for kind in ("page", "dash", "hls")}
