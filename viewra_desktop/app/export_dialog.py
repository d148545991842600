"""File > Export Package…: the open video's package, ready to put on a web server.

The dialog asks where, the segment length, which manifests and whether to encrypt (raw key,
random unless given). If the encode is not finished yet, it says so and follows the
controller's progress; once the entry is complete, ``ExportJob`` repackages it
(``core.export.repackage``: no second encode) into a temporary folder renamed into place.
An encrypted preview's entry is decrypted on the way (its key is the session's).

Threads: the dialog lives on the GUI thread; ``ExportJob`` runs the packager on its own
QThread (the packager is tied to it, and it lives until the packager has ended) and reports
with queued signals. Cancel sets an event the job polls; closing the dialog cancels and
waits for the job.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core import binaries
from ..core.errors import ViewraError
from ..core.export import (
    DEFAULT_SEGMENT_S,
    MAX_SEGMENT_S,
    ExportCancelled,
    ExportOptions,
    ExportProgress,
    ExportResult,
    package_name,
    repackage,
)
from ..core.keys import SCHEMES, Encryption, make_encryption
from ..core.progress import Progress
from .controller import SessionInfo
from .dialogs import APP_TITLE

logger = logging.getLogger(__name__)

BAR_STEPS = 1000
MANIFESTS = (("DASH and HLS", True, True), ("DASH only", True, False), ("HLS only", False, True))


class ExportJob(QThread):
    """Repackages one finished entry; ``progress_changed`` (0..1), then QThread's own
    ``finished``, once ``run`` has returned: then ``result`` or ``message`` tell how it
    went (no Python thread is still inside the job when the dialog drops it)."""

    progress_changed = Signal(float)

    def __init__(
        self,
        info: SessionInfo,
        to_dir: Path,
        options: ExportOptions,
        source_key: Encryption | None,
    ) -> None:
        super().__init__()
        self.info = info
        self.to_dir = to_dir
        self.options = options
        self.source_key = source_key
        self.cancel = threading.Event()
        self.result: ExportResult | None = None
        self.message = ""

    def run(self) -> None:
        try:
            self.result = repackage(
                Path(self.info.folder),
                self.to_dir,
                package_name(self.info.source, set()),
                self.options,
                binaries.find_tools(),
                self._progress,
                self.cancel,
                source_key=self.source_key,
                title=Path(self.info.source).name,
                texts=self.info.texts,
                audio=self.info.audio,
            )
        except ExportCancelled as exc:
            self.message = str(exc)
        except ViewraError as exc:
            logger.error("export failed: %s %s", exc, exc.details)
            self.message = str(exc)
        except Exception:  # a bug must not pass silently
            logger.exception("export failed")
            self.message = "The export ran into an internal error; the log file has the details."

    def _progress(self, progress: ExportProgress) -> None:
        self.progress_changed.emit(progress.fraction)


class ExportDialog(QDialog):
    """Export the open video's package; it waits for the encode to finish if needed."""

    def __init__(
        self, info: SessionInfo, finished: bool, folder: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.info = info
        self.encoded = finished
        self.job: ExportJob | None = None
        self.exported: ExportResult | None = None
        self._waiting: ExportOptions | None = None  # options to export with once finished
        self.setWindowTitle(f"Export Package — {APP_TITLE}")
        self.setMinimumWidth(520)
        self._build(folder)

    # -- construction -----------------------------------------------------------------------

    def _build(self, folder: str) -> None:
        form = QFormLayout()
        self.folder = QLineEdit(folder)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("Save into:", row)
        self.segment = QSpinBox()
        self.segment.setRange(1, int(MAX_SEGMENT_S))
        self.segment.setValue(int(DEFAULT_SEGMENT_S))
        self.segment.setSuffix(" s")
        form.addRow("Segment length:", self.segment)
        self.manifests = QComboBox()
        for label, _dash, _hls in MANIFESTS:
            self.manifests.addItem(label)
        form.addRow("Manifests:", self.manifests)
        self.encrypt = QCheckBox("Encrypt (raw key; the key is saved beside the package)")
        form.addRow("", self.encrypt)
        self.scheme = QComboBox()
        self.scheme.addItems(list(SCHEMES))
        self.key = QLineEdit()
        self.key.setPlaceholderText("random")
        self.key_id = QLineEdit()
        self.key_id.setPlaceholderText("random")
        self.clear_lead = QDoubleSpinBox()
        self.clear_lead.setRange(0.0, 600.0)
        self.clear_lead.setSuffix(" s")
        for label, widget in (
            ("Scheme:", self.scheme),
            ("Key (32 hex digits):", self.key),
            ("Key ID:", self.key_id),
            ("Clear lead:", self.clear_lead),
        ):
            form.addRow(label, widget)
        self.encrypt.toggled.connect(self._show_encryption)
        self._show_encryption(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.show_button = self.buttons.addButton(
            "Show Package", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.show_button.hide()
        self.export_button.clicked.connect(self.start)
        self.show_button.clicked.connect(self._show_package)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _show_encryption(self, on: bool) -> None:
        for widget in (self.scheme, self.key, self.key_id, self.clear_lead):
            widget.setEnabled(on)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the Package Into", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- exporting --------------------------------------------------------------------------

    def options(self) -> ExportOptions:
        """What the form asks for; raises ViewraError (a sentence) if it cannot be used."""
        _label, dash, hls = MANIFESTS[self.manifests.currentIndex()]
        encryption = None
        if self.encrypt.isChecked():
            encryption = make_encryption(
                self.key.text() or None,
                self.key_id.text() or None,
                self.scheme.currentText(),
                self.clear_lead.value(),
            )
        return ExportOptions(float(self.segment.value()), encryption, dash, hls)

    @Slot()
    def start(self) -> None:
        if not self.folder.text().strip():
            self.message.setText("Choose a folder to save the package into.")
            return
        try:
            options = self.options()
        except ViewraError as exc:
            self.message.setText(str(exc))
            return
        self.export_button.setEnabled(False)
        self.bar.show()
        self.bar.setValue(0)
        if not self.encoded:
            self._waiting = options
            self.message.setText("Finishing the encode first…")
            return
        self._run(options)

    def _run(self, options: ExportOptions) -> None:
        self.message.setText("Packaging…")
        self.job = ExportJob(
            self.info, Path(self.folder.text().strip()), options, self.info.encryption
        )
        self.job.progress_changed.connect(self._on_progress)
        self.job.finished.connect(self._on_done)
        self.job.start()

    @Slot(object)
    def encode_progress(self, progress: Progress) -> None:
        """The controller's progress of the open video's encode."""
        if self._waiting is not None:
            self.bar.setValue(round(progress.fraction * BAR_STEPS))
            self.message.setText(f"Finishing the encode first: {progress.fraction:.0%}")

    @Slot()
    def encode_finished(self) -> None:
        """The open video's entry is complete: export now if asked to."""
        self.encoded = True
        options, self._waiting = self._waiting, None
        if options is not None:
            self.bar.setValue(0)
            self._run(options)

    @Slot(object)
    def session_changed(self, info: SessionInfo | None) -> None:
        """Another video (or none) plays: this one's encode will not finish here."""
        if info is not None and info.folder == self.info.folder:
            return
        if self._waiting is not None:
            self._waiting = None
            self.bar.hide()
            self.export_button.setEnabled(True)
            self.message.setText("The video was closed before its encode finished.")

    @Slot(float)
    def _on_progress(self, fraction: float) -> None:
        self.bar.setValue(round(fraction * BAR_STEPS))

    @Slot()
    def _on_done(self) -> None:
        job, self.job = self.job, None
        if job is None:
            return
        job.deleteLater()
        result, message = job.result, job.message
        self.exported = result
        self.export_button.setEnabled(True)
        if result is None:
            self.bar.hide()
            self.message.setText(message)
            return
        told = f"Exported to {result.package}."
        if result.key_file is not None:
            told += f" Its key is in {result.key_file}: keep it out of the folder you publish."
        self.message.setText(told)
        self.show_button.show()

    def _show_package(self) -> None:
        if self.exported is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.exported.package)))

    def reject(self) -> None:
        """Close (Close, Esc): an export still running is cancelled first."""
        job = self.job
        if job is not None:
            job.cancel.set()
            job.wait(15000)
        super().reject()
