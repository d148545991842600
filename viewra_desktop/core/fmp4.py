"""Just enough of fragmented MP4 to learn a segment's timing from the packager's files, and
to rewrite a segment as one fragment.

The packager in low-latency mode writes each segment as a run of small fragments and reports
no durations, so the session reads them from the files: the track's timescale from the init
segment (``moov/trak/mdia/mdhd``), and from a media segment the decode time of its first
fragment (``moof/traf/tfdt``) and the sample durations (``trun``, or the defaults in
``tfhd`` and the init segment's ``trex``). To learn the timing only box headers and these
few small boxes are read; sample data is skipped.

``compact`` rewrites such a segment as one fragment: the packager's low-latency mode makes a
fragment per frame, about 100 bytes of boxes each (40 kbit/s for AAC audio, as much as the
audio itself at low rates); the finished package should not carry that.

A few box types do not justify a dependency (the MP4 libraries on PyPI parse everything, and
slowly): this code is small, and tested against the packager's real output.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    samples: int = field(default=0, compare=False)  # how many samples (frames) it holds

    @property
    def duration(self) -> float:
        return (self.end - self.start) / self.timescale


def _box_header(data: bytes | bytearray, start: int, end: int) -> tuple[int | None, int] | None:
    """(size, header length) of the box at ``data[start]``, its size None when it runs to the
    end of the file; None while its header is not all in ``data[start:end]``."""
    if end - start < 8:
        return None
    (size,) = struct.unpack_from(">I", data, start)
    if size == 1:
        if end - start < 16:
            return None
        (size,) = struct.unpack_from(">Q", data, start + 8)
        return size, 16
    return (None if size == 0 else size), 8


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) of each box in ``data[start:end]``."""
    while start < end:
        header = _box_header(data, start, end)
        if header is None:
            raise Fmp4Error("a box header is cut off")
        size, head = header
        kind = data[start + 4 : start + 8]
        if size is None:
            size = end - start
        if size < head or start + size > end:
            raise Fmp4Error(f"box {kind!r} runs past the end of the file")
        yield kind, start, start + head, start + size
        start += size


