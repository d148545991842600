"""The pipeline under Qt: one ``SessionController`` on its own QThread.

Every public method returns at once and may be called from the GUI thread; the work (probing,
starting and stopping ffmpeg and the packager, making the demo clip, trimming the cache) runs
on the controller's thread, and results come back as signals. That thread lives as long as
the app: on Linux the encoder processes are tied to the thread that started them.

Requests coalesce: if the user opens three files in a row while a session is still starting,
the old session is stopped once and only the last file is started.

Sharing (``set_lan``) also listens on the LAN address; ``share_changed`` then carries the
player page's LAN URL of the session that plays ("" when not shared).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core import binaries, layout
from ..core.cache import Cache, mark_used
from ..core.demo import demo_clip
from ..core.errors import ViewraError
from ..core.inspector import Inspector
from ..core.keys import Encryption
from ..core.lan import lan_address
from ..core.lifecycle import Events, State
from ..core.media import Chapter, SubtitleStream
from ..core.plan import AudioTrack, TextTrack
from ..core.player_options import decoder_threads
from ..core.profiles import Profile, get_profile
from ..core.progress import Progress
from ..core.renditions import VideoRendition
from ..core.server import SegmentServer
from ..core.session import Session

logger = logging.getLogger(__name__)

DEMO_FOLDER = layout.DEMO
INTERNAL_ERROR = "Viewra Desktop ran into an internal error; the log file has the details."


@dataclass(frozen=True)
class SessionInfo:
    """What the window shows about the session that is playing."""

    source: str
    profile: str
    duration: float
    width: int
    height: int
    from_cache: bool
    folder: str
    dash_url: str
    hls_url: str
    base_url: str = ""  # the session's files are under it (layout names)
    audio: tuple[AudioTrack, ...] = ()  # in the order the player lists them
    texts: tuple[TextTrack, ...] = ()  # every text track; ``texts_changed`` says which are ready
    pictures: tuple[SubtitleStream, ...] = ()  # picture subtitles that can be drawn in
    burn_in: int | None = None  # the picture subtitle stream drawn into this encode
    chapters: tuple[Chapter, ...] = ()
    tone_mapped: bool = False  # HDR shown as SDR
    notes: tuple[str, ...] = ()  # what the user should know (a track left out, and why)
    profile_label: str = ""  # the profile's label ("720p (HD)")
    video: tuple[VideoRendition, ...] = ()  # the rungs, in the order the player lists them
    hardware: str = ""  # what the profile asked for: "" software, "auto" or a family
    encryption: Encryption | None = None  # an encrypted preview: the player needs the key
    decoder_threads: int = 0  # mpv's vd-lavc-threads for it (core.player_options)

    @property
    def rung_labels(self) -> tuple[str, ...]:
        """The rungs' names, as the Quality menu lists them ("720p", "480p")."""
        return tuple(v.label for v in self.video)

    @property
    def encoder(self) -> str:
        """ffmpeg's video encoder that runs ("libx264", "h264_nvenc")."""
        return self.video[0].encoder.name if self.video else ""

    def text_url(self, track: TextTrack) -> str:
        return self.base_url + layout.text_file(track.stream)


@dataclass(frozen=True)
class _Request:
    kind: str  # "open", "demo", "stop", "shutdown"
    path: str = ""
    profile: str = ""
    id: int = 0
    burn_in: int | None = None
    codec: str = ""  # overrides the profile's video codec ("": the profile's own)
    encrypt: bool = False
    step: Callable[[str], None] | None = None  # the steps to its first frame (core.phases)


