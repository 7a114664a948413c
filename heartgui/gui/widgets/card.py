"""A rounded, framed box for the pages' cards, painted from the palette at paint time.

Style sheets would be shorter, but a child widget with a style sheet stops following the application
palette, so switching the system to dark mode while heartgui runs would leave white cards with light
text. Painting reads the palette on every repaint and so follows any theme change.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QWidget

#: Tints laid over the palette's base colour; semi-transparent, so they read on light and dark themes.
GOOD = QColor(60, 160, 90, 45)
CAUTION = QColor(220, 170, 40, 60)
WARM = QColor(220, 90, 40, 110)
WARM_BORDER = QColor(220, 90, 40, 200)
CAUTION_BORDER = QColor(200, 140, 20, 200)


class Card(QFrame):
    """A box with the palette's base colour, an optional tint and a rounded border.

    Parameters
    ----------
    tint : colour laid over the base colour (``None``: plain base).
    border : border colour (``None``: the palette's mid colour).
    border_width : in pixels.
    dashed : draw the border dashed (for a note rather than a figure).
    """

    def __init__(
        self,
        tint: QColor | None = None,
        border: QColor | None = None,
        *,
        border_width: float = 1.0,
        dashed: bool = False,
        radius: float = 8.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tint = tint
        self.border = border
        self.border_width = border_width
        self.dashed = dashed
        self.radius = radius

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        half = self.border_width / 2
        rect = QRectF(self.rect()).adjusted(half, half, -half, -half)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, self.radius, self.radius)
        if self.tint is not None:
            painter.setBrush(self.tint)
            painter.drawRoundedRect(rect, self.radius, self.radius)
        pen = QPen(self.border or palette.color(QPalette.ColorRole.Mid), self.border_width)
        if self.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, self.radius, self.radius)
        painter.end()
