"""Where the app keeps its cache, logs and settings.

platformdirs gives the per-OS folders. ``VIEWRA_HOME`` points them all into one folder
(tests, portable use); ``--cache-dir`` overrides the cache alone.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "viewra-desktop"
HOME_ENV = "VIEWRA_HOME"
LOG_NAME = "viewra-desktop.log"
LOG_MAX_BYTES = 2_000_000  # a log this big when a process starts is rotated first
LOG_BACKUPS = 3


@dataclass(frozen=True)
class AppPaths:
    cache: Path
    logs: Path
    config: Path

    @property
    def log_file(self) -> Path:
        return self.logs / LOG_NAME


def app_paths() -> AppPaths:
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home)
        return AppPaths(cache=root / "cache", logs=root / "logs", config=root / "config")
    import platformdirs

    return AppPaths(
        cache=platformdirs.user_cache_path(APP_NAME, appauthor=False),
        logs=platformdirs.user_log_path(APP_NAME, appauthor=False),
        config=platformdirs.user_config_path(APP_NAME, appauthor=False),
    )


def setup_logging(paths: AppPaths, verbose: bool = False) -> Path | None:
    """The log file (DEBUG), rotated first when it has grown past ``LOG_MAX_BYTES``; stderr
    only with ``verbose``. Returns the log file."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    for handler in list(root.handlers):
        if getattr(handler, "_viewra", False):
            root.removeHandler(handler)
            handler.close()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    log_file: Path | None = paths.log_file
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        rotate_log(paths.log_file)
        file_handler = logging.FileHandler(paths.log_file, encoding="utf-8")
        file_handler.setFormatter(fmt)
        file_handler._viewra = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
    except OSError:
        log_file = None
    if verbose:
        stream = logging.StreamHandler()
        stream.setFormatter(fmt)
        stream._viewra = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    return log_file


def rotate_log(path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> None:
    """``path`` → ``path.1`` → … → ``path.N`` when it holds ``max_bytes`` or more. Once, as a
    process starts: a session writes a few hundred lines, and the app and ``serve`` may
    share the file, which a rotation in the middle of a run would split under the other.
    (``logging.handlers``, which rotates on every write, costs a start about 10 ms.)"""
    try:
        if path.stat().st_size < max_bytes:
            return
    except OSError:
        return  # no log yet
    for number in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{number}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{number + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))
