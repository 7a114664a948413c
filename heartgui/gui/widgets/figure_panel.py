"""A matplotlib figure in a widget, coloured from the Qt palette, with matplotlib's toolbar (save as PNG).

matplotlib is imported when the first panel is built, not when this module is imported, so the window
opens without it. Each panel has its own ``Figure`` (never pyplot, never global rcParams); its background,
text and axes colours are taken from the palette and taken again when the palette changes, so a plot
follows a dark theme like the rest of the window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

__all__ = ["FigurePanel"]


def _hex(color: QColor) -> str:
    return color.name(QColor.NameFormat.HexRgb)


class FigurePanel(QWidget):
    """Toolbar, a title in words above the plot, and the plot (one ``Axes``).

    Subclasses draw on :attr:`axes` and call :meth:`redraw` (``draw_idle``: the repaint happens when the
    event loop is free, so moving a slider never waits for the plot).
    """

    def __init__(self, title: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
        from matplotlib.figure import Figure

        self.setAccessibleName(accessible_name)
        self.figure = Figure(figsize=(5, 4), layout="constrained")
        self.canvas: Any = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(300, 280)
        self.canvas.setAccessibleName(accessible_name)
        self.axes = self.figure.add_subplot()
        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        self.toolbar.setToolTip("Zoom, move the view, or save the plot as a PNG picture (the disk icon).")
        self.title = QLabel(title)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas, 1)

    # ----------------------------------------------------------------------------------------------
    def colours(self) -> dict[str, str]:
        """The palette's colours as matplotlib hex strings: background, text, soft (grid, reference)."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        background = palette.color(QPalette.ColorRole.Base)
        mid = palette.color(QPalette.ColorRole.PlaceholderText)
        return {"background": _hex(background), "text": _hex(text), "soft": _hex(mid)}

    def apply_palette(self) -> None:
        """Colour the figure from the palette (called on build and whenever the palette changes)."""
        c = self.colours()
        self.figure.set_facecolor(c["background"])
        ax = self.axes
        ax.set_facecolor(c["background"])
        for spine in ax.spines.values():
            spine.set_edgecolor(c["soft"])
        ax.tick_params(colors=c["text"], labelcolor=c["text"])
        ax.xaxis.label.set_color(c["text"])
        ax.yaxis.label.set_color(c["text"])
        ax.title.set_color(c["text"])
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(c["background"])
            legend.get_frame().set_edgecolor(c["soft"])
            for text in legend.get_texts():
                text.set_color(c["text"])
        self.redraw()

    def redraw(self) -> None:
        self.canvas.draw_idle()

    def save_png(self, path: str) -> None:
        """Write the figure as a PNG picture (what the toolbar's save button does, without a dialog)."""
        self.figure.savefig(path, format="png", dpi=150, facecolor=self.figure.get_facecolor())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
