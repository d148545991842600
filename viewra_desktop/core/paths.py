"""Where the app keeps its cache, logs and settings.

platformdirs gives the per-OS folders. ``VIEWRA_HOME`` points them all into one folder
(tests, portable use); ``--cache-dir`` overrides the cache alone.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "viewra-desktop"
HOME_ENV = "VIEWRA_HOME"
LOG_NAME = "viewra-desktop.log"


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
    """A rotating log file (DEBUG); stderr only with ``verbose``. Returns the log file."""
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
        file_handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
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
