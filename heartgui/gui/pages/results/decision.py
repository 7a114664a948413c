"""The Decision curve tab: is the model worth using, at which thresholds, against simple policies?

Net benefit (``heartgui.core.clinical``) of flagging the patients whose risk is at least t, for t from
1 % to 60 %, against flagging everyone and flagging no one; the chosen threshold is marked and read in
words. Follows the threshold slider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.pages.results.common import page_column, soft, wrapping

if TYPE_CHECKING:
    from heartgui.core.clinical import DecisionCurve
    from heartgui.core.training import TrainingResult
    from heartgui.gui.widgets.decision_curve_plot import DecisionCurvePlot

__all__ = ["DecisionView"]

EXPLANATION = (
    "A threshold is a judgement about harms: flagging from a risk of 20 % says one patient with the "
    "disease found is worth four healthy patients sent for tests they did not need (20 : 80 = 1 : 4). "
    "Net benefit counts the patients with the disease found, per 100 patients, minus the false alarms "
    "weighted by that ratio. “Flag everyone” finds every patient with the disease but raises every "
    "false alarm; “flag no one” scores 0. A model is worth using at the thresholds where its line is "
    "above both."
)


class DecisionView(QWidget):
    """The decision curve, the reading at the chosen threshold and what net benefit means."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.decision_curve_plot import DecisionCurvePlot

        column = page_column(self, "Is the model useful? (decision curve)")
        self.decision_plot: DecisionCurvePlot = DecisionCurvePlot()
        self.decision_plot.setMinimumHeight(340)
        column.addWidget(self.decision_plot, 1)
        self.reading = wrapping(name="decision_reading")
        column.addWidget(self.reading)
        column.addWidget(soft(wrapping(EXPLANATION, "decision_explanation")))
        self.curve: DecisionCurve | None = None
        self._result: TrainingResult | None = None

    def show_curve(self, result: TrainingResult) -> None:
        """Draw ``result``'s decision curve on its test patients (thresholds 1–60 %)."""
        from heartgui.core.clinical import decision_curve

        self._result = result
        self.curve = decision_curve(result.split.y_test, result.test_risk)
        self.decision_plot.set_curve(self.curve)

    def show_threshold(self, threshold: float) -> None:
        """Mark ``threshold`` and read the curve there, computed at that exact threshold."""
        result = self._result
        if result is None:
            return
        from heartgui.core.clinical import decision_curve, decision_reading

        if not 0.0 < threshold < 1.0:
            self.reading.setText(
                "Net benefit needs a threshold above 0 % and below 100 %: at 0 % everyone is flagged, at "
                "100 % no one. Move the threshold on the Threshold & costs tab."
            )
            return
        at = decision_curve(result.split.y_test, result.test_risk, [threshold])
        model, _ = at.at(threshold)
        self.decision_plot.set_threshold(threshold, model)
        n = len(result.split.y_test)
        self.reading.setText(
            f"{decision_reading(at, threshold)} (On the {n} test patients; the risk is the model's, "
            "flagged means a risk at or above the threshold.)"
        )
