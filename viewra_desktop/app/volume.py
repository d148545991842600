"""The volume and mute: the player's, shown on the control bar and kept in the settings.

Threads: the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Slot

from .controls import ControlBar
from .player import Player
from .settings import Settings

logger = logging.getLogger(__name__)


class VolumeLink(QObject):
    """Keeps the control bar's volume and mute button, the player and the settings agreed."""

    def __init__(
        self, player: Player, controls: ControlBar, settings: Settings, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._player, self._controls, self._settings = player, controls, settings
        player.volume_changed.connect(self._on_volume)
        player.muted_changed.connect(self._on_muted)
        controls.mute_clicked.connect(self.toggle_mute)
        controls.volume_requested.connect(self._on_slider)

    def toggle_mute(self) -> None:
        self._player.set_muted(not self._player.state.muted)

    @Slot(float)
    def _on_volume(self, volume: float) -> None:
        self._controls.show_volume(volume)
        self._settings.volume = volume

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        self._player.set_volume(value)
        if self._player.state.muted and value > 0:
            self._player.set_muted(False)  # moving the volume up means: I want to hear it

    @Slot(bool)
    def _on_muted(self, muted: bool) -> None:
        self._controls.show_muted(muted)
        self._settings.muted = muted
