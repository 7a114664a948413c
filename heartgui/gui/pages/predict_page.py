"""The Predict page: enter one patient and see the model's risk change as you edit (what-if).

The form is on the left with the risk under it: what the risk is (angiographic coronary disease now, at
the training prevalence), whether the threshold flags the patient for further testing, and a warning box
for values outside the training range, a patient far from every training patient, or a coded answer few
training patients had. Any edit recomputes the risk at once; the Predict button exists for keyboard users.
"Fill from dataset row…" copies a real patient of the loaded file and shows that patient's actual outcome.

On the right, three tabs explain it: **Why this risk** (integrated gradients from a typical patient, in
percentage points of risk, as associations), **What if** (the risk across one feature's range) and **How
sure** (a dot per network trained from other random starting weights on a background job — which shows
only what the random start changes, and says so). A direction against clinical knowledge is labelled a
teaching moment. The explanations are recomputed shortly after the last edit (a short debounce) and only
for the tab shown; cholesterol is written in the unit chosen on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.core.schema import BY_NAME, CLASS_WORDS
from heartgui.gui.widgets.card import CAUTION, CAUTION_BORDER, Card
from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.patient_form import PatientForm, typical_patient
from heartgui.gui.widgets.risk_bar import RiskBar
from heartgui.gui.widgets.wording import percent, threshold_percent
from heartgui.gui.workers import Cancelled, Job, Worker

if TYPE_CHECKING:
    from heartgui.core.dataset import Dataset
    from heartgui.core.explain import Extrapolation, TrainingFacts
    from heartgui.core.model import HeartModel

CAVEAT = "Teaching tool — not for clinical decisions."
NO_MODEL = (
    "No model yet. Train a model on the Train page (or open a saved model): the risk of the patient "
    "above then appears here, and changes as you edit any value."
)
NO_EXPLANATION = (
    "Once a model is there, this side shows what raised and what lowered the patient's risk, how the "
    "risk would change if one value were different, and how much it depends on the network's random "
    "start."
)


#: Milliseconds after the last edit before the explanation tabs are recomputed (the risk itself is at once).
EXPLAIN_DELAY_MS = 60
#: How many extra networks "How sure" trains, and the seed of the first.
ENSEMBLE_SIZE = 10
ENSEMBLE_BASE_SEED = 1000
TAB_WHY, TAB_WHAT_IF, TAB_HOW_SURE = 0, 1, 2


def how_sure_intro(n_patients: int | None) -> str:
    """What "How sure" measures (only the random start) and what it leaves out (the few patients)."""
    patients = (
        "the same training patients" if n_patients is None else f"the same {n_patients} training patients"
    )
    few = "only these training patients" if n_patients is None else f"only {n_patients} patients"
    return (
        "<b>What this measures:</b> a network starts from random weights. Training more networks with your "
        f"model's settings on {patients}, each from other random starting weights, shows how much of this "
        "patient's risk comes from that random start — and nothing else. <b>What it leaves out:</b> the "
        f"much larger uncertainty of having learned from {few}: other patients would give other networks "
        "and other risks. A narrow spread does not mean the risk is right."
    )


NEEDS_TRAINING_DATA = (
    "This needs the training patients, and a model opened from a file does not contain them. Load the data "
    "and train a model on the Train page to use it."
)


RISK_TITLE = "Risk of coronary disease now"


def risk_definition(facts: TrainingFacts | None, *, short: bool = False) -> str:
    """:func:`heartgui.core.explain.risk_definition`, with "now" in bold."""
    from heartgui.core.explain import risk_definition as words

    return words(facts, short=short).replace(" now ", " <b>now</b> ", 1)


class EnsembleOutcome(NamedTuple):
    """What the "How sure" job returns: the networks, and the spread of ``patient``'s risk across them
    (computed in the worker: ten predictions through pandas cost the window tens of milliseconds)."""

    models: list[Any]
    patient: dict[str, float]
    spread: Any  # a RiskSpread, or None when it could not be computed


def ensemble_job(
    X_train: Any, y_train: Any, settings: Any, n_models: int, base_seed: int, patient: dict[str, float]
) -> Callable[[Worker], Any]:
    """A job training ``n_models`` networks (seeds ``base_seed``, +1, …); returns an
    :class:`EnsembleOutcome` with the spread of ``patient``'s risk.

    The networks train in stacked groups (``explain.ENSEMBLE_GROUP``, all ten of How sure at once);
    ``(index, n_models)`` is reported for each network of a finished group. A stop request takes effect
    within one stacked epoch.
    """

    def run(worker: Worker) -> Any:
        from heartgui.core.explain import iter_ensemble

        models = []
        progress = iter_ensemble(
            X_train,
            y_train,
            settings,
            n_models=n_models,
            base_seed=base_seed,
            should_stop=lambda: worker.stop_requested,
        )
        try:
            for step in progress:
                models.append(step.model)
                worker.report((step.index, step.n_models))
                if worker.stop_requested:
                    raise Cancelled
        finally:
            progress.close()
        if len(models) < n_models:  # stopped during the stacked training
            raise Cancelled
        from heartgui.core.explain import ensemble_spread

        try:
            spread = ensemble_spread(models, patient)
        except Exception:  # the window computes it again and says what went wrong; the models stay
            spread = None
        return EnsembleOutcome(models, dict(patient), spread)

    return run


def spread_words(spread: Any, single_risk: float, threshold: float, seeds: tuple[int, int]) -> str:
    """The ensemble's spread of one patient's risk, next to the single model's risk, in words."""
    n = len(spread.risks)
    # The whole spread, your model included (not only the middle 80 %): the cautious reading.
    every = [*spread.risks, single_risk]
    width = max(every) - min(every)
    text = (
        f"Across {n} networks trained from different random starting weights (seeds {seeds[0]}–{seeds[1]}), "
        f"this patient's risk lies between <b>{_nobreak(percent(spread.low))}</b> and "
        f"<b>{_nobreak(percent(spread.high))}</b> "
        f"(10th–90th percentile; median {percent(spread.median)}). Your model says {percent(single_risk)}"
        f"{'' if spread.low <= single_risk <= spread.high else ', outside that range'}. "
    )
    if width < 0.05:
        text += (
            "The random start changes little for this patient; that is all this shows, not that the risk is "
            "right."
        )
    elif width < 0.15:
        text += (
            "The random start alone moves this risk somewhat: read it as a range, and other training "
            "patients could move it further."
        )
    else:
        text += "The random start alone moves this risk a lot: it depends heavily on chance in training."
    flagged = int(sum(r >= threshold for r in spread.risks))
    t = threshold_percent(threshold)
    if 0 < flagged < n:
        text += (
            f" At the threshold of {t}, {flagged} of the {n} networks would flag this patient for further "
            "testing and the others would not."
        )
    elif (single_risk >= threshold) != (flagged == n):
        yours = "flags" if single_risk >= threshold else "does not flag"
        others = "none" if flagged == 0 else "all"
        text += (
            f" At the threshold of {t}, your model {yours} this patient for further testing, but {others} of "
            f"the {n} other networks would."
        )
    return text


