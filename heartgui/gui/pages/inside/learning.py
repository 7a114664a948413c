"""The backward pass walked through: one step of gradient descent, for the batch or for one patient.

The numbers come from :func:`heartgui.core.backprop.backward_pass` at the weights the page shows (the
trained model, or its edited copy); :func:`heartgui.gui.widgets.backprop_view.backprop_steps` lays them
out as tables. Two choices:

* **the whole training batch** — the rows the network learnt from (``HeartModel.fit_part``: without the
  validation part), scaled as it saw them: the very step the next epoch of training would take;
* **the Predict page's patient** — a step of learning from this one patient alone (a batch of one), with
  the diagnosis y to learn: the patient's recorded diagnosis when the patient is one of the training
  patients, else the one chosen here (a patient typed into the form has no known diagnosis).

Measured on the project's machine: ``backward_pass`` on the 216 training patients takes ~0.2 ms and
``model.transform`` of them ~2 ms (done once per model), so both run on the UI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from heartgui.gui.widgets.backprop_view import backprop_steps
from heartgui.gui.widgets.walkthrough_view import WalkthroughView

__all__ = ["BATCH", "PATIENT", "LearningPanel"]

BATCH = "batch"
PATIENT = "patient"


class LearningPanel(QWidget):
    """The batch / patient choice, the diagnosis to learn for a patient, and the step's tables.

    Signals
    -------
    choice_changed() : the user picked batch or patient, or another diagnosis.
    """

    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_button = QRadioButton("the whole training batch")
        self.batch_button.setObjectName("learn_batch")
        self.batch_button.setToolTip(
            "The step the next epoch of training takes: every training patient at once."
        )
        self.patient_button = QRadioButton("the Predict page's patient alone")
        self.patient_button.setObjectName("learn_patient")
        self.patient_button.setToolTip(
            "A step of learning from this one patient only (a batch of one), with the diagnosis below."
        )
        self.batch_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.batch_button)
        group.addButton(self.patient_button)
        group.buttonToggled.connect(self._on_choice)
        self.diagnosis = QComboBox()
        self.diagnosis.setObjectName("learn_diagnosis")
        self.diagnosis.setAccessibleName("Diagnosis to learn")
        self.diagnosis.addItem("disease present (y = 1)", 1)
        self.diagnosis.addItem("no disease (y = 0)", 0)
        self.diagnosis.setToolTip(
            "A patient typed into the form has no known diagnosis: choose the one this step learns from."
        )
        self.diagnosis.currentIndexChanged.connect(self._on_diagnosis)
        self.diagnosis_label = QLabel("learning the diagnosis")
        self.note = QLabel()
        self.note.setObjectName("learn_note")
        self.note.setWordWrap(True)
        self.view = WalkthroughView()
        self.view.setObjectName("backprop_walkthrough")
        self.view.setAccessibleName("Walk-through of one step of learning")

        choice = QHBoxLayout()
        choice.setContentsMargins(0, 0, 0, 0)
        choice.addWidget(QLabel("One step of learning for"))
        choice.addWidget(self.batch_button)
        choice.addWidget(self.patient_button)
        choice.addStretch(1)
        diagnosis = QHBoxLayout()
        diagnosis.setContentsMargins(0, 0, 0, 0)
        diagnosis.addWidget(self.diagnosis_label)
        diagnosis.addWidget(self.diagnosis)
        diagnosis.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(choice)
        layout.addLayout(diagnosis)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        self._update_enabled()

    @property
    def mode(self) -> str:
        return PATIENT if self.patient_button.isChecked() else BATCH

    def set_mode(self, mode: str) -> None:
        (self.patient_button if mode == PATIENT else self.batch_button).setChecked(True)

    @property
    def chosen_diagnosis(self) -> int:
        return int(self.diagnosis.currentData())

    def set_diagnosis(self, y: int) -> None:
        """Show ``y`` as the diagnosis learnt (without emitting :attr:`choice_changed`)."""
        self.diagnosis.blockSignals(True)
        self.diagnosis.setCurrentIndex(self.diagnosis.findData(int(y)))
        self.diagnosis.blockSignals(False)

    def _update_enabled(self) -> None:
        patient = self.mode == PATIENT
        self.diagnosis.setVisible(patient)
        self.diagnosis_label.setVisible(patient)

    @Slot()
    def _on_choice(self, *_args: Any) -> None:
        self._update_enabled()
        self.choice_changed.emit()

    @Slot(int)
    def _on_diagnosis(self, _index: int) -> None:
        self.choice_changed.emit()

    # ----------------------------------------------------------------------------------------------
    def show_step(self, step: Any, input_labels: tuple[str, ...], note: str, *, patient_label: str) -> None:
        """Show ``step`` (a ``BackwardPass``) with ``note`` above it."""
        self.note.setText(note)
        self.view.show_steps(backprop_steps(step, input_labels, patient_label=patient_label))

    def show_message(self, text: str) -> None:
        self.note.setText("")
        self.view.show_message(text)
