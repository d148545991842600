"""Quality profiles: the built-in ones, and what a profile holds.

A profile is a ladder of one or more rungs (sizes, each with its rate cap or target), a
video codec, its rate control (constant quality, or a target bitrate with a cap and a
buffer), a preset, an audio codec and rate, the segment length of exported packages, and
whether to use a hardware encoder. ``fingerprint`` is every setting that changes the
output: it goes into the cache key, so editing a profile never replays an old encode.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from .errors import ViewraError

CODECS = ("h264", "hevc", "av1", "vp9")  # video codecs a profile may name
AUDIO_CODECS = ("aac", "opus")


@dataclass(frozen=True)
class Rung:
    """One size of a ladder. ``short_side`` None keeps the source's size; a rung is never
    bigger than the source. Rates in kbit/s; None derives the cap from the picture size."""

    short_side: int | None
    maxrate_kbps: int | None = None
    bitrate_kbps: int | None = None  # target, when the profile has no constant quality
    bufsize_kbps: int | None = None  # None: twice the cap


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    rungs: tuple[Rung, ...]
    codec: str = "h264"
    crf: int | None = 22  # constant quality (CRF for x264/x265/libvpx, CRF-like for SVT-AV1)
    preset: str = "veryfast"  # x264/x265 preset; SVT-AV1 preset 0-13; libvpx speed 0-8
    bit_depth: int = 8  # 10: an HDR source stays HDR (AV1, VP9); 8: HDR is tone-mapped
    audio_codec: str = "aac"
    audio_kbps: int = 128  # for stereo; mono gets half, 5.1 three times
    segment_seconds: float = 4.0  # segments of an exported package
    hardware: str = ""  # "" software; "auto" or a family (nvenc, vaapi, qsv, ...)
    builtin: bool = True

    @property
    def short_side(self) -> int | None:
        return self.rungs[0].short_side

    @property
    def maxrate_kbps(self) -> int | None:
        return self.rungs[0].maxrate_kbps

    @property
    def is_ladder(self) -> bool:
        return len(self.rungs) > 1

    def with_codec(self, codec: str | None) -> Profile:
        """The profile with its codec overridden (the codec box, ``--codec``)."""
        if not codec or codec == self.codec:
            return self
        return replace(self, codec=codec, preset=default_preset(codec))

    def fingerprint(self) -> str:
        """Every setting that changes the output, as text for the cache key."""
        settings = asdict(self)
        for ignored in ("name", "label", "builtin", "segment_seconds"):
            settings.pop(ignored)
        return json.dumps(settings, sort_keys=True)


def default_preset(codec: str) -> str:
    """A preset that encodes 720p faster than realtime on two cores."""
    return {"h264": "veryfast", "hevc": "ultrafast", "av1": "10", "vp9": "8"}[codec]


def _single(name: str, label: str, side: int | None, crf: int, maxrate: int | None,
            audio: int) -> Profile:  # fmt: skip
    return Profile(name, label, (Rung(side, maxrate),), crf=crf, audio_kbps=audio)


LADDER_RUNGS = (Rung(1080, 8000), Rung(720, 5000), Rung(480, 2500), Rung(360, 1200))

BUILTIN: tuple[Profile, ...] = (
    _single("source", "Source size", None, 20, None, 192),
    _single("1080p", "1080p (Full HD)", 1080, 21, 8000, 160),
    _single("720p", "720p (HD)", 720, 22, 5000, 128),
    _single("480p", "480p", 480, 23, 2500, 128),
    _single("360p", "360p", 360, 24, 1200, 96),
    Profile("ladder", "Ladder (1080p to 360p)", LADDER_RUNGS, crf=22, audio_kbps=128),
)
PROFILES: dict[str, Profile] = {p.name: p for p in BUILTIN}
DEFAULT_PROFILE = "720p"


class UnknownProfileError(ViewraError):
    pass


def get_profile(name: str, extra: dict[str, Profile] | None = None) -> Profile:
    """The built-in profile ``name``, or one of the user's (``extra``)."""
    found = {**PROFILES, **(extra or {})}
    try:
        return found[name]
    except KeyError:
        raise UnknownProfileError(
            f"There is no profile named {name!r}; choose one of: {', '.join(found)}."
        ) from None
