"""What a user's own profile may hold: each setting checked in plain words, and a profile
built from a checked table (and back).

A profile is written as a table (``profiles.toml`` holds one per name, the Profiles editor
makes one from its fields): ``label``, ``codec``, ``crf`` (absent: a target bitrate per
rung), ``preset``, ``bit_depth``, ``audio_codec``, ``audio_kbps``, ``segment_seconds``,
``hardware`` and ``rungs``, a list of tables with ``size`` (the short side in pixels;
absent: the source's size), ``maxrate_kbps``, ``bitrate_kbps`` and ``bufsize_kbps``.

``problems`` checks every setting and says what is wrong with each, keyed by its field, so
the editor can put each sentence next to its field; ``build`` makes the ``Profile``. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .encoders import HARDWARE_FAMILIES
from .errors import ViewraError
from .profiles import AUDIO_CODECS, CODECS, PROFILES, Profile, Rung, default_preset

CODEC_NAMES = {"h264": "H.264", "hevc": "HEVC", "av1": "AV1", "vp9": "VP9"}
AUDIO_NAMES = {"aac": "AAC", "opus": "Opus"}
HARDWARE_NAMES = {
    "": "Software",
    "auto": "Automatic",
    "nvenc": "NVENC",
    "vaapi": "VAAPI",
    "qsv": "QSV",
    "videotoolbox": "VideoToolbox",
    "amf": "AMF",
    "v4l2m2m": "V4L2 M2M",
}
# x264's and x265's presets, fastest first (placebo left out: it is never worth it).
X26X_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
)  # fmt: skip
SPEEDS = {"av1": (0, 13), "vp9": (0, 8)}  # SVT-AV1 preset, libvpx-vp9 -cpu-used (realtime)
CRF_RANGES = {"h264": (0, 51), "hevc": (0, 51), "av1": (1, 63), "vp9": (0, 63)}  # SVT-AV1: 0 unset
SIZE_RANGE = (144, 4320)
RATE_RANGE = (50, 200_000)  # kbit/s
AUDIO_RANGE = (32, 512)
SEGMENT_RANGE = (1.0, 20.0)
MAX_RUNGS = 8
MAX_LABEL = 60
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
PROFILE_KEYS = (
    "label", "codec", "crf", "preset", "bit_depth", "audio_codec", "audio_kbps",
    "segment_seconds", "hardware", "rungs",
)  # fmt: skip
RUNG_KEYS = ("size", "maxrate_kbps", "bitrate_kbps", "bufsize_kbps")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one setting: ``field`` is its key ("" for the table as a whole)."""

    field: str
    message: str


class ProfileError(ViewraError):
    """A profile that cannot be used; the message names the first problem."""


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number_in(value: Any, bounds: tuple[int, int], what: str, unit: str = "") -> str:
    low, high = bounds
    if not _whole(value):
        return f"{what} must be a whole number"
    if not low <= value <= high:
        return f"{what} must be {low}–{high}{unit}"
    return ""


def check_name(name: str, taken: Collection[str] = ()) -> str:
    if not name:
        return "A profile needs a name"
    if name in PROFILES:
        return f"{name} is a built-in profile's name: choose another"
    if not NAME_PATTERN.fullmatch(name):
        return (
            "A name is up to 40 letters, digits, '.', '-' or '_', starting with a letter or digit"
        )
    if name in taken:
        return f"Another profile is named {name}"
    return ""


def check_label(value: Any) -> str:
    if not isinstance(value, str):
        return "The label must be text"
    if len(value) > MAX_LABEL or "\n" in value:
        return f"The label must be one line of at most {MAX_LABEL} characters"
    return ""


def check_codec(value: Any) -> str:
    if value not in CODECS:
        return f"Unknown codec {value!r}: choose h264, hevc, av1 or vp9"
    return ""


