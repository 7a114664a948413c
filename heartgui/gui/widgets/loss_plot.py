"""The live loss plot: training and validation loss per epoch, redrawn at most ~20 times a second.

Reports are appended as they arrive (thousands per second in a fast run); a ``QTimer`` pushes them to
the two ``Line2D`` objects and asks for a redraw only when something new came in. Uses matplotlib's
object-oriented API on its own ``Figure`` (never pyplot, never global settings).
"""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from heartgui.core.network import EpochReport

__all__ = ["REDRAW_INTERVAL_MS", "LossPlot"]

#: Milliseconds between two redraws while data arrive (~20 per second).
REDRAW_INTERVAL_MS = 50


class LossPlot(QWidget):
    """Training (and validation) loss against epoch, with a log-scale switch and matplotlib's toolbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Loss plot")
        self.epochs: list[int] = []
        self.train_losses: list[float] = []
        self.validation_epochs: list[int] = []
        self.validation_losses: list[float] = []
        self._dirty = False

        self.figure = Figure(figsize=(6, 4), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(320, 220)
        self.canvas.setAccessibleName("Loss curve")
        self.canvas.setToolTip(
            "How wrong the network still is after each epoch (lower is better). "
            "If the validation loss rises while the training loss falls, the network is overfitting."
        )
        self.axes = self.figure.add_subplot()
        self.axes.set_xlabel("Epoch")
        self.axes.set_ylabel("Loss (cross-entropy)")
        self.axes.grid(True, alpha=0.3)
        (self.train_line,) = self.axes.plot([], [], color="tab:blue", label="training loss")
        (self.validation_line,) = self.axes.plot([], [], color="tab:orange", label="validation loss")
        self.axes.legend(loc="upper right")
        self.axes.set_xlim(0, 1)
        self.axes.set_ylim(0, 1)

        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        self.toolbar.setAccessibleName("Plot tools")
        self.toolbar.setToolTip("Zoom, move the view, or save the plot as a picture.")
        self.log_scale = QCheckBox("Logarithmic loss axis")
        self.log_scale.setAccessibleName("Logarithmic loss axis")
        self.log_scale.setToolTip(
            "Show the loss on a log scale, which makes small late improvements visible."
        )
        self.log_scale.toggled.connect(self._on_log_scale)

        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.log_scale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()

    # ----------------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every point (a new run starts)."""
        self.epochs.clear()
        self.train_losses.clear()
        self.validation_epochs.clear()
        self.validation_losses.clear()
        self._dirty = True
        self.redraw()

    def add_reports(self, reports: Iterable[EpochReport]) -> None:
        """Append one point per report; drawn at the next timer tick."""
        for report in reports:
            self.epochs.append(report.epoch)
            self.train_losses.append(report.train_loss)
            if report.validation_loss is not None:
                self.validation_epochs.append(report.epoch)
                self.validation_losses.append(report.validation_loss)
        self._dirty = True

    def set_curves(self, train: Iterable[float], validation: Iterable[float] = ()) -> None:
        """Show whole curves at once (e.g. of a model opened from a file)."""
        self.train_losses = [float(v) for v in train]
        self.epochs = list(range(1, len(self.train_losses) + 1))
        self.validation_losses = [float(v) for v in validation]
        self.validation_epochs = list(range(1, len(self.validation_losses) + 1))
        self._dirty = True
        self.redraw()

    @Slot()
    def redraw(self) -> None:
        """Push new points to the lines and schedule a repaint, if anything changed."""
        if not self._dirty:
            return
        self._dirty = False
        self.train_line.set_data(self.epochs, self.train_losses)
        self.validation_line.set_data(self.validation_epochs, self.validation_losses)
        self.validation_line.set_visible(bool(self.validation_losses))
        self._rescale()
        self.canvas.draw_idle()

    def _rescale(self) -> None:
        if not self.epochs:
            self.axes.set_xlim(0, 1)
            if self.axes.get_yscale() == "linear":
                self.axes.set_ylim(0, 1)
            return
        self.axes.set_xlim(0, max(self.epochs[-1], 1) * 1.02 + 1)
        values = self.train_losses + self.validation_losses
        low, high = min(values), max(values)
        if self.axes.get_yscale() == "log":
            low = max(low, 1e-12)
            self.axes.set_ylim(low / 1.3, high * 1.3)
        else:
            self.axes.set_ylim(0, high * 1.05 if high > 0 else 1)

    @Slot(bool)
    def _on_log_scale(self, on: bool) -> None:
        self.axes.set_yscale("log" if on else "linear")
        self._dirty = True
        self.redraw()
