"""A form for one patient, generated from the schema: one editor per feature, clinical words and units.

Measurements get a spin box whose range is the feature's hard ``limits`` and whose suffix is the unit; an
impossible or mistyped value is never taken, and never silently changed either: the message under the
field says what was refused and which value is still in use (:class:`CheckedSpinBox`). Coded features
get a combo box showing the clinical words and holding the code as item data. Cholesterol can be shown
in mg/dl or mmol/L; :meth:`PatientForm.values` always returns mg/dl, the unit the model was trained on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from heartgui.core.schema import BY_NAME, FEATURE_NAMES, FEATURES, MG_DL_PER_MMOL_L_CHOLESTEROL, Feature
from heartgui.gui.widgets.checked_spin import CheckedSpinBox, with_message

CHOLESTEROL = "chol"
MG_DL = "mg/dl"
MMOL_L = "mmol/L"
#: Decimals of cholesterol shown in mmol/L (5.17 mmol/L is how labs report it).
MMOL_L_DECIMALS = 2


#: How the form names the findings a model does not use.
NOT_USED_WORDS = "Not used by this model"


def _lower_first(label: str) -> str:
    """``"Serum cholesterol"`` → ``"serum cholesterol"``; ``"ST depression…"`` stays (an acronym)."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def typical_patient() -> dict[str, float]:
    """A neutral starting patient without a model: the middle of each ``typical`` range, the first code."""
    out = {}
    for feature in FEATURES:
        if feature.codes is not None:
            out[feature.name] = float(next(iter(feature.codes)))
        else:
            assert feature.typical is not None
            low, high = feature.typical
            out[feature.name] = round((low + high) / 2, feature.decimals)
    return out


