"""Why this risk: what raised and what lowered one patient's risk, as sorted horizontal bars.

The bars are :func:`heartgui.core.explain.contributions` — integrated gradients from a typical patient
(the training median or most common value of each feature) to this patient, on the log-odds — shown in
percentage points of risk: each is multiplied by one common factor so that they add up to the change in
risk from the typical patient (the Inside page keeps the log-odds). The sentence under the chart says so,
and that they are associations learned from the training patients, not causes. A student reads "compared
with a typical patient"; the method's name is in the tooltip.

:class:`ContributionsPlot` is a :class:`~heartgui.gui.widgets.figure_panel.FigurePanel` without the
toolbar and with the sentence; matplotlib is imported when it is built, not when this module is imported.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtWidgets import QWidget

from heartgui.core.explain import MG_DL, describe_value
from heartgui.core.schema import BY_NAME, FEATURES
from heartgui.gui.widgets.figure_panel import EXPLANATION_PANEL, FigurePanel

__all__ = ["METHOD_TITLE", "ContributionsPlot", "bar_label"]

METHOD_TITLE = "What raised and what lowered the risk, compared with a typical patient"


def bar_label(name: str, value: float, *, two_lines: bool = False, cholesterol_unit: str = MG_DL) -> str:
    """``"Chest pain type: asymptomatic"``, ``"Age: 63 years"`` — the feature and this patient's value
    (the value on a second line when ``two_lines``, for a narrow chart; cholesterol in
    ``cholesterol_unit``)."""
    words = describe_value(name, value, cholesterol_unit)
    return f"{BY_NAME[name].label}:{chr(10) if two_lines else ' '}{words}"


#: Below this canvas width (pixels) the bar labels take two lines, so the bars keep room to be read.
NARROW_WIDTH = 560
#: The bar labels' font size (points) on one line and on two; in a short chart they shrink, down to
#: SMALLEST_LABEL_SIZE, so that the labels of neighbouring bars do not overlap.
LABEL_SIZE = {False: 8.0, True: 7.0}
SMALLEST_LABEL_SIZE = 6.0
#: The line spacing of a label (in font sizes): two-line labels are set a little tighter, so a label's two
#: lines read as one and stay apart from the next bar's.
LINE_SPACING = {False: 1.2, True: 1.1}
#: Canvas pixels the bars do not get: the axis's numbers and label underneath, and the margins.
DECORATION_PX = 48
#: Room above the top bar and under the bottom one, in bars; and pixels kept between two labels.
BAR_MARGIN = 0.1
LABEL_GAP_PX = 1.0


class ContributionsPlot(FigurePanel):
    """Sorted horizontal bars: each feature's share, in percentage points, of the change in risk from a
    typical patient."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(METHOD_TITLE, "Why this risk", parent, **EXPLANATION_PANEL)
        self.canvas.setToolTip(
            "Each bar: how much this patient's value of one feature moved the risk compared with a typical "
            "patient (the median or most common value of each feature among the training patients). Right "
            "of the line: raised the risk; left: lowered it. Computed by integrated gradients on the "
            "log-odds (the number the sigmoid turns into a risk; the Inside page shows them), then scaled "
            "by one common factor to percentage points of risk."
        )
        self.contributions: Any = None
        self.order: list[str] = []  # features from the top bar to the bottom one
        self.bars: Any = None
        self._patient: dict[str, float] = {}
        self._n_patients = 0
        self._unit = MG_DL
        self._two_line_labels = False
        self._names_only = False
        self._label_size = LABEL_SIZE[False]
        self.style_axes()

    def canvas_resized(self) -> None:
        style = self._fitting_label_style()
        if style != (self._two_line_labels, self._names_only, self._label_size):
            self._two_line_labels, self._names_only, self._label_size = style
            if self.contributions is not None:
                self._draw()

    def _fitting_label_style(self) -> tuple[bool, bool, float]:
        """Two-line labels or one-line, the features' names alone or with the values, and the font size:
        as large as fits one bar's share of the canvas's height (13 labels of two lines overlapped in
        the Predict page of a 1024 × 600 window).

        A narrow chart too short for two-line labels even at the smallest size shows the names alone,
        on one line: the patient's values are in the form beside it and in the sentence under it.
        """
        pixels_per_point = self.figure.dpi / self.canvas.device_pixel_ratio / 72
        share = (self.canvas.height() - DECORATION_PX) / (len(FEATURES) + 2 * BAR_MARGIN) - LABEL_GAP_PX

        def fitting(two_lines: bool) -> float:
            largest = share / ((2 if two_lines else 1) * LINE_SPACING[two_lines] * pixels_per_point)
            return min(LABEL_SIZE[two_lines], math.floor(largest * 2) / 2)

        narrow = self.canvas.width() < NARROW_WIDTH
        if narrow and fitting(True) < SMALLEST_LABEL_SIZE:
            return False, True, max(SMALLEST_LABEL_SIZE, fitting(False))
        return narrow, False, max(SMALLEST_LABEL_SIZE, fitting(narrow))

    def set_contributions(
        self,
        contributions: Any,
        patient: dict[str, float],
        *,
        n_patients: int,
        cholesterol_unit: str = MG_DL,
    ) -> None:
        """Show ``contributions`` (a ``Contributions``) of ``patient``'s features, learned from
        ``n_patients`` training patients; cholesterol in ``cholesterol_unit``."""
        self.contributions = contributions
        self._patient = dict(patient)
        self._n_patients = int(n_patients)
        self._unit = cholesterol_unit
        self._draw()

    def clear(self) -> None:
        self.contributions = None
        self.order = []
        self.bars = None
        self.blank()
        self.redraw()

    def apply_palette(self) -> None:
        self._draw()

    def _draw(self) -> None:
        ax = self.axes
        c = self.blank()
        contributions = self.contributions
        if contributions is None:
            self.redraw()
            return
        points = contributions.in_percentage_points()
        ranked = sorted(points.items(), key=lambda item: -item[1])  # largest rise first
        self.order = [name for name, _ in ranked]
        values = [value for _, value in ranked]
        positions = list(range(len(ranked)))[::-1]  # the largest rise at the top
        colours = [c["positive"] if v > 0 else c["negative"] for v in values]
        self.bars = ax.barh(positions, values, color=colours, height=0.7)
        ax.set_ylim(-0.5 - BAR_MARGIN, len(positions) - 0.5 + BAR_MARGIN)  # each label a whole bar's share
        two_lines = self._two_line_labels
        if self._names_only:
            labels = [BY_NAME[n].label for n in self.order]
        else:
            labels = [
                bar_label(n, self._patient[n], two_lines=two_lines, cholesterol_unit=self._unit)
                for n in self.order
            ]
        ax.set_yticks(positions, labels, fontsize=self._label_size, linespacing=LINE_SPACING[two_lines])
        ax.axvline(0, color=c["text"], linewidth=0.8)
        ax.grid(True, axis="x", alpha=0.3, color=c["soft"])
        # Ending at the bars' right edge: centred under them (they start after the long labels) it would
        # run off the canvas; a narrow chart gets a shorter one.
        if two_lines or self._names_only:
            xlabel = "← lowered    points of risk    raised →"
        else:
            xlabel = "← lowered the risk      percentage points of risk      raised the risk →"
        ax.set_xlabel(xlabel, fontsize=8, loc="right")
        self.sentence.setText(
            contributions_sentence(contributions, self._patient, self._n_patients, self._unit)
        )
        self.redraw()


def contributions_sentence(
    contributions: Any, patient: dict[str, float], n_patients: int, cholesterol_unit: str = MG_DL
) -> str:
    """What raised and lowered the risk most, how the bars add up, and that they are associations."""
    from heartgui.core.explain import association_words, points_words, teaching_moments

    ranked = contributions.sorted()
    parts = []
    top, top_value = ranked[0]
    bottom, bottom_value = ranked[-1]
    if top_value > 0:
        parts.append(
            f"{bar_label(top, patient[top], cholesterol_unit=cholesterol_unit)} raised the risk the most."
        )
    if bottom_value < 0:
        parts.append(
            f"{bar_label(bottom, patient[bottom], cholesterol_unit=cholesterol_unit)} lowered it the most."
        )
    same = [n for n, v in ranked if v == 0.0]
    if same:
        parts.append(f"{len(same)} without a bar are the same as in the typical patient.")
    parts.append(points_words(contributions))
    parts.append(association_words(n_patients))
    text = " ".join(parts)
    moments = teaching_moments(contributions, patient, n_patients, cholesterol_unit)
    bold = [moment.replace("Teaching moment", "<b>Teaching moment</b>", 1) for moment in moments]
    return "<br>".join([text, *bold])