def _nobreak(text: str) -> str:
    """``"97.5 %"`` that never wraps between the number and the sign (rich text)."""
    return text.replace(" ", "&nbsp;")


def _bigger(widget: QWidget, factor: float, bold: bool = True) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _boxed(label: QLabel, card: Card) -> Card:
    layout = QVBoxLayout(card)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.addWidget(label)
    return card


class _NotesArea(QScrollArea):
    """A scroll area as tall as its word-wrapped contents need at its width, and no taller.

    A plain scroll area asks for a fixed size whatever its contents; this one asks for their whole height
    (so they show whole when the column has room) and, at least, a few lines (so a short window scrolls
    them rather than squashing what is laid out above).
    """

    #: Lines of text always in sight, however short the window.
    MIN_LINES = 3

    def __init__(self, contents: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setWidget(contents)
        # A note shown, hidden or rewritten changes the height wanted: tell the column.
        contents.installEventFilter(self)

    def _contents_height(self) -> int:
        contents = self.widget()
        if contents is None or not contents.hasHeightForWidth():
            return 0
        return contents.heightForWidth(self.viewport().width())

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), max(0, self._contents_height()))

    def minimumSizeHint(self) -> QSize:
        lines = self.fontMetrics().lineSpacing() * self.MIN_LINES + 16  # and a box's margins
        return QSize(super().minimumSizeHint().width(), min(lines, max(0, self._contents_height())))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # another width, another height of the wrapped text


def minimum_height_for_width(layout: QLayout, width: int) -> int:
    """The least height a vertical ``layout`` needs at ``width`` with each word-wrapped text whole.

    Qt's own height for width adds up what the items *want* (a matplotlib canvas wants the size it
    has now), not the least they can do with.
    """
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    heights = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None or item.isEmpty():  # a hidden widget, or a stretch
            continue
        widget = item.widget()
        inside = widget.layout() if widget is not None else None
        if isinstance(widget, QLabel) and widget.wordWrap():
            heights.append(widget.heightForWidth(inner))
        elif isinstance(inside, QVBoxLayout):  # a panel: its title wrapped, its canvas at its least
            heights.append(max(minimum_height_for_width(inside, inner), item.minimumSize().height()))
        else:
            heights.append(item.minimumSize().height())
    spacing = max(layout.spacing(), 0) * max(len(heights) - 1, 0)
    return sum(heights) + spacing + margins.top() + margins.bottom()


class _ShrinkingPage(QWidget):
    """A page in a resizable scroll area that scrolls only when its contents, each at its least height
    (texts whole), do not fit; when they do, its layout shares out the room."""

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        if not isinstance(layout, QVBoxLayout):
            return super().heightForWidth(width)
        return max(minimum_height_for_width(layout, width), self.minimumSizeHint().height())


