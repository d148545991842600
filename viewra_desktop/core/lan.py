"""Watching on another device: the LAN address, and a limit on guessing tokens.

Loopback is the default; the server also listens on the LAN only when the user asks
(``serve --lan``, the window's Share switch). Everything stays behind the session's
unguessable token (192 random bits), read-only; ``FailureLimiter`` answers a client that
keeps asking for tokens that do not exist with 429 for a while, so guessing is slower still.

Threads: ``FailureLimiter`` is called from the server's request threads (it locks).
"""

from __future__ import annotations

import collections
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable

from .errors import ViewraError

logger = logging.getLogger(__name__)

FAILURES = 20  # bad tokens a client may ask for ...
PERIOD_S = 60.0  # ... within this long before it is refused for a while
MAX_CLIENTS = 4096  # clients remembered at most (the oldest are forgotten)
_PROBE = ("192.0.2.1", 9)  # TEST-NET-1: connecting a UDP socket sends nothing


class LanError(ViewraError):
    """The LAN address cannot be found or used."""


def lan_address(given: str | None = None) -> str:
    """The address to listen on for the LAN: ``given``, or the one the default route uses."""
    if given:
        try:
            return str(ipaddress.ip_address(given))
        except ValueError:
            raise LanError(f"{given!r} is not an IP address.") from None
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            address = str(probe.getsockname()[0])
    except OSError:
        address = ""
    if not address or ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
        raise LanError("This computer is on no network, so no other device can watch.")
    return address


class FailureLimiter:
    """Counts a client's requests for tokens that do not exist, and refuses it while it has
    made ``limit`` of them within ``period`` seconds."""

    def __init__(
        self,
        limit: int = FAILURES,
        period: float = PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._failures: collections.OrderedDict[str, collections.deque[float]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            times = self._failures.get(client)
            if times is None:
                return False
            self._forget_old(times)
            return len(times) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            times = self._failures.pop(client, None) or collections.deque()
            self._forget_old(times)
            times.append(self._clock())
            self._failures[client] = times  # the newest last
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)
            if len(times) == self.limit:
                logger.warning(
                    "%s asked for %d unknown sessions: refused a while", client, self.limit
                )

    def _forget_old(self, times: collections.deque[float]) -> None:
        horizon = self._clock() - self.period
        while times and times[0] <= horizon:
            times.popleft()
