"""The Calibration tab: the calibration plot with an interval per group, and its intercept and slope.

The intercept and slope (``heartgui.core.clinical.calibration_fit``) sum the plot up in two numbers, each
with its 95 % interval, as TRIPOD+AI asks a report to give them: the plot alone is easy to over-read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from heartgui.gui.pages.results.common import page_column, scaled_font, soft, wrapping
from heartgui.gui.widgets.card import Card
from heartgui.gui.widgets.wording import UNDEFINED, plural

if TYPE_CHECKING:
    from heartgui.core.clinical import CalibrationFit
    from heartgui.core.training import TrainingResult
    from heartgui.gui.widgets.calibration_plot import CalibrationPlot

__all__ = ["CALIBRATION_GROUPS", "CalibrationView", "number_interval"]

#: Groups of test patients in the calibration plot.
CALIBRATION_GROUPS = 5

INTERCEPT_WORDS = (
    "Calibration-in-the-large: are the risks right on average? 0 is ideal; below 0 the model's risks are "
    "too high on average, above 0 too low. (It is a in logit P(disease) = a + logit(risk).)"
)
SLOPE_WORDS = (
    "Are the risks spread as widely as the outcomes support? 1 is ideal; below 1 the risks are too "
    "extreme (too close to 0 % and 100 %), the signature of over-fitting; above 1 too timid. (It is b in "
    "logit P(disease) = a + b · logit(risk).)"
)


def number_interval(value: float, interval: tuple[float, float], signed: bool = False) -> tuple[str, str]:
    """``(0.83, (0.41, 1.25))`` → ``("0.83", "95 % CI 0.41 to 1.25")`` ("to": a bound may be negative)."""
    low, high = interval
    if value != value:
        return UNDEFINED, ""
    fmt = "+.2f" if signed else ".2f"
    if low != low or high != high:
        return f"{value:{fmt}}", f"95 % CI {UNDEFINED}"
    return f"{value:{fmt}}", f"95 % CI {low:.2f} to {high:.2f}"


class CalibrationView(QWidget):
    """The calibration plot (a 95 % interval bar through each group) and a card with intercept and slope."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.calibration_plot import CalibrationPlot

        column = page_column(self, "Are the risks right? (calibration)")
        row = QHBoxLayout()
        row.setSpacing(20)
        self.calibration_plot: CalibrationPlot = CalibrationPlot()
        self.calibration_plot.setMinimumHeight(380)
        row.addWidget(self.calibration_plot, 3)

        card = Card()
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(14, 10, 14, 12)
        card_layout.setSpacing(6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self.intercept_value = self._figure("calibration_intercept_value")
        self.intercept_interval = QLabel("")
        self.intercept_interval.setObjectName("calibration_intercept_interval")
        self.slope_value = self._figure("calibration_slope_value")
        self.slope_interval = QLabel("")
        self.slope_interval.setObjectName("calibration_slope_interval")
        for r, (name, value, interval, words) in enumerate(
            (
                ("Intercept", self.intercept_value, self.intercept_interval, INTERCEPT_WORDS),
                ("Slope", self.slope_value, self.slope_interval, SLOPE_WORDS),
            )
        ):
            title = QLabel(name)
            title.setFont(scaled_font(self, 1.0, bold=True))
            grid.addWidget(title, 3 * r, 0)
            grid.addWidget(value, 3 * r + 1, 0)
            grid.addWidget(interval, 3 * r + 1, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(soft(wrapping(words)), 3 * r + 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        card_layout.addLayout(grid)
        self.calibration_reading = wrapping(name="calibration_reading")
        card_layout.addWidget(self.calibration_reading)
        card_layout.addStretch(1)
        row.addWidget(card, 2)
        column.addLayout(row, 1)
        self.calibration_sentence = wrapping(name="calibration_sentence")
        self.calibration_sentence.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.calibration_sentence)
        self.fit: CalibrationFit | None = None

    def _figure(self, name: str) -> QLabel:
        label = QLabel(UNDEFINED)
        label.setObjectName(name)
        label.setFont(scaled_font(self, 1.6, bold=True))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_calibration(self, result: TrainingResult) -> None:
        """Draw ``result``'s test calibration: groups with intervals, intercept and slope."""
        from heartgui.core.clinical import calibration_fit
        from heartgui.core.evaluation import calibration_points, wilson_interval

        y, risk = result.split.y_test, result.test_risk
        m = result.test_metrics
        if len(set(y.tolist())) < 2:  # all of one class (a tiny data file): the Curves tab says why
            self.calibration_sentence.setText("")
            return
        predicted, observed, counts = calibration_points(y, risk, n_bins=CALIBRATION_GROUPS)
        # Each dot is the share with disease among its group: a proportion, with its Wilson interval.
        intervals = [
            wilson_interval(round(share * n), int(n)) for share, n in zip(observed, counts, strict=True)
        ]
        self.calibration_plot.set_points(predicted, observed, counts, m.brier, intervals)
        self.fit = fit = calibration_fit(y, risk)
        value, interval = number_interval(fit.intercept, fit.intercept_interval, signed=True)
        self.intercept_value.setText(value)
        self.intercept_interval.setText(interval)
        value, interval = number_interval(fit.slope, fit.slope_interval)
        self.slope_value.setText(value)
        self.slope_interval.setText(interval)
        self.calibration_reading.setText(
            f"On these {m.n} test patients: {fit.reading()} The intervals show how far these few "
            "patients leave the figures uncertain."
        )
        self.calibration_sentence.setText(
            f"Test patients in {plural(len(counts), 'group')} of about {round(m.n / len(counts))} by "
            f"predicted risk; the bar through each dot is its 95 % interval. Dots near the diagonal: the "
            f"percentages can be taken at face value. Brier score {m.brier:.3f}: the average squared gap "
            f"between risk and outcome (0 is perfect; always saying 50 % scores 0.25)."
        )
