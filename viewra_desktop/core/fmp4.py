"""Just enough of fragmented MP4 to learn a segment's timing from the packager's files.

The packager in low-latency mode writes each segment as a run of small fragments and reports
no durations, so the session reads them from the files: the track's timescale from the init
segment (``moov/trak/mdia/mdhd``), and from a media segment the decode time of its first
fragment (``moof/traf/tfdt``) and the sample durations (``trun``, or the defaults in
``tfhd`` and the init segment's ``trex``). Only box headers and these few small boxes are
read; sample data is skipped.

Six box types do not justify a dependency (the MP4 libraries on PyPI parse everything, and
slowly): this reader is small, and tested against the packager's real output.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_CONTAINERS = {b"moov", b"trak", b"mdia", b"mvex", b"moof", b"traf"}


class Fmp4Error(ValueError):
    """Not (or not yet all of) a fragmented MP4 file."""


@dataclass(frozen=True)
class TrackInfo:
    timescale: int  # ticks per second
    default_duration: int  # trex's default sample duration (0: none)


@dataclass(frozen=True)
class Span:
    start: int  # decode time of the first sample, in timescale ticks
    end: int  # decode time just after the last sample
    timescale: int

    @property
    def duration(self) -> float:
        return (self.end - self.start) / self.timescale


def _boxes(handle: BinaryIO, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload offset, payload size) of each box from the current offset to ``end``."""
    while True:
        offset = handle.tell()
        if offset >= end:
            return
        header = handle.read(8)
        if len(header) < 8:
            raise Fmp4Error("a box header is cut off")
        size, kind = struct.unpack(">I4s", header)
        head = 8
        if size == 1:
            large = handle.read(8)
            if len(large) < 8:
                raise Fmp4Error("a box header is cut off")
            size = struct.unpack(">Q", large)[0]
            head = 16
        elif size == 0:
            size = end - offset
        if size < head or offset + size > end:
            raise Fmp4Error(f"box {kind!r} runs past the end of the file")
        yield kind, offset + head, size - head
        handle.seek(offset + size)


def _walk(handle: BinaryIO, end: int, wanted: set[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of every ``wanted`` box, descending into the container boxes."""
    for kind, payload, size in _boxes(handle, end):
        if kind in _CONTAINERS:
            handle.seek(payload)
            yield kind, b""  # marks the start of a container (a new fragment for moof)
            yield from _walk(handle, payload + size, wanted)
        elif kind in wanted:
            handle.seek(payload)
            data = handle.read(size)
            if len(data) < size:
                raise Fmp4Error(f"box {kind!r} is cut off")
            yield kind, data


def _size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def read_init(path: Path) -> TrackInfo:
    """The (only) track's timescale and default sample duration, from an init segment."""
    try:
        return _read_init(path)
    except (struct.error, IndexError) as exc:  # a box too short for its fields
        raise Fmp4Error(f"{path.name}: a box is too short ({exc})") from exc


def read_span(path: Path, track: TrackInfo) -> Span:
    """The decode-time span of a media segment: first sample to just after the last."""
    try:
        return _read_span(path, track)
    except (struct.error, IndexError) as exc:
        raise Fmp4Error(f"{path.name}: a box is too short ({exc})") from exc


def _read_init(path: Path) -> TrackInfo:
    with path.open("rb") as handle:
        timescale = default = 0
        for kind, data in _walk(handle, _size(handle), {b"mdhd", b"trex"}):
            if kind == b"mdhd":
                at = 20 if data[0] == 1 else 12  # version 1: 64-bit creation/modification
                (timescale,) = struct.unpack_from(">I", data, at)
            elif kind == b"trex":
                (default,) = struct.unpack_from(">I", data, 12)
    if not timescale:
        raise Fmp4Error(f"{path.name} has no track header")
    return TrackInfo(timescale, default)


def _read_span(path: Path, track: TrackInfo) -> Span:
    start: int | None = None
    end = 0
    with path.open("rb") as handle:
        base = default = 0
        for kind, data in _walk(handle, _size(handle), {b"tfhd", b"tfdt", b"trun"}):
            if kind == b"traf":
                base, default = 0, track.default_duration
            elif kind == b"tfhd":
                flags = int.from_bytes(data[1:4], "big")
                at = 8 + (8 if flags & 0x1 else 0) + (4 if flags & 0x2 else 0)
                if flags & 0x8:
                    (default,) = struct.unpack_from(">I", data, at)
            elif kind == b"tfdt":
                fmt = ">Q" if data[0] == 1 else ">I"
                (base,) = struct.unpack_from(fmt, data, 4)
                start = base if start is None else min(start, base)
            elif kind == b"trun":
                base += _run_duration(data, default)
                end = max(end, base)
    if start is None:
        raise Fmp4Error(f"{path.name} has no fragment")
    return Span(start, end, track.timescale)


def _run_duration(data: bytes, default: int) -> int:
    flags = int.from_bytes(data[1:4], "big")
    (count,) = struct.unpack_from(">I", data, 4)
    if not flags & 0x100:
        return count * default
    at = 8 + (4 if flags & 0x1 else 0) + (4 if flags & 0x4 else 0)
    stride = 4 * bin(flags & 0xF00).count("1")
    return sum(struct.unpack_from(">I", data, at + i * stride)[0] for i in range(count))


__all__ = ["Fmp4Error", "Span", "TrackInfo", "read_init", "read_span"]
