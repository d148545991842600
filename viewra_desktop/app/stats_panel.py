"""The Encode stats panel (View > Encode stats): the graphs, the figures beside them, the
worst segments (a click seeks there) and export as CSV or PNG.

It shows the ``core.stats.Report`` the controller sends as segments land and metrics come
in; it computes nothing itself.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.files import write_atomically
from ..core.stats import METRIC_NAMES, Report
from .formatting import format_time
from .stats_graph import METRIC_LABELS, BitrateGraph, SpeedGraph

logger = logging.getLogger(__name__)

WORST_COUNT = 6


def format_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"  # pragma: no cover - the loop returns


def figures_text(report: Report) -> str:
    """The figures beside the graph, one per line."""
    lines = []
    for stream in report.streams:
        summary = report.summary(stream)
        kind = "Video" if stream.kind.name == "VIDEO" else "Audio"
        name = kind if stream.index == 0 else f"{kind} {stream.index + 1}"
        lines.append(
            f"{name}: average {summary.average_kbps:,.0f} kbit/s, "
            f"peak {summary.peak_kbps:,.0f} kbit/s"
        )
    lines.append(f"Size so far: {format_bytes(report.bytes)}")
    lines.append(f"Projected final size: {format_bytes(report.projected_bytes)}")
    if report.speeds:
        speeds = [s.speed for s in report.speeds]
        lines.append(f"Encoder speed: {speeds[-1]:.2f}× (average {sum(speeds) / len(speeds):.2f}×)")
    return "\n".join(lines)


class StatsPanel(QDockWidget):
    """A dock at the bottom of the window; ``seek_requested`` when a worst segment is
    clicked."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Encode stats", parent)
        self.setObjectName("statsPanel")
        self.report: Report | None = None
        self.graph = BitrateGraph()
        self.speed = SpeedGraph()
        self.figures = QLabel("No segments yet")
        self.figures.setObjectName("statsFigures")
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.metric_box = QComboBox()
        for name in METRIC_NAMES:
            self.metric_box.addItem(METRIC_LABELS[name], name)
        self.metric_box.currentIndexChanged.connect(self._on_metric)
        self.worst = QListWidget()
        self.worst.setObjectName("worstSegments")
        self.worst.itemClicked.connect(self._on_worst_clicked)
        self.csv_button = QPushButton("Export CSV…")
        self.png_button = QPushButton("Export PNG…")
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button.clicked.connect(self._ask_png)
        self.setWidget(self._layout())

    def _layout(self) -> QWidget:
        side = QVBoxLayout()
        side.addWidget(self.figures)
        side.addWidget(self.speed)
        row = QHBoxLayout()
        row.addWidget(QLabel("Metric"))
        row.addWidget(self.metric_box, 1)
        side.addLayout(row)
        side.addWidget(QLabel("Worst segments (click to go there)"))
        side.addWidget(self.worst, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.png_button)
        side.addLayout(buttons)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.graph, 3)
        layout.addLayout(side, 1)
        return body

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: Report) -> None:
        self.report = report
        self.graph.show_report(report)
        self.speed.show_samples(report.speeds)
        self.figures.setText(figures_text(report))
        self._fill_worst()

    def clear(self) -> None:
        self.report = None
        self.graph.report = None
        self.graph.update()
        self.speed.show_samples(())
        self.figures.setText("No segments yet")
        self.worst.clear()

    def _on_metric(self, _index: int) -> None:
        self.graph.set_metric(str(self.metric_box.currentData()))
        self._fill_worst()

    def _fill_worst(self) -> None:
        self.worst.clear()
        if self.report is None:
            return
        metric = self.graph.metric_name
        for row in self.report.worst(metric, WORST_COUNT):
            value = row.metrics.value(metric) if row.metrics else None
            if value is None or not math.isfinite(value):
                continue
            item = QListWidgetItem(
                f"{format_time(row.start)}  segment {row.number}: "
                f"{METRIC_LABELS[metric].split()[0]} {value:.4g}"
            )
            item.setData(Qt.ItemDataRole.UserRole, row.start)
            self.worst.addItem(item)

    def _on_worst_clicked(self, item: QListWidgetItem) -> None:
        self.seek_requested.emit(float(item.data(Qt.ItemDataRole.UserRole)))

    # -- export -----------------------------------------------------------------------------

    def export_csv(self, path: Path) -> None:
        text = self.report.to_csv() if self.report else ""
        write_atomically(path, text.encode("utf-8"))

    def export_png(self, path: Path) -> bool:
        return bool(self.graph.grab().save(str(path), "PNG"))

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export CSV", "encode-stats.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export PNG", "encode-stats.png", "PNG (*.png)")
        if path:
            self.export_png(Path(path))