class PatientForm(QWidget):
    """One editor per feature of :data:`heartgui.core.schema.FEATURES`.

    Signals
    -------
    changed(dict) : emitted after any edit (and once after :meth:`set_values`) with :meth:`values`.
    """

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, CheckedSpinBox | QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        # Cholesterol in mg/dl as last set or typed, so a round trip through mmol/L loses nothing.
        self._chol_mg_dl = 0.0

        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        # The findings a model on fewer than 13 does not use (set_used_features); hidden otherwise.
        self.not_used_label = QLabel("")
        self.not_used_label.setObjectName("not_used_features")
        self.not_used_label.setWordWrap(True)
        self.not_used_label.setAccessibleName("Findings this model does not use")
        self.not_used_label.hide()
        layout.addRow(self.not_used_label)
        for feature in FEATURES:
            editor = self._make_editor(feature)
            editor.setObjectName(f"field_{feature.name}")
            editor.setToolTip(feature.help)
            # Every editor fills the field column: one even column reads better than ragged widths.
            editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            label = QLabel(feature.label)
            label.setToolTip(feature.help)
            label.setBuddy(editor)
            self.editors[feature.name] = editor
            self.labels[feature.name] = label
            if feature.name == CHOLESTEROL:
                assert isinstance(editor, CheckedSpinBox)
                line = QWidget()
                row_layout = QHBoxLayout(line)
                row_layout.setContentsMargins(0, 0, 0, 0)
                row_layout.addWidget(editor, 1)
                self.chol_unit = QComboBox()
                self.chol_unit.setObjectName("chol_unit")
                self.chol_unit.addItems([MG_DL, MMOL_L])
                self.chol_unit.setToolTip(
                    f"Show cholesterol in mg/dl or mmol/L (1 mmol/L = {MG_DL_PER_MMOL_L_CHOLESTEROL} mg/dl). "
                    "The model always receives mg/dl."
                )
                self.chol_unit.setAccessibleName("Cholesterol unit")
                self.chol_unit.currentTextChanged.connect(self._on_chol_unit_changed)
                row_layout.addWidget(self.chol_unit)
                row = QWidget()
                column = QVBoxLayout(row)
                column.setContentsMargins(0, 0, 0, 0)
                column.setSpacing(2)
                column.addWidget(line)
                column.addWidget(editor.message)
                layout.addRow(label, row)
            elif isinstance(editor, CheckedSpinBox):
                layout.addRow(label, with_message(editor))
            else:
                layout.addRow(label, editor)
        self.set_values(typical_patient())

    # ----------------------------------------------------------------------------------------------
    def _make_editor(self, feature: Feature) -> CheckedSpinBox | QComboBox:
        if feature.codes is not None:
            combo = QComboBox()
            for code, words in feature.codes.items():
                combo.addItem(words, code)
            combo.setAccessibleName(feature.label)
            combo.currentIndexChanged.connect(self._emit_changed)
            return combo
        assert feature.limits is not None
        hint = self._cholesterol_hint if feature.name == CHOLESTEROL else None
        spin = CheckedSpinBox(feature.label, hint=hint)
        spin.setDecimals(feature.decimals)
        spin.setRange(*feature.limits)
        spin.setSingleStep(10**-feature.decimals)
        if feature.unit:
            spin.setSuffix(f" {feature.unit}")
        spin.setAccessibleName(feature.label)
        if feature.name == CHOLESTEROL:
            spin.valueChanged.connect(self._on_chol_edited)
        else:
            spin.valueChanged.connect(self._emit_changed)
        return spin

    @property
    def cholesterol_unit(self) -> str:
        """``"mg/dl"`` or ``"mmol/L"``: the unit cholesterol is shown in."""
        return self.chol_unit.currentText()

    def set_cholesterol_unit(self, unit: str) -> None:
        if unit not in (MG_DL, MMOL_L):
            raise ValueError(f"cholesterol unit must be {MG_DL!r} or {MMOL_L!r}, got {unit!r}")
        self.chol_unit.setCurrentText(unit)

    # ----------------------------------------------------------------------------------------------
    def values(self) -> dict[str, float]:
        """The patient as ``{feature name: value}``, cholesterol in mg/dl."""
        out = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                out[name] = float(editor.currentData())
            elif name == CHOLESTEROL:
                out[name] = self._chol_mg_dl
            else:
                out[name] = float(editor.value())
        return out

    def set_used_features(self, features: Sequence[str] | None) -> None:
        """Grey out the findings the model does not use, named in a line above the form ("not used by
        this model: …"; hidden when all 13 are used).

        Their fields keep a value (the form always has 13) but the model never reads it, so the student
        is not asked for it.
        """
        used = set(FEATURE_NAMES if features is None else features)
        unused = [f.label for f in FEATURES if f.name not in used]
        self.not_used_label.setText(
            f"{NOT_USED_WORDS}: {', '.join(_lower_first(label) for label in unused)} (greyed out)."
        )
        self.not_used_label.setVisible(bool(unused))
        for feature in FEATURES:
            on = feature.name in used
            editor, label = self.editors[feature.name], self.labels[feature.name]
            editor.setEnabled(on)
            label.setEnabled(on)
            tip = feature.help if on else f"Not used by this model. {feature.help}"
            editor.setToolTip(tip)
            label.setToolTip(tip)
        self.chol_unit.setEnabled(CHOLESTEROL in used)

    def used_features(self) -> tuple[str, ...]:
        """The findings whose fields are enabled (those the model uses)."""
        return tuple(n for n in FEATURE_NAMES if self.editors[n].isEnabled())

    def set_values(self, values: Mapping[str, float]) -> None:
        """Show ``values`` (cholesterol in mg/dl); features not given keep their value.

        Raises
        ------
        ValueError
            When a value is impossible for its feature (a spin box would silently clamp it).
        """
        problems = [
            f"{BY_NAME[name].label} {why}"
            for name, value in values.items()
            if name in BY_NAME and (why := BY_NAME[name].check(float(value)))
        ]
        if problems:
            raise ValueError("; ".join(problems))
        for name, value in values.items():
            editor = self.editors.get(name)
            if editor is None:
                continue
            editor.blockSignals(True)
            try:
                if isinstance(editor, CheckedSpinBox):
                    editor.clear_message()
                if isinstance(editor, QComboBox):
                    editor.setCurrentIndex(editor.findData(int(value)))
                elif name == CHOLESTEROL:
                    self._chol_mg_dl = float(value)
                    self._show_cholesterol()
                else:
                    editor.setValue(float(value))
            finally:
                editor.blockSignals(False)
        self._emit_changed()

    # ----------------------------------------------------------------------------------------------
    def _show_cholesterol(self) -> None:
        """Put the stored mg/dl value into the spin box in the unit chosen, with that unit's range."""
        spin = self.editors[CHOLESTEROL]
        assert isinstance(spin, CheckedSpinBox)
        spin.clear_message()
        low, high = BY_NAME[CHOLESTEROL].limits or (0.0, 0.0)
        blocked = spin.blockSignals(True)
        if self.cholesterol_unit == MMOL_L:
            factor = MG_DL_PER_MMOL_L_CHOLESTEROL
            spin.setDecimals(MMOL_L_DECIMALS)
            spin.setSingleStep(0.1)
            # Round the limits inwards so the mmol/L range never allows an impossible mg/dl value.
            step = 10**-MMOL_L_DECIMALS
            spin.setRange(_ceil_to(low / factor, step), _floor_to(high / factor, step))
            spin.setSuffix(f" {MMOL_L}")
            spin.setValue(self._chol_mg_dl / factor)
        else:
            spin.setDecimals(BY_NAME[CHOLESTEROL].decimals)
            spin.setSingleStep(1)
            spin.setRange(low, high)
            spin.setSuffix(f" {MG_DL}")
            spin.setValue(self._chol_mg_dl)
        spin.blockSignals(blocked)

    def _cholesterol_hint(self, number: float) -> str:
        """For a cholesterol typed in the other unit: say so (245 typed while mmol/L is shown)."""
        low, high = BY_NAME[CHOLESTEROL].limits or (0.0, 0.0)
        factor = MG_DL_PER_MMOL_L_CHOLESTEROL
        if self.cholesterol_unit == MMOL_L and low <= number <= high:
            return (
                f"{number:g} looks like mg/dl ({number / factor:.{MMOL_L_DECIMALS}f} mmol/L): "
                f"switch the unit to {MG_DL} to type mg/dl."
            )
        if self.cholesterol_unit == MG_DL and low <= number * factor <= high:
            return f"{number:g} looks like mmol/L: switch the unit to {MMOL_L} to type mmol/L."
        return ""

    @Slot(str)
    def _on_chol_unit_changed(self, _unit: str) -> None:
        # Same patient, other unit: the value the model gets does not change, so no `changed`.
        self._show_cholesterol()

    @Slot(float)
    def _on_chol_edited(self, shown: float) -> None:
        factor = MG_DL_PER_MMOL_L_CHOLESTEROL if self.cholesterol_unit == MMOL_L else 1.0
        self._chol_mg_dl = shown * factor
        self._emit_changed()

    @Slot()
    def _emit_changed(self, *_args: object) -> None:
        self.changed.emit(self.values())


def _ceil_to(x: float, step: float) -> float:
    return math.ceil(round(x / step, 6)) * step


def _floor_to(x: float, step: float) -> float:
    return math.floor(round(x / step, 6)) * step
