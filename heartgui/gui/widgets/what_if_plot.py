"""What if: the risk as one feature moves across its plausible range, everything else kept as in the form.

A measurement gives a curve; a coded feature (sex, chest pain type, …) gives one bar per answer. The
patient's current value is marked, and the decision threshold drawn as a dashed line. The numbers are
:func:`heartgui.core.explain.what_if`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from heartgui.core.schema import BY_NAME, FEATURES, MG_DL_PER_MMOL_L_CHOLESTEROL
from heartgui.gui.widgets.figure_panel import EXPLANATION_PANEL, FigurePanel
from heartgui.gui.widgets.wording import threshold_percent

__all__ = ["WhatIfPlot", "backwards_words", "break_line"]


def backwards_words(curve: Any, n_patients: int | None) -> str | None:
    """When the risk moves with a measurement against clinical knowledge (e.g. falls as age rises) by at
    least a percentage point across the range, say it is an association of the training patients."""
    from heartgui.core.explain import KNOWN_DIRECTION, TEACHING_MOMENT_POINTS

    direction = KNOWN_DIRECTION.get(curve.feature)
    if direction is None or len(curve.risks) < 2:
        return None
    change = (float(curve.risks[-1]) - float(curve.risks[0])) * 100  # from the lowest value to the highest
    if change * direction > -TEACHING_MOMENT_POINTS:
        return None
    label = BY_NAME[curve.feature].label
    patients = "the training patients" if n_patients is None else f"{n_patients} training patients"
    return (
        f"in this network the risk {'falls' if change < 0 else 'rises'} as {label} rises, although a higher "
        f"value generally goes with {'more' if direction > 0 else 'less'} coronary disease. The network "
        f"picked this up from {patients} together with this patient's other findings: an association in a "
        "small sample, not a clinical fact."
    )


#: The font sizes (points) a coded feature's answers under their bars may take, largest first: on one
#: line, then each broken onto two, then smaller, until they fit side by side.
ANSWER_SIZES = (8.0, 7.0, 6.5)
#: Canvas pixels the bars do not get across: the risk axis's numbers and label, and the margins; and the
#: pixels kept between two answers.
RISK_AXIS_PX = 50
#: The risk axis's label, and the canvas pixels it does not get along its side (the feature's axis below
#: it, and the margins).
RISK_LABEL = "Risk of coronary disease now (%)"
RISK_LABEL_MARGIN_PX = 40
ANSWER_GAP_PX = 4


def break_line(text: str) -> str:
    """``"non-anginal pain"`` → ``"non-anginal\\npain"``: broken at the space nearest its middle."""
    words = text.split(" ")
    if len(words) < 2:
        return text
    cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(cuts, key=lambda cut: abs(len(cut[0]) - len(cut[1])))
    return f"{first}\n{second}"


class WhatIfPlot(FigurePanel):
    """A feature chooser and the risk across that feature's range, the current value marked.

    Signals
    -------
    feature_changed(str) : the user picked another feature (its name, e.g. ``"thalach"``).
    """

    feature_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What if one value were different?", "What if", parent, **EXPLANATION_PANEL)
        self.canvas.setToolTip(
            "The model's risk for this patient if only the chosen value changed; every other value stays "
            "as in the form. The large dot is the patient as entered."
        )
        self.combo = QComboBox()
        self.combo.setObjectName("what_if_feature")
        self.combo.setAccessibleName("Feature to vary")
        self.combo.setToolTip("The finding to move across its range; every other value stays as entered.")
        for feature in FEATURES:
            self.combo.addItem(feature.label, feature.name)
        self.combo.setCurrentIndex(self.combo.findData("age"))
        self.combo.currentIndexChanged.connect(self._on_combo)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Vary:"))
        row.addWidget(self.combo)
        row.addStretch(1)
        self.layout_.insertLayout(1, row)
        self.curve: Any = None
        self.threshold = 0.5
        self.cholesterol_unit = "mg/dl"
        self.n_patients: int | None = None
        self.positions: Any = None  # x position of each value (the value itself, or 0, 1, … for codes)
        self.line: Any = None  # the curve (measurements) or None
        self.bars: Any = None  # the bars (coded features) or None
        self.marker: Any = None  # the current value
        self._answers: tuple[tuple[str, ...], float] = ((), ANSWER_SIZES[0])  # tick labels shown, size
        self._risk_label = RISK_LABEL  # the risk axis's label shown (on one line or two)
        self.style_axes()

    @property
    def feature(self) -> str:
        """The feature being varied (its name)."""
        return str(self.combo.currentData())

    def set_feature(self, name: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(name))

    @Slot(int)
    def _on_combo(self, _index: int) -> None:
        self.feature_changed.emit(self.feature)

    def set_curve(
        self,
        curve: Any,
        threshold: float,
        *,
        n_patients: int | None = None,
        cholesterol_unit: str = "mg/dl",
    ) -> None:
        """Show ``curve`` (a ``WhatIfCurve``) with the decision ``threshold`` (0–1), from a model that
        learned from ``n_patients``; cholesterol on an axis in ``cholesterol_unit`` (``"mg/dl"`` or
        ``"mmol/L"``)."""
        self.curve = curve
        self.n_patients = n_patients
        self.threshold = float(threshold)
        self.cholesterol_unit = cholesterol_unit
        self._draw()

    def clear(self) -> None:
        self.curve = None
        self.line = self.bars = self.marker = self.positions = None
        self.blank()
        self.redraw()

    def apply_palette(self) -> None:
        self._draw()

    def canvas_resized(self) -> None:
        if self.curve is None:
            return
        answers_changed = self.bars is not None and self._fitting_answers(self.curve.labels) != self._answers
        if answers_changed or self._fitting_risk_label() != self._risk_label:
            self._draw()

    def _fitting_risk_label(self) -> str:
        """The risk axis's label on one line, or on two when the canvas is too short for one (in a
        1016 × 520 window the line ran off the figure)."""
        from matplotlib.font_manager import FontProperties

        renderer = self.canvas.get_renderer()
        width = renderer.get_text_width_height_descent(RISK_LABEL, FontProperties(size=8), ismath=False)[0]
        room = (self.canvas.height() - RISK_LABEL_MARGIN_PX) * self.canvas.device_pixel_ratio
        return RISK_LABEL if width <= room else break_line(RISK_LABEL)

    def _fitting_answers(self, answers: Any) -> tuple[tuple[str, ...], float]:
        """A coded feature's answers as tick labels that fit side by side under their bars, and their
        font size (at 1024 × 600 the four chest-pain types ran into each other)."""
        from matplotlib.font_manager import FontProperties

        answers = tuple(str(answer) for answer in answers)
        ratio = self.canvas.device_pixel_ratio
        share = (self.canvas.width() - RISK_AXIS_PX) / max(len(answers), 1) - ANSWER_GAP_PX
        renderer = self.canvas.get_renderer()

        def widest(labels: tuple[str, ...], size: float) -> float:
            font = FontProperties(size=size)
            lines = [line for label in labels for line in label.split("\n")]
            return max(renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines)

        broken = tuple(break_line(answer) for answer in answers)
        options = [(answers, ANSWER_SIZES[0])] + [(broken, size) for size in ANSWER_SIZES]
        for labels, size in options:
            if widest(labels, size) <= share * ratio:  # the renderer measures in device pixels
                return labels, size
        return options[-1]

    def _draw(self) -> None:
        import numpy as np

        from heartgui.core.explain import MMOL_L, describe_value

        ax = self.axes
        c = self.blank()
        curve = self.curve
        self.line = self.bars = self.marker = None
        if curve is None:
            self.redraw()
            return
        feature = BY_NAME[curve.feature]
        risks = np.asarray(curve.risks) * 100
        current = float(curve.current_value)
        if feature.codes is not None:
            self.positions = np.arange(len(curve.values), dtype=float)
            index = int(np.flatnonzero(curve.values == current)[0]) if current in curve.values else 0
            from matplotlib.colors import to_rgba

            others = to_rgba(c["soft"], 0.55)
            colours = [c["positive"] if i == index else others for i in range(len(curve.values))]
            self.bars = ax.bar(self.positions, risks, color=colours, width=0.6)
            ax.set_xlim(-0.5, len(curve.values) - 0.5)  # each answer a whole share of the width
            self._answers = self._fitting_answers(curve.labels)
            labels, size = self._answers
            ax.set_xticks(self.positions, list(labels), fontsize=size)
            x_current = float(self.positions[index])
        else:
            # Positions in the unit the student reads (cholesterol in mmol/L when chosen).
            scale = 1.0
            unit = f" ({feature.unit})" if feature.unit else ""
            if feature.name == "chol" and self.cholesterol_unit == MMOL_L:
                scale, unit = 1 / MG_DL_PER_MMOL_L_CHOLESTEROL, f" ({MMOL_L})"
            self.positions = np.asarray(curve.values, dtype=float) * scale
            (self.line,) = ax.plot(self.positions, risks, color=c["negative"], linewidth=2)
            ax.set_xlabel(f"{feature.label}{unit}", fontsize=8)
            x_current = current * scale
            ax.axvline(x_current, color=c["soft"], linewidth=1, linestyle=":")
        (self.marker,) = ax.plot(
            [x_current],
            [curve.current_risk * 100],
            marker="o",
            markersize=9,
            linestyle="none",
            color=c["positive"],
            markeredgecolor=c["text"],
            zorder=5,
        )
        ax.axhline(self.threshold * 100, color=c["text"], linewidth=1, linestyle="--")
        ax.annotate(
            f"threshold {threshold_percent(self.threshold)}",
            xy=(0.01, self.threshold * 100),
            xycoords=("axes fraction", "data"),
            xytext=(2, 3),
            textcoords="offset points",
            fontsize=8,
            color=c["text"],
        )
        ax.set_ylim(-2, 105)  # room for the marker at 0 % or 100 %
        ax.set_yticks([0, 25, 50, 75, 100])
        self._risk_label = self._fitting_risk_label()
        ax.set_ylabel(self._risk_label, fontsize=8)
        ax.grid(True, alpha=0.3, color=c["soft"])
        now = describe_value(feature.name, current, self.cholesterol_unit)
        low, high = float(risks.min()), float(risks.max())
        learned = "" if self.n_patients is None else f", as learned from {self.n_patients} training patients"
        text = (
            f"Only {feature.label} changes; every other value stays as in the form. As entered "
            f"({now}) the risk is {curve.current_risk * 100:.1f}\u00a0%; across these values it ranges from "
            f"{low:.1f}\u00a0% to {high:.1f}\u00a0%. This is what the network would say for such a "
            f"patient{learned}: an association, not what changing this value would do to the patient."
        )
        moment = backwards_words(curve, self.n_patients)
        self.sentence.setText(text if moment is None else f"{text}<br><b>Teaching moment</b> — {moment}")
        self.redraw()