def check_preset(codec: str, value: Any) -> str:
    """x264/x265 take a preset name; SVT-AV1 and libvpx-vp9 a speed number."""
    if codec in ("h264", "hevc"):
        if value not in X26X_PRESETS:
            encoder = "x264" if codec == "h264" else "x265"
            return f"{encoder} preset must be one of ultrafast … veryslow"
        return ""
    low, high = SPEEDS[codec]
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,2}", text) or not low <= int(text) <= high:
        return f"{CODEC_NAMES[codec]} speed must be {low}–{high}"
    return ""


def check_crf(codec: str, value: Any) -> str:
    if value is None:
        return ""
    low, high = CRF_RANGES[codec]
    if codec in ("h264", "hevc"):
        return _number_in(value, (low, high), "CRF")
    return _number_in(value, (low, high), f"{CODEC_NAMES[codec]} CRF")


def check_bit_depth(codec: str, value: Any) -> str:
    if value not in (8, 10) or isinstance(value, bool):
        return "Bit depth must be 8 or 10"
    if value == 10 and codec not in ("av1", "vp9"):
        return "10-bit (which keeps HDR) is for AV1 and VP9; H.264 and HEVC are 8-bit here"
    return ""


def check_audio_codec(value: Any) -> str:
    if value not in AUDIO_CODECS:
        return f"Unknown audio codec {value!r}: choose aac or opus"
    return ""


def check_audio_kbps(value: Any) -> str:
    return _number_in(value, AUDIO_RANGE, "The audio bitrate", " kbit/s")


def check_segment_seconds(value: Any) -> str:
    low, high = SEGMENT_RANGE
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "The segment length must be a number of seconds"
    if not low <= value <= high:
        return f"The segment length must be {low:g} to {high:g} seconds"
    return ""


def check_hardware(value: Any) -> str:
    if value not in HARDWARE_NAMES:
        families = ", ".join(HARDWARE_FAMILIES)
        return f"Unknown hardware family {value!r}: choose auto or one of {families}"
    return ""


def check_rung(rung: Any, constant_quality: bool) -> str:
    """One rung's problem, or ""."""
    if not isinstance(rung, Mapping):
        return "Each rung must be a table (size, maxrate_kbps, ...)"
    unknown = [key for key in rung if key not in RUNG_KEYS]
    if unknown:
        return f"Unknown rung setting {unknown[0]!r}"
    size = rung.get("size")
    if size is not None and _number_in(size, SIZE_RANGE, "Size"):
        return f"Sizes must be {SIZE_RANGE[0]} to {SIZE_RANGE[1]} pixels"
    for key, what in (("maxrate_kbps", "Maxrate"), ("bitrate_kbps", "Bitrate"),
                      ("bufsize_kbps", "Bufsize")):  # fmt: skip
        value = rung.get(key)
        if value is not None and (wrong := _number_in(value, RATE_RANGE, what, " kbit/s")):
            return wrong
    bitrate, maxrate = rung.get("bitrate_kbps"), rung.get("maxrate_kbps")
    if bitrate is not None:
        if constant_quality:
            return "A bitrate is for target-bitrate encoding: clear the CRF, or the bitrate"
        if maxrate is None or maxrate < bitrate:
            return "A bitrate needs a cap (maxrate) at least as high"
    return ""


def check_rungs(rungs: Any, constant_quality: bool) -> str:
    if not isinstance(rungs, Sequence) or isinstance(rungs, str) or not rungs:
        return "A profile needs at least one size"
    if len(rungs) > MAX_RUNGS:
        return f"A ladder has at most {MAX_RUNGS} sizes"
    for number, rung in enumerate(rungs, start=1):
        wrong = check_rung(rung, constant_quality)
        if wrong:
            return wrong if len(rungs) == 1 else f"{wrong} (rung {number})"
    sizes = [rung.get("size") for rung in rungs]
    if len(set(sizes)) < len(sizes):
        return "Each size may be in the ladder once"
    return ""


