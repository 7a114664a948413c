"""The decision surface tab: the risk over two findings the student picks, on real patients.

:func:`heartgui.core.surface.decision_surface` computes it (~9 ms for the 61 × 61 grid on the project's
machine, so on the UI thread), :class:`~heartgui.gui.widgets.surface_plot.SurfacePlot` draws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from heartgui.gui.widgets.surface_plot import SurfacePlot

__all__ = ["SurfaceTab"]


class SurfaceTab(QWidget):
    """The surface plot, recomputed by :meth:`show_surface` (and when the student picks other features).

    Signals
    -------
    features_changed() : the student picked another pair of features (the page computes again).
    """

    features_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = SurfacePlot()
        self.plot.setObjectName("surface_plot")
        self.plot.features_changed.connect(self._on_features)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.plot, 1)

    @Slot(str, str)
    def _on_features(self, _x: str, _y: str) -> None:
        self.features_changed.emit()

    def show_surface(
        self,
        model: Any,
        patient: Mapping[str, float],
        training: Any = None,
        outcomes: Any = None,
        threshold: float | None = None,
    ) -> None:
        """Draw ``model``'s risk over the chosen features for ``patient``, with similar ``training`` rows
        and the contour at ``threshold`` (default: the model's)."""
        from heartgui.core.surface import decision_surface
        from heartgui.gui.widgets.feature_checklist import mark_unused

        for combo in (self.plot.x_combo, self.plot.y_combo):  # a finding the model does not use: greyed
            mark_unused(combo, model.used_features)
        x_feature, y_feature = self.plot.features
        if x_feature == y_feature:
            self.plot.show_message("Choose two different findings: one across and one up.")
            return
        try:
            surface = decision_surface(
                model, patient, x_feature, y_feature, training=training, outcomes=outcomes
            )
        except (ValueError, KeyError, ArithmeticError) as error:
            self.plot.show_message(f"The surface could not be computed: {error}")
            return
        self.plot.set_surface(surface, float(model.threshold if threshold is None else threshold))

    def show_message(self, text: str) -> None:
        self.plot.show_message(text)
