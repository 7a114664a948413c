"""A matplotlib figure in a widget, coloured from the Qt palette: every plot of the window is one.

A :class:`FigurePanel` is a title in words, optionally the plot toolbar (zoom, move, save a picture), the plot
(one ``Axes``) and optionally a wrapped sentence under it that says in words what the plot shows.

matplotlib is imported when the first panel is built, not when this module is imported, so the window
opens without it. Each panel has its own ``Figure`` (never pyplot, never global rcParams); its background,
text and axes colours are taken from the palette and taken again when the palette changes, so a plot
follows a dark theme like the rest of the window.
"""

from __future__ import annotations

from typing import Any, TypedDict

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QVBoxLayout, QWidget

from heartgui.gui.widgets.network_view import weight_colour

__all__ = ["EXPLANATION_PANEL", "FigurePanel", "PanelOptions"]


class PanelOptions(TypedDict, total=False):
    """The keyword options of :class:`FigurePanel`, to give several panels the same ones."""

    toolbar: bool
    sentence: bool
    figsize: tuple[float, float]
    minimum_size: tuple[int, int]
    tick_size: float | None


#: The plots that explain one patient's risk (why this risk, what if): no toolbar, a sentence under a
#: shorter figure, a smaller canvas and smaller tick labels.
EXPLANATION_PANEL = PanelOptions(
    toolbar=False, sentence=True, figsize=(5, 3), minimum_size=(260, 150), tick_size=8
)


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


class FigurePanel(QWidget):
    """A title, matplotlib's toolbar (``toolbar``), the plot (one ``Axes``) and a sentence (``sentence``).

    ``figsize`` is the figure's size in inches before Qt lays it out, ``minimum_size`` the canvas's
    smallest size in pixels and ``tick_size`` the tick labels' font size (matplotlib's default if
    ``None``). Subclasses draw on :attr:`axes` and call :meth:`redraw` (``draw_idle``: the repaint happens
    when the event loop is free, so moving a slider never waits for the plot). When the palette changes
    :meth:`apply_palette` runs; subclasses that must redraw their data to recolour it override it.
    """

    def __init__(
        self,
        title: str,
        accessible_name: str,
        parent: QWidget | None = None,
        *,
        toolbar: bool = True,
        sentence: bool = False,
        figsize: tuple[float, float] = (5, 4),
        minimum_size: tuple[int, int] = (300, 280),
        tick_size: float | None = None,
    ) -> None:
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        from heartgui.gui.widgets.plot_toolbar import PlotToolbar

        self.setAccessibleName(accessible_name)
        self.tick_size = tick_size
        self._redraw_when_shown = False
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.canvas: Any = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(*minimum_size)
        self.canvas.setAccessibleName(accessible_name)
        self.axes = self.figure.add_subplot()
        self.title = QLabel(title)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.layout_.addWidget(self.title)
        self.toolbar: QToolBar | None = None
        if toolbar:
            self.toolbar = PlotToolbar(self.canvas, self)
            self.toolbar.setToolTip(
                "Zoom, move the view, or save the plot as a picture (PNG, PDF or SVG: the disk icon)."
            )
            self.layout_.addWidget(self.toolbar)
        self.layout_.addWidget(self.canvas, 1)
        self.canvas.installEventFilter(self)  # for canvas_resized
        self._sentence: QLabel | None = None
        if sentence:
            self._sentence = QLabel()
            self._sentence.setWordWrap(True)
            self._sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.layout_.addWidget(self._sentence)

    @property
    def sentence(self) -> QLabel:
        """The wrapped, selectable sentence under the plot (only in a panel built with ``sentence=True``)."""
        if self._sentence is None:
            raise AttributeError(f"{type(self).__name__} has no sentence (built without sentence=True)")
        return self._sentence

    # ----------------------------------------------------------------------------------------------
    def colours(self) -> dict[str, str]:
        """The palette's colours as matplotlib hex strings: background, text, soft (grid, spines,
        reference lines), positive and negative (the network view's pair for a raised / lowered value)."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.WindowText)
        # Halfway between text and background: grid lines, bars of other answers (placeholder text is
        # often the text colour with transparency, which matplotlib would draw opaque).
        soft = QColor(
            (text.red() + base.red()) // 2,
            (text.green() + base.green()) // 2,
            (text.blue() + base.blue()) // 2,
        )
        return {
            "background": _hex(base),
            "text": _hex(text),
            "soft": _hex(soft),
            "positive": _hex(weight_colour(1.0, palette)),
            "negative": _hex(weight_colour(-1.0, palette)),
        }

    def style_axes(self) -> dict[str, str]:
        """Colour the figure, the axes, their title and legend from the palette; returns :meth:`colours`.

        Does not redraw (see :meth:`apply_palette`).
        """
        c = self.colours()
        self.figure.set_facecolor(c["background"])
        ax = self.axes
        ax.set_facecolor(c["background"])
        for spine in ax.spines.values():
            spine.set_edgecolor(c["soft"])
        ax.tick_params(colors=c["text"], labelcolor=c["text"])
        if self.tick_size is not None:
            ax.tick_params(labelsize=self.tick_size)
        ax.xaxis.label.set_color(c["text"])
        ax.yaxis.label.set_color(c["text"])
        ax.title.set_color(c["text"])
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(c["background"])
            legend.get_frame().set_edgecolor(c["soft"])
            for text in legend.get_texts():
                text.set_color(c["text"])
        return c

    def apply_palette(self) -> None:
        """Draw again in the current palette (called whenever the palette changes).

        Colours the axes and redraws; a subclass whose data carry palette colours overrides it to draw
        them again (and may call it after changing what is drawn).
        """
        self.style_axes()
        self.redraw()

    def redraw(self) -> None:
        """Repaint when the event loop is free (``draw_idle``) if the plot is shown; a hidden plot (another
        tab, a page not shown) repaints when it is next shown. A full draw costs 50–150 ms of the UI
        thread: the Results page's hidden ROC and calibration plots drawing at once held the window
        ~100 ms each right after the model pages were built (the stepping heartbeat measured it)."""
        if self.isVisible():
            self._redraw_when_shown = False
            self.canvas.draw_idle()
        else:
            self._redraw_when_shown = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._redraw_when_shown:
            self.redraw()

    def blank(self) -> dict[str, str]:
        """Empty the axes (and the sentence) and colour them again; returns :meth:`colours`.

        Call :meth:`redraw` when done drawing: this only starts a new picture.
        """
        self.axes.clear()
        if self._sentence is not None:
            self._sentence.clear()
        return self.style_axes()

    def save_png(self, path: str) -> None:
        """Write the figure as a PNG picture (what the toolbar's save button does, without a dialog)."""
        self.figure.savefig(path, format="png", dpi=150, facecolor=self.figure.get_facecolor())

    def canvas_resized(self) -> None:
        """The canvas has a new size (also when only the title or sentence beside it changed height, which
        does not resize the panel): a subclass whose texts depend on the room overrides it to fit them."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.Resize:
            self.canvas_resized()
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
