"""Dialogs: errors in plain words, preferences (languages of the tracks; cache size and
limit; the Profiles page is ``profiles_dialog``'s), about.

``WindowDialogs`` keeps the ones a window has open: one error at a time, one Preferences.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core import languages
from ..core.cache import Cache
from ..core.language_table import NAMES
from ..core.user_profiles import ProfileStore
from .formatting import format_bytes
from .icons import app_icon
from .profiles_dialog import ProfilesPanel
from .settings import Settings

logger = logging.getLogger(__name__)

APP_TITLE = "Viewra Desktop"


class ErrorDialog(QMessageBox):
    """A problem in one sentence; the tool's output folded away under "Show Details"."""

    def __init__(
        self, message: str, details: str, log_file: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(f"{APP_TITLE}: a problem")
        self.setText(message)
        where = f"The log file has more details:\n{log_file}" if log_file else ""
        self.setInformativeText(where)
        if details.strip():
            self.setDetailedText(details.strip())
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = message
        self.details = details


class _Task(QThread):
    """A slow cache operation off the GUI thread.

    The dialog reads ``result`` from ``finished``, which Qt emits once ``run`` has returned:
    no Python thread is still inside a signal emission when the task is deleted.
    """

    running: set[_Task] = set()  # kept alive until finished, even if the dialog is gone

    def __init__(self, function: Callable[[], int]) -> None:
        super().__init__()
        self._function = function
        self.result: int | None = None
        _Task.running.add(self)
        self.finished.connect(self._done)

    def run(self) -> None:
        try:
            self.result = self._function()
        except OSError as exc:
            logger.warning("cache operation failed: %s", exc)

    @Slot()
    def _done(self) -> None:
        _Task.running.discard(self)
        self.deleteLater()


def wait_for_tasks(timeout_ms: int = 10000) -> None:
    """Let cache operations still running end (before the app exits)."""
    for task in list(_Task.running):
        task.wait(timeout_ms)


def language_box(current: str, none_label: str) -> QComboBox:
    """A choice of languages by name (each item's data: its BCP 47 tag), ``none_label``
    first (data ""); ``current`` selected (a regional tag selects its language)."""
    box = QComboBox()
    box.addItem(none_label, "")
    for name, tag in sorted((name, tag) for tag, name in NAMES.items()):
        box.addItem(name, tag)
    found = next(
        (i for i in range(1, box.count()) if current and languages.same(box.itemData(i), current)),
        0,
    )
    box.setCurrentIndex(found)
    box.setMaxVisibleItems(20)
    return box


class PreferencesDialog(QDialog):
    """General: the languages the tracks are chosen by, and the cache (where it is, how big,
    its limit, and a button to clear it). Profiles: the user's own profiles (``ProfilesPanel``)."""

    cache_limit_changed = Signal(object)  # bytes (an int that may pass 2**31), 0: no limit

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        parent: QWidget | None = None,
        profiles: ProfileStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.cache = cache
        self._tasks: list[_Task] = []
        self.setWindowTitle(f"{APP_TITLE} Preferences")
        self.setMinimumWidth(460)

        group = QGroupBox("Cache")
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.folder_label = QLabel(str(cache.root))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        open_folder = QPushButton("Open Folder")
        open_folder.clicked.connect(self._open_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(open_folder)
        form.addRow("Folder:", folder_row)

        self.size_label = QLabel("Calculating…")
        self.clear_button = QPushButton("Clear Cache")
        self.clear_button.setToolTip("Remove every encoded video the app is not playing now")
        self.clear_button.clicked.connect(self._clear)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_label, 1)
        size_row.addWidget(self.clear_button)
        form.addRow("Size:", size_row)

        self.limit_box = QDoubleSpinBox()
        self.limit_box.setRange(0.0, 10000.0)
        self.limit_box.setDecimals(1)
        self.limit_box.setSingleStep(1.0)
        self.limit_box.setSuffix(" GB")
        self.limit_box.setSpecialValueText("No limit")
        self.limit_box.setValue(settings.cache_limit_gb)
        self.limit_box.valueChanged.connect(self._limit_changed)
        form.addRow("Size limit:", self.limit_box)
        form.addRow(
            _hint(
                "Finished videos are kept so they play at once next time. Over the limit, "
                "the least recently watched are removed first."
            )
        )

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addWidget(self._languages())
        general_layout.addWidget(group)
        general_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        if profiles is None:
            profiles = ProfileStore(settings.path.parent)
            profiles.load()
        self.profiles_panel = ProfilesPanel(profiles)
        self.tabs.addTab(self.profiles_panel, "Profiles")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.refresh_size()

    def _languages(self) -> QGroupBox:
        """The languages the tracks a video starts with are chosen by."""
        group = QGroupBox("Languages")
        form = QFormLayout(group)
        self.audio_box = language_box(self.settings.audio_language, "The file's default")
        form.addRow("Audio:", self.audio_box)
        self.subtitle_box = language_box(self.settings.subtitle_language, "Only forced subtitles")
        form.addRow("Subtitles:", self.subtitle_box)
        for box in (self.audio_box, self.subtitle_box):
            box.currentIndexChanged.connect(self._languages_changed)
        form.addRow(
            _hint(
                "A video starts with audio in your language where it has it, and with "
                "subtitles in yours when it is spoken in another. The next video you open "
                "follows them."
            )
        )
        return group

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _run(self, function: Callable[[], int]) -> None:
        task = _Task(function)
        self._tasks.append(task)
        task.finished.connect(self._task_finished)  # dropped by Qt if the dialog goes first
        task.start()

    @Slot()
    def _task_finished(self) -> None:
        task = self.sender()
        if task in self._tasks:
            self._tasks.remove(task)
            self._show_size(task.result)

    def refresh_size(self) -> None:
        self.size_label.setText("Calculating…")
        self._run(self.cache.size)

    def _show_size(self, size: int | None) -> None:
        self.size_label.setText("unknown" if size is None else format_bytes(size))
        self.clear_button.setEnabled(True)

    def _clear(self) -> None:
        self.clear_button.setEnabled(False)
        self.size_label.setText("Clearing…")
        self._run(self._clear_and_measure)

    def _clear_and_measure(self) -> int:
        self.cache.clear()
        logger.info("cache cleared by the user")
        return self.cache.size()

    def _languages_changed(self) -> None:
        self.settings.audio_language = str(self.audio_box.currentData())
        self.settings.subtitle_language = str(self.subtitle_box.currentData())

    def _limit_changed(self, value: float) -> None:
        self.settings.cache_limit_gb = value
        self.cache_limit_changed.emit(self.settings.cache_limit_bytes)

    def _open_folder(self) -> None:
        self.cache.root.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.cache.root)))


