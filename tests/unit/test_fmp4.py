"""fmp4: timing read from synthetic fragmented MP4 files built here box by box."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from viewra_desktop.core.fmp4 import Fmp4Error, Span, TrackInfo, compact, read_init, read_span

# -- a tiny box builder ----------------------------------------------------------------------


def box(kind: bytes, *children: bytes, large: bool = False, to_end: bool = False) -> bytes:
    """A box of ``kind`` around the concatenated ``children`` (payload bytes or boxes).
    ``large``: a 64-bit size (size field 1); ``to_end``: size field 0 (runs to the end)."""
    payload = b"".join(children)
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 0 if to_end else 8 + len(payload), kind) + payload


def full_box(kind: bytes, version: int, flags: int, payload: bytes = b"", **kwargs) -> bytes:
    return box(kind, bytes([version]) + flags.to_bytes(3, "big") + payload, **kwargs)


def u32(*values: int) -> bytes:
    return struct.pack(f">{len(values)}I", *values)


def u64(*values: int) -> bytes:
    return struct.pack(f">{len(values)}Q", *values)


def mdhd(timescale: int, version: int = 0) -> bytes:
    # Creation and modification times, and the duration, are values a reader at the wrong
    # offset would take for the timescale.
    if version == 1:
        fields = u64(0x1111_1111_2222_2222, 0x3333_3333_4444_4444) + u32(timescale)
        fields += u64(0x5555_5555_6666_6666)
    else:
        fields = u32(0x1111_1111, 0x2222_2222, timescale, 0x5555_5555)
    return full_box(b"mdhd", version, 0, fields + b"\x55\xc4\x00\x00")


def trex(default_duration: int) -> bytes:
    # track_ID, sample description index, duration, size, flags
    return full_box(b"trex", 0, 0, u32(1, 7, default_duration, 0x0BAD_0BAD, 0x0101_0000))


def init(timescale: int, default: int | None = None, version: int = 0, **kwargs) -> bytes:
    trak = box(
        b"trak",
        full_box(b"tkhd", 0, 3, u32(0, 0, 1, 0, 0x7777_7777) + bytes(60)),
        box(
            b"mdia",
            mdhd(timescale, version),
            full_box(b"hdlr", 0, 0, u32(0) + b"vide" + bytes(12) + b"Video\x00"),
            box(b"minf", box(b"vmhd", bytes(12))),
        ),
    )
    moov = [full_box(b"mvhd", 0, 0, u32(0, 0, 1000, 0x9999_9999) + bytes(80)), trak]
    if default is not None:
        moov.append(box(b"mvex", trex(default)))
    return box(b"ftyp", b"iso6", u32(0), b"iso6dash") + box(b"moov", *moov, **kwargs)


def tfhd(flags: int = 0x20000, default: int = 0, offset: int = 0, index: int = 0) -> bytes:
    payload = u32(1)  # track_ID
    if flags & 0x1:
        payload += u64(offset)
    if flags & 0x2:
        payload += u32(index)
    if flags & 0x8:
        payload += u32(default)
    if flags & 0x10:
        payload += u32(0xABCD)  # default sample size
    if flags & 0x20:
        payload += u32(0x0101_0000)  # default sample flags
    return full_box(b"tfhd", 0, flags, payload)


def tfdt(base: int, version: int = 0) -> bytes:
    return full_box(b"tfdt", version, 0, u64(base) if version == 1 else u32(base))


def trun(
    count: int,
    flags: int = 0,
    durations: list[int] | None = None,
    data_offset: int = 0x0000_0123,
    first_flags: int = 0x0200_0000,
) -> bytes:
    """A track run of ``count`` samples; the per-sample fields present follow ``flags``.
    The fields other than the duration hold large values, so a reader with the wrong stride
    sums them and gets a very different number."""
    payload = u32(count)
    if flags & 0x1:
        payload += u32(data_offset)
    if flags & 0x4:
        payload += u32(first_flags)
    for i in range(count):
        if flags & 0x100:
            assert durations is not None
            payload += u32(durations[i])
        if flags & 0x200:
            payload += u32(0x00F0_0000 + i)  # size
        if flags & 0x400:
            payload += u32(0x0101_0000)  # flags
        if flags & 0x800:
            payload += u32(0x0070_0000 + i)  # composition time offset
    return full_box(b"trun", 0, flags, payload)


def moof(*traf_children: bytes, sequence: int = 1, **kwargs) -> bytes:
    return box(
        b"moof", full_box(b"mfhd", 0, 0, u32(sequence)), box(b"traf", *traf_children), **kwargs
    )


STYP = box(b"styp", b"msdh", u32(0), b"msdhmsix")
SIDX = full_box(b"sidx", 1, 0, u32(1, 90000) + u64(0x10_0000_0000, 0) + bytes(16))
JUNK = bytes(range(256)) * 4


@pytest.fixture
def write(tmp_path: Path):
    count = iter(range(1000))

    def write(data: bytes) -> Path:
        path = tmp_path / f"{next(count)}.mp4"
        path.write_bytes(data)
        return path

    return write


def test_error_is_a_value_error():
    assert issubclass(Fmp4Error, ValueError)


# -- init segments ---------------------------------------------------------------------------


def test_init_with_version_0_mdhd_and_trex(write):
    assert read_init(write(init(90000, default=3000))) == TrackInfo(90000, 3000)


def test_init_with_version_1_mdhd(write):
    assert read_init(write(init(48000, default=1024, version=1))) == TrackInfo(48000, 1024)


def test_init_without_mvex_has_no_default(write):
    assert read_init(write(init(12800))) == TrackInfo(12800, 0)


def test_init_whose_last_box_runs_to_the_end(write):
    # size 0 on the last box: moov runs to the end of the file.
    data = init(30000, default=1001, to_end=True)
    at = len(box(b"ftyp", b"iso6", u32(0), b"iso6dash"))
    assert struct.unpack_from(">I4s", data, at) == (0, b"moov")
    assert read_init(write(data)) == TrackInfo(30000, 1001)


def test_init_without_mdhd(write):
    moov = box(b"moov", box(b"trak", box(b"mdia", box(b"hdlr", bytes(24)))), box(b"mvex", trex(1)))
    with pytest.raises(Fmp4Error):
        read_init(write(box(b"ftyp", b"iso6") + moov))


def test_mdhd_outside_its_track_is_not_read(write):
    # Only moov/trak/mdia are entered: an mdhd in a box the reader does not know is skipped.
    data = box(b"ftyp", b"iso6") + box(b"moov", box(b"udta", mdhd(1000)))
    with pytest.raises(Fmp4Error):
        read_init(write(data))


# -- media segments --------------------------------------------------------------------------

TRACK = TrackInfo(90000, 3000)


def test_trex_default_when_neither_trun_nor_tfhd_has_durations(write):
    track = read_init(write(init(90000, default=3000)))
    segment = (
        STYP + SIDX + moof(tfhd(0x20000), tfdt(180000), trun(30, 0x1 | 0x200)) + box(b"mdat", JUNK)
    )
    span = read_span(write(segment), track)
    assert span == Span(180000, 180000 + 30 * 3000, 90000)
    assert span.duration == 1.0


def test_no_duration_anywhere_gives_an_empty_span(write):
    segment = moof(tfhd(0x20000), tfdt(500), trun(4, 0x200))
    assert read_span(write(segment), TrackInfo(1000, 0)) == Span(500, 500, 1000)


@pytest.mark.parametrize("flags", [0x8, 0x8 | 0x1, 0x8 | 0x2, 0x8 | 0x1 | 0x2, 0x3F | 0x20000])
def test_tfhd_default_duration(write, flags):
    # The base data offset and sample description index come before the default duration.
    header = tfhd(flags, default=1024, offset=0x0000_0007_0000_0009, index=0x0000_0005)
    segment = moof(header, tfdt(48000), trun(10, 0x1 | 0x200)) + box(b"mdat", JUNK)
    span = read_span(write(segment), TrackInfo(48000, 3000))  # trex's 3000 is overridden
    assert span == Span(48000, 48000 + 10 * 1024, 48000)
    assert span.duration == pytest.approx(10240 / 48000)


DURATIONS = [1001, 1002, 1003, 1004, 1005]


@pytest.mark.parametrize(
    "flags",
    [
        0x100,
        0x100 | 0x200,
        0x100 | 0x400,
        0x100 | 0x800,
        0x100 | 0x200 | 0x800,
        0x100 | 0x200 | 0x400 | 0x800,
        0x1 | 0x100 | 0x200 | 0x400 | 0x800,
        0x4 | 0x100 | 0x200 | 0x800,
        0x1 | 0x4 | 0x100 | 0x200 | 0x400 | 0x800,
        0x1 | 0x4 | 0x100,
    ],
)
def test_trun_per_sample_durations(write, flags):
    # Per-sample durations win over tfhd's default (7000) and trex's (3000).
    segment = moof(tfhd(0x8 | 0x20000, default=7000), tfdt(90000), trun(5, flags, DURATIONS))
    span = read_span(write(segment + box(b"mdat", JUNK)), TRACK)
    assert span == Span(90000, 90000 + 5015, 90000)


def test_several_fragments_span_first_tfdt_to_the_end_of_the_last_run(write):
    segment = STYP + SIDX
    segment += moof(tfhd(), tfdt(1000), trun(3, 0x100 | 0x200, [512, 512, 512]), sequence=1)
    segment += box(b"mdat", JUNK)
    segment += moof(tfhd(0x8 | 0x20000, default=256), tfdt(2536), trun(2, 0x200), sequence=2)
    segment += box(b"mdat", JUNK)
    # Two runs in one traf: the second starts where the first ended.
    runs = trun(1, 0x100, [100]), trun(2, 0x100 | 0x800, [10, 20])
    segment += moof(tfhd(), tfdt(3048), *runs, sequence=3)
    segment += box(b"mdat", JUNK)
    span = read_span(write(segment), TrackInfo(1000, 0))
    assert span == Span(1000, 3048 + 130, 1000)
    assert span.duration == pytest.approx(2.178)


def test_a_run_without_durations_uses_the_default_of_its_own_fragment(write):
    # The tfhd default of one fragment does not carry over to the next: trex's applies there.
    segment = moof(tfhd(0x8, default=40), tfdt(0), trun(2, 0x200))
    segment += moof(tfhd(), tfdt(80), trun(3, 0x200), sequence=2)
    assert read_span(write(segment), TrackInfo(1000, 25)) == Span(0, 80 + 75, 1000)


def test_tfdt_version_1_above_32_bits(write):
    base = 5 * 2**32 + 12345
    segment = moof(tfhd(), tfdt(base, version=1), trun(2, 0x100 | 0x200, [1024, 1024]))
    span = read_span(write(segment + box(b"mdat", JUNK)), TrackInfo(48000, 0))
    assert span == Span(base, base + 2048, 48000)
    assert span.duration == pytest.approx(2048 / 48000)


def test_tfdt_version_0(write):
    segment = moof(tfhd(), tfdt(0xFFFF_FFF0), trun(1, 0x100, [0x20]))
    assert read_span(write(segment), TRACK) == Span(0xFFFF_FFF0, 0x1_0000_0010, 90000)


def test_largesize_mdat_is_skipped(write):
    mdat = box(b"mdat", JUNK, large=True)
    assert struct.unpack_from(">I4sQ", mdat) == (1, b"mdat", 16 + len(JUNK))
    segment = moof(tfhd(), tfdt(100), trun(2, 0x100, [10, 10])) + mdat
    segment += moof(tfhd(), tfdt(120), trun(3, 0x100, [10, 10, 10]), sequence=2)
    segment += box(b"mdat", JUNK, large=True)
    assert read_span(write(segment), TRACK) == Span(100, 150, 90000)


def test_largesize_moof(write):
    segment = moof(tfhd(), tfdt(7), trun(1, 0x100, [3]), large=True) + box(b"mdat", JUNK)
    assert read_span(write(segment), TRACK) == Span(7, 10, 90000)


def test_last_box_with_size_0_runs_to_the_end(write):
    segment = moof(tfhd(), tfdt(100), trun(2, 0x100, [10, 10])) + box(b"mdat", JUNK)
    segment += moof(tfhd(), tfdt(120), trun(1, 0x100, [30]), sequence=2)
    # The junk holds what would read as a box header; size 0 means none of it is read.
    tail = box(b"mdat", u32(8) + b"free" + u32(0xFFFF_FFFF) + b"moof" + JUNK, to_end=True)
    assert tail[:4] == b"\x00\x00\x00\x00"
    assert read_span(write(segment + tail), TRACK) == Span(100, 150, 90000)


def test_last_moof_with_size_0(write):
    segment = moof(tfhd(), tfdt(100), trun(2, 0x100, [10, 10])) + box(b"mdat", JUNK)
    segment += moof(tfhd(), tfdt(120), trun(1, 0x100, [30]), sequence=2, to_end=True)
    assert read_span(write(segment), TRACK) == Span(100, 150, 90000)


def test_mdat_payload_is_skipped(write):
    # An mdat whose bytes are a complete fragment (with an earlier decode time), and one
    # whose bytes would be a box running far past the end: both are sample data, not boxes.
    fake = moof(tfhd(), tfdt(1), trun(1, 0x100, [999_999]))
    segment = STYP + moof(tfhd(), tfdt(4000), trun(2, 0x100, [500, 500])) + box(b"mdat", fake)
    segment += moof(tfhd(), tfdt(5000), trun(1, 0x100, [500]), sequence=2)
    segment += box(b"mdat", u32(0xFFFF_FFF0) + b"moof" + JUNK)
    assert read_span(write(segment), TRACK) == Span(4000, 5500, 90000)


# -- files that are not (yet) whole ----------------------------------------------------------

SEGMENT = moof(tfhd(), tfdt(100), trun(2, 0x100, [10, 10])) + box(b"mdat", JUNK)


def test_empty_file(write):
    path = write(b"")
    with pytest.raises(Fmp4Error):
        read_init(path)
    with pytest.raises(Fmp4Error):
        read_span(path, TRACK)


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00",  # less than a size field
        b"\x00\x00\x00\x10moo",  # a size and part of a type
        SEGMENT + b"\x00\x00\x00\x08mda",  # a whole file and then part of a header
        SEGMENT + struct.pack(">I4s", 1, b"mdat") + b"\x00\x00\x00",  # largesize cut off
    ],
    ids=["size", "type", "after-boxes", "largesize"],
)
def test_cut_off_box_header(write, data):
    with pytest.raises(Fmp4Error, match="cut off"):
        read_span(write(data), TRACK)


@pytest.mark.parametrize(
    "data",
    [
        SEGMENT[:-1],  # the mdat lacks its last byte
        SEGMENT[: len(SEGMENT) - len(JUNK) - 8 - 10],  # the moof lacks its last 10 bytes
        struct.pack(">I4s", 4, b"moof") + bytes(16),  # smaller than its own header
        struct.pack(">I4sQ", 1, b"mdat", 12) + bytes(16),  # largesize smaller than the header
        struct.pack(">I4sQ", 1, b"mdat", 2**40) + bytes(16),
        # A traf longer than the moof around it.
        struct.pack(">I4s", 16, b"moof") + struct.pack(">I4s", 100, b"traf") + bytes(100),
    ],
    ids=["mdat", "moof", "tiny", "tiny-large", "huge-large", "traf-past-moof"],
)
def test_box_running_past_the_end(write, data):
    with pytest.raises(Fmp4Error, match="past the end"):
        read_span(write(data), TRACK)


def test_init_cut_off_inside_its_mdhd(write):
    data = init(90000, default=3000)
    cut = data.index(b"mdhd") + 14  # the timescale is not there yet
    with pytest.raises(Fmp4Error):
        read_init(write(data[:cut]))


@pytest.mark.parametrize(
    "data",
    [
        STYP + SIDX + box(b"mdat", JUNK),  # no moof at all
        STYP + box(b"moof", full_box(b"mfhd", 0, 0, u32(1))) + box(b"mdat", JUNK),  # no traf
        moof(tfhd(), trun(2, 0x100, [10, 10])) + box(b"mdat", JUNK),  # a traf without tfdt
        init(90000, default=3000),  # an init segment
    ],
    ids=["no-moof", "no-traf", "no-tfdt", "init"],
)
def test_segment_without_a_fragment(write, data):
    with pytest.raises(Fmp4Error, match="no fragment"):
        read_span(write(data), TRACK)


MALFORMED = {
    "mdhd-empty": box(b"moov", box(b"trak", box(b"mdia", box(b"mdhd")))),
    "mdhd-short": box(b"moov", box(b"trak", box(b"mdia", full_box(b"mdhd", 0, 0, u32(1))))),
    "trex-short": init(90000) + box(b"moov", box(b"mvex", full_box(b"trex", 0, 0, u32(1)))),
    "tfhd-short": moof(full_box(b"tfhd", 0, 0x8, u32(1)), tfdt(0), trun(1)),
    "tfdt-empty": moof(tfhd(), box(b"tfdt"), trun(1)),
    "trun-short": moof(tfhd(), tfdt(0), full_box(b"trun", 0, 0x100, u32(5, 10))),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_box_too_short_for_its_fields(write, name):
    path = write(MALFORMED[name])
    with pytest.raises(Fmp4Error):
        if name.startswith(("mdhd", "trex")):
            read_init(path)
        else:
            read_span(path, TRACK)


# -- compact: the packager's fragment-per-frame segments as one fragment ---------------------


CHUNK_TRACK = TrackInfo(90000, 0)


def chunk(
    time: int,
    duration: int,
    data: bytes,
    flags: int,
    offset: int | None = None,
    version: int = 0,
    sequence: int = 1,
    description: bool = True,
) -> bytes:
    """One sample as the packager's low-latency mode writes it: the sample's duration, size
    and flags as the tfhd defaults, a trun with the data offset (and composition offset)."""
    tfhd_flags = 0x20000 | 0x8 | 0x10 | 0x20 | (0x2 if description else 0)
    fields = u32(1) + (u32(1) if description else b"") + u32(duration, len(data), flags)
    header = full_box(b"tfhd", 0, tfhd_flags, fields)

    def build(data_offset: int) -> bytes:
        run_fields = u32(1, data_offset) + (u32(offset) if offset is not None else b"")
        run = full_box(b"trun", version, 0x1 | (0x800 if offset is not None else 0), run_fields)
        return moof(header, tfdt(time), run, sequence=sequence)

    return build(len(build(0)) + 8) + box(b"mdat", data)


def samples_of(segment: bytes) -> tuple[int, list[tuple[int, int, int, int]], bytes, int]:
    """(decode time, [(duration, size, flags, composition offset)...], mdat payload, trun
    flags) of a compacted segment, read by hand: styp, one moof with one traf, one mdat."""
    kinds = []
    at = 0
    while at < len(segment):
        size, kind = struct.unpack_from(">I4s", segment, at)
        kinds.append((kind, at, size))
        at += size
    assert [k for k, _a, _s in kinds] == [b"styp", b"moof", b"mdat"]
    _moof, moof_at, _moof_size = kinds[1]
    traf_at = moof_at + 8 + 16
    tfhd_at = traf_at + 8
    tfhd_size, tfhd_flags = struct.unpack_from(">I", segment, tfhd_at)[0], segment[tfhd_at + 9 :]
    tfhd_flags = int.from_bytes(tfhd_flags[:3], "big")
    fields = iter(struct.unpack_from(f">{(tfhd_size - 12) // 4}I", segment, tfhd_at + 12))
    next(fields)  # track_ID
    defaults = {}
    for bit, name in ((0x2, "index"), (0x8, "duration"), (0x10, "size"), (0x20, "flags")):
        if tfhd_flags & bit:
            defaults[name] = next(fields)
    tfdt_at = tfhd_at + tfhd_size
    assert segment[tfdt_at + 4 : tfdt_at + 8] == b"tfdt" and segment[tfdt_at + 8] == 1
    (time,) = struct.unpack_from(">Q", segment, tfdt_at + 12)
    trun_at = tfdt_at + 20
    flags = int.from_bytes(segment[trun_at + 9 : trun_at + 12], "big")
    count, data_offset = struct.unpack_from(">Ii", segment, trun_at + 12)
    at = trun_at + 20
    first_flags = None
    if flags & 0x4:
        (first_flags,) = struct.unpack_from(">I", segment, at)
        at += 4
    rows = []
    for index in range(count):
        values = {}
        for bit, name in ((0x100, "duration"), (0x200, "size"), (0x400, "flags"), (0x800, "cto")):
            if flags & bit:
                (values[name],) = struct.unpack_from(">I", segment, at)
                at += 4
        sample_flags = values.get("flags", defaults.get("flags"))
        if index == 0 and first_flags is not None:
            sample_flags = first_flags
        rows.append((values.get("duration", defaults.get("duration")), values["size"],
                     sample_flags, values.get("cto", 0)))  # fmt: skip
    _mdat, mdat_at, mdat_size = kinds[2]
    assert moof_at + data_offset == mdat_at + 8  # the data offset points at the samples
    return time, rows, segment[mdat_at + 8 : mdat_at + mdat_size], flags


VIDEO_CHUNKS = [
    (1000, 3000, b"key-frame-data", 0x0200_0000, 6000),
    (4000, 3000, b"b-frame", 0x0101_0000, 0),
    (7000, 3000, b"p-frame-bytes!", 0x0101_0000, 3000),
]


def video_segment(chunks=VIDEO_CHUNKS, **kwargs) -> bytes:
    return STYP + b"".join(chunk(t, d, data, f, o, **kwargs) for t, d, data, f, o in chunks)


def test_compact_keeps_every_sample_in_one_fragment(write):
    original = video_segment()
    compacted = compact(original, CHUNK_TRACK)
    assert compacted is not None and len(compacted) < len(original)
    assert compacted.startswith(STYP)
    time, rows, payload, flags = samples_of(compacted)
    assert time == 1000
    assert rows == [(3000, 14, 0x0200_0000, 6000), (3000, 7, 0x0101_0000, 0),
                    (3000, 14, 0x0101_0000, 3000)]  # fmt: skip
    assert payload == b"key-frame-data" + b"b-frame" + b"p-frame-bytes!"
    # The shared duration and later flags are in the header; the keyframe's flags are the
    # run's first-sample flags: each sample costs its size and composition offset only.
    assert flags == 0x1 | 0x4 | 0x200 | 0x800
    assert read_span(write(compacted), CHUNK_TRACK) == read_span(write(original), CHUNK_TRACK)


def test_compact_without_composition_offsets_writes_none():
    audio = [(0, 1024, b"aac1", 0, None), (1024, 1024, b"aac2", 0, None)]
    compacted = compact(STYP + b"".join(chunk(t, d, x, f, o) for t, d, x, f, o in audio),
                        TrackInfo(48000, 0))  # fmt: skip
    assert compacted is not None
    _time, rows, payload, flags = samples_of(compacted)
    assert rows == [(1024, 4, 0, 0), (1024, 4, 0, 0)]
    assert payload == b"aac1aac2"
    assert flags == 0x1 | 0x200  # sizes only


def test_compact_keeps_durations_and_flags_per_sample_when_they_differ():
    chunks = [(0, 3000, b"a", 0x0101_0000, 0), (3000, 1500, b"bb", 0x0200_0000, 0),
              (4500, 3000, b"ccc", 0x0101_0000, 0)]  # fmt: skip
    compacted = compact(video_segment(chunks), CHUNK_TRACK)
    assert compacted is not None
    _time, rows, payload, flags = samples_of(compacted)
    assert rows == [(3000, 1, 0x0101_0000, 0), (1500, 2, 0x0200_0000, 0),
                    (3000, 3, 0x0101_0000, 0)]  # fmt: skip
    assert flags == 0x1 | 0x100 | 0x200 | 0x400
    assert payload == b"abbccc"


def test_compact_a_segment_without_styp():
    compacted = compact(video_segment()[len(STYP) :], CHUNK_TRACK)
    assert compacted is not None and compacted[4:8] == b"moof"


def _two_trafs() -> bytes:
    header = full_box(b"tfhd", 0, 0x20000 | 0x8 | 0x10, u32(1, 3000, 4))
    run = full_box(b"trun", 0, 0x1, u32(1, 0))
    traf = box(b"traf", header, tfdt(0), run)
    return box(b"moof", full_box(b"mfhd", 0, 0, u32(1)), traf, traf) + box(b"mdat", b"abcd")


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param(video_segment([VIDEO_CHUNKS[0], VIDEO_CHUNKS[2]]), id="gap-in-time"),
        pytest.param(video_segment() + SIDX, id="extra-box"),
        pytest.param(SIDX + video_segment(), id="sidx-first"),
        pytest.param(_two_trafs(), id="two-trafs"),
        pytest.param(video_segment()[:-3], id="cut-off"),
        pytest.param(
            chunk(0, 3000, b"abc", 0) + chunk(3000, 3000, b"def", 0, version=1), id="versions"
        ),
        pytest.param(
            moof(tfhd(0x20001, offset=5), tfdt(0), trun(1, 0x1)) + box(b"mdat", b"x"),
            id="base-data-offset",
        ),  # fmt: skip
        pytest.param(
            moof(tfhd(), tfdt(0), trun(1, 0x201)) + box(b"mdat", b"x"), id="data-outside-mdat"
        ),  # fmt: skip
        pytest.param(
            moof(tfhd(), tfdt(0), trun(1, 0x200)) + box(b"mdat", b"x"), id="no-data-offset"
        ),  # fmt: skip
        pytest.param(JUNK, id="not-mp4"),
        pytest.param(b"", id="empty"),
    ],
)
def test_compact_leaves_other_shapes_alone(segment):
    assert compact(segment, CHUNK_TRACK) is None
