"""The Results page: how good the trained model is on the patients it never saw, in plain words.

Every figure comes from ``TrainingResult.test_metrics`` (the held-out test patients) and is shown in a card
with a one-line explanation and a longer tooltip; the confusion matrix is a 2×2 grid of words ("caught",
"missed", "false alarm", "correctly reassured") with counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from heartgui.gui.widgets.card import CAUTION, GOOD, WARM, WARM_BORDER, Card
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult

#: A train–test accuracy gap (percentage points) from which the page speaks of overfitting.
OVERFIT_GAP_POINTS = 10.0
#: A gap from which the page calls it moderate.
MODERATE_GAP_POINTS = 5.0

PRESET_WORDS = {
    "tutorial": "Tutorial (the notebook's run)",
    "recommended": "Recommended",
    "custom": "Custom settings",
}


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _soft(label: QLabel) -> QLabel:
    """Secondary text: the palette's placeholder colour, so it follows light and dark themes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _wrapping(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class _Card(Card):
    """A framed box with a title, one or more big figures and an explanation."""

    def __init__(self, title: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(14, 10, 14, 12)
        self.layout_.setSpacing(4)
        self.title = QLabel(title)
        self.title.setFont(_scaled_font(self, 1.0, bold=True))
        self.layout_.addWidget(self.title)

    def big_label(self, name: str) -> QLabel:
        label = QLabel(UNDEFINED)
        label.setObjectName(name)
        label.setFont(_scaled_font(self, 2.0, bold=True))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label


class _MetricCard(_Card):
    """One figure of the test set: title, value (objectName ``<key>_value``), one-line explanation."""

    def __init__(self, key: str, title: str, explanation: str, tooltip: str) -> None:
        super().__init__(title, tooltip)
        self.value = self.big_label(f"{key}_value")
        self.layout_.addWidget(self.value)
        self.explanation = _soft(_wrapping(explanation, f"{key}_explanation"))
        self.layout_.addWidget(self.explanation)
        self.layout_.addStretch(1)


_CELL_LOOKS = {
    "good": {"tint": GOOD},
    "false_alarm": {"tint": CAUTION},
    "missed": {"tint": WARM, "border": WARM_BORDER, "border_width": 2.0},
}


class _ConfusionCell(Card):
    """One cell of the confusion grid: a count (objectName ``cm_<key>_count``), a word, a description.

    ``look`` is ``"good"``, ``"false_alarm"`` or ``"missed"`` (warm, with a stronger border).
    """

    def __init__(self, key: str, word: str, description: str, look: str) -> None:
        super().__init__(radius=6.0, **_CELL_LOOKS[look])  # type: ignore[arg-type]
        self.setProperty("cell", look)
        self.setToolTip(description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(2)
        self.count = QLabel(UNDEFINED)
        self.count.setObjectName(f"cm_{key}_count")
        self.count.setFont(_scaled_font(self, 2.0, bold=True))
        self.word = QLabel(word)
        self.word.setObjectName(f"cm_{key}_word")
        self.word.setFont(_scaled_font(self, 1.15, bold=True))
        # Normal text colour: a soft grey is hard to read on the tinted background.
        self.description = _wrapping(description, f"cm_{key}_description")
        for widget in (self.count, self.word, self.description):
            layout.addWidget(widget)
        layout.addStretch(1)


class ResultsPage(QWidget):
    """Shows a :class:`~heartgui.core.training.TrainingResult` in plain words.

    Signals
    -------
    threshold_changed(float) : the user changed the decision threshold (reserved for the threshold issue).
    """

    threshold_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: TrainingResult | None = None
        self._stack = QStackedLayout(self)

        self.placeholder = _wrapping(
            "No results yet.\n\nOpen a data file on the Data page and train a model on the Train page "
            "(or open a saved model): this page then shows how well the model does on patients it never "
            "saw during training.",
            "results_placeholder",
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setContentsMargins(40, 40, 40, 40)
        self._stack.addWidget(self.placeholder)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        scroll.setWidget(content)
        self._stack.addWidget(scroll)

        column = QVBoxLayout(content)
        column.setContentsMargins(20, 16, 20, 20)
        column.setSpacing(12)
        title = QLabel("How good is the model?")
        title.setFont(_scaled_font(self, 1.5, bold=True))
        column.addWidget(title)
        self.summary = _wrapping(name="summary_label")
        column.addWidget(self.summary)

        column.addLayout(self._build_cards())
        column.addWidget(self._section_title("Who the model got right and wrong (test patients)"))
        column.addLayout(self._build_confusion_grid())
        self.confusion_sentence = _wrapping(name="confusion_sentence")
        column.addWidget(self.confusion_sentence)
        column.addWidget(self._section_title("About this run"))
        column.addWidget(self._build_run_details())
        column.addStretch(1)
        self.clear()

    # ----------------------------------------------------------------------------------------------
    def _section_title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(_scaled_font(self, 1.15, bold=True))
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def _build_cards(self) -> QGridLayout:
        self.cards = {
            "accuracy": _MetricCard(
                "accuracy",
                "Accuracy",
                "Of all test patients, how many the model classified correctly.",
                "The share of test patients for whom the model's yes/no answer was right. It can mislead: "
                "a model that calls everybody healthy is right for every healthy patient.",
            ),
            "sensitivity": _MetricCard(
                "sensitivity",
                "Sensitivity",
                "Of the patients who had heart disease, how many the model caught.",
                "Also called recall or true-positive rate: caught ÷ (caught + missed). A screening test "
                "needs this high, because a missed heart disease is the dangerous mistake.",
            ),
            "specificity": _MetricCard(
                "specificity",
                "Specificity",
                "Of the patients without heart disease, how many it correctly reassured.",
                "True-negative rate: correctly reassured ÷ (correctly reassured + false alarms). A low "
                "specificity sends many healthy patients for further tests.",
            ),
            "roc_auc": _MetricCard(
                "roc_auc",
                "ROC AUC",
                "How well the risk ranks a sick patient above a healthy one: "
                "0.5 is a coin toss, 1.0 perfect.",
                "Area under the ROC curve: the chance that a randomly chosen test patient with heart "
                "disease gets a higher risk than a randomly chosen one without. It does not depend on "
                "the threshold.",
            ),
            "statlog_cost": _MetricCard(
                "statlog_cost",
                "Statlog cost",
                "Average cost per patient when a missed disease costs 5 and a false alarm 1 (heart.doc).",
                "The cost matrix of the Statlog study (heart.doc): every missed disease costs 5, every "
                "false alarm 1, divided by the number of test patients. 0 is perfect; lower is better.",
            ),
        }
        fit = _Card(
            "Training vs test accuracy",
            "Accuracy on the patients the model learned from, next to accuracy on the patients it "
            "never saw. A large gap means the model memorised its training patients (overfitting).",
        )
        figures = QHBoxLayout()
        figures.setSpacing(28)
        for attr, name, caption in (
            ("train_accuracy", "train_accuracy_value", "training"),
            ("test_accuracy", "test_accuracy_value", "test"),
        ):
            box = QVBoxLayout()
            box.setSpacing(0)
            label = fit.big_label(name)
            setattr(self, attr, label)
            box.addWidget(label)
            box.addWidget(_soft(QLabel(caption)))
            figures.addLayout(box)
        figures.addStretch(1)
        fit.layout_.addLayout(figures)
        self.overfit_hint = _wrapping(name="overfit_hint")
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

    def _build_confusion_grid(self) -> QGridLayout:
        self.cells = {
            "tp": _ConfusionCell("tp", "caught", "Had heart disease and the model flagged it.", "good"),
            "fn": _ConfusionCell(
                "fn",
                "missed",
                "Had heart disease but the model said no disease: the costly mistake.",
                "missed",
            ),
            "fp": _ConfusionCell(
                "fp", "false alarm", "Did not have heart disease but the model flagged it.", "false_alarm"
            ),
            "tn": _ConfusionCell(
                "tn", "correctly reassured", "Did not have heart disease and the model said so.", "good"
            ),
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)
        self.col_said_disease = self._heading("Model said disease", "cm_col_disease")
        self.col_said_none = self._heading("Model said no disease", "cm_col_none")
        self.row_had = self._heading("Had heart disease", "cm_row_had")
        self.row_did_not = self._heading("Did not", "cm_row_did_not")
        grid.addWidget(self.col_said_disease, 0, 1)
        grid.addWidget(self.col_said_none, 0, 2)
        grid.addWidget(self.row_had, 1, 0)
        grid.addWidget(self.row_did_not, 2, 0)
        grid.addWidget(self.cells["tp"], 1, 1)
        grid.addWidget(self.cells["fn"], 1, 2)
        grid.addWidget(self.cells["fp"], 2, 1)
        grid.addWidget(self.cells["tn"], 2, 2)
        grid.setColumnStretch(0, 0)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _heading(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setFont(_scaled_font(self, 1.0, bold=True))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def _build_run_details(self) -> QFrame:
        card = Card()
        form = QFormLayout(card)
        form.setContentsMargins(14, 10, 14, 12)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.preset_value = _wrapping(name="preset_value")
        self.threshold_value = _wrapping(name="threshold_value")
        self.n_test_value = _wrapping(name="n_test_value")
        self.epochs_value = _wrapping(name="epochs_value")
        form.addRow("Settings:", self.preset_value)
        form.addRow("Decision threshold:", self.threshold_value)
        form.addRow("Test patients:", self.n_test_value)
        form.addRow("Training:", self.epochs_value)
        return card

    # ----------------------------------------------------------------------------------------------
    @property
    def result(self) -> TrainingResult | None:
        return self._result

    def clear(self) -> None:
        """Forget the result and show what to do instead."""
        self._result = None
        self._stack.setCurrentWidget(self.placeholder)

    def show_result(self, result: TrainingResult) -> None:
        """Show the test-set figures of ``result``."""
        self._result = result
        m = result.test_metrics
        self.cards["accuracy"].value.setText(percent(m.accuracy))
        self.cards["sensitivity"].value.setText(percent(m.sensitivity))
        self.cards["specificity"].value.setText(percent(m.specificity))
        self.cards["roc_auc"].value.setText(_fixed(m.roc_auc, 2))
        self.cards["statlog_cost"].value.setText(_fixed(m.statlog_cost, 2))
        self.cards["statlog_cost"].explanation.setText(
            f"Average cost per patient when a missed disease costs {m.cost_missed:g} and a false alarm "
            f"{m.cost_false_alarm:g} (heart.doc). {_cost_baselines(m)}"
        )
        self._show_confusion(m)
        self._show_fit(result)
        self._show_run(result)
        self._stack.setCurrentIndex(1)

    def _show_confusion(self, m: Metrics) -> None:
        for key in ("tp", "fn", "fp", "tn"):
            self.cells[key].count.setText(str(getattr(m, key)))
        sick, healthy = m.tp + m.fn, m.fp + m.tn
        self.row_had.setText(f"Had heart disease\n({plural(sick, 'patient')})")
        self.row_did_not.setText(f"Did not\n({plural(healthy, 'patient')})")
        self.col_said_disease.setText(f"Model said disease\n({m.tp + m.fp})")
        self.col_said_none.setText(f"Model said no disease\n({m.fn + m.tn})")
        self.confusion_sentence.setText(
            f"Of the {plural(sick, 'test patient')} with heart disease the model caught {m.tp} and missed "
            f"{m.fn}; of the {healthy} without, it correctly reassured {m.tn} and raised "
            f"{plural(m.fp, 'false alarm')}."
        )

    def _show_fit(self, result: TrainingResult) -> None:
        train, test = result.train_metrics.accuracy, result.test_metrics.accuracy
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
        self.overfit_hint.setText(hint)

    def _show_run(self, result: TrainingResult) -> None:
        settings, m = result.settings, result.test_metrics
        self.preset_value.setText(PRESET_WORDS.get(settings.preset, settings.preset))
        threshold = threshold_percent(m.threshold)
        self.threshold_value.setText(
            f"{threshold}: a test patient counts as “model said disease” when the risk is "
            f"{threshold} or more."
        )
        self.n_test_value.setText(
            f"{m.n} patients were kept aside and never used for training. That is few: one patient "
            f"more or less moves a percentage by about {100 / m.n:.1f} points, so small differences "
            "between two runs mean little."
        )
        planned = int(settings.epochs)
        if result.stopped_early:
            run = (
                f"Stopped early after {plural(result.epochs_run, 'epoch')} of {planned} planned "
                "(stopped by you, or by early stopping when the validation loss stopped improving)."
            )
        else:
            run = f"Ran all {plural(planned, 'planned epoch')}; not stopped early."
        self.epochs_value.setText(run)
        self.summary.setText(
            f"Figures from the {m.n} test patients the model never saw while training, at a decision "
            f"threshold of {threshold}. Hover over a card for more."
        )


def _fixed(value: float, decimals: int) -> str:
    return UNDEFINED if value != value else f"{value:.{decimals}f}"


def _cost_baselines(m: Metrics) -> str:
    """What the two lazy rules would cost on the same patients, to give the figure a scale."""
    sick = m.tp + m.fn
    all_healthy = m.cost_missed * sick / m.n
    all_sick = m.cost_false_alarm * (m.n - sick) / m.n
    return (
        f"For scale: calling everyone healthy costs {all_healthy:.2f}, calling everyone ill {all_sick:.2f}."
    )
