"""The player's state, and the QObject that drives libmpv.

``PlayerState`` is a frozen dataclass changed only by the pure ``apply_property`` from mpv
property updates. ``Player`` observes those properties on mpv's event thread, moves every
update to the GUI thread with a queued signal, applies it and emits one ``<field>_changed``
signal per field that changed. Tests drive the same code with a fake mpv.
"""

from __future__ import annotations

import collections
import logging
import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from ..core.player_options import MPV_OPTIONS as SESSION_MPV_OPTIONS
from .formatting import track_label

logger = logging.getLogger(__name__)

OBSERVED = (
    "time-pos",
    "duration",
    "pause",
    "volume",
    "mute",
    "paused-for-cache",
    "core-idle",
    "idle-active",
    "eof-reached",
    "seeking",
    "track-list",
    "speed",
)
LOG_TAIL_LINES = 30
VOLUME_MAX = 130
SPEED_MIN, SPEED_MAX = 0.25, 4.0
MPV_EVENT_END_FILE = 7  # client.h
MPV_EVENT_FILE_LOADED = 8  # the demuxer opened the file and its tracks are known
MPV_EVENT_VIDEO_RECONFIG = 17  # the video output was set up for a picture: its frame follows
MPV_EVENT_PLAYBACK_RESTART = 21  # playback (re)starts: after loading or a seek
MPV_END_FILE_REASON_ERROR = 4


@dataclass(frozen=True)
class TrackInfo:
    id: int
    kind: str  # "audio", "sub" or "video"
    label: str
    selected: bool
    lang: str = ""  # as mpv reports it ("en" from the MPD, "eng" from a file)
    source: str = ""  # an external track's file or URL (a subtitle added with sub-add)


@dataclass(frozen=True)
class PlayerState:
    position: float = 0.0
    duration: float = 0.0
    paused: bool = False
    volume: float = 100.0
    muted: bool = False
    paused_for_cache: bool = False
    core_idle: bool = True
    idle: bool = True  # nothing loaded
    eof: bool = False
    seeking: bool = False
    audio_tracks: tuple[TrackInfo, ...] = field(default=())
    subtitle_tracks: tuple[TrackInfo, ...] = field(default=())
    video_tracks: tuple[TrackInfo, ...] = field(default=())  # a ladder's rungs, in order

    @property
    def video_loaded(self) -> bool:
        """mpv lists the file's video track: it has the file open."""
        return bool(self.video_tracks)

    speed: float = 1.0

    @property
    def buffering(self) -> bool:
        """Waiting for data (the encoder): mpv wants to play but cannot."""
        if self.idle or self.eof:
            return False
        return self.paused_for_cache or (self.core_idle and not self.paused) or self.seeking


def _number(value: Any, default: float) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def _tracks(value: Any, kind: str) -> tuple[TrackInfo, ...]:
    result = []
    for track in value or ():
        if not isinstance(track, dict) or track.get("type") != kind:
            continue
        try:
            number = int(track.get("id", ""))
        except (TypeError, ValueError):
            continue
        result.append(
            TrackInfo(
                number,
                kind,
                track_label(track),
                bool(track.get("selected")),
                str(track.get("lang") or ""),
                str(track.get("external-filename") or ""),
            )
        )
    return tuple(result)


