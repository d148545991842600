"""The form that edits one profile: its fields, the table of sizes, and what is wrong.

``ProfileForm`` shows a ``Profile`` (read-only for a built-in one), turns what the user typed
into a table in ``profile_rules``' terms (text that is not a number stays text, so the rules
can say "must be a whole number"), and puts each problem in plain words under its field.
It decides nothing: the Profiles page asks it for ``problems()`` and ``profile()``.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.profile_rules import (
    AUDIO_NAMES,
    CODEC_NAMES,
    HARDWARE_NAMES,
    SPEEDS,
    X26X_PRESETS,
    Problem,
)
from ..core.profiles import Profile, Rung, default_preset

logger = logging.getLogger(__name__)

CRF_MODE, BITRATE_MODE = "crf", "bitrate"
RUNG_COLUMNS = ("size", "maxrate_kbps", "bitrate_kbps", "bufsize_kbps")
RUNG_HEADERS = ("Size (short side, px)", "Maxrate (kbit/s)", "Bitrate (kbit/s)", "Bufsize (kbit/s)")
SOURCE_SIZE = "source"
PROBLEM_STYLE = "color: #f28b82;"


def parse_value(text: str) -> Any:
    """What a field holds: None when empty, a number when it reads as one, else the text."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for value, label in items.items():
        box.addItem(label, value)
    return box


def _select(box: QComboBox, value: object) -> None:
    box.setCurrentIndex(max(0, box.findData(value)))


