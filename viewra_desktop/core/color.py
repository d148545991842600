"""Colour: which tags an encode carries, and HDR tone-mapped to SDR.

An 8-bit H.264 encode cannot carry HDR: a PQ (HDR10) or HLG source is tone-mapped to SDR
BT.709, as a player would show it on an SDR screen, and tagged BT.709. Other tags that stay
valid in such an encode (BT.601, BT.709 and BT.2020 primaries and matrices; limited or full
range) are carried as the source has them, and untagged sources stay untagged.

The bundled ffmpeg has no ``zscale`` (and no libplacebo), and its ``colorspace`` and
``tonemap`` filters know no PQ or HLG, so tone mapping is a 3D LUT applied with ``lut3d``:
the source's R'G'B' (BT.2020 primaries, PQ or HLG) in, BT.709 R'G'B' for an SDR screen out.
``tone_map_lut`` computes it: BT.2100 PQ and HLG to display light; BT.2020 to BT.709 in
linear light; the BT.2390 EETF on the luminance (every channel scaled alike, so hues keep)
from the source's peak to HDR reference white (203 cd/m², BT.2408), which becomes SDR
white; gamma 2.2 out.
That is mpv's static tone mapping (its GPU renderer with per-frame peak detection off, the
output measured to match); with no mastering metadata read, a PQ source's peak is taken as
10,000 cd/m², as mpv takes it, and HLG's as its nominal 1,000.

The tags go into the stream as frame properties (``setparams``): ffmpeg 8 no longer writes
``-color_primaries`` and ``-color_trc`` given as output options.
"""

from __future__ import annotations

import functools
import gzip
import math
from dataclasses import dataclass
from pathlib import Path

from .media import HLG, PQ, VideoStream

# Tags an H.264 encode may carry as they are (ffmpeg's names).
PRIMARIES = frozenset({"bt709", "bt470bg", "smpte170m", "bt2020"})
TRANSFERS = frozenset({"bt709", "smpte170m", "bt470bg", "bt2020-10", "iec61966-2-1"})
MATRICES = frozenset({"bt709", "bt470bg", "smpte170m", "bt2020nc"})
RANGES = frozenset({"tv", "pc"})
LUT_SIZE = 33  # points per axis: 33³ with tetrahedral interpolation
REFERENCE_WHITE = 203.0  # cd/m²: HDR diffuse white, shown as SDR white
PQ_PEAK = 10000.0  # cd/m² assumed for a PQ source's brightest (no mastering metadata read)
HLG_PEAK = 1000.0  # the nominal display of HLG's OOTF
DISPLAY_GAMMA = 2.2  # SDR out: what mpv's tone mapping writes for an SDR screen


@dataclass(frozen=True)
class Color:
    """Tags of an encode ("" leaves one untagged) and the HDR transfer it maps from."""

    primaries: str = ""
    transfer: str = ""
    matrix: str = ""
    range: str = ""
    tone_map: str | None = None  # PQ or HLG: tone-mapped from that to SDR BT.709

    @property
    def full_range(self) -> bool:
        return self.range == "pc"


SDR_BT709 = Color("bt709", "bt709", "bt709", "tv")


def setparams(color: Color) -> str | None:
    """The ``setparams`` filter that tags frames with ``color`` (None: nothing to tag)."""
    values = [
        (key, value)
        for key, value in (
            ("color_primaries", color.primaries),
            ("color_trc", color.transfer),
            ("colorspace", color.matrix),
            ("range", color.range),
        )
        if value
    ]
    return "setparams=" + ":".join(f"{k}={v}" for k, v in values) if values else None


def output_color(video: VideoStream) -> Color:
    """The colour of an 8-bit H.264 encode of ``video``."""
    if video.hdr in (PQ, HLG):
        return Color(SDR_BT709.primaries, SDR_BT709.transfer, SDR_BT709.matrix, "tv", video.hdr)

    def keep(value: str, valid: frozenset[str]) -> str:
        return value if value in valid else ""

    return Color(
        keep(video.color_primaries, PRIMARIES),
        keep(video.color_transfer, TRANSFERS),
        keep(video.color_space, MATRICES),
        keep(video.color_range, RANGES),
    )


# -- the tone-mapping LUT ----------------------------------------------------------------------