def apply_property(state: PlayerState, name: str, value: Any) -> PlayerState:
    """The state after mpv reported ``name`` = ``value`` (None: unavailable)."""
    if name == "time-pos":
        return replace(state, position=max(0.0, _number(value, 0.0)))
    if name == "duration":
        return replace(state, duration=max(0.0, _number(value, 0.0)))
    if name == "pause":
        return replace(state, paused=bool(value))
    if name == "volume":
        return replace(state, volume=min(VOLUME_MAX, max(0.0, _number(value, state.volume))))
    if name == "mute":
        return replace(state, muted=bool(value))
    if name == "paused-for-cache":
        return replace(state, paused_for_cache=bool(value))
    if name == "core-idle":
        return replace(state, core_idle=True if value is None else bool(value))
    if name == "idle-active":
        idle = bool(value)
        if idle:  # nothing loaded: no position, no duration, no tracks
            return replace(
                state,
                idle=True,
                position=0.0,
                duration=0.0,
                audio_tracks=(),
                subtitle_tracks=(),
                video_tracks=(),
            )
        return replace(state, idle=False)
    if name == "eof-reached":
        return replace(state, eof=bool(value))
    if name == "seeking":
        return replace(state, seeking=bool(value))
    if name == "speed":
        return replace(state, speed=min(SPEED_MAX, max(SPEED_MIN, _number(value, state.speed))))
    if name == "track-list":
        return replace(
            state,
            audio_tracks=_tracks(value, "audio"),
            subtitle_tracks=_tracks(value, "sub"),
            video_tracks=_tracks(value, "video"),
        )
    return state


class MpvLog:
    """mpv's log handler (called on mpv's threads): logs, and keeps a tail for error details."""

    def __init__(self) -> None:
        self._tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)

    def __call__(self, level: str, component: str, message: str) -> None:
        line = f"[{component}] {message.rstrip()}"
        self._tail.append(line)
        log = logger.warning if level in ("fatal", "error") else logger.info
        log("mpv %s %s", level, line)

    def tail(self) -> str:
        return "\n".join(list(self._tail))

    def clear(self) -> None:
        self._tail.clear()


