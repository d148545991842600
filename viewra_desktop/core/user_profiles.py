"""The user's own profiles: ``profiles.toml`` in the config folder, read and written whole.

The file is meant to be edited by hand too: one ``[profiles.NAME]`` table per profile, in the
terms of ``profile_rules`` (a comment at its top says them). It is read with the standard
library's ``tomllib`` and written with ``tomli_w``, atomically. A file that cannot be read,
or a profile in it that cannot be used, is told in one sentence (``Loaded.problem``, also
logged) and the app goes on with the built-in profiles and the profiles that can be used; the
broken file is kept beside the new one when the user saves over it.

Threads: ``ProfileStore`` is loaded and saved on the GUI thread (or the command line's);
other threads only call ``mapping``, which reads one immutable snapshot.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import profile_rules
from .files import write_atomically
from .profile_rules import CODEC_NAMES, ProfileError
from .profiles import BUILTIN, Profile

logger = logging.getLogger(__name__)

FILE_NAME = "profiles.toml"
BROKEN_SUFFIX = ".broken"
HEADER = """\
# Viewra Desktop: your own encoding profiles (Preferences > Profiles edits this file too).
# One [profiles.NAME] table each:
#   label = "My 720p"         codec = "h264" | "hevc" | "av1" | "vp9"
#   crf = 22                  constant quality; leave it out for a target bitrate per rung
#   preset = "veryfast"       x264/x265: ultrafast ... veryslow; AV1 speed 0-13; VP9 speed 0-8
#   bit_depth = 8             10 keeps HDR (AV1, VP9)
#   audio_codec = "aac"       or "opus";  audio_kbps = 128 (for stereo)
#   segment_seconds = 4.0     segment length of exported packages
#   hardware = ""             "" software, "auto", or nvenc, vaapi, qsv, videotoolbox, amf,
#                             v4l2m2m (software when it does not work here)
#   rungs = [{ size = 720, maxrate_kbps = 5000 }]   size: the short side in pixels (leave
#             it out for the source's size); bitrate_kbps and bufsize_kbps are optional

"""


@dataclass(frozen=True)
class Loaded:
    """What a profiles file holds: the profiles that can be used, in its order, and what
    was wrong with it ("" when nothing was)."""

    profiles: tuple[Profile, ...] = ()
    problem: str = ""


def read(path: Path) -> Loaded:
    """Read ``path``; a missing file is no profiles and no problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Loaded()
    except OSError as exc:
        return _broken(f"Your profiles file {path} cannot be read ({exc.strerror or exc})")
    return parse(data.decode("utf-8", errors="replace"), path)


def parse(text: str, path: Path) -> Loaded:
    """The profiles in ``text`` (the file at ``path``, named in the problem)."""
    tomllib = _toml_reader()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _broken(f"Your profiles file {path} is broken {_where(exc)}")
    tables = document.get("profiles", {})
    if not isinstance(tables, dict) or set(document) - {"profiles"}:
        return _broken(f"Your profiles file {path} must hold only [profiles.NAME] tables")
    made: list[Profile] = []
    wrong: list[str] = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            wrong.append(f"The profile {name!r} in {path} cannot be used (it is not a table)")
            continue
        try:
            made.append(profile_rules.build(name, table, {p.name for p in made}))
        except ProfileError as exc:
            reason = str(exc).rstrip(".")
            wrong.append(f"The profile {name!r} in {path} cannot be used ({reason})")
    if not wrong:
        return Loaded(tuple(made))
    more = f", nor can {len(wrong) - 1} more" if len(wrong) > 1 else ""
    others = "your other profiles and " if made else ""
    return Loaded(tuple(made), _told(f"{wrong[0]}{more}; {others}the built-in profiles are used"))


def _toml_reader() -> ModuleType:
    """The TOML parser, imported when there is a file to read: most starts have none."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # pragma: no cover - Python 3.10: the same parser, before it joined Python

    return tomli  # pragma: no cover


def _where(exc: Exception) -> str:
    """ "at line 3, column 7 (Expected '=' after a key)": where tomllib stopped, and why."""
    text = str(exc)
    found = re.search(r" \(at (?:line (\d+), column (\d+)|(end of document))\)$", text)
    reason = text[: found.start()] if found else text
    if found is None:
        return f"({reason})"
    if found.group(3):
        return f"at its end ({reason})"
    return f"at line {found.group(1)}, column {found.group(2)} ({reason})"


def _broken(problem: str) -> Loaded:
    return Loaded((), _told(f"{problem}; the built-in profiles are used"))


def _told(problem: str) -> str:
    sentence = problem + "."
    logger.warning("%s", sentence)
    return sentence


def render(profiles: Iterable[Profile]) -> str:
    """The file's text for ``profiles``: the header, then one table each."""
    document = {"profiles": {p.name: profile_rules.to_table(p) for p in profiles}}
    import tomli_w  # here: most starts have no profiles to write (nor a file to read)

    return HEADER + tomli_w.dumps(document)


def write(path: Path, profiles: Sequence[Profile]) -> tuple[Profile, ...]:
    """Check every profile, then write the file atomically (ProfileError: nothing written).
    Returns the profiles as reading the file gives them back (rungs largest first)."""
    checked: list[Profile] = []
    for profile in profiles:
        table = profile_rules.to_table(profile)
        checked.append(profile_rules.build(profile.name, table, {p.name for p in checked}))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, render(checked).encode("utf-8"))
    return tuple(checked)


class ProfileStore:
    """The user's profiles in the config folder: loaded once, saved whole."""

    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / FILE_NAME
        self.loaded = Loaded()

    def load(self) -> Loaded:
        self.loaded = read(self.path)
        if self.loaded.profiles:
            logger.info("your profiles: %s", ", ".join(p.name for p in self.loaded.profiles))
        return self.loaded

    @property
    def profiles(self) -> tuple[Profile, ...]:
        return self.loaded.profiles

    @property
    def problem(self) -> str:
        return self.loaded.problem

    def save(self, profiles: Sequence[Profile]) -> None:
        """Write ``profiles`` as the whole file. A file that was broken is kept first, as
        ``profiles.toml.broken``: saving never loses what the user wrote by hand."""
        if self.loaded.problem and self.path.exists():
            broken = self.path.with_name(self.path.name + BROKEN_SUFFIX)
            write_atomically(broken, self.path.read_bytes())
            logger.info("kept the broken profiles file as %s", broken)
        self.loaded = Loaded(write(self.path, profiles))
        logger.info("saved %d profiles to %s", len(profiles), self.path)

    def mapping(self) -> dict[str, Profile]:
        """The user's profiles by name (for ``profiles.get_profile``'s ``extra``)."""
        return {p.name: p for p in self.loaded.profiles}

    def all(self) -> tuple[Profile, ...]:
        """Every profile: the built-in ones, then the user's."""
        return BUILTIN + self.loaded.profiles


def listing(builtin: Iterable[Profile], yours: Iterable[Profile]) -> list[str]:
    """``--list-profiles``: one line per profile, name, whose, codec, sizes and label."""
    rows = [(p, "built-in") for p in builtin] + [(p, "yours") for p in yours]
    width = max((len(p.name) for p, _whose in rows), default=0)
    lines = []
    for profile, whose in rows:
        codec = CODEC_NAMES.get(profile.codec, profile.codec)
        sizes = profile_rules.sizes_text(profile)
        lines.append(f"{profile.name:<{width}}  {whose:<8}  {codec:<5}  {sizes}  ({profile.label})")
    return lines