def _walk(data: bytes, start: int, end: int, wanted: set[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of every ``wanted`` box, descending into the container boxes."""
    for kind, _box_start, payload, box_end in _boxes(data, start, end):
        if kind in _CONTAINERS:
            yield kind, b""  # marks the start of a container (a new fragment for moof)
            yield from _walk(data, payload, box_end, wanted)
        elif kind in wanted:
            yield kind, data[payload:box_end]


def read_init(path: Path) -> TrackInfo:
    """The (only) track's timescale and default sample duration, from an init segment."""
    return init_info(path.read_bytes(), path.name)


def init_info(data: bytes, name: str = "the init segment") -> TrackInfo:
    """``read_init`` on the bytes of an init segment."""
    try:
        timescale = default = 0
        for kind, payload in _walk(data, 0, len(data), {b"mdhd", b"trex"}):
            if kind == b"mdhd":
                at = 20 if payload[0] == 1 else 12  # version 1: 64-bit creation/modification
                (timescale,) = struct.unpack_from(">I", payload, at)
            elif kind == b"trex":
                (default,) = struct.unpack_from(">I", payload, 12)
    except (struct.error, IndexError) as exc:  # a box too short for its fields
        raise Fmp4Error(f"{name}: a box is too short ({exc})") from exc
    if not timescale:
        raise Fmp4Error(f"{name} has no track header")
    return TrackInfo(timescale, default)


def read_span(path: Path, track: TrackInfo) -> Span:
    """The decode-time span of a media segment: first sample to just after the last."""
    return span(path.read_bytes(), track, path.name)


def span(data: bytes, track: TrackInfo, name: str = "the segment") -> Span:
    """``read_span`` on the bytes of a media segment."""
    start: int | None = None
    end = base = count = 0
    defaults = _Defaults(track.default_duration)
    try:
        for kind, payload in _walk(data, 0, len(data), {b"tfhd", b"tfdt", b"trun"}):
            if kind == b"traf":
                base, defaults = 0, _Defaults(track.default_duration)
            elif kind == b"tfhd":
                defaults = _tfhd(payload, track)
            elif kind == b"tfdt":
                base = _tfdt(payload)
                start = base if start is None else min(start, base)
            elif kind == b"trun":
                samples = _trun(payload, defaults).samples
                base += sum(sample.duration for sample in samples)
                count += len(samples)
                end = max(end, base)
    except (struct.error, IndexError) as exc:
        raise Fmp4Error(f"{name}: a box is too short ({exc})") from exc
    if start is None:
        raise Fmp4Error(f"{name} has no fragment")
    return Span(start, end, track.timescale, count)


@dataclass(frozen=True)
class _Defaults:
    """A track fragment's header: the defaults its samples take (tfhd, else trex)."""

    duration: int
    size: int = 0
    flags: int = 0
    track_id: int = 0
    description: int | None = None  # sample description index, if given
    base_offset: bool = False  # an explicit base data offset (not from the moof)


@dataclass(frozen=True)
class _Sample:
    duration: int
    size: int
    flags: int
    offset: int  # composition time offset, as stored (unsigned 32 bits)


@dataclass(frozen=True)
class _Run:
    version: int
    data_offset: int | None
    samples: list[_Sample]


def _tfhd(data: bytes, track: TrackInfo) -> _Defaults:
    flags = int.from_bytes(data[1:4], "big")
    (track_id,) = struct.unpack_from(">I", data, 4)
    at = 8 + (8 if flags & 0x1 else 0)
    description = None
    if flags & 0x2:
        (description,) = struct.unpack_from(">I", data, at)
        at += 4
    values = {}
    for bit, name in ((0x8, "duration"), (0x10, "size"), (0x20, "flags")):
        if flags & bit:
            (values[name],) = struct.unpack_from(">I", data, at)
            at += 4
    return _Defaults(
        duration=values.get("duration", track.default_duration),
        size=values.get("size", 0),
        flags=values.get("flags", 0),
        track_id=track_id,
        description=description,
        base_offset=bool(flags & 0x1),
    )


def _tfdt(data: bytes) -> int:
    return int(struct.unpack_from(">Q" if data[0] == 1 else ">I", data, 4)[0])


def _trun(data: bytes, defaults: _Defaults) -> _Run:
    version, flags = data[0], int.from_bytes(data[1:4], "big")
    (count,) = struct.unpack_from(">I", data, 4)
    at = 8
    data_offset = first_flags = None
    if flags & 0x1:
        (data_offset,) = struct.unpack_from(">i", data, at)
        at += 4
    if flags & 0x4:
        (first_flags,) = struct.unpack_from(">I", data, at)
        at += 4
    samples = []
    for index in range(count):
        values = []
        for bit in (0x100, 0x200, 0x400, 0x800):
            if flags & bit:
                values.append(struct.unpack_from(">I", data, at)[0])
                at += 4
            else:
                values.append(None)
        duration, size, sample_flags, offset = values
        if sample_flags is None:
            sample_flags = first_flags if index == 0 and first_flags is not None else defaults.flags
        samples.append(
            _Sample(
                duration=defaults.duration if duration is None else duration,
                size=defaults.size if size is None else size,
                flags=sample_flags,
                offset=offset or 0,
            )
        )
    return _Run(version, data_offset, samples)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, bytes([version]) + flags.to_bytes(3, "big") + payload)


def free_box(size: int) -> bytes:
    """A ``free`` box of ``size`` bytes (8 or more): ISO BMFF's padding, which readers skip."""
    if size < 8:
        raise ValueError("a box is at least 8 bytes")
    return _box(b"free", bytes(size - 8))


class TopLevel:
    """Follows the top-level boxes of a file that is read in pieces as it is written: where
    a box may be put. That is between two fragments, after an ``mdat``: a ``moof`` finds its
    samples at an offset from itself, in the ``mdat`` right after it, so a box put between
    the two would move them."""

    def __init__(self) -> None:
        self._head = bytearray()  # the header read so far of the box that starts next
        self._left = 0  # bytes of the current box not read yet
        self._kind = b""  # the current box's type

    @property
    def at_boundary(self) -> bool:
        return self._left == 0 and not self._head

    def feed(self, data: bytes) -> int | None:
        """Follow ``data``, the file's next bytes; where in it the last ``mdat`` that ends in
        it ends (the last place a box may go), or None if none does."""
        at, end, cut = 0, len(data), None
        while at < end:
            if self._left:
                step = min(self._left, end - at)
                self._left -= step
                at += step
            else:
                # The header's first 8 bytes, then 8 more if they say a 64-bit size follows:
                # never a byte past the header, which may be the next box's.
                need = 8 if len(self._head) < 8 else 16
                take = min(need - len(self._head), end - at)
                self._head += data[at : at + take]
                at += take
                header = _box_header(self._head, 0, len(self._head))
                if header is None:
                    continue
                size, head = header
                if size is None:
                    size = 1 << 62  # the box runs to the end of the file
                if size < head:
                    raise Fmp4Error(f"a box of {size} bytes")
                self._left = size - head
                self._kind = bytes(self._head[4:8])
                self._head.clear()
            if not self._left and self._kind == b"mdat":  # a fragment ends here
                cut = at
        return cut


def compact(data: bytes, track: TrackInfo) -> bytes | None:
    """The media segment ``data`` as a single fragment holding the same samples, or None if
    it is not the simple shape the packager writes (then it is kept as it is).

    The shape: an optional ``styp``, then ``moof`` + ``mdat`` pairs, each ``moof`` with one
    ``traf`` of ``tfhd``, ``tfdt`` and ``trun`` only (nothing encrypted, no extra boxes), on
    one track, the fragments following each other without a gap in decode time.
    """
    try:
        return _compact(data, track)
    except (struct.error, IndexError, Fmp4Error):
        return None


def _compact(data: bytes, track: TrackInfo) -> bytes | None:
    top = list(_boxes(data, 0, len(data)))
    head = b""
    if top and top[0][0] == b"styp":
        head = data[: top[0][3]]
        top = top[1:]
    if not top or len(top) % 2:
        return None
    samples: list[_Sample] = []
    payload = bytearray()
    first: _Defaults | None = None
    start = next_time = sequence = None
    versions = set()
    for (moof, moof_start, moof_at, moof_end), (mdat, _mdat_start, mdat_at, mdat_end) in zip(
        top[::2], top[1::2], strict=True
    ):
        if moof != b"moof" or mdat != b"mdat":
            return None
        parts = list(_boxes(data, moof_at, moof_end))
        if [kind for kind, *_rest in parts] != [b"mfhd", b"traf"]:
            return None
        if sequence is None:
            sequence = struct.unpack_from(">I", data, parts[0][2] + 4)[0]
        traf = parts[1]
        fields = {kind: data[a:e] for kind, _s, a, e in _boxes(data, traf[2], traf[3])}
        if sorted(fields) != [b"tfdt", b"tfhd", b"trun"]:
            return None
        defaults = _tfhd(fields[b"tfhd"], track)
        if defaults.base_offset:
            return None
        if first is None:
            first = defaults
        elif (defaults.track_id, defaults.description) != (first.track_id, first.description):
            return None
        time = _tfdt(fields[b"tfdt"])
        if next_time is not None and time != next_time:
            return None
        start = time if start is None else start
        run = _trun(fields[b"trun"], defaults)
        if run.data_offset is None:
            return None
        versions.add(run.version)
        begin = moof_start + run.data_offset  # data offsets count from the moof's start
        end = begin + sum(sample.size for sample in run.samples)
        if begin < mdat_at or end > mdat_end:
            return None
        payload += data[begin:end]
        samples += run.samples
        next_time = time + sum(sample.duration for sample in run.samples)
    if first is None or start is None or sequence is None or len(versions) != 1:
        return None
    # Values every sample shares go into the fragment header once: the duration, and the
    # flags of all samples after the first (a keyframe's flags go in the run's first-sample
    # field). Sizes and composition offsets are per sample.
    offsets = any(sample.offset for sample in samples)
    durations = {sample.duration for sample in samples}
    duration = durations.pop() if len(durations) == 1 else None
    later = {sample.flags for sample in samples[1:]} or {samples[0].flags}
    flags = later.pop() if len(later) == 1 else None
    first_flags = samples[0].flags if flags is not None and samples[0].flags != flags else None
    entries = b"".join(
        (struct.pack(">I", s.duration) if duration is None else b"")
        + struct.pack(">I", s.size)
        + (struct.pack(">I", s.flags) if flags is None else b"")
        + (struct.pack(">I", s.offset) if offsets else b"")
        for s in samples
    )
    tfhd_fields = struct.pack(">I", first.track_id)
    tfhd_flags = 0x20000  # data offsets count from the moof
    for bit, value in ((0x2, first.description), (0x8, duration), (0x20, flags)):
        if value is not None:
            tfhd_fields += struct.pack(">I", value)
            tfhd_flags |= bit
    tfhd = _full_box(b"tfhd", 0, tfhd_flags, tfhd_fields)
    tfdt = _full_box(b"tfdt", 1, 0, struct.pack(">Q", start))
    mfhd = _full_box(b"mfhd", 0, 0, struct.pack(">I", sequence))
    trun_flags = 0x1 | 0x200
    trun_flags |= (0x4 if first_flags is not None else 0) | (0x100 if duration is None else 0)
    trun_flags |= (0x400 if flags is None else 0) | (0x800 if offsets else 0)
    (version,) = versions  # composition offsets are read the same way in every fragment
    head_fields = struct.pack(">I", first_flags) if first_flags is not None else b""

    def moof_box(data_offset: int) -> bytes:
        fields = struct.pack(">Ii", len(samples), data_offset) + head_fields + entries
        trun = _full_box(b"trun", version, trun_flags, fields)
        return _box(b"moof", mfhd + _box(b"traf", tfhd + tfdt + trun))

    # The samples' data starts right after the moof and the mdat's header.
    return head + moof_box(len(moof_box(0)) + 8) + _box(b"mdat", bytes(payload))


__all__ = [
    "Fmp4Error", "Span", "TrackInfo", "compact", "init_info", "read_init", "read_span", "span",
]  # fmt: skip