class Player(QObject):
    """libmpv behind signals; every method is for the GUI thread and returns at once."""

    position_changed = Signal(float)
    duration_changed = Signal(float)
    paused_changed = Signal(bool)
    volume_changed = Signal(float)
    muted_changed = Signal(bool)
    buffering_changed = Signal(bool)
    idle_changed = Signal(bool)
    eof_changed = Signal(bool)
    audio_tracks_changed = Signal(tuple)
    subtitle_tracks_changed = Signal(tuple)
    video_tracks_changed = Signal(tuple)
    speed_changed = Signal(float)
    error = Signal(str, str)  # message, details (mpv's last warnings)
    file_loaded = Signal()  # the demuxer opened what ``load`` asked for
    playback_restarted = Signal()  # playback (re)started after a load or a seek: clock running
    video_reconfigured = Signal()  # the video output set up for a new file's (or size's) picture
    _raw_property = Signal(str, object)
    _raw_end_file = Signal(int, int)

    def __init__(self, mpv_player: Any, log: MpvLog | None = None) -> None:
        super().__init__()
        self.mpv = mpv_player
        self.log = log or MpvLog()
        self.state = PlayerState()
        self._buffering = False
        self._terminated = False
        queued = Qt.ConnectionType.QueuedConnection
        self._raw_property.connect(self._on_property, queued)
        self._raw_end_file.connect(self._on_end_file, queued)
        self._moments = {
            MPV_EVENT_FILE_LOADED: self.file_loaded,
            MPV_EVENT_PLAYBACK_RESTART: self.playback_restarted,
            MPV_EVENT_VIDEO_RECONFIG: self.video_reconfigured,
        }
        for name in OBSERVED:
            self.mpv.observe_property(name, self._observer)
        self.mpv.register_event_callback(self._event)

    # -- mpv's threads: marshal to the GUI thread, nothing else -----------------------------

    def _observer(self, name: str, value: Any) -> None:
        self._raw_property.emit(name, value)

    def _event(self, event: Any) -> None:
        try:
            kind = event.event_id.value
            moment = self._moments.get(kind)
            if moment is not None:
                moment.emit()  # a signal: queued to the GUI thread's receivers
            if kind != MPV_EVENT_END_FILE:
                return
            data = event.data
            self._raw_end_file.emit(int(data.reason), int(data.error))
        except Exception:  # never raise into mpv's event loop
            logger.debug("unreadable mpv event", exc_info=True)

    # -- GUI thread -------------------------------------------------------------------------

    @Slot(str, object)
    def _on_property(self, name: str, value: Any) -> None:
        old = self.state
        self.state = new = apply_property(old, name, value)
        for f in fields(PlayerState):
            before, after = getattr(old, f.name), getattr(new, f.name)
            if before != after:
                signal = _SIGNALS.get(f.name)
                if signal is not None:
                    getattr(self, signal).emit(after)
        if new.buffering != self._buffering:
            self._buffering = new.buffering
            self.buffering_changed.emit(new.buffering)

    @Slot(int, int)
    def _on_end_file(self, reason: int, error: int) -> None:
        if reason != MPV_END_FILE_REASON_ERROR:
            return
        details = self.log.tail()
        logger.error("playback failed (mpv error %d): %s", error, details)
        self.error.emit("The video stopped playing because it could not be read.", details)

    @property
    def buffering(self) -> bool:
        return self._buffering

    def _command(self, *args: Any) -> None:
        if self._terminated:
            return
        try:
            self.mpv.command_async(*args)
        except Exception:
            logger.warning("mpv command %r failed", args, exc_info=True)

    def load(
        self,
        url: str,
        start: float = 0.0,
        audio: int | None = None,
        video: int | None = None,
        decoder_threads: int = 0,
    ) -> None:
        """Play ``url`` from ``start``, with audio track ``audio`` (mpv's aid) and video track
        ``video`` (mpv's vid: a ladder's rung) if given, decoded on ``decoder_threads``
        threads (0: mpv's choice; core.player_options.decoder_threads)."""
        self.log.clear()
        options = [f"start={start:.3f}"] if start > 0 else []
        if decoder_threads:
            options.append(f"vd-lavc-threads={decoder_threads}")
        if audio is not None:
            options.append(f"aid={audio}")  # chosen at load: no switch once it plays
        if video is not None:
            options.append(f"vid={video}")  # the rung to start with, chosen before it opens
        if options:
            # mpv 0.38 added an index argument before the per-file options.
            index = ["-1"] if getattr(self.mpv, "mpv_version_tuple", (0, 0, 0)) >= (0, 38) else []
            self._command("loadfile", url, "replace", *index, ",".join(options))
        else:
            self._command("loadfile", url, "replace")
        self.set_paused(False)

    def stop(self) -> None:
        self._command("stop")

    def set_decryption_key(self, key: str) -> None:
        """The raw key (hex) the next files are decrypted with, or "" for clear files."""
        self._command("set", "demuxer-lavf-o", f"cenc_decryption_key={key}" if key else "")

    def set_paused(self, paused: bool) -> None:
        self._command("set", "pause", "yes" if paused else "no")

    def toggle_pause(self) -> None:
        if self.state.idle:
            return
        if self.state.eof:  # at the end (keep-open): play again from the start
            self.seek(0.0)
            self.set_paused(False)
            return
        self.set_paused(not self.state.paused)

    def seek(self, seconds: float, relative: bool = False) -> None:
        if self.state.idle:
            return
        if relative:
            self._command("seek", f"{seconds:.3f}", "relative")
        else:
            self._command("seek", f"{max(0.0, seconds):.3f}", "absolute")

    def set_speed(self, speed: float) -> None:
        self._command("set", "speed", f"{min(SPEED_MAX, max(SPEED_MIN, speed)):.4f}")

    def exact_position(self) -> float | None:
        """mpv's position right now (read from mpv, not the last update), or None."""
        if self._terminated:
            return None
        try:
            value = getattr(self.mpv, "time_pos", None)
        except Exception:  # mpv answers "property unavailable" while nothing plays
            return None
        return float(value) if isinstance(value, (int, float)) else None

    def set_property(self, name: str, value: str) -> None:
        """Any mpv property (the compare view's zoom and pan)."""
        self._command("set", name, value)

    def load_file(self, path: str, start: float = 0.0, paused: bool = True) -> None:
        """Play a local file (the compare view's source), paused at ``start`` by default."""
        self.log.clear()
        self.set_paused(paused)
        index = ["-1"] if getattr(self.mpv, "mpv_version_tuple", (0, 0, 0)) >= (0, 38) else []
        self._command("loadfile", path, "replace", *index, f"start={max(0.0, start):.3f}")

    def seek_exact(self, seconds: float) -> None:
        """To the frame showing at ``seconds`` (decoding from the keyframe before), whatever
        hr-seek says. A hair later than asked: a frame's own time, rounded down, would land
        on the frame before it."""
        if not self.state.idle:
            self._command("seek", f"{max(0.0, seconds) + 0.0005:.6f}", "absolute+exact")

    def set_volume(self, volume: float) -> None:
        self._command("set", "volume", f"{min(VOLUME_MAX, max(0.0, volume)):.0f}")

    def change_volume(self, delta: float) -> None:
        self.set_volume(self.state.volume + delta)

    def set_muted(self, muted: bool) -> None:
        self._command("set", "mute", "yes" if muted else "no")

    def select_audio(self, track_id: int | None) -> None:
        self._command("set", "aid", "no" if track_id is None else str(track_id))

    def select_subtitle(self, track_id: int | None) -> None:
        self._command("set", "sid", "no" if track_id is None else str(track_id))

    def add_subtitle(self, url: str, title: str, lang: str, select: bool) -> None:
        """Add a WebVTT file as a subtitle track (mpv reads it whole); shown if ``select``."""
        self._command("sub-add", url, "select" if select else "auto", title, lang)

    def select_video(self, track_id: int) -> None:
        """Switch the video track (a ladder's rung) live: mpv keeps the position."""
        self._command("set", "vid", str(track_id))

    def terminate(self) -> None:
        """End libmpv. The render context must be freed first (``MpvVideoWidget.release``)."""
        if self._terminated:
            return
        self._terminated = True
        try:
            self.mpv.terminate()
        except Exception:
            logger.warning("terminating mpv failed", exc_info=True)


