"""Which rung of a ladder plays first, and which one plays now. Qt-free, pure.

The first rung is the one nearest the window's video area: the largest that fits in it, or
the smallest when none does. Every rung's first segment is encoded before the first frame
either way (a player opening the manifests reads segment 1 of each), so a smaller rung would
not start sooner; the nearest fits the screen without spending the encoder on pixels nobody
sees, and a larger one would only be scaled down.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

logger = logging.getLogger(__name__)


def start_rung(sizes: Sequence[tuple[int, int]], area: tuple[int, int]) -> int:
    """The index of the rung to play first: of ``sizes`` (width, height, in the player's
    order), the largest that fits in ``area`` (device pixels), else the smallest."""
    if not sizes:
        raise ValueError("a ladder has at least one rung")
    width, height = area
    fitting = [i for i, (w, h) in enumerate(sizes) if w <= width and h <= height]
    pixels = lambda i: sizes[i][0] * sizes[i][1]  # noqa: E731
    if fitting:
        return max(fitting, key=pixels)
    return min(range(len(sizes)), key=pixels)


def playing_rung(selected: Sequence[bool]) -> int | None:
    """The index of the video track mpv plays (``selected``: each video track's flag, in
    ``track-list`` order, which is the ladder's), or None before it lists one."""
    return next((i for i, chosen in enumerate(selected) if chosen), None)
