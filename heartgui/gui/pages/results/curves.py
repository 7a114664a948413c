"""The Curves tab: the ROC curve with the threshold's point, and the calibration plot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from heartgui.gui.pages.results.common import auc_interval, page_column, wrapping
from heartgui.gui.widgets.wording import plural

if TYPE_CHECKING:
    from heartgui.core.training import TrainingResult
    from heartgui.gui.widgets.calibration_plot import CalibrationPlot
    from heartgui.gui.widgets.roc_plot import RocPlot

__all__ = ["BOOTSTRAP_RESAMPLES", "CALIBRATION_GROUPS", "CurvesView"]

#: Groups of test patients in the calibration plot.
CALIBRATION_GROUPS = 5
#: Bootstrap resamples for the AUC interval (a few milliseconds on 54 patients).
BOOTSTRAP_RESAMPLES = 1000


class CurvesView(QWidget):
    """The ROC curve and the calibration plot side by side, a sentence under each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.calibration_plot import CalibrationPlot
        from heartgui.gui.widgets.roc_plot import RocPlot

        column = page_column(self, "Curves")
        self.roc_plot: RocPlot = RocPlot()
        self.calibration_plot: CalibrationPlot = CalibrationPlot()
        plots = QHBoxLayout()
        plots.setSpacing(20)
        for plot in (self.roc_plot, self.calibration_plot):
            plot.setMinimumHeight(380)
            plots.addWidget(plot, 1)
        column.addLayout(plots, 1)
        sentences = QHBoxLayout()
        sentences.setSpacing(20)
        self.roc_sentence = wrapping(name="roc_sentence")
        self.calibration_sentence = wrapping(name="calibration_sentence")
        for label in (self.roc_sentence, self.calibration_sentence):
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            sentences.addWidget(label, 1)
        column.addLayout(sentences)
        self.drawn = False

    def show_curves(self, result: TrainingResult) -> tuple[float, float]:
        """Draw ``result``'s test curves; returns the AUC's bootstrap interval (NaN if undefined)."""
        from heartgui.core.evaluation import bootstrap_auc_interval, calibration_points, roc_points

        y, risk = result.split.y_test, result.test_risk
        m = result.test_metrics
        try:
            fpr, tpr, _ = roc_points(y, risk)
        except ValueError as exc:  # the test patients are all of one class (a tiny data file)
            self.drawn = False
            self.roc_sentence.setText(str(exc))
            self.calibration_sentence.setText("")
            return (float("nan"), float("nan"))
        interval = bootstrap_auc_interval(y, risk, n_boot=BOOTSTRAP_RESAMPLES)
        self.roc_plot.set_curve(fpr, tpr, m.roc_auc, interval)
        self.drawn = True
        predicted, observed, counts = calibration_points(y, risk, n_bins=CALIBRATION_GROUPS)
        self.calibration_plot.set_points(predicted, observed, counts, m.brier)
        self.roc_sentence.setText(
            f"ROC AUC {m.roc_auc:.2f} ({auc_interval(interval)}, from 1000 resamples of the "
            f"{m.n} test patients): the chance that a patient with heart disease gets a higher risk than "
            "one without. The orange dot is your threshold: move the slider on the Threshold & costs tab "
            "and it travels along the curve."
        )
        self.calibration_sentence.setText(
            f"Test patients in {plural(len(counts), 'group')} of about {round(m.n / len(counts))} by "
            f"predicted risk. Dots near the diagonal: the percentages can be taken at face value. Brier "
            f"score {m.brier:.3f}: the average squared gap between risk and outcome (0 is perfect; always "
            f"saying 50 % scores 0.25)."
        )
        return interval

    def show_threshold(self, result: TrainingResult, threshold: float) -> None:
        """Move the ROC dot to ``threshold`` (when the curve is drawn)."""
        if self.drawn:
            from heartgui.core.evaluation import roc_point_at

            fpr, tpr = roc_point_at(result.split.y_test, result.test_risk, threshold)
            self.roc_plot.set_point(fpr, tpr, threshold)
