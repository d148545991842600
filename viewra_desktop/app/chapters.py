"""Chapters on the timeline: which one a time is in, where PageUp and PageDown go. Qt-free.

The chapters are the source's (``SessionInfo.chapters``, from the probe), on the same clock
as the player's position. PageUp and PageDown work as mpv's ``add chapter -1/1``: back goes
to the start of the current chapter when more than mpv's ``--chapter-seek-threshold`` into
it, else to the start of the one before; forward goes to the start of the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..core.media import Chapter
from .formatting import format_time

logger = logging.getLogger(__name__)

SEEK_THRESHOLD_S = 5.0  # mpv's --chapter-seek-threshold default
NEAR_S = 0.25  # for a jump, this close before a chapter's start is in it (a seek landing)


def index_at(chapters: Sequence[Chapter], seconds: float) -> int | None:
    """The index of the chapter ``seconds`` is in (None: before the first one)."""
    found = None
    for index, chapter in enumerate(chapters):
        if chapter.start <= seconds:
            found = index
    return found


def previous_start(chapters: Sequence[Chapter], seconds: float) -> float | None:
    """Where PageUp goes from ``seconds``; None: nowhere (no chapter before)."""
    current = index_at(chapters, seconds + NEAR_S)
    if current is None:
        return None
    if seconds - chapters[current].start > SEEK_THRESHOLD_S:
        return chapters[current].start
    return chapters[current - 1].start if current > 0 else chapters[0].start


def next_start(chapters: Sequence[Chapter], seconds: float) -> float | None:
    """Where PageDown goes from ``seconds``; None: there is no later chapter."""
    current = index_at(chapters, seconds + NEAR_S)
    following = 0 if current is None else current + 1
    return chapters[following].start if following < len(chapters) else None


def title(chapter: Chapter, number: int) -> str:
    """The chapter's name, "Chapter 3" when it has none (``number`` is 1-based)."""
    return chapter.title.strip() or f"Chapter {number}"


def menu_label(chapter: Chapter, number: int, duration: float) -> str:
    """ "The road (0:03)": its name and where it starts."""
    return f"{title(chapter, number)} ({format_time(chapter.start, duration)})"


def hover_text(chapters: Sequence[Chapter], seconds: float, duration: float) -> str:
    """The seek bar's tooltip at ``seconds``: the time, and the chapter's title there."""
    when = format_time(seconds, duration)
    index = index_at(chapters, seconds)
    if index is None:
        return when
    return f"{when} · {title(chapters[index], index + 1)}"
