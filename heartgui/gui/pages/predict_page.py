"""The Predict page: enter one patient and see the model's risk change as you edit (what-if).

The form is on the left; the risk, the decision at the threshold, values outside the training range and the
fixed caveat are on the right. Any edit recomputes the risk at once; the Predict button exists for keyboard
users. "Fill from dataset row…" copies a real patient of the loaded file and shows that patient's actual
outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.core.schema import BY_NAME, CLASS_WORDS, MG_DL_PER_MMOL_L_CHOLESTEROL
from heartgui.gui.widgets.card import CAUTION, CAUTION_BORDER, Card
from heartgui.gui.widgets.patient_form import CHOLESTEROL, MMOL_L, PatientForm, typical_patient
from heartgui.gui.widgets.risk_bar import RiskBar
from heartgui.gui.widgets.wording import percent, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.dataset import Dataset
    from heartgui.core.model import HeartModel

CAVEAT = "Teaching tool — not for clinical decisions."
NO_MODEL = (
    "No model yet.\n\nTrain a model on the Train page (or open a saved model). Then enter a patient on "
    "the left: the model's risk of heart disease appears here and changes as you edit any value."
)


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
    """One patient in, the model's risk out, updated on every edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: HeartModel | None = None
        self._dataset: Dataset | None = None
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
        self.clear()

    # ----------------------------------------------------------------------------------------------
    def _build_patient_side(self) -> QWidget:
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Patient")
        title.setFont(_bigger(self, 1.5))
        column.addWidget(title)
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
        return side

    def _build_result_side(self) -> QWidget:
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Risk of heart disease")
        title.setFont(_bigger(self, 1.5))
        column.addWidget(title)

        self.result_stack = QStackedWidget()
        self.no_model_label = _wrapping("no_model_label", NO_MODEL)
        self.no_model_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result_stack.addWidget(self.no_model_label)

        card = Card()
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 12, 16, 14)
        inner.setSpacing(10)
        self.risk_label = QLabel("—")
        self.risk_label.setObjectName("risk_value")
        self.risk_label.setFont(_bigger(self, 2.6))
        self.risk_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.risk_label)
        self.risk_bar = RiskBar()
        self.risk_bar.setObjectName("risk_bar")
        inner.addWidget(self.risk_bar)
        self.decision_label = _wrapping("decision_label")
        self.decision_label.setFont(_bigger(self, 1.1))
        inner.addWidget(self.decision_label)
        hint = QLabel("Change any value on the left: the risk follows at once.")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hint.setWordWrap(True)
        inner.addWidget(hint)
        self.predict_button = QPushButton("Predict")
        self.predict_button.setObjectName("predict_button")
        self.predict_button.setToolTip(
            "The risk already updates whenever a value changes; this button recomputes it for keyboard users."
        )
        self.predict_button.setAutoDefault(True)
        self.predict_button.clicked.connect(self.predict)
        row = QHBoxLayout()
        row.addWidget(self.predict_button)
        row.addStretch(1)
        inner.addLayout(row)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.setSpacing(10)
        holder_layout.addWidget(card)
        self.out_of_range_label = _wrapping("out_of_range_label")
        self.out_of_range_box = _boxed(self.out_of_range_label, Card(CAUTION, CAUTION_BORDER, radius=6.0))
        holder_layout.addWidget(self.out_of_range_box)
        self.actual_outcome_label = _wrapping("actual_outcome_label")
        self.actual_outcome_box = _boxed(self.actual_outcome_label, Card(dashed=True, radius=6.0))
        holder_layout.addWidget(self.actual_outcome_box)
        holder_layout.addStretch(1)
        self.result_stack.addWidget(holder)
        column.addWidget(self.result_stack, 1)

        self.caveat_label = _wrapping("caveat_label", CAVEAT)
        self.caveat_label.setFont(_bigger(self, 1.0))
        column.addWidget(self.caveat_label)
        return side

    # ----------------------------------------------------------------------------------------------
    @property
    def model(self) -> HeartModel | None:
        return self._model

    @property
    def threshold(self) -> float:
        return self._threshold

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
        self._model = model
        self._threshold = float(threshold)
        if dataset is not None:
            self.set_dataset(dataset)
        self.result_stack.setCurrentIndex(1)
        if self._user_patient:
            self.predict()
        else:
            self._reset_patient()

    def set_threshold(self, threshold: float) -> None:
        """Decide at a new threshold (0–1) without changing the patient."""
        self._threshold = float(threshold)
        self.predict()

    def set_dataset(self, dataset: Dataset | None) -> None:
        """The dataset "Fill from dataset row…" copies patients from; ``None`` disables it."""
        self._dataset = dataset
        self._filled_row = None
        self.fill_button.setEnabled(dataset is not None and dataset.n_rows > 0)
        self.fill_button.setToolTip(
            "Load a data file on the Data page first."
            if dataset is None
            else f"Copy a real patient of {dataset.provenance.file_name} into the form."
        )
        self._show_actual_outcome()

    def clear(self) -> None:
        """Forget the model and the dataset; explain what to do."""
        self._model = None
        self._dataset = None
        self._risk = None
        self._user_patient = False
        self.set_dataset(None)
        self.result_stack.setCurrentIndex(0)
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
        self.form.set_values(self._dataset.row(index))

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
    def _on_form_changed(self, _values: dict) -> None:
        self._user_patient = True
        self.predict()

    # ----------------------------------------------------------------------------------------------
    @Slot()
    def predict(self) -> None:
        """Recompute and show the risk of the patient in the form."""
        self._show_actual_outcome()
        if self._model is None:
            self._risk = None
            self.result_stack.setCurrentIndex(0)
            return
        patient = self.form.values()
        try:
            risk = float(self._model.predict_risk(patient)[0])
            outside = self._model.out_of_range(patient)
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
        self._show_out_of_range(patient, outside)

    def _show_out_of_range(self, patient: dict[str, float], outside: dict[str, tuple[float, float]]) -> None:
        if not outside:
            self.out_of_range_box.hide()
            self.out_of_range_label.clear()
            return
        lines = [
            "<b>Outside what the model was trained on</b> — it has never seen such a patient, so treat "
            "this risk with extra caution:"
        ]
        in_mmol = self.form.cholesterol_unit == MMOL_L
        for name, (low, high) in outside.items():
            feature = BY_NAME[name]
            value, lo, hi = (feature.describe_value(v) for v in (patient[name], low, high))
            if name == CHOLESTEROL and in_mmol:
                f = MG_DL_PER_MMOL_L_CHOLESTEROL
                value += f" ({patient[name] / f:.2f} mmol/L)"
                lo, hi = f"{low / f:.2f}", f"{high / f:.2f} mmol/L ({low:.0f}–{high:.0f} mg/dl)"
            lines.append(f"• {feature.label}: {value}; training patients ranged from {lo} to {hi}.")
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
        if self.form.values() != dataset.row(index):
            text += "<br>You have changed values since, so the form no longer shows this patient."
        self.actual_outcome_label.setText(text)
        self.actual_outcome_box.show()


def decision_words(risk: float, threshold: float) -> str:
    """The decision at ``threshold`` in words (risk at or above the threshold is flagged)."""
    t = threshold_percent(threshold)
    if risk > threshold:
        return f"Above the threshold of {t}: the model would flag heart disease."
    if risk == threshold:
        return f"Exactly at the threshold of {t}: the model would flag heart disease."
    return f"Below the threshold of {t}: the model would not flag heart disease."
