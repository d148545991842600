"""The profile and the codec the next encode uses.

``ProfileChoice`` keeps the profile box and the codec box of the control bar in step with
the settings and the user's profiles (``ProfileStore``): the command line's choice wins over
the last one, a name that no longer exists falls back to the default, and the codec box names
the profile's own codec. ``changed`` tells the window that the user chose another profile or
codec (or edited the one in use): the window opens the video again where it was.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from ..core.profiles import CODECS, DEFAULT_PROFILE, PROFILES, Profile
from ..core.user_profiles import ProfileStore
from .controls import ControlBar
from .settings import Settings

logger = logging.getLogger(__name__)


class ProfileChoice(QObject):
    changed = Signal()  # another profile or codec for the encode: open again where it was

    def __init__(
        self,
        store: ProfileStore | None,
        settings: Settings,
        controls: ControlBar,
        profile: str | None = None,
        codec: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``profile``, ``codec``: the command line's, if it named them; ``store``: the
        user's profiles (None: read from the settings' folder)."""
        super().__init__(parent)
        if store is None:
            store = ProfileStore(settings.path.parent)
            store.load()
        self.store = store
        self._settings = settings
        self._controls = controls
        known = self.known()
        name = profile if profile in known else settings.profile
        self._profile = name if name in known else DEFAULT_PROFILE
        self._codec = codec if codec in CODECS else settings.codec
        self._used = known[self._profile]
        controls.set_profiles(store.all())
        controls.profile_requested.connect(self.set_profile)
        controls.codec_requested.connect(self.set_codec)
        self._show()

    def known(self) -> dict[str, Profile]:
        """Every profile by name: the built-in ones and the user's."""
        return {**PROFILES, **self.store.mapping()}

    @property
    def profile(self) -> str:
        return self._profile

    @property
    def codec(self) -> str:
        """The codec box's choice: "" for the profile's own."""
        return self._codec

    def set_profile(self, name: str) -> None:
        if name not in self.known() or name == self._profile:
            self._show()
            return
        logger.info("profile %s -> %s", self._profile, name)
        self._profile = name
        self._used = self.known()[name]
        self._settings.profile = name
        self._show()
        self.changed.emit()

    def set_codec(self, codec: str) -> None:
        codec = codec if codec in CODECS else ""
        if codec == self._codec:
            return
        logger.info("codec %s -> %s", self._codec or "the profile's", codec or "the profile's")
        self._codec = codec
        self._settings.codec = codec
        self._show()
        self.changed.emit()

    def profiles_edited(self) -> None:
        """The user's profiles were saved: list them; if the one in use was changed or
        deleted, the encode must change too (the default replaces a deleted one)."""
        known = self.known()
        self._controls.set_profiles(self.store.all())
        if self._profile not in known:
            logger.info("profile %s was deleted: %s instead", self._profile, DEFAULT_PROFILE)
            self._profile = DEFAULT_PROFILE
        current = known[self._profile]
        self._show()
        if current != self._used:
            self._used = current
            self.changed.emit()

    def save(self) -> None:
        self._settings.profile = self._profile
        self._settings.codec = self._codec

    def _show(self) -> None:
        self._controls.select_profile(self._profile)
        self._controls.codec_box.show_profile_codec(self.known()[self._profile].codec)
        self._controls.codec_box.select(self._codec)
