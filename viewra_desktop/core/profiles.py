"""Built-in quality profiles."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ViewraError


@dataclass(frozen=True)
class Profile:
    """One quality level. ``short_side`` is None for "keep the source size"."""

    name: str
    label: str
    short_side: int | None
    crf: int
    maxrate_kbps: int | None  # None: derived from the picture size (source profile)
    audio_kbps: int
    preset: str = "veryfast"


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("source", "Source size", None, crf=20, maxrate_kbps=None, audio_kbps=192),
        Profile("1080p", "1080p (Full HD)", 1080, crf=21, maxrate_kbps=8000, audio_kbps=160),
        Profile("720p", "720p (HD)", 720, crf=22, maxrate_kbps=5000, audio_kbps=128),
        Profile("480p", "480p", 480, crf=23, maxrate_kbps=2500, audio_kbps=128),
        Profile("360p", "360p", 360, crf=24, maxrate_kbps=1200, audio_kbps=96),
    )
}
DEFAULT_PROFILE = "720p"
# The video codecs a package can be encoded with; the command line offers these.
CODECS = ("h264",)
DEFAULT_CODEC = CODECS[0]


class UnknownProfileError(ViewraError):
    pass


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(
            f"There is no profile named {name!r}; choose one of: {', '.join(PROFILES)}."
        ) from None
