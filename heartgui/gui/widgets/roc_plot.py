"""The ROC curve of the test patients, with the current decision threshold as a point that moves.

Every vertex of the curve is one threshold (``heartgui.core.evaluation.roc_points``); the point of the
chosen threshold is one of them, so a student sees what moving the slider trades: up the curve catches
more patients with disease and raises more false alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.wording import threshold_percent

if TYPE_CHECKING:
    import numpy as np

__all__ = ["RocPlot"]

#: A colour that reads on light and dark backgrounds (matplotlib's default blue and a warm orange).
CURVE_COLOUR = "tab:blue"
POINT_COLOUR = "#d6602a"
#: The title's font size, and the share of the figure's width it may take on one line (it is centred over
#: the axes, which the axis labels push to the right).
TITLE_SIZE = 10
TITLE_ROOM = 0.8


class RocPlot(FigurePanel):
    """True-positive rate (sensitivity) against false-positive rate (1 − specificity)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "ROC curve: patients with disease caught (up) against false alarms (right)",
            "ROC curve",
            parent,
        )
        self.canvas.setToolTip(
            "Each step of the curve is one threshold. Bottom left: nobody is called ill; top right: "
            "everybody is. The dot is the threshold you chose. The dashed diagonal is a coin toss; the "
            "closer the curve hugs the top-left corner, the better the risk separates the two groups."
        )
        ax = self.axes
        ax.set_xlabel("False-alarm rate (1 − specificity)")
        ax.set_ylabel("Caught rate (sensitivity)")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(True, alpha=0.3)
        (self.diagonal,) = ax.plot([0, 1], [0, 1], linestyle="--", linewidth=1, label="coin toss")
        (self.curve,) = ax.plot([], [], color=CURVE_COLOUR, linewidth=2, label="this model")
        (self.point,) = ax.plot(
            [], [], marker="o", markersize=10, linestyle="none", color=POINT_COLOUR, label="your threshold"
        )
        self.point_label = ax.annotate(
            "", xy=(0, 0), xytext=(12, -16), textcoords="offset points", color=POINT_COLOUR, fontsize=9
        )
        self._title_parts = ("", "")
        self.apply_palette()

    def apply_palette(self) -> None:
        self.diagonal.set_color(self.colours()["soft"])
        self.axes.legend(loc="lower right", fontsize=8, framealpha=0.85)  # picks up the new colour
        super().apply_palette()

    def set_curve(
        self,
        fpr: np.ndarray | Sequence[float],
        tpr: np.ndarray | Sequence[float],
        auc: float,
        interval: tuple[float, float],
    ) -> None:
        """Draw the curve; its AUC (with its 95 % interval) goes in the title above the axes."""
        self.curve.set_data(list(fpr), list(tpr))
        low, high = interval
        ci = "" if low != low else f"95 % CI {low:.2f}–{high:.2f}"
        self._title_parts = (f"Area under the curve (AUC) {auc:.2f}", ci)
        self._fit_title()
        self.apply_palette()

    def canvas_resized(self) -> None:
        if self._fit_title():
            self.redraw()

    def _fit_title(self) -> bool:
        """Set the title on one line if it fits the figure's width, else with the interval on a second
        line (a narrow window cut it off at the figure's edge); ``True`` if the title changed."""
        auc, ci = self._title_parts
        text = f"{auc}, {ci}" if ci else auc
        if ci:
            font = self.axes.title.get_fontproperties().copy()
            font.set_size(TITLE_SIZE)
            width, _, _ = self.canvas.get_renderer().get_text_width_height_descent(text, font, ismath=False)
            # In device pixels, as the renderer measures; the figure learns the canvas's new size later.
            if width > TITLE_ROOM * self.canvas.width() * self.canvas.device_pixel_ratio:
                text = f"{auc},\n{ci}"
        if text == self.axes.get_title():
            return False
        self.axes.set_title(text, fontsize=TITLE_SIZE)
        return True

    def set_point(self, fpr: float, tpr: float, threshold: float) -> None:
        """Move the dot to the ROC point of ``threshold``."""
        self.point.set_data([fpr], [tpr])
        self.point_label.xy = (fpr, tpr)
        self.point_label.set_text(f"risk ≥ {threshold_percent(threshold)}")
        # Keep the label inside the axes near the right and bottom edges.
        self.point_label.set_position((-78 if fpr > 0.75 else 12, 10 if tpr < 0.15 else -16))
        self.redraw()

    def point_data(self) -> tuple[float, float]:
        """The dot's (false-positive rate, true-positive rate)."""
        import numpy as np  # loaded with matplotlib already

        x, y = self.point.get_data()
        return float(np.asarray(x)[0]), float(np.asarray(y)[0])