_M1, _M2 = 2610 / 16384, 2523 / 4096 * 128
_C1, _C2, _C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
_HLG_A = 0.17883277
_HLG_B = 1 - 4 * _HLG_A
_HLG_C = 0.5 - _HLG_A * math.log(4 * _HLG_A)
# Linear-light BT.2020 RGB to BT.709 RGB (ITU-R BT.2087).
_TO_709 = (
    (1.6605, -0.5876, -0.0728),
    (-0.1246, 1.1329, -0.0083),
    (-0.0182, -0.1006, 1.1187),
)
_LUMA_2020 = (0.2627, 0.6780, 0.0593)
_LUMA_709 = (0.2126, 0.7152, 0.0722)


def pq_to_nits(signal: float) -> float:
    """ST 2084 EOTF: PQ signal (0..1) to cd/m²."""
    power = max(signal, 0.0) ** (1 / _M2)
    return 10000.0 * (max(power - _C1, 0.0) / (_C2 - _C3 * power)) ** (1 / _M1)


def nits_to_pq(nits: float) -> float:
    y = max(nits, 0.0) / 10000.0
    power = y**_M1
    return ((_C1 + _C2 * power) / (1 + _C3 * power)) ** _M2


def _hlg_to_scene(signal: float) -> float:
    """BT.2100 HLG inverse OETF: signal to normalised scene light (0..1)."""
    if signal <= 0.5:
        return signal * signal / 3
    return (math.exp((signal - _HLG_C) / _HLG_A) + _HLG_B) / 12


def _display_light(rgb: tuple[float, float, float], transfer: str) -> list[float]:
    """BT.2020 display light in cd/m² for a PQ or HLG R'G'B'."""
    if transfer == PQ:
        return [pq_to_nits(c) for c in rgb]
    scene = [_hlg_to_scene(c) for c in rgb]
    luma = sum(w * c for w, c in zip(_LUMA_2020, scene, strict=True))
    gain = HLG_PEAK * (luma**0.2 if luma > 0 else 0.0)  # OOTF, system gamma 1.2
    return [gain * c for c in scene]


def _eetf(nits: float, peak: float) -> float:
    """BT.2390 EETF from 0..peak to 0..REFERENCE_WHITE (SDR white), in PQ space."""
    top = nits_to_pq(peak)
    e = min(1.0, nits_to_pq(nits) / top)
    max_lum = nits_to_pq(REFERENCE_WHITE) / top
    knee = 1.5 * max_lum - 0.5
    if e > knee:
        t = (e - knee) / (1 - knee)
        t2, t3 = t * t, t * t * t
        e = (
            (2 * t3 - 3 * t2 + 1) * knee
            + (t3 - 2 * t2 + t) * (1 - knee)
            + (-2 * t3 + 3 * t2) * max_lum
        )
    return pq_to_nits(min(e, max_lum) * top)


def tone_map(rgb: tuple[float, float, float], transfer: str) -> tuple[float, float, float]:
    """One R'G'B' (0..1, BT.2020, PQ or HLG) to SDR BT.709 R'G'B' (0..1)."""
    light = _display_light(rgb, transfer)
    linear = [sum(m * c for m, c in zip(row, light, strict=True)) for row in _TO_709]
    linear = [max(c, 0.0) for c in linear]  # outside BT.709: clipped
    luma = sum(w * c for w, c in zip(_LUMA_709, linear, strict=True))
    source_peak = PQ_PEAK if transfer == PQ else HLG_PEAK
    scale = _eetf(luma, source_peak) / luma if luma > 0 else 0.0
    r, g, b = (min(1.0, c * scale / REFERENCE_WHITE) ** (1 / DISPLAY_GAMMA) for c in linear)
    return r, g, b


DATA = Path(__file__).resolve().parent / "data"


def lut_file(transfer: str) -> Path:
    """The shipped LUT for ``transfer`` (gzip): computing one takes about a second, on the
    way to the first frame. ``scripts/make_tone_maps.py`` writes them with ``tone_map_lut``."""
    return DATA / f"tone-map-{transfer}.cube.gz"


@functools.lru_cache(maxsize=2)
def lut(transfer: str) -> str:
    """The tone-mapping LUT for ``transfer``, read once per process."""
    return gzip.decompress(lut_file(transfer).read_bytes()).decode("ascii")


def tone_map_lut(transfer: str, size: int = LUT_SIZE) -> str:
    """A .cube 3D LUT (red fastest) from HDR R'G'B' to SDR BT.709 R'G'B'."""
    lines = [f"# Viewra Desktop: {transfer} BT.2020 to SDR BT.709", f"LUT_3D_SIZE {size}"]
    steps = [i / (size - 1) for i in range(size)]
    for blue in steps:
        for green in steps:
            for red in steps:
                r, g, b = tone_map((red, green, blue), transfer)
                lines.append(f"{r:.5f} {g:.5f} {b:.5f}")
    return "\n".join(lines) + "\n"
