"""The local HTTP server that waits for segments.

It listens on 127.0.0.1, on a free port unless told otherwise, and on the LAN address too only
when asked (``listen_lan``: another device watches; see ``lan``). Each session is mounted
under an unguessable token (``/<token>/manifest.mpd``); a request names a file of the package
layout (only names ``layout.parse`` reads back, of streams the session has), never a path on
disk, so nothing outside the session can be reached and there are no directory listings.

Threads: one per connection (``ThreadingHTTPServer``); they wait on the session's ledger and
call its ``on_request`` hook, which only records the request.

A request for a segment that is not complete yet waits until it is: never a 404 for a
segment the plan promises, never half a file. Once the packager is writing that segment, the
answer streams it as it grows (chunked transfer encoding), so a player gets a segment's first
frames as soon as they are encoded; the answer ends properly only when the segment is
complete, and is cut off (no final chunk: the client sees an error, never a short segment)
if its run is stopped first. If the pipeline failed it answers 503 at once; if the pipeline
finished without that segment, 404. A client that goes away while waiting releases its thread
within a poll period. A whole file still being made (a thumbnail sheet:
``Ledger.expect_files``) is waited for the same way.

Each session also has its player page (``/<token>/index.html``, Shaka Player from the app's
resources: ``player_page``), and a file that appears only after the start (``Mount.late``,
the live MPD) is waited for like a segment. Browser pages of any origin may read what the
loopback listener serves (``serve``'s users play it from their own pages); the LAN listener
allows only its own origin, that is its own player page. A client that keeps asking for
tokens that do not exist is refused (429) for a while (``lan.FailureLimiter``).

The standard library's ``ThreadingHTTPServer`` is enough here: one thread per connection
suits requests that block on a condition variable, and it adds no dependency.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import os
import re
import secrets
import select
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from . import layout, player_page
from .fmp4 import Fmp4Error, TopLevel, free_box
from .lan import FailureLimiter
from .layout import Name, Part
from .ledger import Wait
from .mount import Mount
from .streams import StreamId

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
SEGMENT_WAIT_S = 60.0  # longest a request waits for the encoder before 504
CHUNK = 256 * 1024
GROWING_POLL_S = 0.005  # how often a streamed segment's file is checked for new bytes
# libavformat's DASH and HLS demuxers (mpv's, ffplay's) read a segment in blocks of 32 KiB
# and wait for each block to fill, so a growing segment smaller than that (audio: 8 KB a
# second) reached them only once whole: opening the first audio track waited for its whole
# first segment. For them, a streamed answer that has caught up with the packager is padded
# to the next block with a ``free`` box, which MP4 readers skip. A box may go only between
# two fragments (after an mdat, never between a moof and its mdat), and the packager's
# writes seldom end there (seen: a first audio segment grew to 2,048 bytes, then 3,177, its
# fragments ending at 1,040, 2,153 and 3,042), so such a reader is sent the
# fragments that are whole, and of the one being written only what fills a block: the rest
# would sit unread in its buffer anyway. Side by side, serve's first frame with three audio
# tracks came after 0.381 s against 0.433 s when the bytes went as they were written (the
# demuxer's open read into each audio track, one after another, until a block was full).
LAVF_BLOCK = 32 * 1024
LAVF_AGENTS = ("libmpv", "Lavf/")
CLOSED_REMEMBERED = 1024  # closed sessions' tokens kept, so their players are not refused

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def block_padding(sent: int, block: int) -> int:
    """The size of the ``free`` box that brings an answer of ``sent`` bytes to a multiple of
    ``block`` (a box is 8 bytes at least: then to the multiple after)."""
    gap = -sent % block
    return gap if gap >= 8 else gap + block


def block_ready(sent: int, held: int, whole: int, block: int) -> int:
    """How many of the ``held`` bytes read after the ``sent`` ones go to a block reader now:
    those up to the end of the last whole fragment (``whole`` of them), so that a padding box
    may follow, and of the fragment being written those that fill a block (the reader takes
    nothing from a block before it is full). ``block`` 0: all of them."""
    if not block:
        return held
    return max(whole, (sent + held) // block * block - sent)


def _whole_fragments(boxes: TopLevel, data: bytes, block: int, name: str) -> tuple[int, int | None]:
    """Feed a streamed answer's new bytes to its box tracker: the block size to pad to (0:
    no padding, the file is not a sequence of boxes) and where in ``data`` the last whole
    fragment ends (None: nowhere; with no padding, at its end: all of it may go)."""
    try:
        return block, boxes.feed(data)
    except Fmp4Error as exc:
        logger.warning("%s is not padded for block readers: %s", name, exc)
        return 0, len(data)


class SegmentServer:
    """Serve mounted sessions on loopback; ``start()`` returns at once."""

    def __init__(self, port: int = 0, segment_wait: float = SEGMENT_WAIT_S) -> None:
        self.segment_wait = segment_wait
        self._mounts: dict[str, Mount] = {}
        # Tokens of sessions closed lately: a player still asking for them is not guessing.
        self._closed: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._mounts_lock = threading.Lock()
        self.limiter = FailureLimiter()
        self._httpd = _Server((HOST, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self._lan: tuple[_Server, threading.Thread] | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self._thread = _serve_in_thread(self._httpd, "http-server")

    def listen_lan(self, address: str) -> str:
        """Also listen on ``address`` (the LAN), on the same port; return its base URL.
        Raises OSError if the address cannot be used."""
        self.stop_lan()
        httpd = _Server((address, self.port), _Handler)
        httpd.owner = self
        httpd.lan = True
        self._lan = httpd, _serve_in_thread(httpd, "http-server-lan")
        logger.info("also listening on %s:%d", address, self.port)
        return self.lan_base_url or ""

    def stop_lan(self) -> None:
        lan, self._lan = self._lan, None
        if lan is not None:
            lan[0].shutdown()
            lan[1].join(timeout=5)
            lan[0].server_close()
            logger.info("no longer listening on the LAN")

    @property
    def lan_base_url(self) -> str | None:
        return None if self._lan is None else self._lan[0].origin

    def lan_url(self, url: str) -> str | None:
        """The LAN address of a URL this server gave (from ``mount``), or None."""
        base = self.lan_base_url
        return None if base is None else base + url[len(self.base_url) :]

    def close(self) -> None:
        with self._mounts_lock:
            mounts = list(self._mounts.values())
            self._mounts.clear()
        for mount in mounts:  # release waiting requests
            mount.ledger.fail("The session was closed.")
        self.stop_lan()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def mount(self, mount: Mount) -> str:
        """Serve a session; return its base URL (ending in '/')."""
        token = secrets.token_urlsafe(24)
        with self._mounts_lock:
            self._mounts[token] = mount
        return f"{self.base_url}/{token}/"

    def unmount(self, url: str) -> None:
        token = urlsplit(url).path.strip("/").split("/")[0]
        with self._mounts_lock:
            if self._mounts.pop(token, None) is not None:
                self._closed[token] = None
                while len(self._closed) > CLOSED_REMEMBERED:
                    self._closed.popitem(last=False)

    def lookup(self, token: str) -> Mount | None:
        with self._mounts_lock:
            return self._mounts.get(token)

    def was_closed(self, token: str) -> bool:
        """Was ``token`` a session's, closed since (a player reading ahead as it closed)?"""
        with self._mounts_lock:
            return token in self._closed


