"""A horizontal 0–100 % bar showing one risk, with a marker at the decision threshold.

Painted with the widget's palette so it reads in light and dark themes; no matplotlib needed.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from heartgui.gui.widgets.wording import threshold_percent

TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: A warm fill for a risk at or above the threshold; readable on light and dark backgrounds.
FLAGGED = QColor(214, 96, 40)


class RiskBar(QWidget):
    """Risk as a filled bar from 0 to 100 %, a marker at the threshold and tick labels underneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._risk: float | None = None
        self._threshold = 0.5
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(200)
        self.setAccessibleName("Risk bar")

    @property
    def risk(self) -> float | None:
        return self._risk

    @property
    def threshold(self) -> float:
        return self._threshold

    def set_risk(self, risk: float | None, threshold: float) -> None:
        """Show ``risk`` (0–1, or ``None`` for no risk yet) against ``threshold`` (0–1)."""
        self._risk = None if risk is None else min(max(float(risk), 0.0), 1.0)
        self._threshold = min(max(float(threshold), 0.0), 1.0)
        description = "no risk computed" if self._risk is None else f"risk {self._risk * 100:.1f} %"
        self.setAccessibleDescription(f"{description}, threshold {threshold_percent(self._threshold)}")
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(400, 2 * line + 30)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        palette = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height()
        margin = metrics.horizontalAdvance("100 %") / 2 + 2
        bar = QRectF(margin, line + 4, self.width() - 2 * margin, 18)

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Track.
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(bar, 4, 4)
        # Fill.
        if self._risk is not None and self._risk > 0:
            fill = QRectF(bar.left(), bar.top(), bar.width() * self._risk, bar.height())
            colour = FLAGGED if self._risk >= self._threshold else palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(fill, 4, 4)
        # Ticks under the bar.
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.setPen(QPen(text, 1))
        for tick in TICKS:
            x = bar.left() + bar.width() * tick
            painter.drawLine(int(x), int(bar.bottom()), int(x), int(bar.bottom()) + 4)
            label = f"{tick * 100:.0f} %"
            width = metrics.horizontalAdvance(label)
            painter.drawText(int(x - width / 2), int(bar.bottom()) + 6 + metrics.ascent(), label)
        # Threshold marker across the bar, its label above.
        x = bar.left() + bar.width() * self._threshold
        painter.setPen(QPen(text, 2))
        painter.drawLine(int(x), int(bar.top()) - 3, int(x), int(bar.bottom()) + 3)
        label = f"threshold {threshold_percent(self._threshold)}"
        width = metrics.horizontalAdvance(label)
        left = min(max(x - width / 2, 0), self.width() - width)
        painter.drawText(int(left), metrics.ascent(), label)
        painter.end()