class ProfileForm(QWidget):
    """One profile's fields; ``edited`` whenever the user changes one of them."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.name_edit = QLineEdit()
        self.label_edit = QLineEdit()
        self.codec_box = _combo(CODEC_NAMES)
        self.rate_box = _combo({CRF_MODE: "Constant quality (CRF)", BITRATE_MODE: "Target bitrate"})
        self.crf_edit = QLineEdit()
        self.preset_box = QComboBox()
        self.preset_box.setEditable(True)
        self.bit_depth_box = _combo({"8": "8-bit", "10": "10-bit (keeps HDR: AV1, VP9)"})
        self.audio_codec_box = _combo(AUDIO_NAMES)
        self.audio_kbps_edit = QLineEdit()
        self.segment_edit = QLineEdit()
        self.hardware_box = _combo(HARDWARE_NAMES)
        self.hardware_box.setToolTip("Software is used when the hardware encoder does not work")
        self.rungs_table = QTableWidget(0, len(RUNG_COLUMNS))
        self.rungs_table.setHorizontalHeaderLabels(RUNG_HEADERS)
        self.rungs_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rungs_table.verticalHeader().setVisible(False)
        self.rungs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rungs_table.setMinimumHeight(120)
        self.add_rung_button = QPushButton("Add Size")
        self.remove_rung_button = QPushButton("Remove Size")
        self.problem_labels: dict[str, QLabel] = {}
        self._lay_out()
        self._connect()

    # -- construction -----------------------------------------------------------------------

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.preset_label = QLabel("Preset:")
        rows: list[tuple[str | QLabel, QWidget, str]] = [
            ("Name:", self.name_edit, "name"),
            ("Label:", self.label_edit, "label"),
            ("Codec:", self.codec_box, "codec"),
            ("Rate control:", self.rate_box, ""),
            ("CRF:", self.crf_edit, "crf"),
            (self.preset_label, self.preset_box, "preset"),
            ("Bit depth:", self.bit_depth_box, "bit_depth"),
            ("Audio codec:", self.audio_codec_box, "audio_codec"),
            ("Audio bitrate (kbit/s):", self.audio_kbps_edit, "audio_kbps"),
            ("Exported segments (s):", self.segment_edit, "segment_seconds"),
            ("Encoder:", self.hardware_box, "hardware"),
        ]
        for label, widget, field in rows:
            row = self._with_problem(widget, field)
            form.addRow(label, row)
            if widget is self.crf_edit:
                self._crf_row = row  # hidden with its label for a target bitrate
        self._form = form
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_rung_button)
        buttons.addWidget(self.remove_rung_button)
        buttons.addStretch(1)
        sizes = QVBoxLayout()
        sizes.addWidget(self._with_problem(self.rungs_table, "rungs"))
        sizes.addLayout(buttons)
        form.addRow("Sizes:", sizes)
        form.setContentsMargins(0, 0, 0, 0)
        self.setLayout(form)

    def _with_problem(self, widget: QWidget, field: str) -> QWidget:
        """``widget`` with the sentence saying what is wrong with it under it."""
        if not field:
            return widget
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        problem = QLabel()
        problem.setObjectName(f"problem_{field}")
        problem.setStyleSheet(PROBLEM_STYLE)
        problem.setWordWrap(True)
        problem.hide()
        layout.addWidget(problem)
        self.problem_labels[field] = problem
        return box

    def _connect(self) -> None:
        for edit in (self.name_edit, self.label_edit, self.crf_edit, self.audio_kbps_edit,
                     self.segment_edit):  # fmt: skip
            edit.textEdited.connect(self._changed)
        for box in (self.rate_box, self.bit_depth_box, self.audio_codec_box, self.hardware_box):
            box.currentIndexChanged.connect(self._changed)
        self.preset_box.currentTextChanged.connect(self._changed)
        self.codec_box.currentIndexChanged.connect(self._codec_changed)
        self.rate_box.currentIndexChanged.connect(self._show_rate_mode)
        self.rungs_table.itemChanged.connect(self._changed)
        self.add_rung_button.clicked.connect(self._add_rung)
        self.remove_rung_button.clicked.connect(self._remove_rung)

    # -- showing a profile ------------------------------------------------------------------

    def show_profile(self, profile: Profile, editable: bool) -> None:
        self._loading = True
        try:
            self.name_edit.setText(profile.name)
            self.label_edit.setText(profile.label)
            _select(self.codec_box, profile.codec)
            self._fill_presets(profile.codec)
            _select(self.rate_box, CRF_MODE if profile.crf is not None else BITRATE_MODE)
            self.crf_edit.setText("" if profile.crf is None else str(profile.crf))
            self.preset_box.setCurrentText(profile.preset)
            _select(self.bit_depth_box, str(profile.bit_depth))
            _select(self.audio_codec_box, profile.audio_codec)
            self.audio_kbps_edit.setText(str(profile.audio_kbps))
            self.segment_edit.setText(f"{profile.segment_seconds:g}")
            _select(self.hardware_box, profile.hardware)
            self.rungs_table.setRowCount(0)
            for rung in profile.rungs:
                self._add_row(rung)
            self._show_rate_mode()
        finally:
            self._loading = False
        for widget in self._inputs():
            widget.setEnabled(editable)
        self.show_problems([])

    def _inputs(self) -> list[QWidget]:
        return [self.name_edit, self.label_edit, self.codec_box, self.rate_box, self.crf_edit,
                self.preset_box, self.bit_depth_box, self.audio_codec_box, self.audio_kbps_edit,
                self.segment_edit, self.hardware_box, self.rungs_table, self.add_rung_button,
                self.remove_rung_button]  # fmt: skip

    def _add_row(self, rung: Rung) -> None:
        row = self.rungs_table.rowCount()
        self.rungs_table.insertRow(row)
        values = (rung.short_side, rung.maxrate_kbps, rung.bitrate_kbps, rung.bufsize_kbps)
        for column, value in enumerate(values):
            text = (
                SOURCE_SIZE
                if column == 0 and value is None
                else ("" if value is None else str(value))
            )
            self.rungs_table.setItem(row, column, QTableWidgetItem(text))

    def _fill_presets(self, codec: str) -> None:
        """x264/x265 presets by name; SVT-AV1 and libvpx speeds by number."""
        text = self.preset_box.currentText()
        self.preset_box.blockSignals(True)
        self.preset_box.clear()
        if codec in SPEEDS:
            low, high = SPEEDS[codec]
            self.preset_box.addItems([str(n) for n in range(low, high + 1)])
            self.preset_label.setText("Speed (0 slowest):")
        else:
            self.preset_box.addItems(list(X26X_PRESETS))
            self.preset_label.setText("Preset:")
        self.preset_box.setCurrentText(text)
        self.preset_box.blockSignals(False)

    # -- the user's edits -------------------------------------------------------------------

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _codec_changed(self) -> None:
        codec = str(self.codec_box.currentData())
        self._fill_presets(codec)
        if not self._loading:  # a preset of the old codec means nothing to the new one
            self.preset_box.setCurrentText(default_preset(codec))
        self._changed()

    def _show_rate_mode(self) -> None:
        crf = self.rate_box.currentData() == CRF_MODE
        self._form.setRowVisible(self._crf_row, crf)
        self.rungs_table.setColumnHidden(RUNG_COLUMNS.index("bitrate_kbps"), crf)

    def _add_rung(self) -> None:
        self._add_row(Rung(None))
        self._changed()

    def _remove_rung(self) -> None:
        row = self.rungs_table.currentRow()
        if row < 0:
            row = self.rungs_table.rowCount() - 1
        if row >= 0:
            self.rungs_table.removeRow(row)
            self._changed()

    # -- what the user wrote ----------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def table(self) -> dict[str, Any]:
        """The fields as a profile table (``profile_rules``' terms)."""
        crf = self.rate_box.currentData() == CRF_MODE
        table: dict[str, Any] = {
            "label": self.label_edit.text().strip() or self.name,
            "codec": str(self.codec_box.currentData()),
            "preset": self.preset_box.currentText().strip(),
            "bit_depth": int(self.bit_depth_box.currentData()),
            "audio_codec": str(self.audio_codec_box.currentData()),
            "audio_kbps": parse_value(self.audio_kbps_edit.text()),
            "segment_seconds": parse_value(self.segment_edit.text()),
            "hardware": str(self.hardware_box.currentData()),
            "rungs": [self._rung(row, crf) for row in range(self.rungs_table.rowCount())],
        }
        if crf:  # an empty CRF is a mistake here, not a switch to a target bitrate
            value = parse_value(self.crf_edit.text())
            table["crf"] = "" if value is None else value
        return table

    def _rung(self, row: int, crf: bool) -> dict[str, Any]:
        rung = {}
        for column, key in enumerate(RUNG_COLUMNS):
            if crf and key == "bitrate_kbps":
                continue  # constant quality: no target
            item = self.rungs_table.item(row, column)
            text = item.text() if item is not None else ""
            if key == "size" and text.strip().lower() == SOURCE_SIZE:
                continue
            value = parse_value(text)
            if value is not None:
                rung[key] = value
        return rung

    def show_problems(self, problems: list[Problem]) -> None:
        """Each problem's sentence under its field; the others' emptied."""
        by_field: dict[str, str] = {}
        for problem in problems:
            by_field.setdefault(problem.field, problem.message)
        for field, label in self.problem_labels.items():
            label.setText(f"{by_field[field]}." if field in by_field else "")
            label.setVisible(field in by_field)
