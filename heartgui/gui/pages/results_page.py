"""The Results page: how good the trained model is on the patients it never saw, in plain words.

Four tabs, every figure computed by :mod:`heartgui.core.evaluation` / :mod:`heartgui.core.crossval` and
shown with words beside it:

* **Summary** — accuracy, sensitivity, specificity (95 % Wilson intervals), ROC AUC (bootstrap interval),
  Statlog cost, training vs test accuracy, and how few test patients there are.
* **Threshold & costs** — a threshold slider; the confusion grid ("caught", "missed", "false alarm",
  "correctly reassured"), sensitivity, specificity, PPV, NPV and the expected cost follow it live;
  editable costs and the cost-optimal threshold. The page emits ``threshold_changed`` (debounced).
* **Curves** — the ROC curve with the current threshold's point, and the calibration plot.
* **Compare** — the baselines on the same split (computed off the UI thread when the tab is first shown)
  and the Statlog cross-validation (a background job with progress and Cancel).

Call :meth:`ResultsPage.shutdown` before the window closes: it stops and joins the background jobs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.core.schema import STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED
from heartgui.gui.widgets.card import CAUTION, GOOD, WARM, WARM_BORDER, Card
from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult
    from heartgui.gui.widgets.calibration_plot import CalibrationPlot
    from heartgui.gui.widgets.roc_plot import RocPlot
    from heartgui.gui.workers import Job

#: A train–test accuracy gap (percentage points) from which the page speaks of overfitting.
OVERFIT_GAP_POINTS = 10.0
#: A gap from which the page calls it moderate.
MODERATE_GAP_POINTS = 5.0
#: Milliseconds without slider movement before ``threshold_changed`` is emitted (the final value).
THRESHOLD_DEBOUNCE_MS = 200
#: The Statlog protocol: stratified folds per shuffle (heart.doc).
CV_FOLDS = 9
#: Shuffles of the cross-validation offered by default.
CV_REPEATS = 5
#: Groups of test patients in the calibration plot.
CALIBRATION_GROUPS = 5
#: Bootstrap resamples for the AUC interval (a few milliseconds on 54 patients).
BOOTSTRAP_RESAMPLES = 1000

PRESET_WORDS = {
    "tutorial": "Tutorial (the original lesson's run)",
    "recommended": "Recommended",
    "custom": "Custom settings",
}

TAB_SUMMARY, TAB_THRESHOLD, TAB_CURVES, TAB_COMPARE = range(4)


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _soft(label: QLabel) -> QLabel:
    """Secondary text: softer than body text, still 4.5:1 against the page (follows the theme)."""
    return soften(label)


def _wrapping(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def percent_interval(interval: tuple[float, float]) -> str:
    """``(0.62, 0.85)`` → ``"95 % CI 62.0–85.0 %"``; undefined → ``"95 % CI —"``."""
    low, high = interval
    if low != low or high != high:
        return f"95 % CI {UNDEFINED}"
    return f"95 % CI {low * 100:.1f}–{high * 100:.1f} %"


def auc_interval(interval: tuple[float, float]) -> str:
    """``(0.81, 0.95)`` → ``"95 % CI 0.81–0.95"``."""
    low, high = interval
    if low != low or high != high:
        return f"95 % CI {UNDEFINED}"
    return f"95 % CI {low:.2f}–{high:.2f}"


def _fixed(value: float, decimals: int) -> str:
    return UNDEFINED if value != value else f"{value:.{decimals}f}"


def _mean_sd(mean: float, sd: float, *, scale: float = 1.0, decimals: int = 2, unit: str = "") -> str:
    if mean != mean:
        return UNDEFINED
    spread = "" if sd != sd else f" ± {sd * scale:.{decimals}f}"
    return f"{mean * scale:.{decimals}f}{spread}{unit}"


def _scroll(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


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
        self.interval = QLabel("")
        self.interval.setObjectName(f"{key}_interval")
        self.interval.setToolTip(
            "The range that, 19 times out of 20, contains the figure we would see on very many patients "
            "like these (a 95 % confidence interval)."
        )
        self.layout_.addWidget(self.interval)
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
    """Shows a :class:`~heartgui.core.training.TrainingResult`: figures, threshold, curves, comparisons.

    Signals
    -------
    threshold_changed(float) : the user settled on a new decision threshold (emitted
        :data:`THRESHOLD_DEBOUNCE_MS` after the last move, with the final value).
    comparison_finished(object) : the baselines on the same split are shown (a ``SplitComparison``).
    crossval_progressed(int, int) : folds done, folds planned.
    crossval_finished(object) : the cross-validation finished (a ``CrossValResult``).
    crossval_failed(str) : it failed (the message shown).
    crossval_cancelled() : it was cancelled (the folds done so far stay in the table).
    """

    threshold_changed = Signal(float)
    comparison_finished = Signal(object)
    crossval_progressed = Signal(int, int)
    crossval_finished = Signal(object)
    crossval_failed = Signal(str)
    crossval_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: TrainingResult | None = None
        self._threshold = 0.5
        self._auc_interval: tuple[float, float] = (float("nan"), float("nan"))
        self._jobs: dict[int, Job] = {}
        self._run_ids = itertools.count(1)
        self._comparison_run: int | None = None
        self._comparison_done = False
        self._cv_run: int | None = None
        self._cv_started = 0.0
        self._cv_partial: Any = None
        self.live_metrics: Metrics | None = None
        self._train_risk: Any = None  # the training patients' risks (NumPy), for training accuracy
        self._view_stale = False  # a result arrived while the page was hidden: shown when it is shown

        self._stack = QStackedLayout(self)
        self.placeholder = _wrapping(
            "No results yet.\n\nOpen a data file on the Data page and train a model on the Train page: "
            "this page then shows how well the model does on patients it never saw during training.",
            "results_placeholder",
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setContentsMargins(40, 40, 40, 40)
        self._stack.addWidget(self.placeholder)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("results_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_scroll(self._build_summary_tab()), "Summary")
        self.tabs.addTab(_scroll(self._build_threshold_tab()), "Threshold && costs")
        self.tabs.addTab(_scroll(self._build_curves_tab()), "Curves")
        self.tabs.addTab(_scroll(self._build_compare_tab()), "Compare")
        self.tabs.setTabToolTip(TAB_SUMMARY, "The main figures on the test patients, with their uncertainty.")
        self.tabs.setTabToolTip(TAB_THRESHOLD, "Move the decision threshold and see who is caught or missed.")
        self.tabs.setTabToolTip(TAB_CURVES, "ROC curve and calibration plot.")
        self.tabs.setTabToolTip(TAB_COMPARE, "The same patients with simpler methods; cross-validation.")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._stack.addWidget(self.tabs)

        # Slider moves are coalesced: one refresh per pass of the event loop, however fast the drag.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._emit_timer = QTimer(self)
        self._emit_timer.setSingleShot(True)
        self._emit_timer.setInterval(THRESHOLD_DEBOUNCE_MS)
        self._emit_timer.timeout.connect(self._emit_threshold)
        self.clear()

    # ----------------------------------------------------------------------------------------------
    # building
    def _page_column(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(20, 16, 20, 20)
        column.setSpacing(12)
        heading = QLabel(title)
        heading.setFont(_scaled_font(self, 1.5, bold=True))
        column.addWidget(heading)
        return content, column

    def _section_title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(_scaled_font(self, 1.15, bold=True))
        label.setContentsMargins(0, 8, 0, 0)
        label.setWordWrap(True)
        return label

    def _build_summary_tab(self) -> QWidget:
        content, column = self._page_column("How good is the model?")
        self.summary = _wrapping(name="summary_label")
        column.addWidget(self.summary)
        column.addLayout(self._build_cards())
        self.uncertainty_sentence = _wrapping(name="uncertainty_sentence")
        column.addWidget(self.uncertainty_sentence)
        column.addWidget(self._section_title("About this run"))
        column.addWidget(self._build_run_details())
        column.addStretch(1)
        return content

    def _build_threshold_tab(self) -> QWidget:
        from heartgui.gui.widgets.threshold_panel import ThresholdPanel

        content, column = self._page_column("Where to draw the line")
        column.addWidget(
            _wrapping(
                "The model gives each patient a risk between 0 and 100 %. Above the decision threshold it "
                "says “disease”. A lower threshold catches more patients with heart disease but raises "
                "more false alarms; a higher one the opposite. Everything on this tab follows the slider."
            )
        )
        box = Card()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(14, 10, 14, 12)
        self.threshold_panel = ThresholdPanel()
        self.threshold_panel.threshold_moved.connect(self._on_threshold_moved)
        self.threshold_panel.costs_changed.connect(self._schedule_refresh)
        box_layout.addWidget(self.threshold_panel)
        column.addWidget(box)

        row = QHBoxLayout()
        row.setSpacing(16)
        grid_box = QVBoxLayout()
        grid_box.addWidget(self._section_title("Who the model got right and wrong (test patients)"))
        grid_box.addLayout(self._build_confusion_grid())
        row.addLayout(grid_box, 3)
        figures_box = QVBoxLayout()
        figures_box.addWidget(self._section_title("At this threshold"))
        figures_box.addWidget(self._build_live_figures())
        figures_box.addStretch(1)
        row.addLayout(figures_box, 2)
        column.addLayout(row)
        self.confusion_sentence = _wrapping(name="confusion_sentence")
        column.addWidget(self.confusion_sentence)
        column.addStretch(1)
        return content

    def _build_live_figures(self) -> QFrame:
        card = Card()
        form = QFormLayout(card)
        form.setContentsMargins(14, 10, 14, 12)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(8)
        rows = (
            ("sensitivity", "Sensitivity", "caught ÷ all with disease"),
            ("specificity", "Specificity", "correctly reassured ÷ all without"),
            ("ppv", "PPV", "of those flagged, how many were ill"),
            ("npv", "NPV", "of those reassured, how many were healthy"),
            (
                "cost",
                "Expected cost per patient",
                "(cost of a miss × missed + cost of a false alarm × false alarms) ÷ patients",
            ),
        )
        self.live: dict[str, QLabel] = {}
        for key, name, words in rows:
            value = QLabel(UNDEFINED)
            value.setObjectName(f"live_{key}")
            value.setFont(_scaled_font(self, 1.15, bold=True))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(f"{name}<br><small>{words}</small>")
            caption.setWordWrap(True)
            caption.setMinimumWidth(150)
            form.addRow(caption, value)
            self.live[key] = value
        return card

    def _build_curves_tab(self) -> QWidget:
        from heartgui.gui.widgets.calibration_plot import CalibrationPlot
        from heartgui.gui.widgets.roc_plot import RocPlot

        content, column = self._page_column("Curves")
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
        self.roc_sentence = _wrapping(name="roc_sentence")
        self.calibration_sentence = _wrapping(name="calibration_sentence")
        for label in (self.roc_sentence, self.calibration_sentence):
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            sentences.addWidget(label, 1)
        column.addLayout(sentences)
        return content

    def _build_compare_tab(self) -> QWidget:
        from heartgui.gui.widgets.comparison_table import ComparisonTable

        content, column = self._page_column("Against simpler methods")
        column.addWidget(self._section_title("On the same test patients"))
        self.comparison_intro = _wrapping(name="comparison_intro")
        column.addWidget(self.comparison_intro)
        self.comparison_table = ComparisonTable("comparison_table", "heartgui-comparison.csv")
        column.addWidget(self.comparison_table)
        self.comparison_status = _soft(_wrapping(name="comparison_status"))
        column.addWidget(self.comparison_status)

        column.addWidget(self._section_title("Cross-validation (Statlog protocol)"))
        column.addWidget(
            _wrapping(
                f"One split tests on few patients, so its figures depend on luck. The Statlog study split "
                f"all patients into {CV_FOLDS} groups (“folds”), trained on {CV_FOLDS - 1} and tested on "
                "the last, in turn, so every patient is tested once; repeating this with several "
                "shuffles gives a mean and a spread (± one standard deviation) for every method. "
                "It takes about a second per fold; the window stays usable.",
                "crossval_intro",
            )
        )
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Shuffles:"))
        self.cv_repeats = QSpinBox()
        self.cv_repeats.setObjectName("cv_repeats")
        self.cv_repeats.setRange(1, 20)
        self.cv_repeats.setValue(CV_REPEATS)
        self.cv_repeats.setAccessibleName("Number of shuffles")
        self.cv_repeats.setToolTip(f"How many times to shuffle the patients and run the {CV_FOLDS} folds.")
        controls.addWidget(self.cv_repeats)
        self.cv_button = QPushButton("Cross-validate (Statlog protocol)")
        self.cv_button.setObjectName("cv_button")
        self.cv_button.setToolTip(
            "Train and test every method on the same folds, in the background; the window stays usable."
        )
        self.cv_button.clicked.connect(lambda: self.start_cross_validation())
        controls.addWidget(self.cv_button)
        self.cv_cancel = QPushButton("Cancel")
        self.cv_cancel.setObjectName("cv_cancel")
        self.cv_cancel.setToolTip("Stop after the fold that is running; the folds done so far stay.")
        self.cv_cancel.setEnabled(False)
        self.cv_cancel.clicked.connect(self.cancel_cross_validation)
        controls.addWidget(self.cv_cancel)
        self.cv_progress = QProgressBar()
        self.cv_progress.setObjectName("cv_progress")
        self._cv_progress_idle()
        self.cv_progress.setTextVisible(True)
        controls.addWidget(self.cv_progress, 1)
        column.addLayout(controls)
        self.cv_status = _soft(_wrapping(name="cv_status"))
        column.addWidget(self.cv_status)
        self.cv_table = ComparisonTable("crossval_table", "heartgui-crossvalidation.csv")
        column.addWidget(self.cv_table)
        column.addStretch(1)
        return content

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
                "Also called recall or true-positive rate: caught ÷ (caught + missed). It matters most "
                "when a missed heart disease is the dangerous mistake.",
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
        self.train_accuracy = fit.big_label("train_accuracy_value")
        self.test_accuracy = fit.big_label("test_accuracy_value")
        for label, caption in ((self.train_accuracy, "training"), (self.test_accuracy, "test")):
            box = QVBoxLayout()
            box.setSpacing(0)
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
        # A grid, not a QFormLayout: in a scroll area QFormLayout's height for a width came out a line
        # short for a wrapped value (at 1016 px the test patients' sentence lost its second line).
        grid = QGridLayout(card)
        grid.setContentsMargins(14, 10, 14, 12)
        grid.setColumnStretch(1, 1)
        self.preset_value = _wrapping(name="preset_value")
        self.threshold_value = _wrapping(name="threshold_value")
        self.n_test_value = _wrapping(name="n_test_value")
        self.epochs_value = _wrapping(name="epochs_value")
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
    # state
    @property
    def result(self) -> TrainingResult | None:
        return self._result

    @property
    def threshold(self) -> float:
        """The decision threshold the page shows (0–1)."""
        return self._threshold

    def clear(self) -> None:
        """Forget the result (stopping its comparisons) and show what to do instead."""
        self._abandon_jobs()
        self._result = None
        self.live_metrics = None
        self._emit_timer.stop()
        self._stack.setCurrentWidget(self.placeholder)

    def show_result(self, result: TrainingResult, *, threshold_origin: str | None = None) -> None:
        """Show ``result`` at its model's threshold; the comparisons start afresh.

        ``threshold_origin`` says where a threshold that is not the cost-optimal one comes from ("saved
        with the model"); by default it is the one the student set.
        """
        self._abandon_jobs()
        self._emit_timer.stop()
        self._result = result
        self._threshold = float(result.model.threshold)
        self.threshold_panel.set_threshold(self._threshold, origin=threshold_origin)
        self._reset_compare(result)
        # The figures, bootstrap and cards take ~40 ms: while the page is hidden (training just ended on
        # the Train page) they wait for the page to be shown.
        self._view_stale = True
        if self.isVisible():
            self._show_view()
        self._stack.setCurrentWidget(self.tabs)
        if self.tabs.currentIndex() == TAB_COMPARE:
            self._start_comparison()

    def _show_view(self) -> None:
        self._view_stale = False
        if self._result is not None:
            result = self._result
            # Training accuracy follows the threshold like every other figure: the training patients'
            # risks are computed once per result (a forward pass over ~216 patients).
            self._train_risk = result.model.predict_risk(result.split.X_train)
            self._show_curves(result)
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._view_stale:
            self._show_view()

    def set_threshold(self, threshold: float) -> None:
        """Move the threshold as if the user had (emits :attr:`threshold_changed` after the debounce)."""
        self.threshold_panel.set_threshold(threshold, by_user=True)

    # ----------------------------------------------------------------------------------------------
    # threshold and costs
    @Slot(float)
    def _on_threshold_moved(self, threshold: float) -> None:
        self._threshold = float(threshold)
        self._schedule_refresh()
        self._emit_timer.start()  # restarts: emitted once the user pauses

    @Slot()
    def _emit_threshold(self) -> None:
        if self._result is not None:
            self.threshold_changed.emit(self._threshold)

    @Slot()
    def _schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    @Slot()
    def refresh(self) -> None:
        """Recompute and show every threshold-dependent figure (cards, grid, live figures, ROC point)."""
        self._refresh_timer.stop()
        result = self._result
        if result is None:
            return
        if self._view_stale:
            self._show_view()  # (which calls refresh again, with the curves drawn)
            return
        from heartgui.core.evaluation import evaluate, roc_point_at

        y, risk, t = result.split.y_test, result.test_risk, self._threshold
        cost_missed, cost_false_alarm = self.threshold_panel.costs
        live = evaluate(y, risk, t, cost_missed=cost_missed, cost_false_alarm=cost_false_alarm)
        if (cost_missed, cost_false_alarm) == (STATLOG_COST_MISSED, STATLOG_COST_FALSE_ALARM):
            statlog = live
        else:
            statlog = evaluate(y, risk, t)
        self.live_metrics = live
        self._show_cards(statlog)
        self._show_fit(result, statlog)
        self._show_confusion(live)
        self._show_live(live)
        self._show_run(result, statlog)
        if self._curves_drawn:
            fpr, tpr = roc_point_at(y, risk, t)
            self.roc_plot.set_point(fpr, tpr, t)

    def _show_cards(self, m: Metrics) -> None:
        from heartgui.core.evaluation import wilson_interval

        self.cards["accuracy"].value.setText(percent(m.accuracy))
        self.cards["sensitivity"].value.setText(percent(m.sensitivity))
        self.cards["specificity"].value.setText(percent(m.specificity))
        self.cards["roc_auc"].value.setText(_fixed(m.roc_auc, 2))
        self.cards["statlog_cost"].value.setText(_fixed(m.statlog_cost, 2))
        self.cards["accuracy"].interval.setText(percent_interval(wilson_interval(m.tp + m.tn, m.n)))
        self.cards["sensitivity"].interval.setText(percent_interval(wilson_interval(m.tp, m.tp + m.fn)))
        self.cards["specificity"].interval.setText(percent_interval(wilson_interval(m.tn, m.tn + m.fp)))
        self.cards["roc_auc"].interval.setText(auc_interval(self._auc_interval))
        self.cards["statlog_cost"].interval.setText(f"at a threshold of {threshold_percent(m.threshold)}")
        self.cards["statlog_cost"].explanation.setText(
            f"Average cost per patient when a missed disease costs {m.cost_missed:g} and a false alarm "
            f"{m.cost_false_alarm:g} (heart.doc). {_cost_baselines(m)}"
        )
        self.uncertainty_sentence.setText(
            f"Only {m.n} test patients: these numbers could easily be a few points higher or lower. The "
            "ranges under the figures (95 % confidence intervals) show by how much."
        )

    def _show_confusion(self, m: Metrics) -> None:
        for key in ("tp", "fn", "fp", "tn"):
            self.cells[key].count.setText(str(getattr(m, key)))
        sick, healthy = m.tp + m.fn, m.fp + m.tn
        self.row_had.setText(f"Had heart disease\n({plural(sick, 'patient')})")
        self.row_did_not.setText(f"Did not\n({plural(healthy, 'patient')})")
        self.col_said_disease.setText(f"Model said disease\n({m.tp + m.fp})")
        self.col_said_none.setText(f"Model said no disease\n({m.fn + m.tn})")
        self.confusion_sentence.setText(
            f"At a threshold of {threshold_percent(m.threshold)}: of the {plural(sick, 'test patient')} with "
            f"heart disease the model caught {m.tp} and missed {m.fn}; of the {healthy} without, it "
            f"correctly reassured {m.tn} and raised {plural(m.fp, 'false alarm')}."
        )

    def _show_live(self, m: Metrics) -> None:
        self.live["sensitivity"].setText(percent(m.sensitivity))
        self.live["specificity"].setText(percent(m.specificity))
        self.live["ppv"].setText(percent(m.ppv))
        self.live["npv"].setText(percent(m.npv))
        self.live["cost"].setText(_fixed(m.statlog_cost, 2))

    def _show_fit(self, result: TrainingResult, test_metrics: Metrics) -> None:
        """Training vs test accuracy at the page's threshold: the test figure is the Accuracy card's."""
        from heartgui.core.evaluation import evaluate

        train = evaluate(result.split.y_train, self._train_risk, test_metrics.threshold).accuracy
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

    # ----------------------------------------------------------------------------------------------
    # curves
    _curves_drawn = False

    def _show_curves(self, result: TrainingResult) -> None:
        from heartgui.core.evaluation import bootstrap_auc_interval, calibration_points, roc_points

        y, risk = result.split.y_test, result.test_risk
        m = result.test_metrics
        try:
            fpr, tpr, _ = roc_points(y, risk)
        except ValueError as exc:  # the test patients are all of one class (a tiny data file)
            self._curves_drawn = False
            self._auc_interval = (float("nan"), float("nan"))
            self.roc_sentence.setText(str(exc))
            self.calibration_sentence.setText("")
            return
        self._auc_interval = bootstrap_auc_interval(y, risk, n_boot=BOOTSTRAP_RESAMPLES)
        self.roc_plot.set_curve(fpr, tpr, m.roc_auc, self._auc_interval)
        self._curves_drawn = True
        predicted, observed, counts = calibration_points(y, risk, n_bins=CALIBRATION_GROUPS)
        self.calibration_plot.set_points(predicted, observed, counts, m.brier)
        self.roc_sentence.setText(
            f"ROC AUC {m.roc_auc:.2f} ({auc_interval(self._auc_interval)}, from 1000 resamples of the "
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

    # ----------------------------------------------------------------------------------------------
    # background jobs
    def _new_job(self, function: Any) -> Job:
        from heartgui.gui.workers import Job

        run_id = next(self._run_ids)
        job = Job(run_id, function, parent=self)
        job.done.connect(self._on_job_done)
        self._jobs[run_id] = job
        return job

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            job.qthread.wait()
            job.deleteLater()

    def _abandon_jobs(self) -> None:
        """Ask every running job to stop; their late signals are ignored (stale run ids)."""
        for job in self._jobs.values():
            job.request_stop()
        self._comparison_run = None
        if self._cv_run is not None:
            self._cv_run = None
            self._cv_idle()

    def shutdown(self) -> None:
        """Stop every background job and wait for its thread (call before the window closes)."""
        self._comparison_run = None
        self._cv_run = None
        for job in list(self._jobs.values()):
            job.stop_and_wait()
        self._jobs.clear()

    def is_busy(self) -> bool:
        """Whether a background job of this page is still running."""
        return any(job.is_running() for job in self._jobs.values())

    @property
    def cv_job(self) -> Job | None:
        """The cross-validation job running now (``None`` when idle)."""
        return self._jobs.get(self._cv_run) if self._cv_run is not None else None

    # comparison on the same split -----------------------------------------------------------------
    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index == TAB_COMPARE:
            self._start_comparison()

    def _reset_compare(self, result: TrainingResult) -> None:
        self._comparison_done = False
        self.comparison_table.clear()
        self.cv_table.clear()
        self._cv_partial = None
        self.cv_status.setText("")
        self._cv_progress_idle()
        m = result.test_metrics
        self.comparison_intro.setText(
            f"Each method below was trained on the same {len(result.split.y_train)} patients as your network "
            f"and tested on the same {m.n}. The costs use the Statlog matrix (a miss 5, a false alarm 1), "
            "at risk 50 % and at the cost-optimal 1/6."
        )
        self.comparison_status.setText("The comparison is computed when you open this tab.")

    def _start_comparison(self) -> None:
        if self._result is None or self._comparison_done or self._comparison_run is not None:
            return
        from heartgui.gui.crossval_job import comparison_job

        job = self._new_job(comparison_job(self._result))
        job.worker.finished.connect(self._on_comparison_finished)
        job.worker.failed.connect(self._on_comparison_failed)
        self._comparison_run = job.run_id
        self.comparison_status.setText("Training the other methods on the same patients… (a second or two)")
        job.start()

    @Slot(int, object)
    def _on_comparison_finished(self, run_id: int, comparison: Any) -> None:
        if run_id != self._comparison_run or self._result is None:
            return
        self._comparison_run = None
        self._comparison_done = True
        self._show_comparison(self._result, comparison)
        self.comparison_finished.emit(comparison)

    @Slot(int, str)
    def _on_comparison_failed(self, run_id: int, message: str) -> None:
        if run_id != self._comparison_run:
            return
        self._comparison_run = None
        self.comparison_status.setText(f"The comparison could not be computed: {message}")

    def _show_comparison(self, result: TrainingResult, comparison: Any) -> None:
        import pandas as pd

        from heartgui.core.crossval import DEFAULT_RULE, SplitRow
        from heartgui.core.evaluation import cost_optimal_threshold, evaluate
        from heartgui.gui.crossval_job import THIS_NETWORK

        y, risk = result.split.y_test, result.test_risk
        at_half = evaluate(y, risk, 0.5)
        at_optimal = evaluate(y, risk, cost_optimal_threshold())
        mine = SplitRow(
            THIS_NETWORK,
            len(result.split.y_train),
            len(y),
            at_half.roc_auc,
            at_half.accuracy,
            at_half.statlog_cost,
            at_optimal.statlog_cost,
            float("nan"),
        )
        rows = [mine, *comparison.rows]
        headers = [
            "Method",
            "Accuracy (risk ≥ 50 %)",
            "ROC AUC",
            "Statlog cost at 50 %",
            "Statlog cost at 1/6",
        ]
        tips = [
            "",
            "Share of test patients classified correctly when “disease” means a risk of 50 % or more.",
            "How well the risk ranks a patient with disease above one without (0.5 coin toss, 1 perfect).",
            "Average cost per patient (miss 5, false alarm 1) at a threshold of 50 %. Lower is better.",
            "The same cost at the cost-optimal threshold 1/6 (16.7 %). Lower is better.",
        ]
        text_rows = [
            [
                r.method,
                percent(r.accuracy_at_half),
                _fixed(r.roc_auc, 2),
                _fixed(r.cost_at_half, 2),
                _fixed(r.cost_at_optimal, 2) + (f"  ({r.note})" if r.note else ""),
            ]
            for r in rows
        ]
        frame = pd.DataFrame([vars(r) for r in rows]).set_index("method")
        base_rate = float(result.split.y_train.mean())
        row_tips = [_default_rule_words(base_rate) if r.method == DEFAULT_RULE else "" for r in rows]
        self.comparison_table.set_table(
            headers, text_rows, frame, header_tips=tips, row_tips=row_tips, bold_row=0
        )
        best = min(rows, key=lambda r: r.cost_at_optimal)
        step = STATLOG_COST_MISSED / len(y)
        self.comparison_status.setText(
            f"Lowest cost at 1/6 on these {len(y)} patients: {best.method} ({best.cost_at_optimal:.2f}). "
            f"One more missed patient adds {step:.2f} to a cost, so differences this small are mostly luck: "
            "the cross-validation below compares the methods more fairly."
        )

    # cross-validation ----------------------------------------------------------------------------
    def start_cross_validation(self, *, folds: int = CV_FOLDS, repeats: int | None = None) -> bool:
        """Start the cross-validation in the background (``repeats`` defaults to the spin box).

        Returns false (and does nothing) without a result or while one runs.
        """
        if self._result is None or self._cv_run is not None:
            return False
        from heartgui.gui.crossval_job import crossval_job, crossval_methods

        repeats = self.cv_repeats.value() if repeats is None else int(repeats)
        job = self._new_job(
            crossval_job(self._result.split, self._result.settings, folds=folds, repeats=repeats)
        )
        job.worker.progressed.connect(self._on_cv_progressed)
        job.worker.finished.connect(self._on_cv_finished)
        job.worker.failed.connect(self._on_cv_failed)
        job.worker.cancelled.connect(self._on_cv_cancelled)
        self._cv_run = job.run_id
        self._cv_started = time.perf_counter()
        self._cv_partial = None
        self._show_crossval_placeholder([m.name for m in crossval_methods(self._result.settings)])
        self.cv_progress.setFormat("fold %v of %m")
        self.cv_progress.setRange(0, folds * repeats)
        self.cv_progress.setValue(0)
        self.cv_status.setText(f"Running fold 1 of {folds * repeats}…")
        self.cv_button.setEnabled(False)
        self.cv_repeats.setEnabled(False)
        self.cv_cancel.setEnabled(True)
        job.start()
        return True

    @Slot()
    def cancel_cross_validation(self) -> None:
        """Ask the running cross-validation to stop after its current fold."""
        job = self.cv_job
        if job is not None:
            job.request_stop()
            self.cv_cancel.setEnabled(False)
            self.cv_status.setText("Stopping after the current fold…")

    def _cv_progress_idle(self) -> None:
        self.cv_progress.setFormat("not run yet")
        self.cv_progress.setRange(0, 1)
        self.cv_progress.setValue(0)

    def _cv_idle(self) -> None:
        self.cv_button.setEnabled(True)
        self.cv_repeats.setEnabled(True)
        self.cv_cancel.setEnabled(False)

    @Slot(int, object)
    def _on_cv_progressed(self, run_id: int, reports: tuple) -> None:
        if run_id != self._cv_run or not reports:
            return
        report, summary = reports[-1]
        self.cv_progress.setMaximum(report.total)
        self.cv_progress.setValue(report.done)
        left = report.elapsed / report.done * (report.total - report.done)
        if self.cv_cancel.isEnabled():
            self.cv_status.setText(
                f"Fold {report.done} of {report.total} done (shuffle {report.repeat + 1}, fold "
                f"{report.fold + 1}); about {left:.0f} s left. The table fills in as folds finish."
            )
        self._cv_partial = report.result
        self._show_crossval(report.result, summary)
        self.crossval_progressed.emit(report.done, report.total)

    @Slot(int, object)
    def _on_cv_finished(self, run_id: int, result: Any) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        self._show_crossval(result)
        seconds = time.perf_counter() - self._cv_started
        self.cv_status.setText(
            f"Done: {result.folds_done} folds ({result.repeats} × {result.folds}) in {seconds:.0f} s. Mean ± "
            "standard deviation over the folds; the method with the lowest cost at 1/6 did best under the "
            "Statlog rules. Spreads that overlap mean the methods cannot really be told apart."
        )
        self.crossval_finished.emit(result)

    @Slot(int, str)
    def _on_cv_failed(self, run_id: int, message: str) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        self.cv_status.setText(f"The cross-validation stopped with a problem: {message}")
        self.crossval_failed.emit(message)

    @Slot(int)
    def _on_cv_cancelled(self, run_id: int) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        done = 0 if self._cv_partial is None else self._cv_partial.folds_done
        self.cv_status.setText(
            f"Cancelled after {plural(done, 'fold')}"
            + (": the table shows the folds that finished." if done else ".")
        )
        self.crossval_cancelled.emit()

    def _crossval_headers(self, optimal_threshold: float) -> tuple[list[str], list[str]]:
        threshold = threshold_percent(optimal_threshold)
        headers = ["Method", f"Cost at {threshold}", "Cost at 50 %", "ROC AUC", "Accuracy (50 %)", "Folds"]
        tips = [
            "",
            "Statlog cost per patient (miss 5, false alarm 1) at the cost-optimal threshold, mean ± sd over "
            "folds. Lower is better. This is the Statlog study's yardstick.",
            "The same cost at a threshold of 50 %.",
            "Area under the ROC curve, mean ± sd over folds.",
            "Share classified correctly at a threshold of 50 %, mean ± sd over folds.",
            "Folds finished.",
        ]
        return headers, tips

    def _show_crossval_placeholder(self, method_names: Sequence[str]) -> None:
        """One row per method before the first fold ends: the table takes its final size while the
        worker is still idle, and each fold then only changes the figures (no new layout mid-run)."""
        from heartgui.core.evaluation import cost_optimal_threshold

        headers, tips = self._crossval_headers(cost_optimal_threshold())
        rows = [[name, "…", "…", "…", "…", "0"] for name in method_names]
        self.cv_table.set_table(headers, rows, None, header_tips=tips)

    def _show_crossval(self, result: Any, summary: Any = None) -> None:
        if summary is None:
            summary = result.summary()
        headers, tips = self._crossval_headers(result.optimal_threshold)
        rows = [
            [
                method,
                _mean_sd(row["cost_at_optimal_mean"], row["cost_at_optimal_sd"]),
                _mean_sd(row["cost_at_half_mean"], row["cost_at_half_sd"]),
                _mean_sd(row["roc_auc_mean"], row["roc_auc_sd"]),
                _mean_sd(
                    row["accuracy_at_half_mean"], row["accuracy_at_half_sd"], scale=100, decimals=1, unit=" %"
                ),
                str(int(row["folds"])),
            ]
            for method, row in summary.iterrows()
        ]
        row_tips = [""] * len(rows)
        if self._result is not None:
            from heartgui.core.crossval import DEFAULT_RULE

            split = self._result.split
            # Each fold's base rate is within a point or two of the whole file's (the folds are stratified).
            base_rate = (split.y_train.sum() + split.y_test.sum()) / (len(split.y_train) + len(split.y_test))
            row_tips = [
                _default_rule_words(float(base_rate), about=True) if method == DEFAULT_RULE else ""
                for method in summary.index
            ]
        self.cv_table.set_table(headers, rows, summary, header_tips=tips, row_tips=row_tips)


def _default_rule_words(base_rate: float, *, about: bool = False) -> str:
    """What the default rule does at each of the table's thresholds, for its row's tooltip."""

    def verdict(threshold: float) -> str:
        return "everyone ill" if base_rate >= threshold else "everyone healthy"

    return (
        "Ignores every finding: each patient gets the same risk, the share of training patients with "
        f"heart disease ({'about ' if about else ''}{percent(base_rate)}). At 50 % it therefore calls "
        f"{verdict(0.5)}; at 1/6 (16.7 %) it calls {verdict(1 / 6)}. A method is only useful if it does "
        "better."
    )


def _cost_baselines(m: Metrics) -> str:
    """What the two lazy rules would cost on the same patients, to give the figure a scale."""
    sick = m.tp + m.fn
    all_healthy = m.cost_missed * sick / m.n
    all_sick = m.cost_false_alarm * (m.n - sick) / m.n
    return (
        f"For scale: calling everyone healthy costs {all_healthy:.2f}, calling everyone ill {all_sick:.2f}."
    )