def _hint(text: str) -> QLabel:
    hint = QLabel(text)
    hint.setWordWrap(True)
    hint.setObjectName("hint")
    return hint


def show_about(parent: QWidget) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_TITLE}")
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setText(f"<b>{APP_TITLE}</b> {__version__}")
    box.setInformativeText(
        "Watch a video while it is encoded and packaged to DASH and HLS. Finished packages "
        "stay in the cache, ready to publish.<br><br>"
        "Built on FFmpeg, Shaka Packager, mpv and Qt."
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class WindowDialogs(QObject):
    """The dialogs a window has open: at most one error on screen, one Preferences dialog."""

    cache_limit_changed = Signal(object)  # from the Preferences dialog: bytes, 0: no limit
    profiles_saved = Signal()  # from its Profiles page: the user's profiles were written

    def __init__(
        self,
        window: QWidget,
        settings: Settings,
        cache: Cache,
        log_file: Path | None,
        profiles: ProfileStore | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._cache = cache
        self._profiles = profiles
        self._log_file = log_file
        self.error_dialog: ErrorDialog | None = None
        self.preferences: PreferencesDialog | None = None

    def show_error(self, message: str, details: str = "") -> None:
        if self._error_shown():
            # The first error explains the rest (a failed encode also ends playback).
            logger.info("error while another is shown (not shown): %s", message)
            return
        dialog = ErrorDialog(message, details, self._log_file, self._window)
        dialog.finished.connect(lambda _result, d=dialog: self._forget_error(d))
        self.error_dialog = dialog
        dialog.open()

    def _error_shown(self) -> bool:
        if self.error_dialog is None:
            return False
        try:
            return self.error_dialog.isVisible()
        except RuntimeError:  # already deleted by Qt
            return False

    def _forget_error(self, dialog: ErrorDialog) -> None:
        if self.error_dialog is dialog:
            self.error_dialog = None

    def show_preferences(self) -> None:
        if self.preferences is not None:
            self.preferences.raise_()
            self.preferences.activateWindow()
            return
        dialog = PreferencesDialog(self._settings, self._cache, self._window, self._profiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.cache_limit_changed.connect(self.cache_limit_changed)
        dialog.profiles_panel.saved.connect(self.profiles_saved)
        dialog.destroyed.connect(lambda _obj=None: setattr(self, "preferences", None))
        self.preferences = dialog
        dialog.show()

    def close_all(self) -> None:
        for dialog in (self.error_dialog, self.preferences):
            if dialog is not None:
                with contextlib.suppress(RuntimeError):  # Qt may have deleted it
                    dialog.close()
