"""A hand on a weight: an edited copy of the trained network, and the strip that edits it.

The trained model (the one Results, Predict, the reports and a saved file use) is never changed: an edit
makes a copy of the network with the chosen weights or biases replaced (:func:`edited_copy`), and the
Inside page shows that copy, saying so, until the edits are put back.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QWidget

from heartgui.gui.widgets.network_view import number

if TYPE_CHECKING:
    from heartgui.core.model import HeartModel
    from heartgui.gui.widgets.network_view import Element

__all__ = ["EDIT_LIMIT", "WeightEditor", "describe_edits", "edited_copy", "element_name", "trained_value"]

#: The editor accepts values in ±EDIT_LIMIT (trained weights of these networks stay within ±5).
EDIT_LIMIT = 50.0
NOTHING_SELECTED = "Click a line (a weight) or a hidden or output circle (its bias) to change its value."


def trained_value(model: HeartModel, element: Element) -> float:
    """The value of ``element`` (a weight or bias, see ``NetworkView.element_clicked``) in ``model``."""
    net = model.network_
    if element[0] == "w":
        _, layer, source, target = element
        return float(net.coefs_[layer - 1][source, target])
    _, layer, unit = element
    return float(net.intercepts_[layer - 1][unit])


def edited_copy(model: HeartModel, edits: Mapping[Element, float]) -> HeartModel:
    """A copy of ``model`` whose network has ``edits`` ({element: value}) applied; ``model`` is untouched.

    The copy shares the fitted preprocessing (read only) and has its own network.
    """
    from heartgui.core.network import MLP

    weights, biases = model.network_.snapshot()
    for element, value in edits.items():
        if element[0] == "w":
            _, layer, source, target = element
            weights[layer - 1][source, target] = float(value)
        else:
            _, layer, unit = element
            biases[layer - 1][unit] = float(value)
    network = MLP.from_weights(weights, biases, **model.network_.get_params())
    edited = copy.copy(model)
    edited.network_ = network
    return edited


def element_name(element: Element, input_labels: tuple[str, ...], n_layers: int) -> str:
    """``"the weight from Age to hidden unit 3"``, ``"the bias of the output"``, …"""

    def unit(layer: int, index: int) -> str:
        if layer == 0:
            return input_labels[index] if index < len(input_labels) else f"input {index + 1}"
        if layer == n_layers:
            return "the output"
        return f"hidden unit {index + 1} of layer {layer}" if n_layers > 2 else f"hidden unit {index + 1}"

    if element[0] == "w":
        _, layer, source, target = element
        return f"the weight W{layer} from {unit(layer - 1, source)} to {unit(layer, target)}"
    _, layer, index = element
    return f"the bias b{layer} of {unit(layer, index)}"


class WeightEditor(QWidget):
    """The selected weight or bias, a box to type its new value, and a button that puts the trained one back.

    Signals
    -------
    value_edited(object, float) : the user set ``element`` to this value.
    reset_requested(object) : put the trained value of ``element`` back.
    """

    value_edited = Signal(object, float)
    reset_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.element: Element | None = None
        self.trained = 0.0
        self.label = QLabel(NOTHING_SELECTED)
        self.label.setObjectName("weight_editor_label")
        self.label.setWordWrap(True)
        self.spin = QDoubleSpinBox()
        self.spin.setObjectName("weight_value")
        self.spin.setAccessibleName("New value of the selected weight")
        self.spin.setToolTip(
            "Type a new value: the risk, the loss and the walk-throughs change at once. Only this page's "
            "copy of the network changes."
        )
        self.spin.setDecimals(4)
        self.spin.setRange(-EDIT_LIMIT, EDIT_LIMIT)
        self.spin.setSingleStep(0.1)
        self.spin.setKeyboardTracking(False)  # one update per typed value, not per keystroke
        self.spin.setEnabled(False)
        self.spin.valueChanged.connect(self._on_value)
        self.reset_button = QPushButton("Put the trained value back")
        self.reset_button.setObjectName("weight_reset")
        self.reset_button.setToolTip("Give this weight (or bias) its trained value again.")
        self.reset_button.setEnabled(False)
        self.reset_button.clicked.connect(self._on_reset)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.reset_button)

    def select(
        self, element: Element | None, name: str = "", value: float = 0.0, trained: float = 0.0
    ) -> None:
        """Edit ``element`` (called ``name``), now at ``value``, trained at ``trained``; ``None``: nothing."""
        self.element = element
        self.trained = float(trained)
        self.spin.blockSignals(True)
        if element is None:
            self.label.setText(NOTHING_SELECTED)
            self.spin.setValue(0.0)
        else:
            self.label.setText(f"Changing {name} (trained value {number(trained)}):")
            self.spin.setValue(float(value))
        self.spin.blockSignals(False)
        self.spin.setEnabled(element is not None)
        self.reset_button.setEnabled(element is not None and self._differs(value))

    def _differs(self, value: float) -> bool:
        """``value`` is not the trained value as the box writes it (4 decimals)."""
        return abs(float(value) - self.trained) >= 0.5 * 10.0 ** -self.spin.decimals()

    @Slot(float)
    def _on_value(self, value: float) -> None:
        if self.element is not None:
            self.reset_button.setEnabled(self._differs(value))
            self.value_edited.emit(self.element, float(value))

    @Slot()
    def _on_reset(self) -> None:
        if self.element is not None:
            self.reset_requested.emit(self.element)

    def set_current(self, value: float) -> None:
        """Show ``value`` in the box without emitting (after a reset)."""
        self.spin.blockSignals(True)
        self.spin.setValue(float(value))
        self.spin.blockSignals(False)
        self.reset_button.setEnabled(self.element is not None and self._differs(value))


def describe_edits(edits: Mapping[Element, Any]) -> str:
    """``"1 weight"``, ``"2 weights and 1 bias"``."""
    from heartgui.gui.widgets.wording import plural

    weights = sum(1 for e in edits if e[0] == "w")
    biases = len(edits) - weights
    parts = [
        plural(n, w, ws) for n, w, ws in ((weights, "weight", "weights"), (biases, "bias", "biases")) if n
    ]
    return " and ".join(parts)
