"""The findings a model uses: one check box per feature of the schema, with a one-click choice of the
eight findings measured at all four sites of the UCI study, and how many patients of the loaded file
have every finding ticked (the others are left out of training)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.core.dataset import Dataset
from heartgui.gui.widgets.helper_text import soften

#: Short words for the check boxes (two columns in the settings column); the full label is the tooltip.
SHORT_LABELS: dict[str, str] = {
    "age": "Age",
    "sex": "Sex",
    "cp": "Chest pain type",
    "trestbps": "Resting blood pressure",
    "chol": "Cholesterol",
    "fbs": "Fasting blood sugar",
    "restecg": "Resting ECG",
    "thalach": "Maximum heart rate",
    "exang": "Exercise angina",
    "oldpeak": "ST depression",
    "slope": "ST slope",
    "ca": "Vessels (fluoroscopy)",
    "thal": "Thallium scan",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def mark_unused(combo: QComboBox, used: Sequence[str]) -> None:
    """Grey out the items (feature names as data) of ``combo`` that the model does not use, labelled
    "(not used)", and move the choice to a used one when it was on an unused one."""
    model = combo.model()
    blocked = combo.blockSignals(True)  # the caller draws with the choice made here
    for i in range(combo.count()):
        name = str(combo.itemData(i))
        if name not in schema.BY_NAME:
            continue
        on = name in used
        label = schema.BY_NAME[name].label
        combo.setItemText(i, label if on else f"{label} (not used)")
        item = model.item(i) if isinstance(model, QStandardItemModel) else None
        if item is not None:
            item.setEnabled(on)
    if str(combo.currentData()) not in used:
        for i in range(combo.count()):
            if str(combo.itemData(i)) in used:
                combo.setCurrentIndex(i)
                break
    combo.blockSignals(blocked)


class FeatureChecklist(QGroupBox):
    """Check boxes for the 13 findings; :meth:`features` is ``None`` when all 13 are ticked.

    Signals
    -------
    changed(object) : the ticked findings changed (a tuple in the schema's order, or ``None`` = all 13).
    """

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Findings the model uses", parent)
        self.setAccessibleName("Findings the model uses")
        tip = (
            "The findings the network receives as inputs. A patient lacking a ticked finding (not "
            "recorded in the file) is left out of training and testing; the others are never read."
        )
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        self._dataset: Dataset | None = None
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setVerticalSpacing(0)
        half = (len(schema.FEATURES) + 1) // 2
        for i, feature in enumerate(schema.FEATURES):
            box = QCheckBox(SHORT_LABELS[feature.name])
            box.setChecked(True)
            box.setAccessibleName(f"Use {feature.label}")
            tip = f"{feature.label} ({feature.name}): {feature.help}"
            box.setToolTip(tip)
            box.setAccessibleDescription(tip)
            box.toggled.connect(self._on_toggled)
            self.boxes[feature.name] = box
            grid.addWidget(box, i % half, i // half)

        self.all_button = QPushButton("All 13")
        self.all_button.setAccessibleName("Use all 13 findings")
        self.all_button.setToolTip("Use all 13 findings (heart.dat has every one for every patient).")
        self.all_button.clicked.connect(lambda: self.set_features(None, emit=True))
        self.sites_button = QPushButton("Measured at all four sites")
        self.sites_button.setAccessibleName("Use the 8 findings measured at all four sites")
        self.sites_button.setToolTip(
            "Only the 8 findings every site of the UCI study measured ("
            + ", ".join(schema.ALL_SITES_FEATURES)
            + "): a model on these can be taken to Cleveland, Hungary, Switzerland and VA Long Beach."
        )
        self.sites_button.clicked.connect(lambda: self.set_features(schema.ALL_SITES_FEATURES, emit=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.sites_button)
        buttons.addStretch()

        # A plain line on the page, like every training setting's (a tooltip is missed).
        self.description = soften(
            QLabel("The inputs of the network; a patient lacking a ticked one is left out.")
        )
        self.description.setObjectName("Findings the model uses description")
        self.description.setWordWrap(True)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.description.setFont(small)

        self.count_label = QLabel("")
        self.count_label.setWordWrap(True)
        self.count_label.setAccessibleName("Patients with these findings")

        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.description)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        layout.addWidget(self.count_label)
        self._update_count()

    # ----------------------------------------------------------------------------------------------
    def features(self) -> tuple[str, ...] | None:
        """The ticked findings in the schema's order; ``None`` when all 13 are ticked."""
        chosen = tuple(n for n in schema.FEATURE_NAMES if self.boxes[n].isChecked())
        return None if chosen == schema.FEATURE_NAMES else chosen

    def used_features(self) -> tuple[str, ...]:
        """The ticked findings (all 13 spelled out)."""
        return self.features() or schema.FEATURE_NAMES

    def set_features(self, features: Sequence[str] | None, *, emit: bool = False) -> None:
        """Tick ``features`` (``None`` = all 13) and untick the others."""
        chosen = set(schema.FEATURE_NAMES if features is None else schema.check_features(features))
        before = self.features()
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in chosen)
            box.blockSignals(False)
        self._update_count()
        if emit and self.features() != before:
            self.changed.emit(self.features())

    def set_dataset(self, dataset: Dataset | None) -> None:
        """Say how many patients of ``dataset`` have every ticked finding."""
        self._dataset = dataset
        self._update_count()

    # ----------------------------------------------------------------------------------------------
    def _on_toggled(self, checked: bool) -> None:
        if not checked and not any(box.isChecked() for box in self.boxes.values()):
            # A model needs at least one finding: the last tick stays.
            box = self.sender()
            if isinstance(box, QCheckBox):
                box.blockSignals(True)
                box.setChecked(True)
                box.blockSignals(False)
            self.count_label.setText("A model needs at least one finding.")
            return
        self._update_count()
        self.changed.emit(self.features())

    def _update_count(self) -> None:
        used = self.used_features()
        self.sites_button.setEnabled(used != schema.ALL_SITES_FEATURES)
        self.all_button.setEnabled(used != schema.FEATURE_NAMES)
        dataset = self._dataset
        if dataset is None:
            self.count_label.setText(f"{_plural(len(used), 'finding')} ticked.")
            return
        n = dataset.n_complete(used)
        left = dataset.n_rows - n
        text = f"{_plural(len(used), 'finding')}: {n} of the {dataset.n_rows} patients have them all"
        if left:
            text += f"; {left} lacking one {'is' if left == 1 else 'are'} left out"
        self.count_label.setText(text + ".")