_SIGNALS = {
    "position": "position_changed",
    "duration": "duration_changed",
    "paused": "paused_changed",
    "volume": "volume_changed",
    "muted": "muted_changed",
    "idle": "idle_changed",
    "eof": "eof_changed",
    "audio_tracks": "audio_tracks_changed",
    "subtitle_tracks": "subtitle_tracks_changed",
    "video_tracks": "video_tracks_changed",
    "speed": "speed_changed",
}

# The session's own options (core.player_options: no probing ahead, a short head start after
# a seek or a stall, precise seeks, a network timeout longer than the server's wait) plus what
# an embedded player needs.
MPV_OPTIONS: dict[str, Any] = {
    **SESSION_MPV_OPTIONS,
    "vo": "libmpv",  # render through the widget; from mpv 0.38 on, otherwise its own window
    "idle": "yes",  # stay alive with nothing loaded (empty window, between files)
    "keep_open": "yes",  # stop on the last frame at the end instead of unloading
    "input_default_bindings": False,  # the window handles every key
    "input_vo_keyboard": False,
    "osc": False,
    "load_scripts": False,  # no user scripts in an embedded player
    "ytdl": False,
    "hwdec": "auto-safe",  # hardware decoding where it is known to work
    "volume_max": VOLUME_MAX,
    "audio_client_name": "viewra-desktop",
    "cache": "yes",
}


def create_player(**overrides: Any) -> Player:
    """A Player on a libmpv set up for the render API.

    Call after the QApplication exists and ``setlocale(LC_NUMERIC, "C")``: libmpv refuses to
    start under a locale whose decimal point is not ".".
    """
    import mpv

    log = MpvLog()
    options = dict(MPV_OPTIONS, **overrides)
    return Player(mpv.MPV(log_handler=log, loglevel="warn", **options), log)
