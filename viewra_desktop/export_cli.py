"""``viewra-desktop export FILE... --to DIR``: ready-to-publish packages, one after another.

Each file (or each video in a folder given) is exported with ``core.export``: its cache
entry is reused (the encode is finished first if needed) and repackaged into ``DIR/<name>``.
One progress line per file: rewritten in place on a terminal, printed at each tenth
otherwise; it ends with where the package is (and its key file, if encrypted).

Ctrl+C (SIGINT) or SIGTERM stops at once: the packages already finished stay, the one being
written is removed, and the exit code is 130.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from .core.cache import Cache
from .core.errors import ViewraError
from .core.export import (
    ExportCancelled,
    ExportOptions,
    ExportProgress,
    expand_sources,
    export_file,
    package_name,
)
from .core.paths import AppPaths
from .core.profiles import Profile
from .signals import stop_event

logger = logging.getLogger(__name__)


class ProgressLine:
    """One file's progress line on ``out``."""

    def __init__(self, out: TextIO, prefix: str) -> None:
        self.out = out
        self.prefix = prefix
        self.tty = out.isatty()
        self._last: tuple[str, int] | None = None

    def show(self, progress: ExportProgress) -> None:
        percent = int(progress.fraction * 100)
        step = (progress.stage, percent if self.tty else percent // 10 * 10)
        if step == self._last:
            return
        self._last = step
        text = f"{self.prefix}: {progress.stage} {step[1]}%"
        if self.tty:
            self.out.write("\r\033[K" + text)
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def end(self, text: str) -> None:
        self.out.write(("\r\033[K" if self.tty else "") + f"{self.prefix}: {text}\n")
        self.out.flush()


def run_export(
    files: list[str],
    profile: Profile,
    options: ExportOptions,
    to_dir: Path,
    cache_dir: Path | None,
    paths: AppPaths,
    out: TextIO = sys.stdout,
) -> int:
    cancel = stop_event("cancelling the export")
    sources = expand_sources(files)
    if not sources:
        raise ViewraError("There is no video to export in what was given.")
    cache = Cache(cache_dir or paths.cache)
    cache.ensure()
    cache.sweep()
    taken: set[str] = set()
    failed = 0
    for number, source in enumerate(sources, start=1):
        line = ProgressLine(out, f"[{number}/{len(sources)}] {Path(source).name}")
        try:
            result = export_file(
                source, profile, options, cache, to_dir, package_name(source, taken),
                on_progress=line.show, cancel=cancel,
            )  # fmt: skip
        except ExportCancelled:
            line.end("cancelled; nothing of it was left")
            return 130
        except ViewraError as exc:
            logger.error("export of %s failed: %s %s", source, exc, exc.details)
            line.end(f"failed: {exc}")
            failed += 1
            continue
        told = f"exported to {result.package}"
        if result.key_file is not None:
            told += f" (its key is in {result.key_file}; keep it out of the folder you publish)"
        line.end(told)
    return 1 if failed else 0
