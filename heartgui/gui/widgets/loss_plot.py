"""The live loss plot: training and validation loss per epoch, redrawn at most ~20 times a second.

Reports are appended as they arrive (thousands per second in a fast run); a ``QTimer`` pushes them to
the two ``Line2D`` objects only when something new came in. A full matplotlib draw (ticks, labels,
legend) costs tens of milliseconds, which would make the window stutter while the worker thread trains,
so during a run the axes only grow in generous steps and, between those full draws (``draw_idle``), only
the points that arrived since the last redraw are painted, over the pixels already shown, and blitted.
Uses matplotlib's object-oriented API on its own ``Figure`` (never pyplot, never global settings).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from heartgui.core.network import EpochReport
from heartgui.gui.widgets.plot_toolbar import PlotToolbar

__all__ = ["FIRST_SPAN", "MAX_PAST_RUNS", "REDRAW_INTERVAL_MS", "TEST_LABEL", "LossPlot"]

#: Milliseconds between two redraws while data arrive (~10 per second: smooth to the eye, and each redraw
#: takes the interpreter away from the training worker for a few milliseconds).
REDRAW_INTERVAL_MS = 100

#: Epochs the x-axis spans when a watched run starts (stepping, slow motion: :attr:`LossPlot.grows`); it
#: doubles whenever the run reaches its end, up to the planned epochs, so a slow run is seen at a readable
#: scale. A run at full speed spans its planned epochs from the start: each growth is a full draw
#: (~50–150 ms of the window), and a 20,000-epoch run would grow 11 times in a few seconds.
FIRST_SPAN = 10

#: Earlier runs of this session kept as faint curves to compare with.
MAX_PAST_RUNS = 5

#: The legend of the held-out curve of a run without validation patients: the test patients' loss.
TEST_LABEL = "test patients (not used for learning)"

_PAST_COLOURS = ("tab:purple", "tab:green", "tab:brown", "tab:pink", "tab:olive")

#: An axes position in the figure: (left, bottom, width, height) as figure fractions.
_Bounds = tuple[float, float, float, float]


class LossPlot(QWidget):
    """Training (and validation or test) loss against epoch, with a log-scale switch, matplotlib's
    toolbar, and earlier runs of the session as faint curves (a Clear button empties them).

    Signals
    -------
    past_runs_cleared() : the student pressed Clear.
    """

    past_runs_cleared = Signal()

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
        # Animated lines are left out of full draws and painted over a saved background (blitting).
        (self.train_line,) = self.axes.plot([], [], color="tab:blue", label="training loss", animated=True)
        (self.validation_line,) = self.axes.plot(
            [], [], color="tab:orange", label="validation loss", animated=True
        )
        # Draws only the points that arrived since the last blit, in the style of the line they extend:
        # a curve only ever grows to the right, so redrawing all 20,000 points of a long run ten times a
        # second (~9 ms each here, holding the interpreter the worker trains with) is not needed.
        # Round caps and joins everywhere: two segments meeting at a point then cover exactly what the
        # whole line's join covers there.
        for line in (self.train_line, self.validation_line):
            line.set_solid_capstyle("round")
            line.set_solid_joinstyle("round")
        (self._pen,) = self.axes.plot([], [], animated=True, label="_segment")
        self._drawn = [0, 0]  # points of (training, validation) already in the canvas's pixels
        # The vertical line at the epoch whose loss was not finite, or at the epoch whose weights were kept.
        self._divergence: Line2D | None = None
        self._divergence_epoch = 0
        self._kept_epoch = 0
        self._validation_planned = True  # whether the run (or the next one) has a validation split
        self._held_out_label = "validation loss"
        self._past: list[Line2D] = []  # earlier runs, faint, drawn in full draws (part of the background)
        self._update_legend(validation=True)
        self._low, self._high = math.inf, -math.inf
        self._planned = 0
        #: Whether the x-axis grows with the run (a watched run) or spans the planned epochs (full speed).
        self.grows = True
        self._xlim, self._ylim = (0.0, 1.0), (0.0, 1.0)
        self.axes.set_xlim(*self._xlim)
        self.axes.set_ylim(*self._ylim)
        self._background: object = None
        # The empty frame of a run (axes, ticks, legend; no lines) as last rendered, with what it depends
        # on: a new run with the same frame starts from it instead of a ~40 ms full draw.
        self._frame: tuple[tuple, _Bounds, object] | None = None
        self._frame_pending = False
        self._train_arrays = _Arrays()
        self._validation_arrays = _Arrays()
        self.canvas.mpl_connect("draw_event", self._on_draw)

        self.toolbar = PlotToolbar(self.canvas, self)
        self.toolbar.setAccessibleName("Plot tools")
        self.toolbar.setToolTip("Zoom, move the view, or save the plot as a picture (PNG, PDF or SVG).")
        self.log_scale = QCheckBox("Logarithmic loss axis")
        self.log_scale.setAccessibleName("Logarithmic loss axis")
        self.log_scale.setToolTip(
            "Show the loss on a log scale, which makes small late improvements visible."
        )
        self.log_scale.toggled.connect(self._on_log_scale)
        self.clear_past_button = QPushButton("Clear earlier runs")
        self.clear_past_button.setAccessibleName("Clear earlier runs")
        self.clear_past_button.setToolTip(
            "Remove the faint curves of earlier runs of this session from the plot."
        )
        self.clear_past_button.setEnabled(False)
        self.clear_past_button.clicked.connect(self._on_clear_past)

        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.clear_past_button)
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
    def full_draw_guard(self) -> contextlib.AbstractContextManager[object]:
        """Wraps each full draw during a run; the window replaces it to pause training meanwhile."""
        return contextlib.nullcontext()

    def clear(
        self, planned_epochs: int | None = None, *, validation: bool = True, held_out: str | None = None
    ) -> None:
        """Forget every point (a new run of ``planned_epochs`` starts) and draw the empty axes now.

        ``validation``: whether the run has a held-out curve; without, the legend has no entry for a
        line that will never be drawn. ``held_out``: that curve's legend (default "validation loss";
        :data:`TEST_LABEL` for the test patients' loss).
        """
        self._held_out_label = held_out or "validation loss"
        self.validation_line.set_label(self._held_out_label)
        self.epochs.clear()
        self.train_losses.clear()
        self.validation_epochs.clear()
        self.validation_losses.clear()
        self._train_arrays.n = self._validation_arrays.n = 0
        self._low, self._high = math.inf, -math.inf
        self._planned = planned_epochs or 0
        self._xlim, self._ylim = self._empty_limits(self._planned)
        self.train_line.set_data([], [])
        self.validation_line.set_data([], [])
        self._remove_divergence()
        self._validation_planned = validation
        # During a run the layout is frozen: a full draw then costs less, and happens only when the
        # limits grow; the constrained layout comes back in finish().
        self.figure.set_layout_engine("none")
        # The same frame for every run with the same planned epochs and split (see redraw).
        self._update_legend(validation=validation)
        self.axes.set_xlim(*self._xlim)
        self.axes.set_ylim(*self._ylim)
        # The empty axes are drawn at the next timer tick, through full_draw_guard like every full draw
        # of a run, rather than here, where pressing Start would wait for them.
        self._background = None
        self._frame_pending = True
        self._dirty = True

    def plan(self, planned_epochs: int, *, validation: bool = True, held_out: str | None = None) -> None:
        """While idle and empty, show the empty axes of a run of ``planned_epochs``.

        Whenever those empty axes are drawn (the page shown, the window resized), their pixels are
        kept (see ``_on_draw``), so when that run starts it is painted from them instead of by a full
        draw (~50–150 ms here) in the first moments of training. Nothing changes once a curve is shown.
        """
        if self.epochs:
            return
        self._planned = planned_epochs
        xlim, ylim = self._empty_limits(planned_epochs)
        label = held_out or "validation loss"
        if (xlim, ylim, validation, label) == (
            self._xlim,
            self._ylim,
            self._validation_planned,
            self._held_out_label,
        ):
            return
        self._xlim, self._ylim = xlim, ylim
        self._held_out_label = label
        self.validation_line.set_label(label)
        self._validation_planned = validation
        self._remove_divergence()
        self._update_legend(validation=validation)
        self.axes.set_xlim(*xlim)
        self.axes.set_ylim(*ylim)
        if self.isVisible():
            self.canvas.draw_idle()

    def add_reports(self, reports: Iterable[EpochReport]) -> None:
        """Append one point per report; drawn at the next timer tick."""
        if not isinstance(reports, (list, tuple)):
            reports = list(reports)
        if not reports:
            return
        # Whole-batch operations in C (a fast run sends thousands of reports per second, and every
        # millisecond the window holds the interpreter here is taken from the training worker).
        columns = tuple(zip(*reports, strict=True))
        epochs, n_epochs, losses, validation = columns[:4]
        if validation[0] is None and validation[-1] is None and len(columns) > 6:
            validation = columns[6]  # no validation patients: the test patients' loss, if recorded
        self.epochs.extend(epochs)
        self.train_losses.extend(losses)
        low, high = min(losses), max(losses)
        if validation[0] is not None or validation[-1] is not None:
            if None in validation:
                pairs = [(e, v) for e, v in zip(epochs, validation, strict=True) if v is not None]
                epochs, validation = tuple(zip(*pairs, strict=True))
            self.validation_epochs.extend(epochs)
            self.validation_losses.extend(validation)
            low, high = min(low, min(validation)), max(high, max(validation))
        self._low, self._high = min(self._low, low), max(self._high, high)
        self._planned = max(self._planned, max(n_epochs))
        self._dirty = True

    def truncate(self, epoch: int) -> None:
        """Keep the points up to ``epoch`` (Step back took the later ones back)."""
        for xs, ys in (
            (self.epochs, self.train_losses),
            (self.validation_epochs, self.validation_losses),
        ):
            keep = sum(1 for e in xs if e <= epoch)
            del xs[keep:], ys[keep:]
        values = self.train_losses + self.validation_losses
        self._low, self._high = (min(values), max(values)) if values else (math.inf, -math.inf)
        self._dirty = True

    def set_past_runs(self, runs: Iterable[tuple[Iterable[float], Iterable[float], str]]) -> None:
        """Show earlier runs, each ``(epochs, losses, legend)``, as faint curves (at most
        :data:`MAX_PAST_RUNS`; the first is the oldest). Drawn with the next full draw."""
        for line in self._past:
            line.remove()
        self._past = []
        for index, (x, y, label) in enumerate(list(runs)[-MAX_PAST_RUNS:]):
            (line,) = self.axes.plot(
                list(x),
                list(y),
                color=_PAST_COLOURS[index % len(_PAST_COLOURS)],
                alpha=0.45,
                linewidth=1.2,
                label=label,
                zorder=1,
            )
            self._past.append(line)
        self.clear_past_button.setEnabled(bool(self._past))
        self._update_legend(validation=self._validation_planned or bool(self.validation_losses))
        self._background = None
        self._dirty = True

    @property
    def past_labels(self) -> tuple[str, ...]:
        """The legends of the earlier runs shown, oldest first."""
        return tuple(str(line.get_label()) for line in self._past)

    def past_curves(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(epochs, losses) of each earlier run shown, oldest first."""
        return [_data(line) for line in self._past]

    def _on_clear_past(self) -> None:
        self.set_past_runs([])
        self.canvas.draw_idle()
        self.past_runs_cleared.emit()

    def set_curves(self, train: Iterable[float], validation: Iterable[float] = ()) -> None:
        """Show whole curves at once (e.g. of a model opened from a file)."""
        self._remove_divergence()
        self.train_losses = [float(v) for v in train]
        self.epochs = list(range(1, len(self.train_losses) + 1))
        self.validation_losses = [float(v) for v in validation]
        self.validation_epochs = list(range(1, len(self.validation_losses) + 1))
        self._train_arrays.n = self._validation_arrays.n = 0
        values = self.train_losses + self.validation_losses
        self._low, self._high = (min(values), max(values)) if values else (math.inf, -math.inf)
        self._planned = len(self.epochs)
        self.finish()

    def finish(self) -> None:
        """The run ended: fit the axes to the whole curve and bring back the automatic layout."""
        self._push_data()
        self._xlim, self._ylim = self._fitted_limits()
        self.axes.set_xlim(*self._xlim)
        self.axes.set_ylim(*self._ylim)
        self.figure.set_layout_engine("constrained")
        self._update_legend(validation=bool(self.validation_losses))  # no entry for a line never drawn
        self._background = None
        self._dirty = False
        self.canvas.draw_idle()

    @Slot()
    def redraw(self) -> None:
        """Push new points to the lines; blit them, or redraw everything when the axes must grow."""
        if not self._dirty:
            return
        self._dirty = False
        self._push_data()
        grown = self._grow_limits()
        if self._frame_pending and not grown:
            self._frame_pending = False
            key = self._frame_key()
            position = self._axes_position()
            if self._frame is not None and self._frame[0] == key:
                # The same empty frame as before: start from its pixels (labels outside the axes
                # included, hence the whole canvas is blitted once), with the axes where they were in
                # it (the constrained layout of a finished curve places them for its own tick labels).
                self.axes.set_position(self._frame[1])
                # (set_position takes the axes out of the constrained layout for good; the layout
                # must place them again when the run ends.)
                self.axes.set_in_layout(True)
                self._background = self._frame[2]
                self.canvas.restore_region(self._background)
                self._draw_lines()
                self.canvas.blit()
                return
            with self.full_draw_guard():
                self.canvas.draw()
            self._frame = (key, position, self._background)
            return
        self._frame_pending = False
        if grown or self._background is None:
            # A full draw (~50 ms of Python): done now, with the training paused if the window asked.
            with self.full_draw_guard():
                self.canvas.draw()
            return
        # Only new points: paint the segments they add over the pixels already shown (well under 1 ms).
        self._draw_new_segments()
        self.canvas.blit(self.axes.bbox)

    # ----------------------------------------------------------------------------------------------
    def _push_data(self) -> None:
        self.train_line.set_data(*self._train_arrays.update(self.epochs, self.train_losses))
        self.validation_line.set_data(
            *self._validation_arrays.update(self.validation_epochs, self.validation_losses)
        )
        self.validation_line.set_visible(bool(self.validation_losses))

    def _update_legend(self, *, validation: bool) -> None:
        lines = [self.train_line, self.validation_line] if validation else [self.train_line]
        if self._divergence is not None:
            lines.append(self._divergence)
        lines += self._past
        legend = self.axes.legend(handles=lines, loc="upper right", fontsize="small" if self._past else None)
        # Inside the axes, so out of the layout: with five earlier runs named, in a small window, it could
        # be taller than the axes, and the constrained layout would collapse them.
        legend.set_in_layout(False)

    def mark_divergence(self, epoch: int) -> None:
        """Mark ``epoch``, whose loss was not a finite number (the curve ends at the epoch before)."""
        self._remove_divergence()
        self._divergence_epoch = epoch
        self._divergence = self.axes.axvline(
            epoch, color="tab:red", linestyle="--", linewidth=1.2, label=f"diverged at epoch {epoch:,}"
        )

    def mark_kept(self, epoch: int) -> None:
        """Mark ``epoch``, whose weights the model keeps (early stopping restored them): the curves go on
        past it, the model does not."""
        self._remove_divergence()
        self._kept_epoch = epoch
        self._divergence = self.axes.axvline(
            epoch, color="tab:green", linestyle=":", linewidth=1.5, label=f"weights kept: epoch {epoch:,}"
        )

    @property
    def kept_epoch(self) -> int:
        """The epoch marked by :meth:`mark_kept` (0 when none is)."""
        return self._kept_epoch

    @property
    def divergence_epoch(self) -> int:
        """The epoch marked by :meth:`mark_divergence` (0 when none is)."""
        return self._divergence_epoch

    def _remove_divergence(self) -> None:
        if self._divergence is not None:
            self._divergence.remove()
            self._divergence = None
        self._divergence_epoch = self._kept_epoch = 0

    def _empty_limits(self, planned_epochs: int) -> tuple[tuple[float, float], tuple[float, float]]:
        """The axes of a run that has not started: every planned epoch, and room for the usual first
        losses (the tutorial starts at 1.41), so the axes rarely need to grow during a run; they are
        fitted to the curve when it ends."""
        xlim = (0.0, self._span(0, planned_epochs) * 1.02 + 1)
        high = max([1.6] + [float(np.nanmax(y)) * 1.05 for _, y in map(_data, self._past) if len(y)])
        ylim = (0.0, high) if self.axes.get_yscale() == "linear" else (0.1, high)
        return xlim, ylim

    def _span(self, last_epoch: int, planned: int) -> int:
        return _span(last_epoch, planned) if self.grows else max(planned, last_epoch, 1)

    def _frame_key(self) -> tuple:
        """What the pixels of an empty frame depend on (a cached frame is reused only if all are equal)."""
        return (
            self.canvas.get_width_height(physical=True),
            self.canvas.device_pixel_ratio,
            self._xlim,
            self._ylim,
            self.axes.get_yscale(),
            self.figure.get_facecolor(),
            self.axes.get_facecolor(),
            self._legend_entries(),
            tuple((len(y), tuple(y[-1:])) for _, y in map(_data, self._past)),
        )

    def _legend_entries(self) -> tuple[str, ...]:
        legend = self.axes.get_legend()
        return () if legend is None else tuple(text.get_text() for text in legend.get_texts())

    def _axes_position(self) -> _Bounds:
        """Where the axes are in the figure now."""
        left, bottom, width, height = self.axes.get_position().bounds
        return float(left), float(bottom), float(width), float(height)

    def _draw_lines(self) -> None:
        """Draw both whole lines over what the canvas holds."""
        self.axes.draw_artist(self.train_line)
        if self.validation_line.get_visible():
            self.axes.draw_artist(self.validation_line)
        self._drawn = [self._train_arrays.n, self._validation_arrays.n]

    def _draw_new_segments(self) -> None:
        """Draw, for each line, only its points added since it was last drawn, from the last point drawn
        (so the segments join: both round ends there make the round join the whole line has)."""
        lines = ((self.train_line, self._train_arrays), (self.validation_line, self._validation_arrays))
        if any(arrays.n < drawn for (_, arrays), drawn in zip(lines, self._drawn, strict=True)):
            # The curves were replaced by shorter ones: start again from the background.
            self.canvas.restore_region(self._background)
            self._draw_lines()
            return
        for index, (line, arrays) in enumerate(lines):
            start, stop = max(self._drawn[index] - 1, 0), arrays.n
            if stop - start < 2 or not line.get_visible():
                self._drawn[index] = stop
                continue
            self._pen.update_from(line)
            self._pen.set_label("_segment")
            self._pen.set_data(arrays.x[start:stop], arrays.y[start:stop])
            self.axes.draw_artist(self._pen)
            self._pen.set_data([], [])  # (a saved PNG draws animated artists too)
            self._drawn[index] = stop

    def _on_draw(self, event: Any) -> None:
        """After every full draw (which leaves out the animated lines): save the background, add the lines.

        The background of empty axes is also kept as the frame a run with the same axes starts from.

        ``savefig`` draws the figure too, with this callback, but on its own canvas and renderer: a PDF or
        SVG canvas (which has no ``get_renderer``, so ``draw_artist`` would fail there), or an Agg one at
        the picture's size. Then the axes draw the animated lines themselves (matplotlib does while
        saving), and neither those pixels nor this canvas's renderer (replaced for a PNG) are the screen's:
        the plot is drawn again in full at the next tick.
        """
        if event.canvas is not self.canvas or event.canvas.is_saving():
            self._background = None
            self._dirty = True
            return
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        if not self.epochs:
            position = self._axes_position()
            self._frame = (self._frame_key(), position, self._background)
        self._draw_lines()

    def _grow_limits(self) -> bool:
        """Widen the axes (in generous steps, so this is rare) when the data left them; True if changed."""
        if not self.epochs:
            return False
        (x0, x1), (y0, y1) = self._xlim, self._ylim
        changed = False
        if self.epochs[-1] > x1:
            # The axis grows with the run, doubling, never beyond the planned epochs.
            x1, changed = self._span(self.epochs[-1], self._planned) * 1.02 + 1, True
        if self.axes.get_yscale() == "log":
            if self._low < y0 or y0 >= y1 * 0.99:
                y0, changed = max(self._low, 1e-12) / 2, True
            if self._high > y1:
                y1, changed = self._high * 1.5, True
        elif self._high > y1:
            y1, changed = self._high * 1.15, True
        if changed:
            self._xlim, self._ylim = (x0, x1), (y0, y1)
            self.axes.set_xlim(*self._xlim)
            self.axes.set_ylim(*self._ylim)
        return changed

    def _fitted_limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        past = [y for _, y in map(_data, self._past) if len(y)]
        past_x = [float(x[-1]) for x, _ in map(_data, self._past) if len(x)]
        x1 = max([len(self.epochs) and self.epochs[-1], self._divergence_epoch, 1, *past_x]) * 1.02 + 1
        low = min([self._low, *[float(np.nanmin(y)) for y in past]])
        high = max([self._high, *[float(np.nanmax(y)) for y in past]])
        if not self.epochs and not past:
            return (0.0, x1), ((0.0, 1.0) if self.axes.get_yscale() == "linear" else (0.1, 1.0))
        if self.axes.get_yscale() == "log":
            return (0.0, x1), (max(low, 1e-12) / 1.3, high * 1.3)
        return (0.0, x1), (0.0, high * 1.05 if high > 0 else 1.0)

    @Slot(bool)
    def _on_log_scale(self, on: bool) -> None:
        self.axes.set_yscale("log" if on else "linear")
        if self.epochs:
            self._xlim, self._ylim = self._fitted_limits()
        else:
            self._xlim, self._ylim = self._empty_limits(self._planned)
        self.axes.set_xlim(*self._xlim)
        self.axes.set_ylim(*self._ylim)
        self._push_data()
        self.canvas.draw_idle()


def _data(line: Line2D) -> tuple[np.ndarray, np.ndarray]:
    """A line's points as float arrays."""
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def _span(last_epoch: int, planned: int) -> int:
    """The epochs the x-axis spans once a run has reached ``last_epoch``: :data:`FIRST_SPAN`, doubled
    until it holds ``last_epoch``, but no more than the planned epochs (nor less than the last one)."""
    span = FIRST_SPAN
    while span < last_epoch:
        span *= 2
    return max(min(span, max(planned, 1)), last_epoch, 1)


class _Arrays:
    """NumPy copies of two growing lists, converting only the new items on each update.

    Converting all 20,000 points of a long run on every redraw would cost more than drawing them.
    """

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.n = 0

    def update(self, xs: list[int], ys: list[float]) -> tuple[np.ndarray, np.ndarray]:
        n = len(xs)
        if n < self.n:  # the lists were cleared or replaced
            self.n = 0
        if n > len(self.x):
            size = max(n, 2 * len(self.x))
            self.x = np.resize(self.x, size)
            self.y = np.resize(self.y, size)
        if n > self.n:
            self.x[self.n : n] = xs[self.n : n]
            self.y[self.n : n] = ys[self.n : n]
            self.n = n
        return self.x[:n], self.y[:n]
