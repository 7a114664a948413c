"""The Other prevalence tab: the same model's PPV and NPV where the disease is more or less common.

Sensitivity and specificity come from the test patients at the chosen threshold; PPV and NPV at another
prevalence follow by Bayes' rule (``heartgui.core.clinical.predictive_values``). heart.dat's patients were
referred for angiography, so about half had the disease; in primary care far fewer do, and most of the
model's alarms there would be false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QWidget

from heartgui.gui.pages.results.common import page_column, scaled_font, section_title, soft, wrapping
from heartgui.gui.widgets.card import Card
from heartgui.gui.widgets.wording import UNDEFINED, percent, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult

__all__ = ["PRIMARY_CARE_PREVALENCE", "PretestView"]

#: The "primary care" button's prevalence (%): a population not selected by a cardiologist.
PRIMARY_CARE_PREVALENCE = 10
#: The control's range (%).
PREVALENCE_RANGE = (1, 90)

WHY = (
    "Why it matters: sensitivity and specificity belong to the model, but PPV and NPV also depend on how "
    "common the disease is among the patients it is used on. The UCI heart-disease files (heart.dat "
    "among them) come from patients referred for angiography, so many had the disease. Used where the "
    "disease is rare (primary care, screening), the same model at the same threshold raises many more "
    "false alarms for each patient it finds, and a “not flagged” becomes more reassuring. This assumes "
    "sensitivity and specificity stay the same in the new population, which is often not true: only "
    "testing the model there can tell."
)


class PretestView(QWidget):
    """A prevalence control (1–90 %) and the PPV and NPV it implies, in figures and in 1,000 patients."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = page_column(self, "The same model where the disease is rarer (pre-test probability)")
        column.addWidget(
            wrapping(
                "Set how common heart disease is among the patients the model would be used on (the "
                "pre-test probability). The model's sensitivity and specificity at the chosen threshold "
                "are kept; PPV and NPV are recomputed by Bayes' rule.",
                "pretest_intro",
            )
        )
        controls = QHBoxLayout()
        label = QLabel("Prevalence:")
        controls.addWidget(label)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("prevalence_slider")
        self.slider.setRange(*PREVALENCE_RANGE)
        self.slider.setAccessibleName("Prevalence")
        self.slider.setMinimumWidth(200)
        self.slider.setToolTip("Drag to set the share of patients with heart disease, from 1 % to 90 %.")
        self.spin = QSpinBox()
        self.spin.setObjectName("prevalence_spin")
        self.spin.setRange(*PREVALENCE_RANGE)
        self.spin.setSuffix(" %")
        self.spin.setAccessibleName("Prevalence in percent")
        self.spin.setToolTip("The share of patients with heart disease in the population you have in mind.")
        label.setBuddy(self.spin)
        self.primary_care = QPushButton(f"Primary care ({PRIMARY_CARE_PREVALENCE} %)")
        self.primary_care.setObjectName("prevalence_primary_care")
        self.primary_care.setToolTip(
            f"An example figure, {PRIMARY_CARE_PREVALENCE} %: patients not selected by a cardiologist "
            "(chest pain seen in general practice, say), among whom far fewer have the disease."
        )
        self.this_file = QPushButton("This file")
        self.this_file.setObjectName("prevalence_this_file")
        self.this_file.setToolTip("The share of the loaded file's patients with heart disease.")
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.spin)
        controls.addWidget(self.primary_care)
        controls.addWidget(self.this_file)
        column.addLayout(controls)
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self.slider.setValue)
        self.spin.valueChanged.connect(self._update)
        self.primary_care.clicked.connect(lambda: self.set_prevalence(PRIMARY_CARE_PREVALENCE / 100))
        self.file_prevalence: float = 0.5
        self.this_file.clicked.connect(lambda: self.set_prevalence(self.file_prevalence))

        card = Card()
        form = QFormLayout(card)
        form.setContentsMargins(14, 10, 14, 12)
        form.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}
        for key, name in (
            ("sensitivity", "Sensitivity (from the test patients)"),
            ("specificity", "Specificity (from the test patients)"),
            ("ppv", "PPV: of those flagged, how many are ill"),
            ("npv", "NPV: of those not flagged, how many are healthy"),
        ):
            value = QLabel(UNDEFINED)
            value.setObjectName(f"pretest_{key}")
            value.setFont(scaled_font(self, 1.15, bold=True))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(QLabel(name), value)
            self.values[key] = value
        column.addWidget(card)
        column.addWidget(section_title(self, "In 1,000 such patients"))
        self.frequencies = wrapping(name="pretest_frequencies")
        column.addWidget(self.frequencies)
        column.addWidget(soft(wrapping(WHY, "pretest_why")))
        column.addStretch(1)

        self._metrics: Metrics | None = None

    # ----------------------------------------------------------------------------------------------
    def set_result(self, result: TrainingResult) -> None:
        """Take the loaded file's prevalence (training and test patients) as the control's value."""
        split = result.split
        n = len(split.y_train) + len(split.y_test)
        self.file_prevalence = float(split.y_train.sum() + split.y_test.sum()) / n
        self.this_file.setText(f"This file ({percent(self.file_prevalence, 0)})")
        self.set_prevalence(self.file_prevalence)

    def set_prevalence(self, prevalence: float) -> None:
        """Set the control to ``prevalence`` (0–1, rounded to a whole percent within 1–90 %)."""
        low, high = PREVALENCE_RANGE
        self.spin.setValue(min(high, max(low, round(prevalence * 100))))
        self._update()

    @property
    def prevalence(self) -> float:
        """The prevalence the figures are computed at (0–1)."""
        return self.spin.value() / 100

    def show_metrics(self, m: Metrics) -> None:
        """Sensitivity and specificity at the chosen threshold (the test patients' ``m``)."""
        self._metrics = m
        self._update()

    @Slot()
    def _update(self) -> None:
        m = self._metrics
        if m is None:
            return
        from heartgui.core.clinical import predictive_values

        p = self.prevalence
        se, sp = m.sensitivity, m.specificity
        self.values["sensitivity"].setText(percent(se))
        self.values["specificity"].setText(percent(sp))
        if se != se or sp != sp:
            self.values["ppv"].setText(UNDEFINED)
            self.values["npv"].setText(UNDEFINED)
            self.frequencies.setText("")
            return
        ppv, npv = predictive_values(se, sp, p)
        self.values["ppv"].setText(percent(ppv))
        self.values["npv"].setText(percent(npv))
        ill = round(1000 * p)
        healthy = 1000 - ill
        caught = round(ill * se)
        false_alarms = round(healthy * (1 - sp))
        flagged = caught + false_alarms
        per_case = (false_alarms / caught) if caught else float("nan")
        ratio = (
            f"about {per_case:.1f} false alarms for each patient with the disease found"
            if caught
            else "no patient with the disease found"
        )
        self.frequencies.setText(
            f"At a prevalence of {self.spin.value()} % and a threshold of {threshold_percent(m.threshold)}: "
            f"{ill} of 1,000 patients have heart disease and the model flags about {caught} of them; of the "
            f"{healthy} without, it flags about {false_alarms}. So {flagged} are flagged, {ratio} "
            f"(PPV {percent(ppv)}), and of the {1000 - flagged} not flagged about {ill - caught} have the "
            f"disease (NPV {percent(npv)})."
        )
