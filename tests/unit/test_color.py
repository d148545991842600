"""color: which tags an encode carries, and the HDR to SDR tone map."""

from __future__ import annotations

import pytest

from viewra_desktop.core import color
from viewra_desktop.core.color import SDR_BT709, Color, output_color, tone_map
from viewra_desktop.core.media import HLG, PQ, VideoStream


def video(primaries="", transfer="", matrix="", range_="") -> VideoStream:
    return VideoStream(0, "h264", 1920, 1080, 24.0, pix_fmt="yuv420p10le",
                       color_primaries=primaries, color_transfer=transfer,
                       color_space=matrix, color_range=range_)  # fmt: skip


def test_hdr_is_tone_mapped_to_sdr_bt709():
    for transfer in (PQ, HLG):
        made = output_color(video("bt2020", transfer, "bt2020nc", "tv"))
        assert made.tone_map == transfer
        assert (made.primaries, made.transfer, made.matrix, made.range) == (
            "bt709", "bt709", "bt709", "tv"
        )  # fmt: skip


def test_tags_become_a_setparams_filter():
    assert color.setparams(SDR_BT709) == (
        "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"
    )
    assert color.setparams(Color(range="pc")) == "setparams=range=pc"
    assert color.setparams(Color()) is None


def test_sdr_tags_are_carried_where_valid():
    assert output_color(video("bt709", "bt709", "bt709", "tv")) == SDR_BT709
    assert output_color(video("smpte170m", "smpte170m", "smpte170m", "pc")) == Color(
        "smpte170m", "smpte170m", "smpte170m", "pc"
    )
    assert output_color(video("bt2020", "bt2020-10", "bt2020nc")) == Color(
        "bt2020", "bt2020-10", "bt2020nc", ""
    )
    assert output_color(video()) == Color()  # untagged stays untagged
    assert output_color(video("film", "log100", "ycgco", "tv")) == Color(range="tv")
    assert Color(range="pc").full_range and not SDR_BT709.full_range


def test_pq_curve_round_trips():
    for nits in (0.0, 0.1, 1.0, 100.0, 203.0, 1000.0, 10000.0):
        assert color.pq_to_nits(color.nits_to_pq(nits)) == pytest.approx(nits, rel=1e-6, abs=1e-9)
    assert color.nits_to_pq(100.0) == pytest.approx(0.5081, abs=1e-3)  # ST 2084's table


def test_pq_greys_come_out_as_mpvs_static_tone_mapping_shows_them():
    # mpv's GPU renderer (hdr-compute-peak=no, no metadata) showed these grey levels of a
    # PQ source as these 8-bit values on screen (measured here under Xvfb).
    levels = [5, 20, 50, 100, 203, 400, 1000, 4000]
    mpv = [47, 89, 130, 163, 194, 219, 241, 254]
    made = [round(255 * tone_map((color.nits_to_pq(n),) * 3, PQ)[0]) for n in levels]
    assert all(abs(a - b) <= 2 for a, b in zip(made, mpv, strict=True)), made
    assert tone_map((0.0, 0.0, 0.0), PQ) == (0.0, 0.0, 0.0)
    assert tone_map((1.0, 1.0, 1.0), PQ) == pytest.approx((1.0, 1.0, 1.0), abs=1e-3)


def test_below_the_knee_light_passes_through():
    dim = color.nits_to_pq(5.0)
    shown = tone_map((dim, dim, dim), PQ)[0] ** color.DISPLAY_GAMMA
    assert shown == pytest.approx(5.0 / color.REFERENCE_WHITE, rel=0.02)


def test_tone_map_keeps_hue_order_of_a_saturated_colour():
    warm = tone_map((0.6, 0.5, 0.4), PQ)
    assert warm[0] > warm[1] > warm[2] > 0


def test_hlg_tone_map_is_monotonic_with_white_below_peak():
    greys = [tone_map((s, s, s), HLG)[0] for s in (0.0, 0.2, 0.5, 0.75, 1.0)]
    assert greys == sorted(greys) and greys[0] == 0.0 and greys[-1] == pytest.approx(1.0)


def test_the_lut_file():
    text = color.tone_map_lut(PQ, size=5)
    lines = text.splitlines()
    assert lines[1] == "LUT_3D_SIZE 5"
    entries = [tuple(map(float, line.split())) for line in lines[2:]]
    assert len(entries) == 125 and entries[0] == (0.0, 0.0, 0.0)
    assert entries[1] == pytest.approx(tone_map((0.25, 0.0, 0.0), PQ), abs=1e-5)  # red fastest
    assert all(0.0 <= c <= 1.0 for entry in entries for c in entry)


@pytest.mark.parametrize("transfer", [PQ, HLG])
def test_the_shipped_luts_are_what_the_generator_makes(transfer):
    shipped = color.lut(transfer).splitlines()
    assert shipped[1] == f"LUT_3D_SIZE {color.LUT_SIZE}"
    assert len(shipped) == 2 + color.LUT_SIZE**3
    step = color.LUT_SIZE - 1
    for index in (0, 1, 1234, 20000, len(shipped) - 3):
        red, rest = index % color.LUT_SIZE, index // color.LUT_SIZE
        green, blue = rest % color.LUT_SIZE, rest // color.LUT_SIZE
        expected = tone_map((red / step, green / step, blue / step), transfer)
        values = tuple(map(float, shipped[2 + index].split()))
        assert values == pytest.approx(expected, abs=1e-5), index
