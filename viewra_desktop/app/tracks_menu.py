"""The audio and subtitle tracks of the video that plays: what the menus list, what mpv plays.

``TrackMenus`` keeps the session's tracks (``SessionInfo``), which WebVTT files are ready
(the controller's ``texts_changed``) and mpv's track list, and hands the menus their entries
(``track_choices`` decides them). It holds the tracks wanted: at first the default choice
from the user's languages (settings) and the file's flags, then what the user picks. mpv is
put on them at moments, never continuously: audio at load and when the user picks one
(``aid`` switches it live); subtitles when a track first shows in mpv's list and when the
user picks one. A text track is added to mpv (``sub-add``) once its file is ready and mpv
has the video open. Choosing a picture subtitle stream, or leaving
one, asks the window to reopen the file (``reopen_requested``) with it drawn in or not; the
choices carry over to the reopened video.

Threads: GUI thread only (the controller's and the player's signals arrive queued).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from ..core.plan import TextTrack
from .actions import Menus
from .controller import SessionInfo
from .player import Player
from .settings import Settings
from .track_choices import (
    Pick,
    audio_entries,
    default_pick,
    reopen_for,
    subtitle_entries,
    text_ids,
)

logger = logging.getLogger(__name__)


class TrackMenus(QObject):
    """The Audio Track and Subtitles menus of the session that plays, and mpv put on them."""

    reopen_requested = Signal(object)  # the picture subtitle stream to draw in, or None

    def __init__(
        self, menus: Menus, player: Player, settings: Settings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._menus = menus
        self._player = player
        self._settings = settings
        self.info: SessionInfo | None = None
        self._ready: set[int] = set()  # indices of the texts whose file can be played
        self._added: set[str] = set()  # URLs asked of mpv for this session
        self._settled: set[str] = set()  # those seen in mpv's list, the selection put right
        self.wanted_audio: int | None = None  # index into info.audio
        self.wanted = Pick()  # the subtitles wanted
        player.audio_tracks_changed.connect(self._refresh)
        player.subtitle_tracks_changed.connect(self._refresh)
        menus.audio_track_requested.connect(self.choose_audio)
        menus.subtitle_requested.connect(self.choose_subtitles)

    # -- the session ------------------------------------------------------------------------

    @Slot(object)
    def show_session(self, info: SessionInfo | None) -> None:
        """A session plays (or none: ``None``). The same file again (a reopen) keeps the
        choices; another starts with the default choice."""
        same = info is not None and self.info is not None and info.source == self.info.source
        self.info = info
        self._ready = set()
        self._added, self._settled = set(), set()
        if info is None:
            self._refresh()
            return
        if not same:
            self.wanted_audio, self.wanted = default_pick(
                info.audio, info.texts, self._settings.audio_language,
                self._settings.subtitle_language,
            )  # fmt: skip
            logger.info(
                "tracks at start: audio %s, subtitles %s", self.wanted_audio, self.wanted.text
            )
        self.wanted = Pick(text=self.wanted.text, burn_in=info.burn_in)
        self._refresh()

    def start_audio(self) -> int | None:
        """mpv's aid to load the video with: the wanted track (mpv numbers them from 1 in
        manifest order, the session's order)."""
        if self.info is None or self.wanted_audio is None or not self.info.audio:
            return None
        return self.wanted_audio + 1

    @Slot(list)
    def show_texts(self, ready: list[TextTrack]) -> None:
        """The text tracks whose WebVTT file can be played now."""
        if self.info is None:
            return
        self._ready = {i for i, t in enumerate(self.info.texts) if t in ready}
        self._refresh()

    # -- the user's choices -----------------------------------------------------------------

    @Slot(int)
    def choose_audio(self, track_id: int) -> None:
        ids = [t.id for t in self._player.state.audio_tracks]
        if track_id in ids:
            self.wanted_audio = ids.index(track_id)
        logger.info("audio track %d chosen", track_id)
        self._player.select_audio(track_id)

    @Slot(object)
    def choose_subtitles(self, pick: Pick) -> None:
        if self.info is None:
            return
        logger.info("subtitles chosen: %s", pick)
        self.wanted = pick
        if reopen_for(pick, self.info.burn_in):
            self.reopen_requested.emit(pick.burn_in)
            return
        self._select_wanted_text()

    # -- mpv --------------------------------------------------------------------------------

    def _urls(self) -> list[str]:
        info = self.info
        return [info.text_url(t) for t in info.texts] if info is not None else []

    @Slot()
    def _refresh(self) -> None:
        """Add what is ready, put mpv on the wanted subtitles when a track first shows, and
        refill both menus."""
        state = self._player.state
        info = self.info
        if info is None or state.idle:
            self._menus.show_audio(())
            self._menus.show_subtitles(())
            return
        self._add_ready_texts()
        self._settle_new_texts()
        ids = text_ids(self._urls(), state.subtitle_tracks)
        selected = next((t.id for t in state.subtitle_tracks if t.selected), None)
        self._menus.show_audio(audio_entries(info.audio, state.audio_tracks))
        self._menus.show_subtitles(
            subtitle_entries(info.texts, ids, selected, info.pictures, info.burn_in)
        )

    def _add_ready_texts(self) -> None:
        """``sub-add`` each ready track once mpv has the video open (earlier, mpv would drop
        the command while it loads)."""
        info, state = self.info, self._player.state
        if info is None or not (state.audio_tracks or state.video_loaded):
            return
        for index, (track, url) in enumerate(zip(info.texts, self._urls(), strict=True)):
            if index in self._ready and url not in self._added:
                self._added.add(url)
                select = self.wanted.text == index and self.wanted.burn_in == info.burn_in
                logger.info("adding subtitles %s (%s)", track.label, url)
                self._player.add_subtitle(url, track.label, track.language, select)

    def _settle_new_texts(self) -> None:
        """When a text track first shows in mpv's list, put mpv on the wanted subtitles once
        (mpv may pick one of its own; never again after, so a track mpv gives up on does not
        make a loop)."""
        state = self._player.state
        seen = {t.source for t in state.subtitle_tracks if t.source in self._added}
        if seen <= self._settled:
            return
        self._settled |= seen
        self._select_wanted_text()

    def _select_wanted_text(self) -> None:
        state = self._player.state
        ids = text_ids(self._urls(), state.subtitle_tracks)
        sid = ids[self.wanted.text] if self.wanted.text is not None else None
        shown = next((t.id for t in state.subtitle_tracks if t.selected), None)
        if sid != shown:
            self._player.select_subtitle(sid)
