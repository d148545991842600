"""``viewra-desktop stats FILE``: the per-segment table of a cache entry, as CSV.

Columns: stream, segment, start, duration, bytes, kbps, psnr, ssim, xpsnr, vmaf (the metrics
of the video segments measured so far; empty where there are none). The entry may be
finished or still being encoded by another process: it is read without its lock, from files
that are only ever written whole (``core.stats.read_entry``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from .core import layout, stats
from .core.binaries import find_tools
from .core.cache import Cache
from .core.errors import ViewraError
from .core.opening import entry_key
from .core.paths import AppPaths
from .core.plan import make_plan
from .core.probe import probe
from .core.profiles import Profile, get_profile

logger = logging.getLogger(__name__)


def run_stats(
    file: str,
    profile_name: str,
    codec: str | None,
    cache_dir: Path | None,
    paths: AppPaths,
    profiles: dict[str, Profile] | None = None,
) -> int:
    """``profiles``: the user's own, by name (as serve finds them)."""
    profile = get_profile(profile_name, profiles).with_codec(codec)  # as serve and the window
    media = probe(find_tools().ffprobe, file)
    try:
        plan = make_plan(media, profile)
    except ValueError as exc:
        raise ViewraError(f"{Path(file).name}: {exc}.") from exc
    cache = Cache(cache_dir or paths.cache)
    entry = cache.entry(entry_key(media.path, profile))
    if not (entry.path / layout.MPD).is_file():
        raise ViewraError(
            f"{Path(file).name} has not been encoded with the {profile.name} profile "
            f"({profile.codec}) in {cache.root}: open it in Viewra Desktop or with "
            "'viewra-desktop serve' first."
        )
    logger.info("stats of %s from %s", file, entry.path)
    sys.stdout.write(stats.read_entry(entry.path, plan).to_csv())
    sys.stdout.flush()
    return 0
