"""The Curves tab: the ROC curve and the precision–recall curve side by side, the threshold a dot on each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from heartgui.gui.pages.results.common import auc_interval, page_column, wrapping
from heartgui.gui.widgets.wording import percent

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult
    from heartgui.gui.widgets.pr_plot import PrecisionRecallPlot
    from heartgui.gui.widgets.roc_plot import RocPlot

__all__ = ["BOOTSTRAP_RESAMPLES", "CurvesView"]

#: Bootstrap resamples for the AUC interval (a few milliseconds on 54 patients).
BOOTSTRAP_RESAMPLES = 1000


class CurvesView(QWidget):
    """The ROC curve and the precision–recall curve side by side, a sentence under each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.pr_plot import PrecisionRecallPlot
        from heartgui.gui.widgets.roc_plot import RocPlot

        column = page_column(self, "Curves")
        self.roc_plot: RocPlot = RocPlot()
        self.pr_plot: PrecisionRecallPlot = PrecisionRecallPlot()
        plots = QHBoxLayout()
        plots.setSpacing(20)
        for plot in (self.roc_plot, self.pr_plot):
            plot.setMinimumHeight(380)
            plots.addWidget(plot, 1)
        column.addLayout(plots, 1)
        sentences = QHBoxLayout()
        sentences.setSpacing(20)
        self.roc_sentence = wrapping(name="roc_sentence")
        self.pr_sentence = wrapping(name="pr_sentence")
        for label in (self.roc_sentence, self.pr_sentence):
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            sentences.addWidget(label, 1)
        column.addLayout(sentences)
        self.drawn = False

    def show_curves(self, result: TrainingResult) -> tuple[float, float]:
        """Draw ``result``'s test curves; returns the AUC's bootstrap interval (NaN if undefined)."""
        from heartgui.core.evaluation import bootstrap_auc_interval, precision_recall_points, roc_points

        y, risk = result.split.y_test, result.test_risk
        m = result.test_metrics
        try:
            fpr, tpr, _ = roc_points(y, risk)
        except ValueError as exc:  # the test patients are all of one class (a tiny data file)
            self.drawn = False
            self.roc_sentence.setText(str(exc))
            self.pr_sentence.setText("")
            return (float("nan"), float("nan"))
        interval = bootstrap_auc_interval(y, risk, n_boot=BOOTSTRAP_RESAMPLES)
        self.roc_plot.set_curve(fpr, tpr, m.roc_auc, interval)
        recall, precision, _, average_precision = precision_recall_points(y, risk)
        prevalence = float(y.mean())
        self.pr_plot.set_curve(recall, precision, average_precision, prevalence)
        self.drawn = True
        self.roc_sentence.setText(
            f"ROC AUC {m.roc_auc:.2f} ({auc_interval(interval)}, from 1000 resamples of the "
            f"{m.n} test patients): the chance that a patient with heart disease gets a higher risk than "
            "one without. The orange dot is your threshold: move the slider on the Threshold & costs tab "
            "and it travels along the curve."
        )
        self.pr_sentence.setText(
            f"Average precision {average_precision:.2f}. Precision is the PPV: of the patients flagged, the "
            "share who had heart disease. A model with no skill stays at the prevalence "
            f"({percent(prevalence)} of these test patients had the disease), so where the disease is "
            "rarer the same model's curve sits lower: see the Other prevalence tab."
        )
        return interval

    def show_threshold(self, m: Metrics) -> None:
        """Move the dots to the threshold of ``m`` (the test patients' figures there), when drawn."""
        if self.drawn:
            # As roc_point_at computes it, without scoring the patients again.
            self.roc_plot.set_point(1.0 - m.specificity, m.sensitivity, m.threshold)
            self.pr_plot.set_point(m.sensitivity, m.ppv, m.threshold)