class SessionController(QObject):
    """Runs one session at a time on its own thread and reports with signals."""

    state_changed = Signal(object)  # core.session.State
    progress_changed = Signal(object)  # core.progress.Progress
    segments_changed = Signal(list)  # encoded ranges: [(start, end)] in seconds
    texts_changed = Signal(list)  # the TextTracks whose WebVTT file can be played now
    notes_changed = Signal(list)  # what the user should know (a track left out, and why)
    manifest_ready = Signal(str)  # the DASH URL to play
    session_changed = Signal(object)  # SessionInfo, or None when nothing is open
    activity_changed = Signal(str)  # "Opening clip.mp4…" while busy, "" when idle
    failed = Signal(str, str)  # message for the user, details (a tool's stderr tail)
    finished = Signal()  # the package is complete (encoded now or found in the cache)
    request_done = Signal(int, bool)  # an open request's id, and whether its session started
    shut_down = Signal()  # after shutdown(): every process has ended
    stats_changed = Signal(object)  # core.stats.Report of the session's segments so far
    thumbnails_changed = Signal(object)  # core.thumbnails.Thumbnails made so far
    share_changed = Signal(str)  # the session's player page on the LAN, "" when not shared
    _wake = Signal()
    _trim = Signal()
    _lan = Signal(bool)

    def __init__(
        self,
        cache: Cache,
        session_factory: Callable[..., Session] = Session,
        server_factory: Callable[[], SegmentServer] = SegmentServer,
        find_tools: Callable[[], binaries.Tools] = binaries.find_tools,
        profiles: Callable[[], Mapping[str, Profile]] = dict,
        inspector_factory: Callable[..., Inspector | None] = Inspector,
    ) -> None:
        """``profiles``: the user's own profiles by name, asked at each open (called on the
        controller's thread: it must return a snapshot, as ``ProfileStore.mapping`` does)."""
        super().__init__()
        self.cache = cache
        self._profiles = profiles
        self._session_factory = session_factory
        self._server_factory = server_factory
        self._find_tools = find_tools
        self._inspector_factory = inspector_factory
        self._server: SegmentServer | None = None
        self._session: Session | None = None
        self._inspector: Inspector | None = None
        self._url: str | None = None
        self._pending: _Request | None = None
        self._pending_lock = threading.Lock()
        self._last_id = 0
        self._cache_limit = 0
        self._swept = False
        self._closed = False
        self._encrypt = False
        self._sharing = False
        self._thread = QThread()
        self._thread.setObjectName("viewra-controller")
        self.moveToThread(self._thread)
        self._wake.connect(self._process, Qt.ConnectionType.QueuedConnection)
        self._trim.connect(self._trim_cache, Qt.ConnectionType.QueuedConnection)
        self._lan.connect(self._set_lan, Qt.ConnectionType.QueuedConnection)

    # -- called from the GUI thread ---------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def open(
        self,
        path: str,
        profile: str,
        burn_in: int | None = None,
        codec: str = "",
        step: Callable[[str], None] | None = None,
    ) -> int:
        """Stop the current session (if any) and start one for ``path``; ``burn_in``: a
        picture subtitle stream to draw into the video; ``codec``: instead of the profile's;
        ``step`` is told each step toward the first frame (any thread).

        Returns the request's id, which ``request_done`` carries when it has been handled.
        """
        request = _Request(
            "open", str(path), profile, burn_in=burn_in, codec=codec, encrypt=self._encrypt,
            step=step,
        )  # fmt: skip
        return self._request(request)

    def open_demo(
        self, profile: str, codec: str = "", step: Callable[[str], None] | None = None
    ) -> int:
        """Like ``open`` on the built-in demo clip, making it first if needed."""
        request = _Request("demo", "", profile, codec=codec, encrypt=self._encrypt, step=step)
        return self._request(request)

    def stop(self) -> None:
        self._request(_Request("stop"))

    def shutdown(self) -> None:
        """Stop everything and end the thread; ``shut_down`` is emitted when done."""
        self._request(_Request("shutdown"))

    def wait(self, timeout_ms: int = 15000) -> bool:
        """Wait for the thread to end (after ``shut_down``)."""
        return self._thread.wait(timeout_ms)

    def set_encrypt(self, encrypt: bool) -> None:
        """Sessions opened from now on are encrypted previews (their packager encrypts)."""
        self._encrypt = bool(encrypt)

    def set_lan(self, on: bool) -> None:
        """Also listen on the LAN address (or stop); ``share_changed`` tells the URL."""
        self._lan.emit(bool(on))

    def set_cache_limit(self, limit_bytes: int) -> None:
        self._cache_limit = max(0, int(limit_bytes))
        self._trim.emit()

    @property
    def thread_running(self) -> bool:
        return self._thread.isRunning()

    def _request(self, request: _Request) -> int:
        with self._pending_lock:
            self._last_id += 1
            request = dataclasses.replace(request, id=self._last_id)
            if self._pending is not None and self._pending.kind == "shutdown":
                return request.id  # nothing overrides a shutdown
            superseded, self._pending = self._pending, request
        if superseded is not None and superseded.kind in ("open", "demo"):
            self.request_done.emit(superseded.id, False)
        self._wake.emit()
        return request.id

    def _take(self) -> _Request | None:
        with self._pending_lock:
            request, self._pending = self._pending, None
            return request

    def _superseded(self) -> bool:
        with self._pending_lock:
            return self._pending is not None

    # -- on the controller's thread ---------------------------------------------------------

    @Slot()
    def _process(self) -> None:
        request = self._take()
        if request is None or self._closed:
            return
        try:
            if request.kind == "shutdown":
                self._shutdown()
            elif request.kind == "stop":
                self._stop_session()
                self.session_changed.emit(None)
            else:
                started = False
                try:
                    started = self._open(request)
                finally:
                    self.request_done.emit(request.id, started)
        except Exception:  # a bug must not kill the controller's thread
            logger.exception("controller request %s failed", request.kind)
            self.failed.emit(INTERNAL_ERROR, traceback.format_exc(limit=6))
        finally:
            if not self._closed:
                self.activity_changed.emit("")

    def _open(self, request: _Request) -> bool:
        """Start a session for the request; True if it plays."""
        self._stop_session()
        if self._superseded():
            return False
        path = request.path
        try:
            profile = get_profile(request.profile, dict(self._profiles())).with_codec(request.codec)
            self._prepare_cache()
            if request.kind == "demo":
                self.activity_changed.emit("Preparing the demo clip…")
                tools = self._find_tools()
                path = str(demo_clip(tools.ffmpeg, self.cache.root / DEMO_FOLDER))
        except ViewraError as exc:
            self.failed.emit(str(exc), exc.details)
            return False
        if self._superseded():
            return False
        self.activity_changed.emit(f"Opening {Path(path).name}…")
        session: Session  # the callbacks below refer to it; they run only once it is set
        session = self._session_factory(
            path,
            profile,
            self.cache,
            Events(
                state=lambda state: self._on_state(session, state),
                progress=lambda progress: self._on_progress(session, progress),
                segments=lambda: self._on_segments(session),
                files=lambda: self._on_files(session),
                step=request.step or (lambda _step: None),
            ),
            burn_in=request.burn_in,
            **({"encrypt": True} if request.encrypt else {}),
        )
        self._session = session
        try:
            session.start()
        except ViewraError as exc:
            if session.state is not State.FAILED:  # else _on_state reported it already
                self.failed.emit(str(exc), exc.details)
            self._session = None
            return False
        except Exception:
            self._session = None
            session.stop()
            raise
        mark_used(session.folder)
        self._inspect(session)
        server = self._ensure_server()
        self._url = server.mount(session.mount())
        plan = session.plan
        assert plan is not None
        info = SessionInfo(
            source=path,
            profile=profile.name,
            duration=plan.duration,
            width=plan.main_video.width,
            height=plan.main_video.height,
            from_cache=session.from_cache,
            folder=str(session.folder),
            dash_url=self._url + layout.MPD,
            hls_url=self._url + layout.HLS_MASTER,
            base_url=self._url,
            audio=plan.audio,
            texts=plan.text,
            pictures=tuple(s for s in plan.media.subtitles if s.is_image),
            burn_in=request.burn_in,
            chapters=plan.media.chapters,
            tone_mapped=plan.main_video.color.tone_map is not None,
            notes=tuple(session.notes()),
            profile_label=profile.label,
            video=plan.video,
            hardware=profile.hardware,
            encryption=plan.encryption,
            decoder_threads=decoder_threads(
                plan.video, plan.media.video.frame_rate if plan.media.video else 0.0
            ),
        )
        logger.info("playing %s (%s, %s) from %s", path, profile.name, info.encoder, info.dash_url)
        self.session_changed.emit(info)
        self.segments_changed.emit(session.encoded_ranges())
        if session.progress is not None:
            self.progress_changed.emit(session.progress)
        self.manifest_ready.emit(info.dash_url)
        self.texts_changed.emit(session.texts())
        self._emit_share()
        if session.state is State.FINISHED:
            self.finished.emit()
            self._trim.emit()
        return True

    def _inspect(self, session: Session) -> None:
        """Thumbnails and quality metrics, in the background (before the server offers the
        session: a request for a sheet then waits for it)."""
        inspector: Inspector | None
        inspector = self._inspector_factory(
            session,
            self._find_tools().ffmpeg,
            on_stats=lambda report: self._on_inspected(inspector, self.stats_changed, report),
            on_thumbnails=lambda thumbs: self._on_inspected(
                inspector, self.thumbnails_changed, thumbs
            ),
        )
        self._inspector = inspector
        if inspector is None:
            return
        inspector.start()
        if inspector.thumbnails is not None:
            self.thumbnails_changed.emit(inspector.thumbnails)

    def _on_inspected(self, inspector: Inspector | None, signal: Any, value: object) -> None:
        if inspector is not None and inspector is self._inspector:
            signal.emit(value)

    def _prepare_cache(self) -> None:
        if self._swept:
            return
        self.cache.ensure()
        removed = self.cache.sweep()
        if removed:
            logger.info("removed %d unfinished cache entries", removed)
        self._swept = True
        self._trim_cache()

    def _ensure_server(self) -> SegmentServer:
        if self._server is None:
            self._server = self._server_factory()
            self._server.start()
        return self._server

    def _stop_session(self) -> None:
        session, self._session = self._session, None
        url, self._url = self._url, None
        inspector, self._inspector = self._inspector, None
        if session is None:
            return
        self.share_changed.emit("")
        self.activity_changed.emit("Stopping the encoder…")
        if inspector is not None:
            inspector.stop()
        session.stop()
        if url is not None and self._server is not None:
            self._server.unmount(url)

    def _shutdown(self) -> None:
        self._stop_session()
        if self._server is not None:
            self._server.close()
            self._server = None
        self._closed = True
        logger.info("controller shut down")
        self.shut_down.emit()
        self._thread.quit()

    @Slot(bool)
    def _set_lan(self, on: bool) -> None:
        if self._closed:
            return
        self._sharing = on
        try:
            if on:
                self._ensure_server().listen_lan(lan_address())
            elif self._server is not None:
                self._server.stop_lan()
        except (ViewraError, OSError) as exc:
            self._sharing = False
            self.failed.emit(f"Sharing on the network failed: {exc}", "")
        self._emit_share()

    def _emit_share(self) -> None:
        """The session's player page on the LAN (with the key of an encrypted preview in
        the fragment, which browsers never send), or "" when nothing is shared."""
        server, session, url = self._server, self._session, self._url
        lan = server.lan_url(url) if server and url and self._sharing else None
        if lan is None or session is None or session.plan is None:
            self.share_changed.emit("")
            return
        encryption = session.plan.encryption
        fragment = f"#{encryption.page_fragment}" if encryption else ""
        self.share_changed.emit(lan + layout.PLAYER_PAGE + fragment)

    @Slot()
    def _trim_cache(self) -> None:
        if self._closed or self._cache_limit <= 0:
            return
        try:
            freed = self.cache.trim(self._cache_limit)
        except OSError:
            logger.warning("trimming the cache failed", exc_info=True)
            return
        if freed:
            logger.info("freed %d bytes to keep the cache under its limit", freed)

    # -- session callbacks (the session's monitor thread, or ours during start) -------------

    def _on_state(self, session: Session, state: State) -> None:
        if session is not self._session:
            return  # a stopped session's last words
        self.state_changed.emit(state)
        if state is State.FAILED and session.failure is not None:
            self.failed.emit(session.failure.message, session.failure.details)
        elif state is State.FINISHED and not session.from_cache:  # _open reports a cache hit
            self.segments_changed.emit(session.encoded_ranges())
            self.finished.emit()
            self._trim.emit()

    def _on_progress(self, session: Session, progress: Progress) -> None:
        if session is self._session:
            self.progress_changed.emit(progress)

    def _on_segments(self, session: Session) -> None:
        if session is self._session:
            self.segments_changed.emit(session.encoded_ranges())

    def _on_files(self, session: Session) -> None:
        if session is self._session:
            self.texts_changed.emit(session.texts())
            self.notes_changed.emit(session.notes())
