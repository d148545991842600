"""The window's publishing commands: Export Package…, Show Package, Watch on Another Device
and the Encrypt switch of the Quality menu.

``PublishPieces`` wires the window's actions for them to the controller and the player:
- it knows whether the open video's package is complete (the controller's ``finished``,
  or a session from the cache) and then enables Show Package, in the menu and as a button
  in the status bar, which opens the package's folder;
- Export Package… opens ``ExportDialog`` on the open video;
- Watch on Another Device switches the controller's LAN listener and shows ``SharePanel``;
- Encrypt makes the controller open encrypted previews, and reopens the video where it
  was; the player gets each session's key (or none) before it loads it.

Threads: GUI thread only (the controller's signals arrive queued).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from .actions import on_triggered
from .controller import SessionInfo
from .export_dialog import ExportDialog
from .share import SharePanel

logger = logging.getLogger(__name__)


class PublishPieces(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.actions = window.window_actions
        self.controller = window.controller
        self.info: SessionInfo | None = None
        self.finished = False
        self.export_folder = str(Path.home())
        self.dialog: ExportDialog | None = None
        self.share_panel = SharePanel(self.actions.share, window)
        self.show_button = QPushButton("Show Package")
        self.show_button.setFlat(True)
        self.show_button.hide()
        window.statusBar().addPermanentWidget(self.show_button)
        c = self.controller
        c.session_changed.connect(self._on_session)
        c.finished.connect(self._on_finished)
        c.share_changed.connect(self.share_panel.show_url)
        on_triggered(self.actions.export, self.open_export)
        on_triggered(self.actions.show_package, self.show_package)
        self.show_button.clicked.connect(self.show_package)
        self.actions.share.toggled.connect(self._on_share)
        self.actions.encrypt.toggled.connect(self._on_encrypt)

    # -- the open video ---------------------------------------------------------------------

    @Slot(object)
    def _on_session(self, info: SessionInfo | None) -> None:
        self.info = info
        key = info.encryption.key if info is not None and info.encryption else ""
        self.window.player.set_decryption_key(key)  # before the window loads it
        self._show_finished(info is not None and info.from_cache)
        self.actions.export.setEnabled(info is not None)

    @Slot()
    def _on_finished(self) -> None:
        self._show_finished(self.info is not None)

    def _show_finished(self, finished: bool) -> None:
        self.finished = finished
        self.actions.show_package.setEnabled(finished)
        self.show_button.setVisible(finished)
        if finished and self.info is not None:
            self.show_button.setToolTip(f"Open the package's folder: {self.info.folder}")

    def show_package(self) -> None:
        if self.info is not None and self.finished:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.info.folder))

    def open_export(self) -> None:
        if self.info is None:
            return
        if self.dialog is not None:
            self.dialog.reject()
        dialog = ExportDialog(self.info, self.finished, self.export_folder, self.window)
        c = self.controller
        c.progress_changed.connect(dialog.encode_progress)
        c.finished.connect(dialog.encode_finished)
        c.session_changed.connect(dialog.session_changed)
        dialog.finished.connect(lambda _code: self._closed(dialog))
        self.dialog = dialog
        dialog.show()

    def _closed(self, dialog: ExportDialog) -> None:
        self.export_folder = dialog.folder.text() or self.export_folder
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    # -- switches ---------------------------------------------------------------------------

    @Slot(bool)
    def _on_share(self, on: bool) -> None:
        self.controller.set_lan(on)
        if on:
            self.share_panel.show()
            self.share_panel.raise_()

    @Slot(bool)
    def _on_encrypt(self, on: bool) -> None:
        logger.info("encrypted preview %s", "on" if on else "off")
        self.controller.set_encrypt(on)
        info = self.window.info
        if info is not None:  # play it again, encrypted (or not), where it was
            self.window.open_file(info.source, resume_at=self.window.player.state.position)
