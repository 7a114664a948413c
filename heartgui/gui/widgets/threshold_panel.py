"""The decision threshold and the two costs: a slider with a spin box, and the cost-optimal threshold.

The panel holds the threshold as an exact number (the cost-optimal 1/6 stays 1/6); the slider (0–1000
ticks, 0.1 % each) and the spin box show it. It starts at the cost-optimal threshold and follows the costs
until the user sets a threshold of their own (:attr:`ThresholdPanel.follows_costs`); the origin label says
which. It emits :attr:`ThresholdPanel.threshold_moved` for the user's changes (including a move because
edited costs moved the optimum), and :attr:`ThresholdPanel.costs_changed` when a cost is edited.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from heartgui.core.schema import STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED
from heartgui.gui.widgets.checked_spin import CheckedSpinBox, with_message
from heartgui.gui.widgets.wording import threshold_percent

__all__ = ["TICKS", "ThresholdPanel"]

#: Slider positions from 0 to 1: one tick is 0.1 %.
TICKS = 1000


def optimal_threshold(cost_missed: float, cost_false_alarm: float) -> float:
    from heartgui.core.evaluation import cost_optimal_threshold

    return cost_optimal_threshold(cost_missed, cost_false_alarm)


def _cost_hint(cost: float) -> str:
    if cost <= 0:
        return (
            "A cost must be above 0: a mistake that costs nothing pushes the best threshold to 0 % or 100 %."
        )
    return ""


class ThresholdPanel(QWidget):
    """Threshold slider and spin box, cost fields, the cost-optimal threshold and a button to use it."""

    threshold_moved = Signal(float)  # the user moved the threshold (every step)
    costs_changed = Signal(float, float)  # cost of a missed disease, cost of a false alarm

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._threshold = optimal_threshold(STATLOG_COST_MISSED, STATLOG_COST_FALSE_ALARM)
        self._follows_costs = True
        self._origin: str | None = None  # words for a threshold not chosen here (a saved model's)
        self._syncing = False

        self.value_label = QLabel()
        self.value_label.setObjectName("threshold_number")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.value_label.setFont(font)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("threshold_slider")
        self.slider.setRange(0, TICKS)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(50)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(100)
        self.slider.setMinimumWidth(240)
        self.slider.setAccessibleName("Decision threshold")
        self.slider.setToolTip(
            "A patient is called “has heart disease” when the model's risk is at or above this threshold."
        )
        self.spin = CheckedSpinBox("The threshold")
        self.spin.setObjectName("threshold_spin")
        self.spin.setRange(0.0, 100.0)
        self.spin.setDecimals(1)
        self.spin.setSingleStep(0.5)
        self.spin.setSuffix(" %")
        self.spin.setAccessibleName("Decision threshold in percent")
        self.spin.setToolTip(self.slider.toolTip())
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)

        ends = QHBoxLayout()
        ends.addWidget(QLabel("0 %: everybody is called ill"))
        ends.addStretch(1)
        ends.addWidget(QLabel("100 %: nobody is"))

        self.cost_missed = self._cost_box("cost_missed_spin", STATLOG_COST_MISSED, "Cost of a missed disease")
        self.cost_false_alarm = self._cost_box(
            "cost_false_alarm_spin", STATLOG_COST_FALSE_ALARM, "Cost of a false alarm"
        )
        self.optimal_label = QLabel()
        self.optimal_label.setObjectName("optimal_threshold_label")
        self.optimal_label.setWordWrap(True)
        self.optimal_button = QPushButton("Use the cost-optimal threshold")
        self.optimal_button.setObjectName("optimal_button")
        self.optimal_button.setToolTip("Move the threshold to where the expected cost per patient is lowest.")
        self.optimal_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.optimal_button.clicked.connect(self.use_optimal)
        self.why = QLabel()
        self.why.setObjectName("optimal_why")
        self.why.setWordWrap(True)
        self.origin = QLabel()
        self.origin.setObjectName("threshold_origin")
        self.origin.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Decision threshold:"))
        top.addWidget(self.value_label)
        top.addStretch(1)
        top.addWidget(self.spin)
        costs = QFormLayout()
        costs.addRow("Cost of a missed disease:", with_message(self.cost_missed))
        costs.addRow("Cost of a false alarm:", with_message(self.cost_false_alarm))
        optimal = QVBoxLayout()
        optimal.addWidget(self.optimal_label)
        optimal.addWidget(self.optimal_button)
        optimal.addStretch(1)
        below = QHBoxLayout()
        below.addLayout(costs)
        below.addSpacing(24)
        below.addLayout(optimal, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.origin)
        layout.addWidget(self.spin.message)
        layout.addWidget(self.slider)
        layout.addLayout(ends)
        layout.addSpacing(6)
        layout.addLayout(below)
        layout.addWidget(self.why)
        self._show_threshold()
        self._on_costs()

    def _cost_box(self, name: str, value: float, accessible: str) -> CheckedSpinBox:
        box = CheckedSpinBox(f"The {accessible[0].lower()}{accessible[1:]}", hint=_cost_hint)
        box.setObjectName(name)
        # Above zero, so the cost-optimal threshold is always defined.
        box.setRange(0.1, 1000.0)
        box.setDecimals(1)
        box.setSingleStep(0.5)
        box.setValue(float(value))
        box.setAccessibleName(accessible)
        box.setMaximumWidth(120)
        box.setToolTip(
            "The Statlog study (heart.doc) counts a missed heart disease as 5 times as bad as a false alarm. "
            "Change the costs to see how the best threshold moves."
        )
        box.valueChanged.connect(self._on_costs)
        return box

    # ----------------------------------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def costs(self) -> tuple[float, float]:
        """(cost of a missed disease, cost of a false alarm)."""
        return self.cost_missed.value(), self.cost_false_alarm.value()

    @property
    def optimal_threshold(self) -> float:
        return optimal_threshold(*self.costs)

    @property
    def follows_costs(self) -> bool:
        """True while the threshold is the cost-optimal one and moves with the costs (the default)."""
        return self._follows_costs

    @property
    def origin_words(self) -> str:
        """Where a threshold that does not follow the costs comes from ("the threshold you set")."""
        return self._origin or "the threshold you set"

    def set_threshold(self, threshold: float, *, by_user: bool = False, origin: str | None = None) -> None:
        """Show ``threshold`` (0–1); emit :attr:`threshold_moved` only if ``by_user``.

        A threshold set by the user is theirs: it no longer follows the costs. One set by the program
        follows them only if it is the cost-optimal one; ``origin`` says where another one comes from
        ("saved with the model").
        """
        self._threshold = min(max(float(threshold), 0.0), 1.0)
        self._follows_costs = not by_user and self._threshold == self.optimal_threshold
        self._origin = None if by_user else origin
        self._show_threshold()
        if by_user:
            self.threshold_moved.emit(self._threshold)

    @Slot()
    def use_optimal(self) -> None:
        self.set_threshold(self.optimal_threshold, by_user=True)
        self._follows_costs = True
        self._show_origin()

    # ----------------------------------------------------------------------------------------------
    def _show_threshold(self, *, spin: bool = True) -> None:
        self._syncing = True
        try:
            self.slider.setValue(round(self._threshold * TICKS))
            if spin:
                self.spin.setValue(self._threshold * 100)
        finally:
            self._syncing = False
        self.value_label.setText(threshold_percent(self._threshold))
        self._show_origin()

    def _show_origin(self) -> None:
        missed, false_alarm = self.costs
        best = threshold_percent(self.optimal_threshold)
        formula = f"1/(1+{missed:g})" if false_alarm == 1 else f"1/(1+{missed:g}/{false_alarm:g})"
        if self._follows_costs:
            self.origin.setText(
                f"{best} = {formula}: the threshold at which a missed disease (cost {missed:g}) and a false "
                f"alarm (cost {false_alarm:g}) balance. It is the default and follows the costs below until "
                "you set a threshold yourself."
            )
        else:
            whose = self.origin_words
            self.origin.setText(
                f"{threshold_percent(self._threshold)}: {whose}. With these costs the cost-optimal threshold "
                f"would be {best} ({formula}); “Use the cost-optimal threshold” goes back to it."
            )

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        if not self._syncing:
            self.set_threshold(value / TICKS, by_user=True)

    @Slot(float)
    def _on_spin(self, value: float) -> None:
        if not self._syncing:
            # Not written back into the spin box: that would reformat the text being typed ("15" → "15.0").
            self._threshold = min(max(value / 100, 0.0), 1.0)
            self._follows_costs = False
            self._origin = None
            self._show_threshold(spin=False)
            self.threshold_moved.emit(self._threshold)

    @Slot()
    def _on_costs(self) -> None:
        missed, false_alarm = self.costs
        best = self.optimal_threshold
        self.optimal_label.setText(
            f"Cost-optimal threshold: <b>{threshold_percent(best)}</b>"
            f" = 1 / (1 + {missed:g} / {false_alarm:g})"
        )
        ratio = missed / false_alarm
        self.why.setText(
            f"Why: calling a patient ill costs a false alarm ({false_alarm:g}) if they are healthy; calling "
            f"them healthy costs a miss ({missed:g}) if they are ill. With a miss {ratio:g} times as dear, "
            f"raising the alarm already pays when the risk passes {threshold_percent(best)}: "
            "the dearer a miss, the lower the threshold."
        )
        self.costs_changed.emit(missed, false_alarm)
        if self._follows_costs and self._threshold != best:
            # The default threshold is the cost-optimal one: it moves with the costs (a user's move).
            self._threshold = best
            self._show_threshold()
            self.threshold_moved.emit(best)
        else:
            self._show_origin()
