"""Thumbnails: pictures of the source along the timeline, single and in tiled JPEG sheets.

Slot ``k`` is the picture at ``k * interval`` (``plan.ImagePlan``); sheet ``n`` (from 1)
holds slots ``(n-1)*C*R`` on, row by row. Every picture comes from the source's keyframes
with keyframe-only decoding (``-skip_frame nokey``): Jellyfin measured that about 100x
faster than decoding every frame, and a keyframe is as good a preview as any frame.

Two passes, both at the lowest priority with one thread:

- **Coarse**: ``COARSE_PICTURES`` slots spread over the timeline, one ffmpeg each, seeking
  straight to the keyframe before the slot's time: a few seconds whatever the length.
- **Fine**: one ffmpeg over the whole source, keyframes only, one picture per slot
  (``fps``), written both as single pictures (for the seek bar at once) and as sheets
  (``tile``) into the package. ffmpeg writes each file under a temporary name and renames it
  (``-atomic_writing``): a reader never sees half a picture.

``Thumbnails`` is what the window needs to show one: the made slots and whole sheets, and
``locate`` the file (and the tile in it) of the picture nearest a time.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .plan import ImagePlan, Plan

COARSE_PICTURES = 24
COARSE_MIN = 4
JPEG_QUALITY = "4"  # ffmpeg's -q:v for mjpeg: 2 (best) .. 31; 4 is sharp and small
SCALE_FLAGS = "bicubic"
TAIL_S = 60.0  # the last keyframe is held this long: longer than any keyframe gap in practice
END_MARGIN_S = 1.0  # a coarse picture seeks at least this far before the end: the last slot
# may start after the last frame (the timeline also counts the audio's tail)


def coarse_slots(image: ImagePlan, duration: float, count: int = COARSE_PICTURES) -> list[int]:
    """``count`` slots spread evenly over the timeline; fewer (one in ten, at least four) in a
    short video, whose fine pass soon follows."""
    slots = image.slots(duration)
    count = min(count, max(COARSE_MIN, slots // 10))
    if slots <= count:
        return list(range(slots))
    return sorted({round(i * (slots - 1) / (count - 1)) for i in range(count)})


def _scale(image: ImagePlan) -> str:
    # JPEG is full range: ffmpeg's encoder refuses video-range pictures (tagged "tv").
    return (
        f"scale={image.width}:{image.height}:flags={SCALE_FLAGS}:out_range=full,"
        "format=yuv420p,setsar=1"
    )


def picture_command(ffmpeg: str, plan: Plan, slot: int, output: str) -> list[str]:
    """One slot's picture: the keyframe at or before its time."""
    image = plan.image
    assert image is not None
    return [
        ffmpeg,
        "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-threads", "1",  # one thread: never the encoder's cores
        "-skip_frame", "nokey",  # decode keyframes only
        "-noaccurate_seek",  # take the keyframe the seek lands on, not a later frame
        "-ss", f"{max(0.0, min(slot * image.interval, plan.duration - END_MARGIN_S)):.3f}",
        "-i", "file:" + plan.media.path,
        "-map", "0:v:0",
        "-frames:v", "1",
        # That keyframe lies before the seek point, so its time is negative: ffmpeg's frame
        # rate handling would drop it and take the next keyframe (up to a GOP later, and
        # nothing at all after a film's last keyframe).
        "-fps_mode", "passthrough",
        "-filter:v", _scale(image),
        "-q:v", JPEG_QUALITY,
        "-f", "image2", "-update", "1",  # one picture, this name
        "-atomic_writing", "1",  # a temporary name, then renamed: never half a file
        "-y", output,
    ]  # fmt: skip


