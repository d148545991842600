"""The chapters of the video that plays: marks on the seek bar, the Chapters menu (the current
one checked), and PageUp / PageDown to the previous / next one (``chapters`` says where).

Threads: GUI thread only.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Slot

from ..core.media import Chapter
from . import chapters
from .actions import Actions, Menus, on_triggered
from .controller import SessionInfo
from .player import Player
from .seekbar import SeekBar

logger = logging.getLogger(__name__)

TARGET_S = 2.0  # a jump's target stands for the position this long at most (or until there)


class ChapterNavigation(QObject):
    def __init__(
        self,
        menus: Menus,
        actions: Actions,
        seek_bar: SeekBar,
        player: Player,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._menus = menus
        self._seek_bar = seek_bar
        self._player = player
        self._chapters: tuple[Chapter, ...] = ()
        self._duration = 0.0
        self._current: int | None = None
        self._target: float | None = None  # where the last jump goes, until mpv is there
        self._origin = 0.0  # where it went from
        self._since = 0.0  # when (monotonic)
        on_triggered(actions.previous_chapter, self.previous)
        on_triggered(actions.next_chapter, self.next)
        menus.chapter_requested.connect(self._seek)
        player.position_changed.connect(self._on_position)
        self._show()

    @property
    def current(self) -> int | None:
        return self._current

    @Slot(object)
    def show_session(self, info: SessionInfo | None) -> None:
        self._chapters = info.chapters if info is not None else ()
        self._target = None
        self._duration = info.duration if info is not None else 0.0
        self._current = chapters.index_at(self._chapters, self._player.state.position)
        self._seek_bar.set_chapters(self._chapters)
        self._show()

    def clear(self) -> None:
        """Nothing plays: no chapters."""
        self.show_session(None)

    def _now(self) -> float:
        """The position, or where a jump goes while mpv gets there (PageDown twice: two)."""
        if self._target is not None and time.monotonic() - self._since > TARGET_S:
            self._target = None
        return self._target if self._target is not None else self._player.state.position

    def previous(self) -> None:
        self._seek(chapters.previous_start(self._chapters, self._now()))

    def next(self) -> None:
        self._seek(chapters.next_start(self._chapters, self._now()))

    @Slot(float)
    def _seek(self, start: float | None) -> None:
        if start is None:
            return
        logger.info("to the chapter at %.3f s", start)
        self._origin = self._now()
        self._player.seek(start)
        self._target, self._since = start, time.monotonic()
        self._show_current(chapters.index_at(self._chapters, start))

    @Slot(float)
    def _on_position(self, seconds: float) -> None:
        target = self._target
        if target is not None:
            forward = target >= self._origin
            if (seconds >= target - 1.0) if forward else (seconds <= target + 1.0):
                self._target = None  # mpv is there (or past it); before: a report from before
        if self._target is None:
            self._show_current(chapters.index_at(self._chapters, seconds))

    def _show_current(self, index: int | None) -> None:
        if index != self._current:
            self._current = index
            self._show()

    def _show(self) -> None:
        labels = [
            chapters.menu_label(chapter, number, self._duration)
            for number, chapter in enumerate(self._chapters, start=1)
        ]
        starts = [chapter.start for chapter in self._chapters]
        self._menus.show_chapters(labels, starts, self._current)
