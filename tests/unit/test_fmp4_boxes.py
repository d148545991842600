"""fmp4.TopLevel and free_box: where a file read as it is written may take a padding box."""

from __future__ import annotations

import struct

import pytest

from viewra_desktop.core.fmp4 import Fmp4Error, TopLevel, free_box
from viewra_desktop.core.server import block_padding, block_ready


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large_box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


FILE = box(b"styp", b"iso6") + box(b"moof", bytes(92)) + box(b"mdat", bytes(300))
BOUNDARIES = {0, 12, 112, len(FILE)}


def test_free_box_is_a_box_of_that_size():
    data = free_box(40)
    assert len(data) == 40
    assert struct.unpack(">I4s", data[:8]) == (40, b"free")
    assert data[8:] == bytes(32)
    with pytest.raises(ValueError):
        free_box(7)


@pytest.mark.parametrize("piece", [1, 3, 7, 8, 13, 100, len(FILE)])
def test_boundaries_are_found_however_the_file_is_cut(piece):
    boxes = TopLevel()
    found = {0} if boxes.at_boundary else set()
    for at in range(0, len(FILE), piece):
        boxes.feed(FILE[at : at + piece])
        if boxes.at_boundary:
            found.add(min(at + piece, len(FILE)))
    expected = {b for b in BOUNDARIES if b % piece == 0 or b == len(FILE)}
    assert found == expected


def test_inside_a_header_is_no_boundary():
    boxes = TopLevel()
    boxes.feed(FILE[:4])
    assert not boxes.at_boundary
    boxes.feed(FILE[4:12])
    assert boxes.at_boundary


def test_a_64_bit_size_is_followed():
    data = large_box(b"mdat", bytes(50)) + box(b"moof", bytes(8))
    boxes = TopLevel()
    boxes.feed(data[:12])  # inside the 16-byte header
    assert not boxes.at_boundary
    boxes.feed(data[12:66])
    assert boxes.at_boundary
    boxes.feed(data[66:])
    assert boxes.at_boundary


def test_a_box_running_to_the_end_never_ends():
    boxes = TopLevel()
    boxes.feed(struct.pack(">I4s", 0, b"mdat") + bytes(1000))
    assert not boxes.at_boundary


def test_a_size_smaller_than_its_header_is_an_error():
    with pytest.raises(Fmp4Error):
        TopLevel().feed(struct.pack(">I4s", 4, b"moof"))


@pytest.mark.parametrize(
    ("sent", "pad"),
    [(1, 32767), (100, 32668), (32760, 8), (32761, 32775), (32767, 32769), (40000, 25536)],
)
def test_padding_reaches_the_next_block(sent, pad):
    assert block_padding(sent, 32768) == pad
    assert (sent + pad) % 32768 == 0


def test_only_the_end_of_an_mdat_is_between_fragments():
    boxes = TopLevel()
    found = [at + 1 for at in range(len(FILE)) if boxes.feed(FILE[at : at + 1]) is not None]
    assert found == [len(FILE)]  # not after styp or moof: only where the fragment ends
    assert boxes.feed(box(b"moof", bytes(4))) is None
    assert boxes.at_boundary


def test_feed_says_where_the_last_fragment_that_ends_in_the_bytes_ends():
    boxes = TopLevel()
    two = FILE + box(b"moof", bytes(92)) + box(b"mdat", bytes(50))
    assert boxes.feed(two[:100]) is None  # styp, then inside the moof
    assert boxes.feed(two[100 : len(FILE) + 20]) == len(FILE) - 100
    assert boxes.feed(two[len(FILE) + 20 :]) == len(two) - len(FILE) - 20
    assert boxes.feed(box(b"moof", bytes(4))) is None


@pytest.mark.parametrize(
    ("sent", "held", "whole", "ready"),
    [
        (0, 2048, 1040, 1040),  # a fragment and a half: the whole one
        (0, 900, 0, 0),  # the first fragment being written: nothing yet
        (0, 62504, 0, 32768),  # a keyframe being written: the block it fills
        (32768, 40000, 0, 32768),  # ...and the next one
        (32768, 40000, 35000, 35000),  # its end, before a block is full
        (1040, 3000, 0, 0),  # after a padded answer's fragment
    ],
)
def test_a_block_reader_gets_the_whole_fragments_and_the_full_blocks(sent, held, whole, ready):
    assert block_ready(sent, held, whole, 32768) == ready


def test_any_other_reader_gets_all():
    assert block_ready(100, 900, 0, 0) == 900
