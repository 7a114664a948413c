"""The decision curve: net benefit of using the model against treating everyone and treating no one.

Net benefit at a threshold t (``heartgui.core.clinical.decision_curve``) counts the true positives per
patient and subtracts the false positives weighted by t/(1 − t), the harm-to-benefit ratio a clinician
accepts when choosing t. Where the model's line is above both others, using it does more good than harm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.roc_plot import CURVE_COLOUR, POINT_COLOUR
from heartgui.gui.widgets.wording import threshold_percent

if TYPE_CHECKING:
    from heartgui.core.clinical import DecisionCurve

__all__ = ["DecisionCurvePlot"]

TREAT_ALL_COLOUR = "#8c6bb1"


class DecisionCurvePlot(FigurePanel):
    """Net benefit (per 100 patients) against the threshold (%), three lines and the chosen threshold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Decision curve: is using the model better than flagging everyone or no one?",
            "Decision curve",
            parent,
            figsize=(7, 4),
        )
        self.canvas.setToolTip(
            "Across: the threshold, the risk from which a patient is flagged for further testing. Up: the "
            "net benefit, true positives per 100 patients minus the false positives weighted by how much a "
            "false alarm counts at that threshold. The model is useful where its line is above both "
            "‘flag everyone’ and ‘flag no one’ (the line at 0)."
        )
        ax = self.axes
        ax.set_xlabel("Threshold: flag when the risk is at least … (%)")
        ax.set_ylabel("Net benefit (per 100 patients)")
        ax.grid(True, alpha=0.3)
        (self.none_line,) = ax.plot([], [], linewidth=1.5, linestyle=":", label="flag no one")
        (self.all_line,) = ax.plot([], [], color=TREAT_ALL_COLOUR, linewidth=1.5, label="flag everyone")
        (self.model_line,) = ax.plot([], [], color=CURVE_COLOUR, linewidth=2, label="use the model")
        self.marker = ax.axvline(0.0, color=POINT_COLOUR, linewidth=1.5, linestyle="--")
        (self.point,) = ax.plot([], [], marker="o", markersize=9, linestyle="none", color=POINT_COLOUR)
        self.marker.set_label("your threshold")
        self.point_label = ax.annotate(
            "", xy=(0, 0), xytext=(8, 8), textcoords="offset points", color=POINT_COLOUR, fontsize=9
        )
        self.curve: DecisionCurve | None = None
        self.apply_palette()

    def apply_palette(self) -> None:
        self.none_line.set_color(self.colours()["text"])
        self.axes.legend(loc="upper right", fontsize=8, framealpha=0.85)
        super().apply_palette()

    def set_curve(self, curve: DecisionCurve) -> None:
        """Draw the three lines over the curve's thresholds (in %, net benefit per 100 patients)."""
        self.curve = curve
        t = curve.thresholds * 100
        self.model_line.set_data(t, curve.model * 100)
        self.all_line.set_data(t, curve.treat_all * 100)
        self.none_line.set_data(t, curve.treat_none * 100)
        top = max(float(curve.model.max()), float(curve.treat_all.max()), 0.0) * 100
        # Treat all falls steeply at high thresholds: keep the axis on the region where the lines differ.
        self.axes.set_xlim(0, float(t.max()) + 1)
        self.axes.set_ylim(-0.25 * max(top, 5.0), top * 1.1 + 2)
        self.apply_palette()

    def set_threshold(self, threshold: float, model_benefit: float) -> None:
        """Mark ``threshold`` with a vertical line and the model's net benefit there as a dot."""
        self.marker.set_xdata([threshold * 100, threshold * 100])
        self.point.set_data([threshold * 100], [model_benefit * 100])
        self.point_label.xy = (threshold * 100, model_benefit * 100)
        self.point_label.set_text(f"{threshold_percent(threshold)}: {model_benefit * 100:.1f}")
        if self.curve is not None:  # a threshold beyond the curve's range stays in sight
            right = float(self.curve.thresholds.max()) * 100 + 1
            self.axes.set_xlim(0, max(right, threshold * 100 + 3))
        self.redraw()  # (no new legend: rebuilding it on every slider step costs ~30 ms)