def problems(name: str, table: Mapping[str, Any], taken: Collection[str] = ()) -> list[Problem]:
    """Everything wrong with profile ``name`` written as ``table``; [] when it can be used.
    ``taken``: the names of the user's other profiles."""
    found = [Problem(key, f"Unknown setting {key!r}") for key in table if key not in PROFILE_KEYS]
    codec = table.get("codec", "h264")
    checks: list[tuple[str, str]] = [
        ("name", check_name(name, taken)),
        ("label", check_label(table.get("label", name))),
        ("codec", check_codec(codec)),
        ("audio_codec", check_audio_codec(table.get("audio_codec", "aac"))),
        ("audio_kbps", check_audio_kbps(table.get("audio_kbps", 128))),
        ("segment_seconds", check_segment_seconds(table.get("segment_seconds", 4.0))),
        ("hardware", check_hardware(table.get("hardware", ""))),
    ]
    if codec in CODECS:  # the rest is checked in the codec's own terms
        checks += [
            ("crf", check_crf(codec, table.get("crf"))),
            ("preset", check_preset(codec, table.get("preset", default_preset(codec)))),
            ("bit_depth", check_bit_depth(codec, table.get("bit_depth", 8))),
        ]
    checks.append(("rungs", check_rungs(table.get("rungs"), table.get("crf") is not None)))
    return found + [Problem(key, message) for key, message in checks if message]


def build(name: str, table: Mapping[str, Any], taken: Collection[str] = ()) -> Profile:
    """The profile ``table`` describes; ``ProfileError`` names its first problem."""
    wrong = problems(name, table, taken)
    if wrong:
        raise ProfileError(f"{wrong[0].message}.")
    codec = table.get("codec", "h264")
    rungs = tuple(
        Rung(
            short_side=rung.get("size"),
            maxrate_kbps=rung.get("maxrate_kbps"),
            bitrate_kbps=rung.get("bitrate_kbps"),
            bufsize_kbps=rung.get("bufsize_kbps"),
        )
        for rung in table["rungs"]
    )
    # Largest first, the source's own size before any: the order the player lists them in.
    rungs = tuple(sorted(rungs, key=lambda r: -(r.short_side or 100_000)))
    return Profile(
        name=name,
        label=table.get("label") or name,
        rungs=rungs,
        codec=codec,
        crf=table.get("crf"),
        preset=str(table.get("preset", default_preset(codec))).strip(),
        bit_depth=table.get("bit_depth", 8),
        audio_codec=table.get("audio_codec", "aac"),
        audio_kbps=table.get("audio_kbps", 128),
        segment_seconds=float(table.get("segment_seconds", 4.0)),
        hardware=table.get("hardware", ""),
        builtin=False,
    )


def to_table(profile: Profile) -> dict[str, Any]:
    """``profile`` as a table ``build`` reads back (None values left out: TOML has no null)."""
    table: dict[str, Any] = {"label": profile.label, "codec": profile.codec}
    if profile.crf is not None:
        table["crf"] = profile.crf
    table["preset"] = profile.preset
    table.update(
        bit_depth=profile.bit_depth,
        audio_codec=profile.audio_codec,
        audio_kbps=profile.audio_kbps,
        segment_seconds=profile.segment_seconds,
        hardware=profile.hardware,
    )
    table["rungs"] = [
        {
            key: value
            for key, value in (
                ("size", rung.short_side),
                ("maxrate_kbps", rung.maxrate_kbps),
                ("bitrate_kbps", rung.bitrate_kbps),
                ("bufsize_kbps", rung.bufsize_kbps),
            )
            if value is not None
        }
        for rung in profile.rungs
    ]
    return table


def sizes_text(profile: Profile) -> str:
    """Its sizes in words: "1080p, 720p, 480p" ("source size" for the source's)."""
    return ", ".join("source size" if r.short_side is None else f"{r.short_side}p"
                     for r in profile.rungs)  # fmt: skip
