"""How sure: one patient's risk from each network trained from other random starting weights, as dots.

A 0–100 % risk axis with a dot per network (dots that would overlap are stacked), the student's own model
marked as a larger diamond, the 10th–90th percentile band shaded and the decision threshold as a dashed
line. The spread shows only what the random start changes; the page says what it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.wording import threshold_percent

__all__ = ["SpreadPlot", "stack_heights"]

#: Dots closer than this (percentage points) are stacked instead of drawn on top of each other.
OVERLAP_POINTS = 1.2


def stack_heights(values: Sequence[float], overlap: float = OVERLAP_POINTS) -> list[int]:
    """For each value, how many earlier values lie within ``overlap`` of it (its row in the stack)."""
    rows: list[int] = []
    for i, value in enumerate(values):
        rows.append(sum(1 for earlier in values[:i] if abs(earlier - value) < overlap))
    return rows


class SpreadPlot(FigurePanel):
    """Dots on a 0–100 % risk axis: the networks of "How sure", the student's model, the threshold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "This patient's risk from each network: ● another random start, ◆ your model; shaded: the "
            "middle 80 % of the networks",
            "Risk from each network",
            parent,
            toolbar=False,
            figsize=(5, 1.9),
            minimum_size=(260, 130),
            tick_size=8,
        )
        self.canvas.setToolTip(
            "Each dot: this patient's risk from one network trained with your model's settings on the same "
            "training patients, from other random starting weights. The diamond is your model; the shaded "
            "band holds the middle 80 % of the networks (10th–90th percentile); the dashed line is the "
            "threshold."
        )
        self._spread: Any = None
        self.risks: Any = None
        self.own_risk: float | None = None
        self.threshold = 0.5
        self.dots: Any = None
        self.own_marker: Any = None
        self.threshold_line: Any = None
        self.style_axes()

    def set_spread(self, spread: Any, own_risk: float, threshold: float) -> None:
        """Show ``spread`` (a ``RiskSpread``) with the student's model's ``own_risk`` and ``threshold``."""
        self._spread = spread
        self.risks = list(spread.risks)
        self.own_risk = float(own_risk)
        self.threshold = float(threshold)
        self._draw()

    def clear(self) -> None:
        self._spread = self.risks = None
        self.own_risk = None
        self.dots = self.own_marker = self.threshold_line = None
        self.blank()
        if self.isVisible():  # hidden, it is drawn anew by set_spread before it is shown again
            self.redraw()

    def apply_palette(self) -> None:
        self._draw()

    def _draw(self) -> None:
        ax = self.axes
        c = self.blank()
        self.dots = self.own_marker = self.threshold_line = None
        if self._spread is None or self.risks is None or self.own_risk is None:
            self.redraw()
            return
        points = [r * 100 for r in self.risks]
        heights = stack_heights(points)
        top = max(heights, default=0) + 1
        ax.axvspan(self._spread.low * 100, self._spread.high * 100, color=c["soft"], alpha=0.25, linewidth=0)
        self.dots = ax.scatter(
            points,
            [h + 0.5 for h in heights],
            s=46,
            color=c["negative"],
            edgecolors=c["text"],
            linewidths=0.5,
            zorder=3,
        )
        (self.own_marker,) = ax.plot(
            [self.own_risk * 100],
            [top + 0.6],
            marker="D",
            markersize=9,
            linestyle="none",
            color=c["positive"],
            markeredgecolor=c["text"],
            zorder=4,
        )
        self.threshold_line = ax.axvline(self.threshold * 100, color=c["text"], linewidth=1, linestyle="--")
        ax.annotate(
            f"threshold {threshold_percent(self.threshold)}",
            xy=(self.threshold * 100, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -10),
            textcoords="offset points",
            fontsize=8,
            color=c["text"],
        )
        ax.set_xlim(-2, 102)  # room for a dot at 0 % or 100 %
        ax.set_ylim(0, top + 2.4)  # the threshold's label above the diamond
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_yticks([])
        ax.set_xlabel("Risk of coronary disease now (%)", fontsize=8)
        ax.grid(True, axis="x", alpha=0.3, color=c["soft"])
        self.redraw()
