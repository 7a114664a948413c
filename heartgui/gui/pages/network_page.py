"""The "Inside the network" page: the network drawn, and one prediction walked through with its numbers.

Left, :class:`~heartgui.gui.widgets.network_view.NetworkView` draws every unit and weight (live during
training, fed with weight snapshots); right, :class:`~heartgui.gui.widgets.walkthrough_view.WalkthroughView`
follows the patient of the Predict page from raw values to the risk. While the page is hidden a new
patient is only remembered; the numbers are computed when the page is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.network_view import NetworkView
from heartgui.gui.widgets.walkthrough_view import WalkthroughView

if TYPE_CHECKING:
    from heartgui.core.model import HeartModel

__all__ = ["NetworkPage"]

INTRO = (
    "Every circle is a unit, every line a weight. Hover a line or a circle to see its number. On the right, "
    "the patient of the Predict page goes through the network step by step."
)
NO_MODEL = "No model yet. Train a network on the Train page (or open a saved model) to see it here."
TRAINING = (
    "Training: the drawing shows the weights as they change. The walk-through of a patient appears when "
    "training has finished."
)


class NetworkPage(QWidget):
    """The network drawing beside the step-by-step walk-through of the current patient."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: HeartModel | None = None
        self._patient: dict[str, float] | None = None
        self._feature_names: tuple[str, ...] | None = None
        self._stale = False  # the walk-through must be recomputed when the page is shown

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        title = QLabel("Inside the network")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        soften(intro)
        layout.addWidget(intro)
        self.status_label = QLabel()
        self.status_label.setObjectName("network_status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.network_view = NetworkView()
        self.network_view.setObjectName("network_view")
        self.walkthrough = WalkthroughView()
        self.walkthrough.setObjectName("walkthrough")
        self.splitter.addWidget(self.network_view)
        self.splitter.addWidget(self.walkthrough)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self._sized = False
        self.clear()

    # ----------------------------------------------------------------------------------------------
    @property
    def model(self) -> HeartModel | None:
        return self._model

    @property
    def patient(self) -> dict[str, float] | None:
        return self._patient

    def set_model(self, model: HeartModel) -> None:
        """Show a trained (or opened) model: its weights, and the walk-through of the current patient.

        Call after training has finished and after a model was opened from a file. Without a patient yet
        (no :meth:`set_patient` call), the model's typical training patient is walked through.
        """
        self._model = model
        self._feature_names = tuple(model.feature_names_out_)
        self.network_view.set_caption("")
        self.network_view.set_weights(model.network_.coefs_, model.network_.intercepts_, self._feature_names)
        if self.isVisible():
            self._refresh()
        else:  # (training just ended on another page) walked through when the page is shown
            self._stale = True

    def clear(self) -> None:
        """Forget the model (and the patient's numbers); say how to get a network."""
        self._model = None
        self._feature_names = None
        self.network_view.clear()
        self.walkthrough.show_message(NO_MODEL)
        self.status_label.setText(NO_MODEL)

    def set_patient(self, patient: Mapping[str, float]) -> None:
        """Walk ``patient`` ({feature: value}, as ``PredictPage.patient_changed`` sends it) through.

        Cheap to call on every edit: while the page is hidden the patient is only remembered.
        """
        self._patient = {str(k): float(v) for k, v in patient.items()}
        if self.isVisible():
            self._refresh()
        else:
            self._stale = True

    def set_feature_names(self, names: Sequence[str] | None) -> None:
        """The network's input columns (``feature_names_out_``, e.g. ``"cp=4"``) for training snapshots.

        Optional: without it the names are inferred from the number of inputs (13 features, or 19 with
        one-hot encoding). ``set_model`` sets them from the model.
        """
        self._feature_names = None if names is None else tuple(names)

    def show_training_weights(
        self, weights: Sequence[Any], biases: Sequence[Any], epoch: int | None = None
    ) -> None:
        """Draw the weights of a network being trained (copies, e.g. ``MLP.snapshot()``).

        Call as often as progress arrives: the drawing repaints at most ~12 times a second. The
        walk-through waits for :meth:`set_model` when training has finished.
        """
        if self._model is not None:
            self._model = None
        self.network_view.set_caption("" if epoch is None else f"Weights after epoch {epoch}")
        self.network_view.set_weights(weights, biases, self._feature_names)
        if self.walkthrough.message != TRAINING:
            self.walkthrough.show_message(TRAINING)
            self.status_label.setText("Training — the weights are drawn as they change.")

    # ----------------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._sized:  # drawing 58 %, walk-through 42 % of the width, the first time only
            self._sized = True
            width = max(self.splitter.width(), 600)
            self.splitter.setSizes([int(width * 0.58), int(width * 0.42)])
        if self._stale:
            self._refresh()

    def _refresh(self) -> None:
        self._stale = False
        model = self._model
        if model is None:
            return
        from heartgui.core.explain import walk_through

        patient = self._patient
        source = "the patient on the Predict page"
        if patient is None:
            patient = dict(model.training_defaults_)
            source = "a typical training patient (median or most common value of each feature)"
        try:
            walk = walk_through(model, patient)
        except Exception as error:  # a broken model or patient must not take the window down
            self.network_view.set_activations(None)
            self.walkthrough.show_message(f"The model could not compute this patient: {error}")
            return
        from heartgui.gui.widgets.walkthrough_view import walkthrough_steps

        self.network_view.set_activations(walk.inputs, [s.z for s in walk.layers], [s.a for s in walk.layers])
        self.walkthrough.show_steps(walkthrough_steps(model, walk))
        sizes = "-".join(str(n) for n in self.network_view.layer_sizes)
        self.status_label.setText(
            f"Network {sizes}. Walking through {source}: predicted risk <b>{walk.risk * 100:.1f} %</b>."
        )
