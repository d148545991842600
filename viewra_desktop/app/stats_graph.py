"""The encode stats graphs, drawn with QPainter: a bit rate bar per segment along the
timeline (one colour per rung), a quality metric as a line over them, and the encoder's
speed over time.

QPainter rather than QtCharts: QtCharts is a separate PySide6 add-on (not in
PySide6-Essentials, tens of MB more in every package), and a bar per segment, one line and a
hover readout are a few dozen lines of painting.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..core.stats import METRIC_NAMES, Report, SegmentRow, SpeedSample, video_streams
from .formatting import format_time

RUNG_COLORS = ("#3d8bfd", "#f59f00", "#37b24d", "#e64980")
METRIC_COLOR = QColor("#f8f9fa")
AXIS_COLOR = QColor(255, 255, 255, 60)
TEXT_COLOR = QColor("#aeb3b9")
METRIC_LABELS = {"psnr": "PSNR (dB)", "ssim": "SSIM", "xpsnr": "XPSNR (dB)", "vmaf": "VMAF"}
MARGIN = 36.0


def describe(row: SegmentRow) -> str:
    """The hover text of one segment."""
    lines = [
        f"Segment {row.number} at {format_time(row.start)} ({row.duration:.2f} s)",
        f"{row.kbps:,.0f} kbit/s, {row.bytes / 1024:,.1f} KiB",
    ]
    if row.metrics is not None:
        values = [
            f"{METRIC_LABELS[name].split(' ')[0]} {value:.4g}"
            for name in METRIC_NAMES
            if (value := row.metrics.value(name)) is not None and math.isfinite(value)
        ]
        if values:
            lines.append(", ".join(values))
    return "\n".join(lines)


class BitrateGraph(QWidget):
    """Bars of kbit/s per segment; the chosen metric as a line. Hover shows the values."""

    segment_hovered = Signal(object)  # the SegmentRow under the mouse, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self.metric_name = "psnr"
        self.hovered: SegmentRow | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(320, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Bit rate per segment")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(640, 220)

    def show_report(self, report: Report) -> None:
        self.report = report
        self.update()

    def set_metric(self, name: str) -> None:
        self.metric_name = name
        self.update()

    # -- geometry ---------------------------------------------------------------------------

    def _plot(self) -> QRectF:
        return QRectF(MARGIN + 14, 10, max(1.0, self.width() - 2 * MARGIN - 28), self.height() - 34)

    def _x(self, seconds: float) -> float:
        plot = self._plot()
        duration = self.report.duration if self.report and self.report.duration > 0 else 1.0
        return plot.left() + plot.width() * min(1.0, max(0.0, seconds / duration))

    def _peak(self) -> float:
        rows = self.report.rows if self.report else ()
        peak = max((r.kbps for r in rows if r.stream.kind.name == "VIDEO"), default=0.0)
        return peak * 1.1 or 1.0

    def row_at(self, x: float) -> SegmentRow | None:
        if self.report is None:
            return None
        for stream in video_streams(self.report):
            for row in self.report.rows_of(stream):
                if self._x(row.start) <= x < self._x(row.start + row.duration) + 0.5:
                    return row
        return None

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._plot()
        painter.fillRect(self.rect(), QColor("#16171a"))
        painter.setPen(QPen(AXIS_COLOR, 1))
        painter.drawRect(plot)
        peak = self._peak()
        painter.setPen(TEXT_COLOR)
        painter.drawText(QPointF(4, plot.top() + 10), f"{peak / 1.1:,.0f}")
        painter.drawText(QPointF(4, plot.bottom()), "kbit/s")
        if self.report is None:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No segments yet")
            painter.end()
            return
        painter.drawText(QPointF(plot.left(), self.height() - 6), "0:00")
        end = format_time(self.report.duration)
        painter.drawText(QPointF(plot.right() - 6 * len(end), self.height() - 6), end)
        painter.setPen(Qt.PenStyle.NoPen)
        for number, stream in enumerate(video_streams(self.report)):
            color = QColor(RUNG_COLORS[number % len(RUNG_COLORS)])
            color.setAlpha(255 if number == 0 else 150)  # the main rung opaque, others over it
            for row in self.report.rows_of(stream):
                left, right = self._x(row.start), self._x(row.start + row.duration)
                height = plot.height() * min(1.0, row.kbps / peak)
                painter.setBrush(color.lighter(140) if row == self.hovered else color)
                painter.drawRect(
                    QRectF(left, plot.bottom() - height, max(1.0, right - left - 0.5), height)
                )
        self._paint_metric(painter, plot)
        painter.end()

    def _paint_metric(self, painter: QPainter, plot: QRectF) -> None:
        assert self.report is not None
        points = [
            (row.start + row.duration / 2, value)
            for row in self.report.rows
            if row.metrics is not None
            and (value := row.metrics.value(self.metric_name)) is not None
            and math.isfinite(value)
        ]
        if not points:
            return
        low, high = min(v for _t, v in points), max(v for _t, v in points)
        span = (high - low) or 1.0
        low, high = low - span * 0.1, high + span * 0.1

        def y(value: float) -> float:
            return plot.bottom() - plot.height() * (value - low) / (high - low)

        polygon = QPolygonF([QPointF(self._x(t), y(v)) for t, v in sorted(points)])
        painter.setPen(QPen(METRIC_COLOR, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(polygon)
        painter.setPen(TEXT_COLOR)
        right = plot.right() + 4
        painter.drawText(QPointF(right, plot.top() + 10), f"{high:.3g}")
        painter.drawText(QPointF(right, plot.bottom()), f"{low:.3g}")
        painter.drawText(
            QPointF(right, plot.center().y()), METRIC_LABELS[self.metric_name].split()[0]
        )

    # -- hover ------------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        row = self.row_at(event.position().x())
        if row != self.hovered:
            self.hovered = row
            self.segment_hovered.emit(row)
            self.update()
        if row is not None:
            QToolTip.showText(event.globalPosition().toPoint(), describe(row), self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self.hovered = None
        self.segment_hovered.emit(None)
        self.update()
        super().leaveEvent(event)


class SpeedGraph(QWidget):
    """The encoder's speed (× realtime) over the session's time, as a small line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples: tuple[SpeedSample, ...] = ()
        self.setMinimumSize(160, 48)
        self.setToolTip("Encoder speed over time (× realtime)")

    def show_samples(self, samples: tuple[SpeedSample, ...]) -> None:
        self.samples = samples
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#16171a"))
        area = QRectF(4, 4, self.width() - 8, self.height() - 8)
        if len(self.samples) >= 2:
            first, last = self.samples[0].elapsed, self.samples[-1].elapsed
            top = max(s.speed for s in self.samples) * 1.15 or 1.0
            span = (last - first) or 1.0
            polygon = QPolygonF(
                [
                    QPointF(
                        area.left() + area.width() * (s.elapsed - first) / span,
                        area.bottom() - area.height() * s.speed / top,
                    )
                    for s in self.samples
                ]
            )
            painter.setPen(QPen(QColor(RUNG_COLORS[1]), 1.5))
            painter.drawPolyline(polygon)
            painter.setPen(TEXT_COLOR)
            painter.drawText(area, Qt.AlignmentFlag.AlignTop, f"{self.samples[-1].speed:.2f}×")
        else:
            painter.setPen(TEXT_COLOR)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "speed: —")
        painter.end()
