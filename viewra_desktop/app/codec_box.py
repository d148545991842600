"""The codec box beside the profile box: the profile's own codec, or H.264, HEVC, AV1, VP9.

A codec chosen here overrides the profile's (``Profile.with_codec``); its first entry keeps
each profile's own and names it ("H.264 (profile's)"). It reports the user's choice only
(``codec_requested``); the window decides what happens.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ..core.profile_rules import CODEC_NAMES
from ..core.profiles import CODECS

logger = logging.getLogger(__name__)


class CodecBox(QComboBox):
    codec_requested = Signal(str)  # "" the profile's own codec, else one of CODECS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setToolTip("Video codec of the encode (instead of the profile's)")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.addItem("", "")
        for codec in CODECS:
            self.addItem(CODEC_NAMES[codec], codec)
        self.show_profile_codec("h264")
        # activated, not currentIndexChanged: only the user's choice, never select's.
        self.activated.connect(lambda index: self.codec_requested.emit(str(self.itemData(index))))

    def show_profile_codec(self, codec: str) -> None:
        """Name the profile's own codec in the first entry."""
        self.setItemText(0, f"{CODEC_NAMES.get(codec, codec)} (profile's)")

    def select(self, codec: str) -> None:
        index = self.findData(codec)
        self.setCurrentIndex(max(0, index))

    @property
    def codec(self) -> str:
        return str(self.currentData())