def _serve_in_thread(httpd: ThreadingHTTPServer, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, name=name, daemon=True
    )
    thread.start()
    return thread


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    owner: SegmentServer
    lan = False  # the LAN listener: CORS for its own origin only

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle_error(self, request, client_address) -> None:
        logger.debug("request from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "Viewra"
    sys_version = ""
    timeout = 30  # idle keep-alive connections and slow request lines

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s %s", self.address_string(), format % args)

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight from a browser player
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    # -- routing ----------------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        token, _, name = path.lstrip("/").partition("/")
        client = self.client_address[0]
        if owner.limiter.blocked(client):
            self._error(HTTPStatus.TOO_MANY_REQUESTS)
            return
        mount = owner.lookup(token) if _TOKEN.match(token) else None
        requested = layout.parse(name) if mount is not None else None
        if mount is None and not owner.was_closed(token):
            owner.limiter.failed(client)  # a guess: a token never given out
        if mount is None or requested is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        if requested.part is Part.PAGE:
            self._send_page(name, head)
            return
        late = mount.late.get(name)
        if late is not None and not late.wait(owner.segment_wait):
            self._error(HTTPStatus.GATEWAY_TIMEOUT)
            return
        if requested.part in (Part.INIT, Part.SEGMENT):
            outcome = self._wait_segment(mount, requested, name, head)
        elif requested.part is Part.FILE:  # a WebVTT track or a thumbnail sheet being made
            outcome = mount.ledger.wait_file(name, owner.segment_wait, self._client_gone)
        else:
            outcome = Wait.READY
        if outcome is None:
            return  # answered already
        if outcome is Wait.CANCELLED:
            self.close_connection = True
            return
        if outcome is not Wait.READY:
            status = {
                Wait.FAILED: HTTPStatus.SERVICE_UNAVAILABLE,
                Wait.MISSING: HTTPStatus.NOT_FOUND,
                Wait.TIMEOUT: HTTPStatus.GATEWAY_TIMEOUT,
            }[outcome]
            self._error(status, mount.ledger.failure or "")
            return
        if requested.part is Part.SEGMENT and mount.on_step is not None:
            mount.on_step("first answer")
        self._send_file(mount.folder / name, name, requested, head)

    def _wait_segment(self, mount: Mount, requested: Name, name: str, head: bool) -> Wait | None:
        """Wait for an init or media segment; stream it if it is being written (then None:
        it has been answered)."""
        stream, number = requested.stream, requested.number
        assert stream is not None
        if stream not in mount.ledger.streams or (
            number is not None and number > mount.segment_counts.get(stream, 0)
        ):
            return Wait.MISSING
        hook = mount.on_request
        if number is not None and hook is not None and not mount.ledger.has(stream, number):
            hook(stream, number)
        # A growing segment can be streamed only from its start, has no size for HEAD, and
        # needs chunked encoding (HTTP/1.1).
        streamable = number is not None and not head and self._can_stream()
        while True:
            wait = self.server.owner.segment_wait
            outcome = mount.ledger.wait(stream, number, wait, self._client_gone, growing=streamable)
            if outcome is not Wait.GROWING:
                return outcome
            assert number is not None
            if self._stream_growing(mount, stream, number, name):
                return None
            time.sleep(GROWING_POLL_S)  # it is being moved into the package: look again

    def _can_stream(self) -> bool:
        """Can the answer be streamed: an HTTP/1.1 client (chunked encoding) that wants the
        whole file (no Range, or one from byte 0 to the end)?"""
        if self.request_version != "HTTP/1.1":
            return False
        wanted = self.headers.get("Range")
        return wanted is None or wanted.replace(" ", "") == "bytes=0-"

    def _stream_growing(self, mount: Mount, stream: StreamId, number: int, name: str) -> bool:
        """Send a segment while the packager writes it; False if it was no longer being
        written when we looked (the caller waits again, and serves it whole)."""
        ledger = mount.ledger
        agent = self.headers.get("User-Agent", "")
        block = LAVF_BLOCK if any(a in agent for a in LAVF_AGENTS) else 0
        boxes, sent = TopLevel(), 0
        path = ledger.partial(stream, number)
        try:
            if path is None:
                return False
            handle = path.open("rb")
        except OSError:
            return False  # it just became complete and moved, or its run was stopped
        idle_since = None
        ledger.reader_started()
        with handle:
            try:
                if mount.on_step is not None:
                    mount.on_step("first answer")
                self.send_response(HTTPStatus.OK)
                self._common_headers()
                self.send_header("Content-Type", layout.content_type(name, layout.parse(name)))
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                held = b""  # for a block reader: the fragment not yet whole
                while True:
                    data = handle.read(CHUNK)
                    if data:
                        idle_since = None
                        if block:
                            block, cut = _whole_fragments(boxes, data, block, name)
                            whole = 0 if cut is None else len(held) + cut
                            held += data
                            ready = block_ready(sent, len(held), whole, block)
                            data, held = held[:ready], held[ready:]
                            if not data:
                                continue
                        self._write_chunk(data)
                        sent += len(data)
                        continue
                    if block and sent % block:  # caught up, after a whole fragment
                        pad = block_padding(sent, block)
                        self._write_chunk(free_box(pad))
                        sent += pad
                    outcome = ledger.follow(stream, number, path, GROWING_POLL_S)
                    if outcome is Wait.READY:  # complete: the same file, now whole
                        if held:
                            self._write_chunk(held)
                        while data := handle.read(CHUNK):
                            self._write_chunk(data)
                        self._write_chunk(b"")  # the last chunk: the answer is whole
                        return True
                    idle_since = idle_since or time.monotonic()
                    stalled = time.monotonic() - idle_since > self.server.owner.segment_wait
                    if outcome is Wait.FAILED or stalled or self._client_gone():
                        break
            except OSError as exc:
                if exc.errno not in (errno.EPIPE, errno.ECONNRESET):
                    logger.debug("streaming %s failed: %s", name, exc)
            finally:
                ledger.reader_ended()
        # Cut the answer off without its last chunk: the client must not take the bytes it
        # got for a whole segment.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        return True

    def _write_chunk(self, data: bytes) -> None:
        """One chunk of a chunked answer; empty data is the last chunk."""
        self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))

    def _client_gone(self) -> bool:
        """True if the client closed its end while we wait (readable with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # -- responses --------------------------------------------------------------------------

    def _common_headers(self) -> None:
        if not self.server.lan:
            self.send_header("Access-Control-Allow-Origin", "*")  # browser players on any page
        elif self.headers.get("Origin") == self.server.origin:
            self.send_header("Access-Control-Allow-Origin", self.server.origin)  # its own page
        self.send_header("X-Content-Type-Options", "nosniff")

    def _send_page(self, name: str, head: bool) -> None:
        """The session's player page, or its copy of Shaka Player."""
        page = name == layout.PLAYER_PAGE
        body = player_page.render("Viewra Desktop").encode() if page else player_page.script()
        try:
            self.send_response(HTTPStatus.OK)
            self._common_headers()
            self.send_header("Content-Type", layout.content_type(name))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Referrer-Policy", "no-referrer")  # the token stays in this page
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _error(self, status: HTTPStatus, message: str = "") -> None:
        body = (message or status.phrase).encode("utf-8") + b"\n"
        try:
            self.send_response(status)
            self._common_headers()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _send_file(self, file: Path, name: str, requested: Name, head: bool) -> None:
        try:
            handle = file.open("rb")
        except OSError:
            self._error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            size = os_size(handle)
            start, end = 0, size - 1
            status = HTTPStatus.OK
            wanted = self.headers.get("Range")
            if wanted:
                parsed = _parse_range(wanted, size)
                if parsed is None:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self._common_headers()
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start, end = parsed
                status = HTTPStatus.PARTIAL_CONTENT
            length = max(0, end - start + 1)
            try:
                self.send_response(status)
                self._common_headers()
                self.send_header("Content-Type", layout.content_type(name, requested))
                self.send_header("Content-Length", str(length))
                self.send_header("Accept-Ranges", "bytes")
                if status == HTTPStatus.PARTIAL_CONTENT:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                # Manifests are rewritten when the encode finishes; segments never change.
                cache = "no-cache" if requested.part is Part.MANIFEST else "max-age=3600"
                self.send_header("Cache-Control", cache)
                self.end_headers()
                if head or not length:
                    return
                # The kernel copies the file to the socket: no buffer of it in this process,
                # whose request threads come and go (their heaps stayed, and grew).
                self.connection.sendfile(handle, start, length)
            except OSError as exc:
                if exc.errno not in (errno.EPIPE, errno.ECONNRESET):
                    logger.debug("sending %s failed: %s", name, exc)
                self.close_connection = True


def os_size(handle) -> int:
    return os.fstat(handle.fileno()).st_size


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    match = _RANGE.match(header.strip())
    if match is None or size == 0:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last N bytes
        count = int(last)
        if count == 0:
            return None
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


__all__ = ["HOST", "Mount", "SegmentServer"]