def _wrapping(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def describe_patient(dataset: Dataset, index: int) -> str:
    """One line naming a row of ``dataset`` (0-based ``index``): file line, a few values, the outcome."""
    row = dataset.row(index)
    parts = [
        f"file line {int(dataset.lines[index])}",
        f"age {row['age']:.0f}",
        BY_NAME["sex"].describe_value(row["sex"]),
        BY_NAME["cp"].describe_value(row["cp"]),
        f"heart disease {CLASS_WORDS[int(dataset.y[index])]}",
    ]
    return " · ".join(parts)


class RowDialog(QDialog):
    """Ask for a row number 1..n of a dataset, showing the file line and the patient as it changes."""

    def __init__(self, dataset: Dataset, current: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.setWindowTitle("Fill from dataset row")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 60)
        layout = QVBoxLayout(self)
        name = dataset.provenance.file_name
        intro = QLabel(
            f"Copy a real patient from {name} into the form. Rows are numbered 1–{dataset.n_rows}."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.spin = QSpinBox()
        self.spin.setObjectName("row_spin")
        self.spin.setRange(1, dataset.n_rows)
        self.spin.setValue(min(max(current, 1), dataset.n_rows))
        form.addRow("Row number:", self.spin)
        layout.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("row_preview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.spin.valueChanged.connect(self._show_preview)
        self._show_preview(self.spin.value())

    @Slot(int)
    def _show_preview(self, row: int) -> None:
        self.preview.setText(describe_patient(self.dataset, row - 1))

    @property
    def row(self) -> int:
        return self.spin.value()

    @classmethod
    def get_row(cls, dataset: Dataset, current: int, parent: QWidget | None) -> int | None:
        """Open the dialog; the chosen 1-based row, or ``None`` when cancelled."""
        dialog = cls(dataset, current, parent)
        return dialog.row if dialog.exec() == QDialog.DialogCode.Accepted else None


class PredictPage(QWidget):
    """One patient in, the model's risk out, updated on every edit.

    Signals
    -------
    patient_changed(dict) : the patient in the form changed (every edit, fill or reset), with
        ``{feature: value}``; connect it to ``NetworkPage.set_patient``.
    """

    patient_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: HeartModel | None = None
        # Training patients and settings of the model ("How sure", the distance check), or None.
        self._training: tuple[Any, Any, Any] | None = None
        self._novelty: Any = None
        # How many patients the model learned from, the prevalence, the coded answers few of them had.
        self._facts: TrainingFacts | None = None
        self._ensemble: list[Any] | None = None
        self._ensemble_job: Job | None = None
        self._ensemble_run = 0
        #: Networks trained by "How sure" (a test may lower it before clicking the button).
        self.ensemble_size = ENSEMBLE_SIZE
        self.ensemble_base_seed = ENSEMBLE_BASE_SEED
        self._stale_tabs: set[int] = set()
        self._explain_timer = QTimer(self)
        self._explain_timer.setSingleShot(True)
        self._explain_timer.setInterval(EXPLAIN_DELAY_MS)
        self._explain_timer.timeout.connect(self.refresh_explanations)
        self._dataset: Dataset | None = None
        self._source_dataset: Dataset | None = None  # as given; _dataset is its rows the model can use
        self._threshold = 0.5
        self._risk: float | None = None
        # The dataset row (0-based) last copied into the form, to tell whether the form still shows it.
        self._filled_row: int | None = None
        # True once the user typed or filled a patient: a new model then keeps that patient.
        self._user_patient = False

        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(16)
        outer.addWidget(self._build_patient_side(), 0)
        outer.addWidget(self._build_result_side(), 1)
        self.form.changed.connect(self._on_form_changed)
        # Another cholesterol unit: the same patient, but every view writes cholesterol in it.
        self.form.chol_unit.currentTextChanged.connect(self.predict)
        self.clear()

    # ----------------------------------------------------------------------------------------------
    def _column(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        """One of the page's two columns, headed by ``title``."""
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(title)
        heading.setFont(_bigger(self, 1.5))
        column.addWidget(heading)
        return side, column

    def _build_patient_side(self) -> QWidget:
        side, column = self._column("Patient")
        buttons = QHBoxLayout()
        self.fill_button = QPushButton("Fill from dataset row…")
        self.fill_button.setObjectName("fill_button")
        self.fill_button.setToolTip("Copy a real patient of the loaded data file into the form.")
        self.fill_button.clicked.connect(self._ask_row)
        self.reset_button = QPushButton("Typical patient")
        self.reset_button.setObjectName("reset_button")
        self.reset_button.setToolTip(
            "Reset the form to a typical patient: the median of each measurement and the most common "
            "answer of each coded feature among the training patients."
        )
        self.reset_button.clicked.connect(self._reset_patient)
        buttons.addWidget(self.fill_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        column.addLayout(buttons)

        self.form = PatientForm()
        self.form.setObjectName("patient_form")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        # The form never gets narrower than its editors need (no clipped combo boxes); room for a
        # vertical scroll bar when the window is short.
        scrollbar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(self.form.minimumSizeHint().width() + scrollbar + 4)
        column.addWidget(scroll, 1)
        # The risk right under the values it comes from; in a short window the form scrolls, the risk
        # stays in sight.
        column.addSpacing(6)
        column.addWidget(self._build_risk())
        return side

    def _build_risk(self) -> QWidget:
        """The risk card (or, without a model, what to do), and the notes about this patient."""
        self.result_stack = QStackedWidget()
        self.no_model_label = _wrapping("no_model_label", NO_MODEL)
        self.no_model_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result_stack.addWidget(_boxed(self.no_model_label, Card(dashed=True, radius=6.0)))

        card = Card()
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 10, 16, 12)
        inner.setSpacing(6)  # compact: the largest warning under the card still shows whole at 1024 × 600
        title = QLabel(RISK_TITLE)
        title.setFont(_bigger(self, 1.15))
        self.risk_label = QLabel("—")
        self.risk_label.setObjectName("risk_value")
        self.risk_label.setFont(_bigger(self, 2.4))
        self.risk_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading = QHBoxLayout()
        heading.addWidget(title, 1, Qt.AlignmentFlag.AlignVCenter)
        heading.addWidget(self.risk_label, 0, Qt.AlignmentFlag.AlignVCenter)
        inner.addLayout(heading)
        self.risk_bar = RiskBar()
        self.risk_bar.setObjectName("risk_bar")
        inner.addWidget(self.risk_bar)
        self.decision_label = _wrapping("decision_label")
        self.decision_label.setFont(_bigger(self, 1.05))
        inner.addWidget(self.decision_label)
        self.risk_definition_label = _wrapping("risk_definition_label")
        self.risk_definition_label.setFont(_bigger(self, 0.9, bold=False))
        inner.addWidget(self.risk_definition_label)
        hint = soften(QLabel("Change any value above: the risk follows at once."))
        hint.setWordWrap(True)
        self.predict_button = QPushButton("Predict")
        self.predict_button.setObjectName("predict_button")
        self.predict_button.setToolTip(
            "The risk already updates whenever a value changes; this button recomputes it for keyboard users."
        )
        self.predict_button.setAutoDefault(True)
        self.predict_button.clicked.connect(self.predict)
        row = QHBoxLayout()
        row.addWidget(hint, 1)
        row.addWidget(self.predict_button)
        inner.addLayout(row)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.setSpacing(8)
        holder_layout.addWidget(card)
        self.out_of_range_label = _wrapping("out_of_range_label")

        self.out_of_range_box = _boxed(self.out_of_range_label, Card(CAUTION, CAUTION_BORDER, radius=6.0))
        self.actual_outcome_label = _wrapping("actual_outcome_label")
        self.actual_outcome_box = _boxed(self.actual_outcome_label, Card(dashed=True, radius=6.0))
        # The notes about this patient under the card, in their own scroll area: whole when there is
        # room, and in a short window they scroll instead of squashing the risk above them.
        notes = QWidget()
        notes_layout = QVBoxLayout(notes)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_layout.setSpacing(8)
        notes_layout.addWidget(self.out_of_range_box)
        notes_layout.addWidget(self.actual_outcome_box)
        self.notes_area = _NotesArea(notes)
        self.notes_area.setObjectName("notes_area")
        holder_layout.addWidget(self.notes_area, 1)
        self.result_stack.addWidget(holder)
        return self.result_stack

    def _build_result_side(self) -> QWidget:
        """The explanations of the risk (why, what if, how sure), with the caveat under them."""
        side, column = self._column("Explaining this risk")
        self.explain_stack = QStackedWidget()
        waiting = _wrapping("no_explanation_label", NO_EXPLANATION)
        waiting.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        soften(waiting)
        self.explain_stack.addWidget(waiting)
        self.explain_stack.addWidget(self._build_tabs())
        column.addWidget(self.explain_stack, 1)

        self.caveat_label = _wrapping("caveat_label", CAVEAT)
        self.caveat_label.setFont(_bigger(self, 1.0))
        column.addWidget(self.caveat_label)
        return side

    def _show_result(self, shown: bool) -> None:
        """Show the risk and its explanations (a model is there), or what to do first."""
        self.result_stack.setCurrentIndex(1 if shown else 0)
        self.explain_stack.setCurrentIndex(1 if shown else 0)

    def _build_tabs(self) -> QTabWidget:
        from heartgui.gui.widgets.contributions_plot import ContributionsPlot
        from heartgui.gui.widgets.what_if_plot import WhatIfPlot

        self.tabs = QTabWidget()
        self.tabs.setObjectName("explain_tabs")
        self.tabs.setDocumentMode(True)
        self.contributions_plot = ContributionsPlot()
        self.contributions_plot.setObjectName("contributions_plot")
        self.what_if_plot = WhatIfPlot()
        self.what_if_plot.setObjectName("what_if_plot")
        self.what_if_plot.feature_changed.connect(self._on_what_if_feature)
        self.tabs.addTab(self.contributions_plot, "Why this risk")
        self.tabs.addTab(self.what_if_plot, "What if")
        self.tabs.addTab(self._build_how_sure(), "How sure")
        self.tabs.setTabToolTip(TAB_WHY, "What raised and what lowered this patient's risk.")
        self.tabs.setTabToolTip(TAB_WHAT_IF, "The risk if one value were different.")
        self.tabs.setTabToolTip(
            TAB_HOW_SURE,
            "How much the risk changes with other random starting weights (not how sure the model is).",
        )
        self.tabs.currentChanged.connect(self._on_tab_changed)
        return self.tabs

    def _build_how_sure(self) -> QWidget:
        page = _ShrinkingPage()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 8, 4, 4)
        self.how_sure_intro = _wrapping("how_sure_intro", how_sure_intro(None))
        layout.addWidget(self.how_sure_intro)
        row = QHBoxLayout()
        self.ensemble_button = QPushButton()
        self.ensemble_button.setObjectName("ensemble_button")
        self.ensemble_button.clicked.connect(self.start_ensemble)
        self.ensemble_cancel = QPushButton("Cancel")
        self.ensemble_cancel.setObjectName("ensemble_cancel")
        self.ensemble_cancel.setToolTip("Stop after the network being trained now.")
        self.ensemble_cancel.clicked.connect(self.cancel_ensemble)
        self.ensemble_cancel.hide()
        row.addWidget(self.ensemble_button)
        row.addWidget(self.ensemble_cancel)
        row.addStretch(1)
        layout.addLayout(row)
        self.ensemble_progress = QProgressBar()
        self.ensemble_progress.setObjectName("ensemble_progress")
        self.ensemble_progress.setFormat("%v of %m networks trained")
        self.ensemble_progress.hide()
        layout.addWidget(self.ensemble_progress)
        from heartgui.gui.widgets.spread_plot import SpreadPlot

        self.spread_plot = SpreadPlot()
        self.spread_plot.setObjectName("spread_plot")
        self.spread_plot.hide()
        # A strip of dots: enough height for a stack of ten, the rest of the tab for the words.
        self.spread_plot.setMaximumHeight(self.fontMetrics().height() * 15)
        layout.addWidget(self.spread_plot, 1)  # the tab's spare height, up to its maximum
        self.spread_label = _wrapping("spread_label")
        layout.addWidget(self.spread_label)
        layout.addStretch(0)  # what is left beyond the dots' maximum
        self._update_ensemble_controls()
        # In a short window (1016 × 520) the words, the button and the dots do not all fit the tab:
        # they scroll, each whole, rather than being squashed into one another.
        scroll = QScrollArea()
        scroll.setObjectName("how_sure_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.how_sure_scroll = scroll
        return scroll

    # ----------------------------------------------------------------------------------------------
    @property
    def model(self) -> HeartModel | None:
        return self._model

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def training_facts(self) -> TrainingFacts | None:
        """What is known about the patients the model learned from (``None`` without a model)."""
        return self._facts

    @property
    def risk(self) -> float | None:
        """The risk shown now (0–1), ``None`` without a model."""
        return self._risk

    def set_model(self, model: HeartModel, dataset: Dataset | None, threshold: float) -> None:
        """Predict with ``model`` at ``threshold``.

        The form starts from the model's typical training patient unless the user has already entered or
        filled one, which is kept so the same patient can be compared across models. ``dataset``, when
        given, becomes the dataset rows are filled from (``None`` keeps the current one).
        """
        if model is not self._model:  # another model: its training data come with set_training_data
            self._forget_training_data()
            from heartgui.core.explain import TrainingFacts

            self._facts = TrainingFacts.from_model(model)
        self._model = model
        self._threshold = float(threshold)
        self.form.set_used_features(model.used_features)
        from heartgui.gui.widgets.feature_checklist import mark_unused

        mark_unused(self.what_if_plot.combo, model.used_features)
        if dataset is not None or self._source_dataset is not None:
            self.set_dataset(dataset if dataset is not None else self._source_dataset)
        self._show_result(True)
        if self._user_patient:
            self.predict()
        else:
            self._reset_patient()

    def set_threshold(self, threshold: float) -> None:
        """Decide at a new threshold (0–1) without changing the patient."""
        self._threshold = float(threshold)
        self.predict()

    def set_dataset(self, dataset: Dataset | None) -> None:
        """The dataset "Fill from dataset row…" copies patients from; ``None`` disables it.

        With a model, only its patients who have every finding it uses are offered (a row lacking one
        would leave a made-up value in the form)."""
        self._source_dataset = dataset
        if dataset is not None and self._model is not None:
            try:
                dataset = dataset.complete(self._model.used_features)
            except ValueError:  # too few patients with these findings: nothing to fill from
                dataset = None
        self._dataset = dataset
        self._filled_row = None
        self.fill_button.setEnabled(dataset is not None and dataset.n_rows > 0)
        self.fill_button.setToolTip(
            "Load a data file on the Data page first."
            if dataset is None
            else f"Copy a real patient of {dataset.provenance.file_name} into the form."
        )
        self._show_actual_outcome()

    @property
    def patient(self) -> dict[str, float]:
        """The patient in the form, ``{feature: value}``."""
        return self.form.values()

    def set_training_data(self, X_train: Any, y_train: Any, settings: Any) -> None:
        """The training patients and settings of the current model (after training, with ``set_model``).

        "How sure" trains more networks on them, and the warning box measures how far the patient is from
        them. Call after :meth:`set_model` (a different model forgets them); ``None`` forgets them.
        """
        self._forget_training_data()
        if X_train is not None and y_train is not None and settings is not None:
            from heartgui.core.explain import NoveltyReference, TrainingFacts

            self._training = (X_train, y_train, settings)
            used = settings.used_features
            self._facts = TrainingFacts.from_data(X_train, y_train, used)
            try:
                self._novelty = NoveltyReference.fit(X_train, used)
            except (ValueError, ArithmeticError):  # too few patients for a covariance: range check only
                self._novelty = None
        self._update_ensemble_controls()
        self.predict()

    def _forget_training_data(self) -> None:
        self._stop_ensemble_job()
        self._training = None
        self._novelty = None
        self._ensemble = None
        if self._model is not None:  # only what the model itself records stays known
            from heartgui.core.explain import TrainingFacts

            self._facts = TrainingFacts.from_model(self._model)
        self._clear_spread()
        self._update_ensemble_controls()

    def shutdown(self) -> None:
        """Stop the "How sure" job and wait for its thread (call from the window's ``closeEvent``)."""
        self._explain_timer.stop()
        self._stop_ensemble_job()

    def clear(self) -> None:
        """Forget the model and the dataset; explain what to do."""
        self._forget_training_data()
        self._model = None
        self._facts = None
        self._dataset = None
        self._risk = None
        self._user_patient = False
        self.set_dataset(None)
        self._show_result(False)
        self._reset_patient()

    # ----------------------------------------------------------------------------------------------
    def fill_from_row(self, row: int) -> None:
        """Copy row ``row`` (1-based, as the dialog numbers them) of the dataset into the form."""
        if self._dataset is None:
            raise RuntimeError("no dataset is loaded")
        index = row - 1
        if not 0 <= index < self._dataset.n_rows:
            raise IndexError(f"row {row} is outside 1–{self._dataset.n_rows}")
        self._filled_row = index
        self._user_patient = True
        # A finding the model does not use may be not recorded (NaN): its field keeps its value.
        self.form.set_values({n: v for n, v in self._dataset.row(index).items() if v == v})

    @Slot()
    def _ask_row(self) -> None:
        if self._dataset is None:
            return
        current = 1 if self._filled_row is None else self._filled_row + 1
        row = RowDialog.get_row(self._dataset, current, self)
        if row is not None:
            self.fill_from_row(row)

    @Slot()
    def _reset_patient(self) -> None:
        defaults = typical_patient()
        if self._model is not None:
            defaults.update(getattr(self._model, "training_defaults_", {}))
        self._filled_row = None
        try:
            self.form.set_values(defaults)
        except ValueError:  # defaults from an odd model file: fall back to the schema's typical patient
            self.form.set_values(typical_patient())
        self._user_patient = False

    @Slot(dict)
    def _on_form_changed(self, values: dict) -> None:
        self._user_patient = True
        self.predict()
        self.patient_changed.emit(dict(values))

    # ----------------------------------------------------------------------------------------------
    @Slot()
    def predict(self) -> None:
        """Recompute and show the risk of the patient in the form."""
        self._show_actual_outcome()
        if self._model is None:
            self._risk = None
            self._show_result(False)
            return
        patient = self.form.values()
        try:
            from heartgui.core.explain import extrapolation

            risk = float(self._model.predict_risk(patient)[0])
            extra = extrapolation(self._model, patient, self._novelty)
        except Exception as error:  # a broken model must not crash the window: say what happened
            self._risk = None
            self.risk_label.setText("—")
            self.risk_bar.set_risk(None, self._threshold)
            self.decision_label.setText(f"The model could not compute a risk for this patient: {error}")
            self.out_of_range_box.hide()
            return
        self._risk = risk
        self.risk_label.setText(percent(risk))
        self.risk_bar.set_risk(risk, self._threshold)
        self.decision_label.setText(decision_words(risk, self._threshold))
        self.risk_definition_label.setText(risk_definition(self._facts, short=True))
        self.risk_definition_label.setToolTip(risk_definition(self._facts))
        self.how_sure_intro.setText(how_sure_intro(None if self._facts is None else self._facts.n_patients))
        self._show_out_of_range(patient, extra)
        self._stale_tabs = {TAB_WHY, TAB_WHAT_IF, TAB_HOW_SURE}
        self._explain_timer.start()

    def _show_out_of_range(self, patient: dict[str, float], extra: Extrapolation) -> None:
        from heartgui.core.explain import RARE_CODE_PATIENTS, describe_value, rare_code_words

        self.out_of_range_label.setToolTip(
            "The distance from the training patients is the Mahalanobis distance in the standardised "
            f"measurements; a coded answer is flagged when fewer than {RARE_CODE_PATIENTS} training "
            "patients had it."
        )
        outside = extra.out_of_range
        rare = self._facts.rare_codes(patient) if self._facts is not None else []
        if not extra.warning and not rare:
            self.out_of_range_box.hide()
            self.out_of_range_label.clear()
            return
        if outside:
            lines = [
                "<b>Outside what the model was trained on</b> — it has never seen such a patient, so treat "
                "this risk with extra caution:"
            ]
        elif extra.far_from_training:
            lines = [
                "<b>Unlike the patients the model was trained on</b> — each value lies within the training "
                "range, but not this combination, so treat this risk with extra caution:"
            ]
        else:
            lines = ["<b>Little to learn from</b> — treat this risk with extra caution:"]
        unit = self.form.cholesterol_unit
        for name, (low, high) in outside.items():
            value, lo, hi = (describe_value(name, v, unit) for v in (patient[name], low, high))
            lines.append(f"• {BY_NAME[name].label}: {value}; training patients ranged from {lo} to {hi}.")
        if extra.far_from_training:
            lines.append(
                f"• Far from every training patient: taken together, these measurements lie farther from the "
                f"training patients' average than 99 % of the training patients themselves do (distance "
                f"{extra.distance:.1f}; 99 % of them lie within {extra.threshold:.1f}, on a scale that "
                "allows for how the measurements vary together)."
            )
        lines += [f"• {rare_code_words(r)}" for r in rare]
        self.out_of_range_label.setText("<br>".join(lines))
        self.out_of_range_box.show()

    def _show_actual_outcome(self) -> None:
        index, dataset = self._filled_row, self._dataset
        if index is None or dataset is None:
            self.actual_outcome_box.hide()
            self.actual_outcome_label.clear()
            return
        outcome = CLASS_WORDS[int(dataset.y[index])]
        text = (
            f"<b>In the data: heart disease {outcome}</b> (row {index + 1}, file line "
            f"{int(dataset.lines[index])} of {dataset.provenance.file_name})."
        )
        shown = self.form.values()
        if any(shown[n] != v for n, v in dataset.row(index).items() if v == v):
            text += "<br>You have changed values since, so the form no longer shows this patient."
        self.actual_outcome_label.setText(text)
        self.actual_outcome_box.show()

    # ----------------------------------------------------------------------------------------------
    # explanations
    @Slot()
    def refresh_explanations(self) -> None:
        """Recompute the tab shown now for the patient in the form (the others when they are shown)."""
        self._explain_timer.stop()
        index = self.tabs.currentIndex()
        if index not in self._stale_tabs:
            return
        self._stale_tabs.discard(index)
        model = self._model
        if model is None or self._risk is None:
            return
        patient = self.form.values()
        if index == TAB_WHY:
            from heartgui.core.explain import contributions

            n_patients = self._facts.n_patients if self._facts is not None else int(model.n_train_rows_)
            try:
                self.contributions_plot.set_contributions(
                    contributions(model, patient),
                    patient,
                    n_patients=n_patients,
                    cholesterol_unit=self.form.cholesterol_unit,
                )
            except Exception as error:  # never a traceback: say what happened
                self.contributions_plot.clear()
                self.contributions_plot.sentence.setText(f"Could not compute the contributions: {error}")
        elif index == TAB_WHAT_IF:
            self._show_what_if(patient)
        elif index == TAB_HOW_SURE:
            self._show_spread()

    def _show_what_if(self, patient: dict[str, float]) -> None:
        from heartgui.core.explain import what_if

        assert self._model is not None
        try:
            curve = what_if(self._model, patient, self.what_if_plot.feature)
        except Exception as error:
            self.what_if_plot.clear()
            self.what_if_plot.sentence.setText(f"Could not compute the curve: {error}")
            return
        self.what_if_plot.set_curve(
            curve,
            self._threshold,
            n_patients=None if self._facts is None else self._facts.n_patients,
            cholesterol_unit=self.form.cholesterol_unit,
        )

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        self.refresh_explanations()

    @Slot(str)
    def _on_what_if_feature(self, _name: str) -> None:
        self._stale_tabs.add(TAB_WHAT_IF)
        self.refresh_explanations()

    # ----------------------------------------------------------------------------------------------
    # How sure
    def _update_ensemble_controls(self) -> None:
        if not hasattr(self, "ensemble_button"):
            return
        running = self._ensemble_job is not None
        n = self.ensemble_size
        self.ensemble_button.setText(f"Train {n} more models with different seeds")
        ready = self._training is not None and self._model is not None
        self.ensemble_button.setEnabled(ready and not running)
        self.ensemble_cancel.setVisible(running)
        self.ensemble_progress.setVisible(running)
        if self._training is None:
            self.ensemble_button.setToolTip(NEEDS_TRAINING_DATA)
            if self._model is not None:
                self._clear_spread()
                self.spread_label.setText(NEEDS_TRAINING_DATA)
        else:
            self.ensemble_button.setToolTip(
                f"Train {n} networks with the settings of your model on its training patients, each from "
                "other random starting weights (in the background; the window stays usable)."
            )
            # Forgetting the previous training data wrote NEEDS_TRAINING_DATA; it is untrue now.
            if self.spread_label.text() == NEEDS_TRAINING_DATA:
                self._clear_spread()

    @Slot()
    def start_ensemble(self) -> None:
        """Train :attr:`ensemble_size` more networks in the background ("How sure")."""
        if self._training is None or self._ensemble_job is not None:
            return
        X_train, y_train, settings = self._training
        self._ensemble_run += 1
        self._ensemble = None
        job = Job(
            self._ensemble_run,
            ensemble_job(
                X_train, y_train, settings, self.ensemble_size, self.ensemble_base_seed, self.form.values()
            ),
            self,
        )
        job.worker.progressed.connect(self._on_ensemble_progress)
        job.worker.finished.connect(self._on_ensemble_finished)
        job.worker.failed.connect(self._on_ensemble_failed)
        job.worker.cancelled.connect(self._on_ensemble_cancelled)
        job.done.connect(self._on_ensemble_done)
        self._ensemble_job = job
        self.ensemble_progress.setRange(0, self.ensemble_size)
        self.ensemble_progress.setValue(0)
        self._clear_spread()
        self.spread_label.setText("Training…")
        self._update_ensemble_controls()
        job.start_after_paint()  # the tab's new state is painted before the worker competes for the GIL

    @Slot()
    def cancel_ensemble(self) -> None:
        """Ask the "How sure" job to stop after the network it is training."""
        if self._ensemble_job is not None:
            self._ensemble_job.request_stop()
            self.spread_label.setText("Stopping…")

    def ensemble_running(self) -> bool:
        return self._ensemble_job is not None

    def spread(self) -> Any:
        """The current patient's risk across the "How sure" ensemble (a ``RiskSpread``), or ``None``."""
        if not self._ensemble or self._model is None:
            return None
        from heartgui.core.explain import ensemble_spread

        return ensemble_spread(self._ensemble, self.form.values())

    def _stop_ensemble_job(self) -> None:
        job, self._ensemble_job = self._ensemble_job, None
        if job is not None:
            self._ensemble_run += 1  # its last signals are stale
            job.stop_and_wait()
            job.deleteLater()
        self._update_ensemble_controls()

    @Slot(int, object)
    def _on_ensemble_progress(self, run_id: int, batch: tuple) -> None:
        if run_id == self._ensemble_run and batch:
            index, _n = batch[-1]
            self.ensemble_progress.setValue(index)

    @Slot(int, object)
    def _on_ensemble_finished(self, run_id: int, outcome: EnsembleOutcome) -> None:
        if run_id != self._ensemble_run:
            return
        self._ensemble = list(outcome.models)
        self._stale_tabs.add(TAB_HOW_SURE)
        # The spread the worker computed holds while the form still shows the same patient.
        self._show_spread(outcome.spread if outcome.patient == self.form.values() else None)

    @Slot(int, str)
    def _on_ensemble_failed(self, run_id: int, message: str) -> None:
        if run_id == self._ensemble_run:
            self.spread_label.setText(f"Training the extra networks failed: {message}")

    @Slot(int)
    def _on_ensemble_cancelled(self, run_id: int) -> None:
        if run_id == self._ensemble_run:
            self.spread_label.setText("Stopped. Click the button to train the extra networks again.")

    @Slot(int)
    def _on_ensemble_done(self, run_id: int) -> None:
        job = self._ensemble_job
        if job is not None and job.run_id == run_id:
            self._ensemble_job = None
            job.deleteLater()
        self._update_ensemble_controls()

    def _show_spread(self, spread: Any = None) -> None:
        """Say the spread of the form's patient's risk (``spread``, when already computed for them)."""
        self._stale_tabs.discard(TAB_HOW_SURE)
        if not self._ensemble or self._model is None or self._risk is None:
            return
        if spread is None:
            try:
                spread = self.spread()
            except Exception as error:
                self._clear_spread()
                self.spread_label.setText(f"Could not compute the spread: {error}")
                return
        seeds = (self.ensemble_base_seed, self.ensemble_base_seed + len(self._ensemble) - 1)
        self.spread_label.setText(spread_words(spread, self._risk, self._threshold, seeds))
        self.spread_plot.set_spread(spread, self._risk, self._threshold)
        self.spread_plot.show()

    def _clear_spread(self) -> None:
        self.spread_label.clear()
        self.spread_plot.hide()  # first: a hidden plot is emptied without a full draw (~100 ms)
        self.spread_plot.clear()


def decision_words(risk: float, threshold: float) -> str:
    """The decision at ``threshold`` in words (risk at or above the threshold is flagged)."""
    t = threshold_percent(threshold)
    if risk > threshold:
        return f"Above the threshold of {t}: flagged for further testing."
    if risk == threshold:
        return f"Exactly at the threshold of {t}: flagged for further testing."
    return f"Below the threshold of {t}: not flagged for further testing."
