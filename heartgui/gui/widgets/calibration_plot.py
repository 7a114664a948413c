"""The reliability (calibration) plot: when the model says 30 %, how often did the disease turn out present?

Test patients are put in groups of about equal size by predicted risk
(``heartgui.core.evaluation.calibration_points``); each dot is one group: its mean predicted risk across,
the share who really had heart disease up. A perfectly calibrated model's dots lie on the diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.widgets.figure_panel import FigurePanel

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CalibrationPlot"]

DOT_COLOUR = "tab:blue"


class CalibrationPlot(FigurePanel):
    """Observed share with disease against mean predicted risk, one dot per group of test patients."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "When the model says 30 %, do about 30 % have heart disease? (calibration)",
            "Calibration plot",
            parent,
        )
        self.canvas.setToolTip(
            "Test patients are grouped by the risk the model gave them. Each dot is one group: how much "
            "risk the model gave on average (across) and how many of them really had heart disease (up). "
            "On the dashed diagonal the model's percentages can be taken at face value; below it the "
            "model overstates the risk, above it understates it. The number beside a dot is the group "
            "size: with few patients per group, a dot can be off by chance."
        )
        ax = self.axes
        ax.set_xlabel("Risk the model gave (group average)")
        ax.set_ylabel("Share who had heart disease")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(True, alpha=0.3)
        (self.diagonal,) = ax.plot([0, 1], [0, 1], linestyle="--", linewidth=1, label="perfectly calibrated")
        (self.dots,) = ax.plot([], [], marker="o", markersize=8, color=DOT_COLOUR, label="this model")
        self._counts: list = []
        self._bars: object | None = None
        self.apply_palette()

    def apply_palette(self) -> None:
        self.diagonal.set_color(self.colours()["soft"])
        for text in self._counts:
            text.set_color(self.colours()["text"])
        self.axes.legend(loc="upper left", fontsize=9)  # picks up the new colours
        super().apply_palette()

    def set_points(
        self,
        predicted: np.ndarray | Sequence[float],
        observed: np.ndarray | Sequence[float],
        counts: np.ndarray | Sequence[int],
        brier: float,
        intervals: Sequence[tuple[float, float]] | None = None,
    ) -> None:
        """One dot per group; the Brier score (mean squared error of the risk) goes in the legend.

        ``intervals`` (one (low, high) per group, the 95 % interval of the observed share) are drawn as
        vertical bars through the dots: with a dozen patients per group a dot may be far off by chance.
        """
        self.dots.set_data(list(predicted), list(observed))
        if self._bars is not None:
            self._bars.remove()  # type: ignore[attr-defined]
            self._bars = None
        if intervals is not None:
            low = [lo for lo, _ in intervals]
            high = [hi for _, hi in intervals]
            self._bars = self.axes.vlines(
                list(predicted), low, high, colors=DOT_COLOUR, linewidth=1.5, label="95 % interval"
            )
        self.dots.set_label(f"this model (Brier score {brier:.3f})")
        for text in self._counts:
            text.remove()
        self._counts = [
            # Centred above the dot (below it near the top), so neighbouring labels do not collide; beside
            # it when interval bars run through the dot.
            self.axes.annotate(
                f"n={int(n)}",
                (x, y),
                xytext=(6, -3) if intervals is not None else (0, -15 if y > 0.9 else 9),
                textcoords="offset points",
                ha="left" if intervals is not None else "center",
                fontsize=8,
            )
            for x, y, n in zip(predicted, observed, counts, strict=True)
        ]
        self.apply_palette()

    def point_count(self) -> int:
        import numpy as np  # loaded with matplotlib already

        return len(np.asarray(self.dots.get_xdata()))

    def interval_data(self) -> list[tuple[float, float]]:
        """The (low, high) of each group's interval bar as drawn; empty without intervals."""
        if self._bars is None:
            return []
        return [(float(seg[0][1]), float(seg[1][1])) for seg in self._bars.get_segments()]  # type: ignore[attr-defined]