def sheets_command(ffmpeg: str, plan: Plan, tiles: str, sheets: str) -> list[str]:
    """The fine pass: every slot as a single picture into ``tiles`` (``%d.jpg`` from 0) and
    as tiled sheets into ``sheets`` (``%d.jpg`` from 1)."""
    image = plan.image
    assert image is not None
    duration = plan.duration
    graph = (
        # The last keyframe held to the end (the slots after it show it), then one picture
        # per slot: the first keyframe in each slot's interval, or the one before, repeated.
        f"[0:v:0]tpad=stop_mode=clone:stop_duration={TAIL_S:g},"
        f"fps=1/{image.interval:g}:round=down,{_scale(image)},split=2[one][all];"
        f"[all]tile={image.columns}x{image.rows}[sheet]"
    )
    jpeg = ["-q:v", JPEG_QUALITY, "-f", "image2", "-atomic_writing", "1"]
    return [
        ffmpeg,
        "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-threads", "1",
        "-filter_threads", "1",
        "-filter_complex_threads", "1",
        "-skip_frame", "nokey",
        "-i", "file:" + plan.media.path,
        "-filter_complex", graph,
        "-map", "[one]", "-frames:v", str(image.slots(duration)), "-fps_mode", "passthrough",
        *jpeg, "-start_number", "0", "-y", f"{tiles}/%d.jpg",
        "-map", "[sheet]", "-frames:v", str(image.sheets(duration)), "-fps_mode", "passthrough",
        *jpeg, "-start_number", "1", "-y", f"{sheets}/%d.jpg",
    ]  # fmt: skip


def made_slots(folder: Path) -> set[int]:
    """The single pictures in an entry."""
    try:
        names = os.listdir(folder / layout.TILES)
    except OSError:
        return set()
    return {int(n[:-4]) for n in names if n.endswith(".jpg") and n[:-4].isdigit()}


def made_sheets(folder: Path, image: ImagePlan, duration: float) -> set[int]:
    """The sheets in an entry's package."""
    return {
        n
        for n in range(1, image.sheets(duration) + 1)
        if (folder / layout.image_sheet(n)).is_file()
    }


@dataclass(frozen=True)
class Picture:
    """Where to find one thumbnail: a file, and the rectangle of it that is the picture."""

    path: Path
    x: int
    y: int
    width: int
    height: int
    time: float  # the slot's time


@dataclass(frozen=True)
class Thumbnails:
    """The thumbnails of a session so far (a snapshot the window may keep)."""

    image: ImagePlan
    folder: Path
    duration: float
    slots: tuple[int, ...] = ()  # single pictures made, sorted
    sheets: frozenset[int] = frozenset()  # whole sheets in the package

    def slot_at(self, seconds: float) -> int:
        last = self.image.slots(self.duration) - 1
        return min(last, max(0, int(seconds // self.image.interval)))

    def has(self, slot: int) -> bool:
        sheet = slot // self.image.per_sheet + 1
        if sheet in self.sheets:
            return True
        index = bisect.bisect_left(self.slots, slot)
        return index < len(self.slots) and self.slots[index] == slot

    def nearest(self, seconds: float) -> int | None:
        """The made slot nearest the one holding ``seconds`` (a whole sheet counts)."""
        wanted = self.slot_at(seconds)
        if self.has(wanted):
            return wanted
        candidates = []
        index = bisect.bisect_left(self.slots, wanted)
        for i in (index - 1, index):
            if 0 <= i < len(self.slots):
                candidates.append(self.slots[i])
        per = self.image.per_sheet
        for sheet in self.sheets:
            first, last = (sheet - 1) * per, sheet * per - 1
            candidates.append(min(max(wanted, first), last))
        if not candidates:
            return None
        return min(candidates, key=lambda s: (abs(s - wanted), s))

    def locate(self, seconds: float) -> Picture | None:
        """The picture to show for ``seconds``: the nearest made one, or None yet."""
        slot = self.nearest(seconds)
        if slot is None:
            return None
        image = self.image
        time = slot * image.interval
        sheet, place = divmod(slot, image.per_sheet)
        if sheet + 1 in self.sheets:
            row, column = divmod(place, image.columns)
            return Picture(
                self.folder / layout.image_sheet(sheet + 1),
                column * image.width,
                row * image.height,
                image.width,
                image.height,
                time,
            )
        return Picture(self.folder / layout.tile(slot), 0, 0, image.width, image.height, time)


def scan(plan: Plan, folder: Path) -> Thumbnails | None:
    """The entry's thumbnails as they are on disk now."""
    if plan.image is None:
        return None
    return Thumbnails(
        plan.image,
        folder,
        plan.duration,
        tuple(sorted(made_slots(folder))),
        frozenset(made_sheets(folder, plan.image, plan.duration)),
    )
