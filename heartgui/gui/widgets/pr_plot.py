"""The precision–recall curve of the test patients, beside the ROC curve, with the threshold's point.

Precision (PPV: of the patients flagged, how many had the disease) against recall (sensitivity). Unlike
the ROC curve it depends on how common the disease is: a model with no skill draws a flat line at the
prevalence, so the same model looks worse where the disease is rarer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.roc_plot import CURVE_COLOUR, POINT_COLOUR, TITLE_SIZE
from heartgui.gui.widgets.wording import threshold_percent

if TYPE_CHECKING:
    import numpy as np

__all__ = ["PrecisionRecallPlot"]


class PrecisionRecallPlot(FigurePanel):
    """Precision (PPV) up against recall (sensitivity) across; the prevalence as the no-skill line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Precision–recall: of those flagged, how many were ill (up), against caught (right)",
            "Precision–recall curve",
            parent,
        )
        self.canvas.setToolTip(
            "Each step is one threshold. Right: more of the patients with disease are caught (recall, "
            "sensitivity); up: more of the patients flagged really have it (precision, PPV). The dashed "
            "line is a model with no skill: its precision is the share of patients with the disease."
        )
        ax = self.axes
        ax.set_xlabel("Caught rate (recall, sensitivity)")
        ax.set_ylabel("Flagged who were ill (precision, PPV)")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(True, alpha=0.3)
        (self.baseline,) = ax.plot([0, 1], [0.5, 0.5], linestyle="--", linewidth=1, label="no skill")
        (self.curve,) = ax.plot([], [], color=CURVE_COLOUR, linewidth=2, label="this model")
        (self.point,) = ax.plot(
            [], [], marker="o", markersize=10, linestyle="none", color=POINT_COLOUR, label="your threshold"
        )
        self.point_label = ax.annotate(
            "", xy=(0, 0), xytext=(12, -16), textcoords="offset points", color=POINT_COLOUR, fontsize=9
        )
        self.apply_palette()

    def apply_palette(self) -> None:
        self.baseline.set_color(self.colours()["soft"])
        self.axes.legend(loc="lower left", fontsize=8, framealpha=0.85)
        super().apply_palette()

    def set_curve(
        self,
        recall: np.ndarray | Sequence[float],
        precision: np.ndarray | Sequence[float],
        average_precision: float,
        prevalence: float,
    ) -> None:
        """Draw the curve (as steps) and the no-skill line at ``prevalence``."""
        self.curve.set_data(list(recall), list(precision))
        self.curve.set_drawstyle("steps-post")
        self.baseline.set_ydata([prevalence, prevalence])
        self.baseline.set_label(f"no skill (prevalence {prevalence * 100:.0f} %)")
        self.axes.set_title(f"Average precision {average_precision:.2f}", fontsize=TITLE_SIZE)
        self.apply_palette()

    def set_point(self, recall: float, precision: float, threshold: float) -> None:
        """Move the dot to ``threshold``'s (recall, precision); no dot when nobody is flagged."""
        if precision != precision:
            self.point.set_data([], [])
        else:
            self.point.set_data([recall], [precision])
        self.point_label.xy = (recall, precision if precision == precision else 0.0)
        self.point_label.set_text("" if precision != precision else f"risk ≥ {threshold_percent(threshold)}")
        # Keep the label inside the axes near the right and bottom edges (as the ROC plot does).
        self.point_label.set_position((-78 if recall > 0.75 else 12, 10 if precision < 0.15 else -16))
        self.redraw()

    def point_data(self) -> tuple[float, float]:
        """The dot's (recall, precision)."""
        import numpy as np  # loaded with matplotlib already

        x, y = self.point.get_data()
        return float(np.asarray(x)[0]), float(np.asarray(y)[0])
