"""Settings that persist between runs, kept in an INI file in the config folder.

``QSettings`` is pointed at ``paths.config`` explicitly, never at the platform's default
location, so ``VIEWRA_HOME`` isolates tests and portable installs completely.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..core import languages
from ..core.profile_rules import NAME_PATTERN
from ..core.profiles import CODECS, DEFAULT_PROFILE

logger = logging.getLogger(__name__)

SETTINGS_NAME = "viewra-desktop.ini"
MAX_RECENT = 10
DEFAULT_VOLUME = 100
DEFAULT_CACHE_LIMIT_GB = 20.0


def _to_bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if value is None:
        return default
    return bool(value)


def _to_float(value: object, default: float) -> float:
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return result if result == result else default


class Settings:
    """Typed access to the app's settings; every value falls back to a sane default."""

    def __init__(self, config_dir: Path) -> None:
        config_dir.mkdir(parents=True, exist_ok=True)
        self.path = config_dir / SETTINGS_NAME
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qs.sync()

    # -- quality profile --------------------------------------------------------------------

    @property
    def profile(self) -> str:
        """The last profile's name (built-in or the user's: the window checks it exists)."""
        name = str(self._qs.value("player/profile", DEFAULT_PROFILE))
        return name if NAME_PATTERN.fullmatch(name) else DEFAULT_PROFILE

    @profile.setter
    def profile(self, name: str) -> None:
        if NAME_PATTERN.fullmatch(name):
            self._qs.setValue("player/profile", name)

    @property
    def codec(self) -> str:
        """The codec box's choice: a video codec, or "" for each profile's own."""
        codec = str(self._qs.value("player/codec", "") or "")
        return codec if codec in CODECS else ""

    @codec.setter
    def codec(self, codec: str) -> None:
        self._qs.setValue("player/codec", codec if codec in CODECS else "")

    # -- audio ------------------------------------------------------------------------------

    @property
    def volume(self) -> int:
        return int(min(130, max(0, _to_float(self._qs.value("player/volume"), DEFAULT_VOLUME))))

    @volume.setter
    def volume(self, value: float) -> None:
        self._qs.setValue("player/volume", int(round(min(130, max(0, value)))))

    @property
    def muted(self) -> bool:
        return _to_bool(self._qs.value("player/muted"), False)

    @muted.setter
    def muted(self, value: bool) -> None:
        self._qs.setValue("player/muted", bool(value))

    # -- tracks -----------------------------------------------------------------------------

    @property
    def audio_language(self) -> str:
        """The language to listen in (BCP 47; "": the file's default track). Until the user
        chooses, the system's language."""
        return self._language("tracks/audio_language")

    @audio_language.setter
    def audio_language(self, tag: str) -> None:
        self._qs.setValue("tracks/audio_language", languages.tag(tag) if tag else "")

    @property
    def subtitle_language(self) -> str:
        """The language of subtitles for audio in another one ("": only forced subtitles)."""
        return self._language("tracks/subtitle_language")

    @subtitle_language.setter
    def subtitle_language(self, tag: str) -> None:
        self._qs.setValue("tracks/subtitle_language", languages.tag(tag) if tag else "")

    def _language(self, key: str) -> str:
        value = self._qs.value(key)
        if value is None:
            return languages.system()
        return languages.tag(str(value)) if value else ""

    # -- window -----------------------------------------------------------------------------

    @property
    def geometry(self) -> QByteArray | None:
        value = self._qs.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    # -- cache ------------------------------------------------------------------------------

    @property
    def cache_limit_gb(self) -> float:
        """Largest size the cache may grow to; 0 means no limit."""
        value = _to_float(self._qs.value("cache/limit_gb"), DEFAULT_CACHE_LIMIT_GB)
        return max(0.0, value)

    @cache_limit_gb.setter
    def cache_limit_gb(self, value: float) -> None:
        self._qs.setValue("cache/limit_gb", max(0.0, float(value)))

    @property
    def cache_limit_bytes(self) -> int:
        return int(self.cache_limit_gb * 1024**3)

    # -- recent files -----------------------------------------------------------------------

    @property
    def recent_files(self) -> list[str]:
        value = self._qs.value("files/recent", [])
        if isinstance(value, str):  # INI stores a one-item list as a plain string
            items: list = [value] if value else []
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            items = []
        return [str(item) for item in items if item][:MAX_RECENT]

    def add_recent(self, path: str) -> list[str]:
        path = os.path.abspath(path)
        files = [path] + [item for item in self.recent_files if item != path]
        self._set_recent(files[:MAX_RECENT])
        return self.recent_files

    def remove_recent(self, path: str) -> list[str]:
        self._set_recent([item for item in self.recent_files if item != path])
        return self.recent_files

    def clear_recent(self) -> None:
        self._set_recent([])

    def _set_recent(self, files: list[str]) -> None:
        if files:
            self._qs.setValue("files/recent", files)
        else:
            self._qs.remove("files/recent")

    @property
    def last_folder(self) -> str:
        return str(self._qs.value("files/last_folder", "") or "")

    @last_folder.setter
    def last_folder(self, value: str) -> None:
        self._qs.setValue("files/last_folder", value)
