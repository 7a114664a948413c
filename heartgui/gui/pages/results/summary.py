"""The Summary tab: the test figures as cards with their intervals, training vs test accuracy, the run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from heartgui.gui.pages.results.common import (
    auc_interval,
    fixed,
    page_column,
    percent_interval,
    scaled_font,
    section_title,
    soft,
    wrapping,
)
from heartgui.gui.widgets.card import Card
from heartgui.gui.widgets.wording import UNDEFINED, percent, threshold_percent

if TYPE_CHECKING:
    import numpy as np

    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult

__all__ = ["MODERATE_GAP_POINTS", "OVERFIT_GAP_POINTS", "PRESET_WORDS", "SummaryView"]

#: A train–test accuracy gap (percentage points) from which the page speaks of overfitting.
OVERFIT_GAP_POINTS = 10.0
#: A gap from which the page calls it moderate.
MODERATE_GAP_POINTS = 5.0

PRESET_WORDS = {
    "tutorial": "Tutorial (the original lesson's run)",
    "recommended": "Recommended",
    "custom": "Custom settings",
}


class FigureCard(Card):
    """A framed box with a title, one or more big figures and an explanation."""

    def __init__(self, title: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(14, 10, 14, 12)
        self.layout_.setSpacing(4)
        self.title = QLabel(title)
        self.title.setFont(scaled_font(self, 1.0, bold=True))
        self.layout_.addWidget(self.title)

    def big_label(self, name: str) -> QLabel:
        label = QLabel(UNDEFINED)
        label.setObjectName(name)
        label.setFont(scaled_font(self, 2.0, bold=True))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label


class MetricCard(FigureCard):
    """One figure of the test set: title, value (objectName ``<key>_value``), one-line explanation."""

    def __init__(self, key: str, title: str, explanation: str, tooltip: str) -> None:
        super().__init__(title, tooltip)
        self.value = self.big_label(f"{key}_value")
        self.layout_.addWidget(self.value)
        self.interval = QLabel("")
        self.interval.setObjectName(f"{key}_interval")
        self.interval.setToolTip(
            "The range that, 19 times out of 20, contains the figure we would see on very many patients "
            "like these (a 95 % confidence interval)."
        )
        self.layout_.addWidget(self.interval)
        self.explanation = soft(wrapping(explanation, f"{key}_explanation"))
        self.layout_.addWidget(self.explanation)
        self.layout_.addStretch(1)


class SummaryView(QWidget):
    """The tab "How good is the model?": the cards, the uncertainty sentence and the run's details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = page_column(self, "How good is the model?")
        self.summary = wrapping(name="summary_label")
        column.addWidget(self.summary)
        column.addLayout(self._build_cards())
        self.uncertainty_sentence = wrapping(name="uncertainty_sentence")
        column.addWidget(self.uncertainty_sentence)
        column.addWidget(section_title(self, "About this run"))
        column.addWidget(self._build_run_details())
        column.addStretch(1)

    def _build_cards(self) -> QGridLayout:
        self.cards = {
            "accuracy": MetricCard(
                "accuracy",
                "Accuracy",
                "Of all test patients, how many the model classified correctly.",
                "The share of test patients for whom the model's yes/no answer was right. It can mislead: "
                "a model that calls everybody healthy is right for every healthy patient.",
            ),
            "sensitivity": MetricCard(
                "sensitivity",
                "Sensitivity",
                "Of the patients who had heart disease, how many the model caught.",
                "Also called recall or true-positive rate: caught ÷ (caught + missed). It matters most "
                "when a missed heart disease is the dangerous mistake.",
            ),
            "specificity": MetricCard(
                "specificity",
                "Specificity",
                "Of the patients without heart disease, how many it correctly reassured.",
                "True-negative rate: correctly reassured ÷ (correctly reassured + false alarms). A low "
                "specificity sends many healthy patients for further tests.",
            ),
            "roc_auc": MetricCard(
                "roc_auc",
                "ROC AUC",
                "How well the risk ranks a sick patient above a healthy one: "
                "0.5 is a coin toss, 1.0 perfect.",
                "Area under the ROC curve: the chance that a randomly chosen test patient with heart "
                "disease gets a higher risk than a randomly chosen one without. It does not depend on "
                "the threshold.",
            ),
            "statlog_cost": MetricCard(
                "statlog_cost",
                "Statlog cost",
                "Average cost per patient when a missed disease costs 5 and a false alarm 1 (heart.doc).",
                "The cost matrix of the Statlog study (heart.doc): every missed disease costs 5, every "
                "false alarm 1, divided by the number of test patients. 0 is perfect; lower is better.",
            ),
        }
        fit = FigureCard(
            "Training vs test accuracy",
            "Accuracy on the patients the model learned from, next to accuracy on the patients it "
            "never saw. A large gap means the model memorised its training patients (overfitting).",
        )
        figures = QHBoxLayout()
        figures.setSpacing(28)
        self.train_accuracy = fit.big_label("train_accuracy_value")
        self.test_accuracy = fit.big_label("test_accuracy_value")
        for label, caption in ((self.train_accuracy, "training"), (self.test_accuracy, "test")):
            box = QVBoxLayout()
            box.setSpacing(0)
            box.addWidget(label)
            box.addWidget(soft(QLabel(caption)))
            figures.addLayout(box)
        figures.addStretch(1)
        fit.layout_.addLayout(figures)
        self.overfit_hint = wrapping(name="overfit_hint")
        fit.layout_.addWidget(self.overfit_hint)
        fit.layout_.addStretch(1)
        self.fit_card = fit

        grid = QGridLayout()
        grid.setSpacing(12)
        for i, card in enumerate([*self.cards.values(), fit]):
            grid.addWidget(card, i // 3, i % 3)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        return grid

    def _build_run_details(self) -> QFrame:
        card = Card()
        # A grid, not a QFormLayout: in a scroll area QFormLayout's height for a width came out a line
        # short for a wrapped value (at 1016 px the test patients' sentence lost its second line).
        grid = QGridLayout(card)
        grid.setContentsMargins(14, 10, 14, 12)
        grid.setColumnStretch(1, 1)
        self.preset_value = wrapping(name="preset_value")
        self.threshold_value = wrapping(name="threshold_value")
        self.n_test_value = wrapping(name="n_test_value")
        self.epochs_value = wrapping(name="epochs_value")
        rows = (
            ("Settings:", self.preset_value),
            ("Decision threshold:", self.threshold_value),
            ("Test patients:", self.n_test_value),
            ("Training:", self.epochs_value),
        )
        for row, (name, value) in enumerate(rows):
            grid.addWidget(QLabel(name), row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(value, row, 1)
        return card

    # ----------------------------------------------------------------------------------------------
    def show_figures(
        self,
        result: TrainingResult,
        m: Metrics,
        *,
        train_risk: np.ndarray,
        auc_ci: tuple[float, float],
    ) -> None:
        """Show the Statlog-cost figures ``m`` of ``result``'s test patients at ``m.threshold``."""
        self._show_cards(m, auc_ci)
        self._show_fit(result, m, train_risk)
        self._show_run(result, m)

    def _show_cards(self, m: Metrics, auc_ci: tuple[float, float]) -> None:
        from heartgui.core.evaluation import wilson_interval

        self.cards["accuracy"].value.setText(percent(m.accuracy))
        self.cards["sensitivity"].value.setText(percent(m.sensitivity))
        self.cards["specificity"].value.setText(percent(m.specificity))
        self.cards["roc_auc"].value.setText(fixed(m.roc_auc, 2))
        self.cards["statlog_cost"].value.setText(fixed(m.statlog_cost, 2))
        self.cards["accuracy"].interval.setText(percent_interval(wilson_interval(m.tp + m.tn, m.n)))
        self.cards["sensitivity"].interval.setText(percent_interval(wilson_interval(m.tp, m.tp + m.fn)))
        self.cards["specificity"].interval.setText(percent_interval(wilson_interval(m.tn, m.tn + m.fp)))
        self.cards["roc_auc"].interval.setText(auc_interval(auc_ci))
        self.cards["statlog_cost"].interval.setText(f"at a threshold of {threshold_percent(m.threshold)}")
        self.cards["statlog_cost"].explanation.setText(
            f"Average cost per patient when a missed disease costs {m.cost_missed:g} and a false alarm "
            f"{m.cost_false_alarm:g} (heart.doc). {cost_baselines(m)}"
        )
        self.uncertainty_sentence.setText(
            f"Only {m.n} test patients: these numbers could easily be a few points higher or lower. The "
            "ranges under the figures (95 % confidence intervals) show by how much."
        )

    def _show_fit(self, result: TrainingResult, test_metrics: Metrics, train_risk: np.ndarray) -> None:
        """Training vs test accuracy at the page's threshold: the test figure is the Accuracy card's."""
        from heartgui.core.evaluation import evaluate

        train = evaluate(result.split.y_train, train_risk, test_metrics.threshold).accuracy
        test = test_metrics.accuracy
        self.train_accuracy.setText(percent(train))
        self.test_accuracy.setText(percent(test))
        gap = (train - test) * 100
        one_patient = 100 / result.test_metrics.n
        if gap >= OVERFIT_GAP_POINTS:
            hint = (
                f"Training accuracy is {gap:.0f} points higher: the model fits the patients it learned "
                "from better than new ones (overfitting). Expect new patients to do about as well as "
                "the test figure, not the training one."
            )
        elif gap >= MODERATE_GAP_POINTS:
            hint = (
                f"A moderate gap of {gap:.0f} points: a little overfitting, though with so few test "
                f"patients (one patient = {one_patient:.1f} points) part of it may be chance."
            )
        else:
            hint = "Training and test accuracy are close: no sign of overfitting."
        threshold = threshold_percent(test_metrics.threshold)
        self.overfit_hint.setText(
            f"{hint} (Both at a decision threshold of {threshold}, as on the other cards.)"
        )

    def _show_run(self, result: TrainingResult, m: Metrics) -> None:
        settings = result.settings
        self.preset_value.setText(PRESET_WORDS.get(settings.preset, settings.preset))
        threshold = threshold_percent(m.threshold)
        saved = threshold_percent(float(result.model.threshold))
        self.threshold_value.setText(
            f"{threshold}: a test patient counts as “model said disease” when the risk is "
            f"{threshold} or more"
            + (
                "."
                if threshold == saved
                else f" (the model came with {saved}; training does not use a threshold, so it can be "
                "chosen afterwards, on the Threshold & costs tab)."
            )
        )
        self.n_test_value.setText(
            f"{m.n} patients were kept aside and never used for training. That is few: one patient "
            f"more or less moves a percentage by about {100 / m.n:.1f} points, so small differences "
            "between two runs mean little."
        )
        from heartgui.gui.pages.train_page import ending_words

        # Which stop happened (all epochs, early stopping, the student's Stop) and whose weights were kept.
        self.epochs_value.setText(ending_words(result))
        self.summary.setText(
            f"Figures from the {m.n} test patients the model never saw while training, at a decision "
            f"threshold of {threshold}. Hover over a card for more."
        )


def cost_baselines(m: Metrics) -> str:
    """What the two lazy rules would cost on the same patients, to give the figure a scale."""
    sick = m.tp + m.fn
    all_healthy = m.cost_missed * sick / m.n
    all_sick = m.cost_false_alarm * (m.n - sick) / m.n
    return (
        f"For scale: calling everyone healthy costs {all_healthy:.2f}, calling everyone ill {all_sick:.2f}."
    )
