"""The "Inside the network" page: the network drawn, one prediction and one step of learning walked
through with their numbers, and the decision surface.

First tab: left, :class:`~heartgui.gui.widgets.network_view.NetworkView` draws every unit and weight (live
during training, fed with weight snapshots), or each weight's gradient, and lets the student click a
weight or bias to change it (:mod:`.editing`); right, the forward walk-through follows the patient of
the Predict page from raw values to the risk, and the backward walk-through (:mod:`.learning`) one step
of gradient descent. Second tab: the decision surface (:mod:`.surface`).

The page shows the window's trained model, or — after a weight was changed by hand — an edited copy of
it, and says so; the trained model itself is never changed. While the page is hidden a new patient is only
remembered; the numbers are computed when the page is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.gui.pages.inside.editing import (
    WeightEditor,
    describe_edits,
    edited_copy,
    element_name,
    trained_value,
)
from heartgui.gui.pages.inside.learning import BATCH, LearningPanel
from heartgui.gui.pages.inside.surface import SurfaceTab
from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.network_view import NetworkView
from heartgui.gui.widgets.walkthrough_view import WalkthroughView

if TYPE_CHECKING:
    import pandas as pd

    from heartgui.core.model import HeartModel
    from heartgui.gui.widgets.network_view import Element

__all__ = ["NetworkPage"]

INTRO = (
    "Every circle is a unit, every line a weight. Hover a line or a circle to see its number; click one to "
    "change it. On the right, the patient of the Predict page goes through the network step by step, and "
    "one step of learning is walked back through it."
)
NO_MODEL = "No model yet. Train a network on the Train page (or open a saved model) to see it here."
TRAINING = (
    "Training: the drawing shows the weights as they change. The walk-through of a patient appears when "
    "training has finished."
)
NO_TRAINING_DATA = (
    "The training patients of this model are not known here (it was opened from a file): train on the "
    "Train page to walk a step of learning for the whole batch. The Predict page's patient alone can be "
    "walked through (choose it above)."
)
TAB_NETWORK, TAB_SURFACE = 0, 1
SIDE_FORWARD, SIDE_BACKWARD = 0, 1


class NetworkPage(QWidget):
    """The network drawing beside the forward and backward walk-throughs, and the decision surface."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: HeartModel | None = None  # the trained model (never changed here)
        self._shown: HeartModel | None = None  # the model drawn: the trained one or its edited copy
        self._edits: dict[Element, float] = {}
        self._patient: dict[str, float] | None = None
        self._feature_names: tuple[str, ...] | None = None
        # The rows the network learnt from, as it saw them: (raw rows, labels 0/1, network inputs)
        self._training: tuple[pd.DataFrame, np.ndarray, np.ndarray] | None = None
        self._stale = False  # the walk-throughs must be recomputed when the page is shown
        self._surface_stale = True
        self.batch_step: Any = None  # the BackwardPass of the whole batch at the shown weights
        self.learning_step: Any = None  # the BackwardPass the backward walk-through shows
        self.batch_loss: float | None = None
        self.risk: float | None = None  # the shown model's risk for the walked-through patient

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

        # Said clearly while an edited copy is shown, with the way back.
        self.edit_banner = QFrame()
        self.edit_banner.setObjectName("edit_banner")
        self.edit_banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner = QHBoxLayout(self.edit_banner)
        banner.setContentsMargins(8, 4, 8, 4)
        self.edit_label = QLabel()
        self.edit_label.setObjectName("edit_label")
        self.edit_label.setWordWrap(True)
        self.reset_all_button = QPushButton("Put back all trained values")
        self.reset_all_button.setObjectName("reset_all_weights")
        self.reset_all_button.setToolTip(
            "Undo every change by hand: the page shows the trained network again."
        )
        self.reset_all_button.clicked.connect(self.reset_edits)
        banner.addWidget(self.edit_label, 1)
        banner.addWidget(self.reset_all_button)
        self.edit_banner.setVisible(False)
        layout.addWidget(self.edit_banner)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("inside_tabs")
        layout.addWidget(self.tabs, 1)

        # Tab 1: drawing | forward / backward walk-throughs.
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.gradients_box = QCheckBox("Draw each weight's gradient instead of the weight")
        self.gradients_box.setObjectName("show_gradients")
        self.gradients_box.setToolTip(
            "The gradient dL/dw of the whole training batch at these weights: which weights the next step "
            "of learning moves most, and which way."
        )
        self.gradients_box.toggled.connect(self._on_show_gradients)
        left_layout.addWidget(self.gradients_box)
        self.network_view = NetworkView()
        self.network_view.setObjectName("network_view")
        self.network_view.element_clicked.connect(self._on_element_clicked)
        left_layout.addWidget(self.network_view, 1)
        self.editor = WeightEditor()
        self.editor.setObjectName("weight_editor")
        self.editor.value_edited.connect(self.edit)
        self.editor.reset_requested.connect(self.reset_element)
        left_layout.addWidget(self.editor)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("walkthrough_tabs")
        self.walkthrough = WalkthroughView()
        self.walkthrough.setObjectName("walkthrough")
        self.learning = LearningPanel()
        self.learning.setObjectName("learning")
        self.learning.choice_changed.connect(self._on_learning_choice)
        self.side_tabs.addTab(self.walkthrough, "Forward: one prediction")
        self.side_tabs.addTab(self.learning, "Backward: one step of learning")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.tabs.addTab(self.splitter, "The network, forward and backward")

        # Tab 2: the decision surface.
        self.surface = SurfaceTab()
        self.surface.setObjectName("surface_tab")
        self.surface.features_changed.connect(self._on_surface_features)
        self.tabs.addTab(self.surface, "Decision surface")
        self.tabs.currentChanged.connect(self._on_tab)
        self._sized = False
        self.clear()

    # ----------------------------------------------------------------------------------------------
    @property
    def model(self) -> HeartModel | None:
        """The trained model (never the edited copy)."""
        return self._model

    @property
    def shown_model(self) -> HeartModel | None:
        """The model the page shows: the trained one, or its copy with the weights edited by hand."""
        return self._shown

    @property
    def edits(self) -> dict[Element, float]:
        return dict(self._edits)

    @property
    def patient(self) -> dict[str, float] | None:
        return self._patient

    @property
    def training_rows(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
        """(raw rows, labels, network inputs) of the patients the network learnt from, or ``None``."""
        return self._training

    def set_model(self, model: HeartModel) -> None:
        """Show a trained (or opened) model: its weights, and the walk-throughs of the current patient.

        Call after training has finished and after a model was opened from a file; then
        :meth:`set_training_data` when the training patients are known. Edits by hand of the previous
        model are dropped. Without a patient yet (no :meth:`set_patient` call), the model's typical
        training patient is walked through.
        """
        self._model = model
        self._shown = model
        self._edits = {}
        self._training = None
        self._feature_names = tuple(model.feature_names_out_)
        self.network_view.set_caption("")
        self.network_view.set_selected(None)
        self.editor.select(None)
        self._update_banner()  # a new model has no edits: the banner goes
        self._draw_weights()
        self._changed()

    def set_training_data(self, X_train: pd.DataFrame | None, y_train: Any) -> None:
        """The training part of the split the current model was trained on (``split.X_train``, ``y_train``).

        The page keeps the rows the network's gradient descent used — without the validation part, if
        any (``HeartModel.fit_part``) — scaled as the network saw them. Call after :meth:`set_model`;
        ``None`` forgets them.
        """
        model = self._model
        if model is None or X_train is None or y_train is None:
            self._training = None
        else:
            X_fit, y_fit = model.fit_part(X_train, y_train)
            self._training = (X_fit.reset_index(drop=True), y_fit, model.transform(X_fit))
        self._changed()

    def clear(self) -> None:
        """Forget the model (and the patient's numbers); say how to get a network."""
        self._model = self._shown = None
        self._edits = {}
        self._training = None
        self._feature_names = None
        self.batch_step = self.learning_step = None
        self.network_view.clear()
        self.editor.select(None)
        self.walkthrough.show_message(NO_MODEL)
        self.learning.show_message(NO_MODEL)
        self.surface.show_message(NO_MODEL)
        self.status_label.setText(NO_MODEL)
        self._update_banner()

    def set_patient(self, patient: Mapping[str, float]) -> None:
        """Walk ``patient`` ({feature: value}, as ``PredictPage.patient_changed`` sends it) through.

        Cheap to call on every edit: while the page is hidden the patient is only remembered.
        """
        self._patient = {str(k): float(v) for k, v in patient.items()}
        self._changed()

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
        walk-throughs wait for :meth:`set_model` when training has finished.
        """
        if self._model is not None:
            self._model = self._shown = None
            self._edits, self._training = {}, None
            self.batch_step = self.learning_step = None
            self.network_view.set_gradients(None)
            self.network_view.set_selected(None)
            self.editor.select(None)
            self._update_banner()
        self.network_view.set_caption("" if epoch is None else f"Weights after epoch {epoch}")
        self.network_view.set_weights(weights, biases, self._feature_names)
        if self.walkthrough.message != TRAINING:
            self.walkthrough.show_message(TRAINING)
            self.learning.show_message(TRAINING)
            self.surface.show_message(TRAINING)
            self.status_label.setText("Training — the weights are drawn as they change.")

    # ----------------------------------------------------------------------------------------------
    # a hand on a weight
    @Slot(object, float)
    def edit(self, element: Element, value: float) -> None:
        """Set one weight or bias of the shown copy to ``value`` (the trained model is not changed)."""
        model = self._model
        if model is None:
            return
        element = tuple(element)
        # The box shows 4 decimals: the trained value typed as shown is the trained value, not an edit.
        if abs(float(value) - trained_value(model, element)) < 0.5 * 10.0 ** -self.editor.spin.decimals():
            self._edits.pop(element, None)
        else:
            self._edits[element] = float(value)
        self._apply_edits()

    @Slot(object)
    def reset_element(self, element: Element) -> None:
        """Put the trained value of one weight or bias back."""
        element = tuple(element)
        self._edits.pop(element, None)
        if self._model is not None and self.editor.element == element:
            self.editor.set_current(trained_value(self._model, element))
        self._apply_edits()

    @Slot()
    def reset_edits(self) -> None:
        """Put every trained value back: the page shows the trained model again."""
        self._edits = {}
        if self._model is not None and self.editor.element is not None:
            self.editor.set_current(trained_value(self._model, self.editor.element))
        self._apply_edits()

    def _apply_edits(self) -> None:
        model = self._model
        if model is None:
            return
        self._shown = edited_copy(model, self._edits) if self._edits else model
        self._draw_weights()
        self._update_banner()
        self._surface_stale = True
        self._refresh()  # at once, even while hidden: the student is typing on this page

    def _update_banner(self) -> None:
        edited = bool(self._edits) and self._model is not None
        self.edit_banner.setVisible(edited)
        if edited:
            self.edit_label.setText(
                f"<b>Edited copy:</b> {describe_edits(self._edits)} changed by hand. Everything on this "
                "page shows the edited copy; the trained model — used by Results, Predict, the reports and "
                "a saved model file — is unchanged."
            )

    @Slot(object)
    def _on_element_clicked(self, element: Element) -> None:
        self.select_element(element)

    def select_element(self, element: Element) -> None:
        """Put a weight ``("w", layer, source, target)`` or bias ``("b", layer, unit)`` in the editor, as
        a click on it in the drawing does."""
        model, shown = self._model, self._shown
        if model is None or shown is None:
            return  # during training the weights change under the mouse: nothing to edit
        self.network_view.set_selected(element)
        n_layers = len(self.network_view.layer_sizes) - 1
        name = element_name(tuple(element), self.network_view.input_labels, n_layers)
        self.editor.select(
            tuple(element), name, trained_value(shown, element), trained=trained_value(model, element)
        )
        self.editor.spin.setFocus()

    # ----------------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._sized:  # drawing 55 %, walk-throughs 45 % of the width, the first time only
            self._sized = True
            width = max(self.splitter.width(), 600)
            self.splitter.setSizes([int(width * 0.55), int(width * 0.45)])
        if self._stale:
            self._refresh()
        elif self.tabs.currentIndex() == TAB_SURFACE:
            self._show_surface()  # ~9 ms; the threshold may have changed on the Results page meanwhile
        else:
            self._surface_stale = True

    def _changed(self) -> None:
        self._surface_stale = True
        if self.isVisible():
            self._refresh()
        else:  # (training just ended on another page) walked through when the page is shown
            self._stale = True

    def _draw_weights(self) -> None:
        shown = self._shown
        if shown is not None:
            net = shown.network_
            self.network_view.set_weights(net.coefs_, net.intercepts_, self._feature_names)

    @Slot(bool)
    def _on_show_gradients(self, on: bool) -> None:
        self.network_view.set_show_gradients(on)
        self._write_status()

    @Slot()
    def _on_learning_choice(self) -> None:
        if self._shown is not None:
            self._show_learning()

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        if index == TAB_SURFACE and self._surface_stale:
            self._show_surface()

    @Slot()
    def _on_surface_features(self) -> None:
        self._surface_stale = True
        if self.tabs.currentIndex() == TAB_SURFACE:
            self._show_surface()

    def _walked_patient(self) -> tuple[dict[str, float], str]:
        model = self._shown
        assert model is not None
        if self._patient is not None:
            return self._patient, "the patient on the Predict page"
        return dict(model.training_defaults_), (
            "a typical training patient (median or most common value of each feature)"
        )

    def _refresh(self) -> None:
        self._stale = False
        model = self._shown
        if model is None:
            return
        from heartgui.core.explain import walk_through
        from heartgui.gui.widgets.walkthrough_view import walkthrough_steps

        patient, _ = self._walked_patient()
        self.batch_step = None
        self.batch_loss = None
        if self._training is not None:
            from heartgui.core.backprop import backward_pass

            _, y_fit, Z_fit = self._training
            try:
                self.batch_step = backward_pass(model.network_, Z_fit, y_fit)
                self.batch_loss = self.batch_step.loss
            except (ValueError, ArithmeticError):
                self.batch_step = None
        if self.batch_step is not None:
            L = self.batch_step.n_layers
            self.network_view.set_gradients(
                [self.batch_step[f"dl_wrt_w{k}"] for k in range(1, L + 1)],
                [self.batch_step[f"dl_wrt_b{k}"] for k in range(1, L + 1)],
            )
        else:
            self.network_view.set_gradients(None)
        try:
            walk = walk_through(model, patient)
        except Exception as error:  # a broken model or patient must not take the window down
            self.risk = None
            self.network_view.set_activations(None)
            self.walkthrough.show_message(f"The model could not compute this patient: {error}")
            self.learning.show_message(f"The model could not compute this patient: {error}")
            return
        self.risk = walk.risk
        self.network_view.set_activations(walk.inputs, [s.z for s in walk.layers], [s.a for s in walk.layers])
        self.walkthrough.show_steps(walkthrough_steps(model, walk))
        self._show_learning()
        self._write_status()
        if self.tabs.currentIndex() == TAB_SURFACE:
            self._show_surface()

    def _input_labels(self) -> tuple[str, ...]:
        return tuple(self.network_view.input_labels)

    def _training_row_of(self, patient: Mapping[str, float]) -> int | None:
        """The training patient (0-based row of the fit part) with exactly these findings, if any."""
        if self._training is None:
            return None
        X_fit = self._training[0]
        # the findings the model uses: the others may be not recorded (NaN) for a training patient
        from heartgui.core.schema import FEATURE_NAMES

        used = self._shown.used_features if self._shown is not None else FEATURE_NAMES
        if any(n not in patient for n in used):
            return None
        values = np.array([float(patient[n]) for n in used])
        same = np.flatnonzero((X_fit[list(used)].to_numpy(dtype=float) == values).all(axis=1))
        return int(same[0]) if len(same) else None

    def _show_learning(self) -> None:
        from heartgui.core.backprop import backward_pass

        model = self._shown
        if model is None:
            return
        labels = self._input_labels()
        if self.learning.mode == BATCH:
            if self.batch_step is None:
                self.learning.show_message(NO_TRAINING_DATA)
                self.learning_step = None
                return
            step = self.batch_step
            n = step.n_patients
            held = ""
            if model.validation_fraction > 0:
                held = (
                    f" (the training part without the {model.n_train_rows_ - n} patients held back for "
                    "validation: the network never learns from those)"
                )
            note = (
                "The step gradient descent takes from these weights (the next epoch, were training to go "
                f"on), on the {n} training patients{held}, scaled as the network sees them."
            )
            self.learning_step = step
            self.learning.show_step(step, labels, note, patient_label="this patient")
            return
        patient, source = self._walked_patient()
        row = self._training_row_of(patient)
        if row is not None and self._training is not None:
            y = int(self._training[1][row])
            self.learning.set_diagnosis(y)
            self.learning.diagnosis.setEnabled(False)
            known = (
                f"This is training patient {row + 1} (of {len(self._training[1])}): it learns its recorded "
                f"diagnosis, {'disease present' if y else 'no disease'}."
            )
        else:
            y = self.learning.chosen_diagnosis
            self.learning.diagnosis.setEnabled(True)
            known = (
                "This patient is not one of the patients the network learnt from, so no diagnosis comes "
                "with it here: the step learns the one chosen above, "
                f"{'disease present' if y else 'no disease'}."
            )
        x = model.transform(patient)
        try:
            step = backward_pass(model.network_, x, np.array([y]))
        except (ValueError, ArithmeticError) as error:
            self.learning.show_message(f"The step could not be computed for this patient: {error}")
            return
        self.learning_step = step
        note = (
            f"A step of learning from {source} alone (a batch of one patient; training itself always uses "
            f"the whole batch). {known}"
        )
        self.learning.show_step(step, labels, note, patient_label="this patient")

    def _show_surface(self) -> None:
        model = self._shown
        if model is None:
            return
        self._surface_stale = False
        patient, _ = self._walked_patient()
        training = outcomes = None
        if self._training is not None:
            training, outcomes = self._training[0], self._training[1]
        # The trained model's threshold: Results may have changed it since an edited copy was made.
        threshold = float(self._model.threshold) if self._model is not None else None
        self.surface.show_surface(model, patient, training, outcomes, threshold)

    def _write_status(self) -> None:
        model = self._shown
        if model is None or self.risk is None:
            return
        _, source = self._walked_patient()
        sizes = "-".join(str(n) for n in self.network_view.layer_sizes)
        which = "Edited copy of the network" if self._edits else "Network"
        text = f"{which} {sizes}. Walking through {source}: predicted risk <b>{self.risk * 100:.1f} %</b>."
        if self.batch_loss is not None and self.batch_step is not None:
            text += (
                f" Training loss at these weights (mean cross-entropy on the {self.batch_step.n_patients} "
                f"training patients): <b>{self.batch_loss:.5f}</b>"
            )
            # The Train page's last loss is the one its last epoch started from, before that update.
            restored = model.validation_fraction > 0 and model.patience is not None
            if self._edits:
                text += "."
            elif restored:
                text += " (early stopping kept the weights of the best validation epoch)."
            else:
                text += " (the Train page's final loss is measured before the last update)."
        if self.gradients_box.isChecked() and self.batch_step is None:
            text += " The gradients need the training patients: train on the Train page to see them."
        self.status_label.setText(text)
