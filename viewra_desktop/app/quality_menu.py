"""Playback > Quality: the rungs of the ladder being played ("1080p", "720p", ...).

Choosing a rung sets mpv's ``vid`` live: the n-th video entry of mpv's ``track-list`` is the
plan's n-th rendition (``SessionInfo.video``). The position is kept and the encode goes on;
the session learns the rung from the player's requests and encodes it where the player is.
The rung a video starts with is chosen here too (``start_track``, see ``rung_choice``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from ..core.renditions import VideoRendition
from .controller import SessionInfo
from .player import Player, TrackInfo
from .rung_choice import playing_rung, start_rung

logger = logging.getLogger(__name__)


class QualityMenu(QObject):
    """Fills ``menu`` with the session's rungs and keeps the one mpv plays checked.
    ``video`` is the widget the picture is drawn in (its size picks the first rung)."""

    def __init__(self, menu: QMenu, player: Player, video: QWidget, parent: QObject) -> None:
        super().__init__(parent)
        self.menu = menu
        self._player = player
        self._video = video
        self._rungs: tuple[VideoRendition, ...] = ()
        self._group = QActionGroup(self)
        player.video_tracks_changed.connect(self._show_playing)
        self.menu.setEnabled(False)

    @Slot(object)
    def show_session(self, info: SessionInfo | None) -> None:
        """List the rungs of the session that plays (none: nothing plays)."""
        self._rungs = info.video if info is not None else ()
        self.menu.clear()
        self._group.deleteLater()
        self._group = QActionGroup(self)  # one checked rung at a time
        for index, rendition in enumerate(self._rungs):
            action = self.menu.addAction(rendition.label)
            action.setCheckable(True)
            action.setToolTip(f"{rendition.width}×{rendition.height}")
            action.triggered.connect(lambda _checked=False, i=index: self.choose(i))
            self._group.addAction(action)
        self.menu.setEnabled(len(self._rungs) > 1)
        self._show_playing(self._player.state.video_tracks)

    def choose(self, index: int) -> None:
        """Play rung ``index`` from where the player is."""
        tracks = self._player.state.video_tracks
        track_id = tracks[index].id if index < len(tracks) else index + 1
        logger.info("quality: %s (vid %d)", self._rungs[index].label, track_id)
        self._player.select_video(track_id)

    def start_track(self) -> int | None:
        """mpv's ``vid`` to load the session with: the rung nearest the video area (None
        with one rung: mpv's own choice is the only one)."""
        if len(self._rungs) < 2:
            return None
        ratio = self._video.devicePixelRatioF()
        area = (round(self._video.width() * ratio), round(self._video.height() * ratio))
        index = start_rung([(r.width, r.height) for r in self._rungs], area)
        logger.info("starting with %s in a %d×%d area", self._rungs[index].label, *area)
        return index + 1  # mpv numbers the video tracks from 1, in the manifest's order

    def playing(self) -> VideoRendition | None:
        """The rung mpv plays now (None while it has not said)."""
        index = playing_rung([t.selected for t in self._player.state.video_tracks])
        if index is None or index >= len(self._rungs):
            return None
        return self._rungs[index]

    @Slot(tuple)
    def _show_playing(self, tracks: tuple[TrackInfo, ...]) -> None:
        index = playing_rung([t.selected for t in tracks])
        for number, action in enumerate(self._group.actions()):
            action.setChecked(number == index)
