"""The Compare tab's "Many networks" part: three lessons that each train many networks in the background.

* **Seed lottery** — the result's settings cross-validated from seeds 1–50: how much of a result is luck.
* **Learning curve** — AUC and cost against the number of training patients, network and logistic
  regression: would more patients help?
* **Is it chance?** — the same network on shuffled diagnoses: what AUC chance alone reaches.

Each lesson is a :class:`LessonBox` (button, Cancel, progress bar, plot, the core's ``words()``) that runs one
generator of :mod:`heartgui.core.lessons` as a :class:`~heartgui.gui.workers.Job`; the core asks its
``should_stop`` after every stacked epoch, so Cancel is seen within an epoch. Reports arrive a few times a
second; the plot is redrawn at most every :data:`REDRAW_MS` milliseconds, and at once when the run ends.

The heartbeat: a full matplotlib draw of a lesson's plot costs 50–120 ms of the UI thread, so during a run
there is none. The axes of the whole run are decided before it starts (:class:`Frame`: bounds the
figures can hardly leave, and as many stacked rows as there are planned dots), so every report is only
painted over a saved picture of that frame (blitting, a few ms). A figure outside the frame is said so on
the plot. When the run ends the plot zooms to the figures, one axes redrawn per turn of the event loop
in the frozen layout (no layout pass): the same picture as a full draw, at about half its time at once.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from heartgui.gui.pages.results.common import section_title, soft, wrapping
from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.spread_plot import stack_heights
from heartgui.gui.workers import Cancelled

if TYPE_CHECKING:
    from heartgui.core.training import TrainingResult
    from heartgui.gui.workers import Job, Worker

__all__ = ["REDRAW_MS", "Frame", "LessonBox", "LessonPlot", "LessonsView"]

#: Milliseconds between two redraws of a lesson's plot while reports arrive (at most ~10 a second).
REDRAW_MS = 100
#: Milliseconds a lesson's worker waits at most for its plot's empty frame to be drawn.
FRAME_WAIT_MS = 300
#: The seeds of the seed lottery.
LOTTERY_SEEDS = tuple(range(1, 51))
#: Shuffles of the diagnoses in the permutation test.
PERMUTATIONS = 20
#: The learning curve's shares of each training fold.
FRACTIONS = (0.25, 0.5, 0.75, 1.0)
#: The Statlog protocol's folds; each lesson runs one shuffle of them.
FOLDS = 9


def lesson_job(reports: Callable[[Callable[[], bool]], Iterator[Any]]) -> Callable[[Worker], Any]:
    """A job that sends each report of ``reports(should_stop)`` to :meth:`Worker.report` and stops when
    asked (raising :class:`Cancelled`: the reports already sent stay shown); returns the last.

    The core asks ``should_stop`` after every stacked epoch: it answers whether Cancel was pressed, and
    first waits while the window pauses the work (:meth:`~heartgui.gui.workers.Worker.wait_if_paused`)
    for a full draw of a plot — one mechanism for both."""

    def run(worker: Worker) -> Any:
        def should_stop() -> bool:
            worker.wait_if_paused()
            return worker.stop_requested

        generator = reports(should_stop)
        last = None
        try:
            while not worker.stop_requested:
                report = next(generator, None)
                if report is None:
                    break
                last = report
                worker.report(report)
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                close()
        if last is None or not last.complete:
            raise Cancelled
        return last

    return run


@dataclass(frozen=True)
class Frame:
    """The limits of each axes of a lesson's plot for a whole run, one ``(x, y)`` pair per axes of the
    grid, decided from the plan before the run starts."""

    limits: tuple[tuple[tuple[float, float], tuple[float, float]], ...]


class LessonPlot(FigurePanel):
    """A figure panel with a grid of axes (``rows`` × ``columns``), all coloured from the palette.

    ``draw(panel, report)`` builds the lesson's artists when ``panel.state`` is empty (``report`` may then
    be ``None``: the empty frame) and otherwise only updates their data (and, after a run, the limits):
    a redraw during a run then costs a blit, not a draw. During a run the limits are the run's
    :class:`Frame` and the layout is frozen (:meth:`begin`); :meth:`finish` zooms to the figures one
    axes at a time and brings the constrained layout back after it.
    """

    def __init__(
        self,
        title: str,
        accessible_name: str,
        draw: Callable[[LessonPlot, Any], None],
        *,
        rows: int = 1,
        columns: int = 1,
        height: float = 2.6,
        minimum_height: int = 200,
    ) -> None:
        super().__init__(
            title,
            accessible_name,
            toolbar=False,
            sentence=True,
            figsize=(7, height),
            minimum_size=(300, minimum_height),
            tick_size=8,
        )
        # A fixed height: texts that change around the plot during a run (its words, the status) never
        # resize the canvas, which would cost a full draw each time.
        self.canvas.setFixedHeight(minimum_height)
        self.figure.delaxes(self.axes)
        self.grid: list[Any] = list(self.figure.subplots(rows, columns, squeeze=False).flat)
        self.axes = self.grid[0]
        self._draw_report = draw
        self.state: dict[str, Any] = {}  # the lesson's artists (empty: to be built)
        self.strips: list[Any] = []  # the dots (scatter collections) of a strip plot
        self.marks: list[Any] = []  # the student's seed, one diamond per strip
        self.lines: dict[tuple[str, str], Any] = {}  # (axis label, method) → line
        self.real_line: Any = None
        self.real_label: Any = None
        self.notes: list[Any] = []  # per axes: how many figures lie outside the run's frame
        self.report: Any = None  # the report drawn last (None: empty)
        self.running = False  # a run is on: blitting, frozen layout, the run's frame as limits
        self.full_draws = 0  # every full draw (the tests count them)
        self.run_draws = 0  # full draws during a run after its frame (none unless resized or recoloured)
        self._frame: Frame | None = None
        self._background: Any = None
        self._limits: list[Any] = []
        self._relayout = False  # the constrained layout comes back after the final draw of a run
        self._pieces: list[Any] = []  # the axes still to be redrawn after a run (see finish)
        self.final_pending = False  # a run ended and its final picture is not drawn yet
        self.piece_draws = 0  # axes redrawn alone after runs (the tests count them)
        self._framed: Callable[[], object] | None = None  # called after the first full draw of a run
        self.canvas.mpl_connect("draw_event", self._on_draw)
        # Every full draw (also one a resize or a paint asks for) runs inside full_draw_guard: the lesson
        # box pauses its worker meanwhile, so the draw does not share the interpreter with it.
        self.full_draw_guard: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext
        plain_draw = self.canvas.draw

        def guarded_draw() -> None:
            with self.full_draw_guard():
                plain_draw()

        self.canvas.draw = guarded_draw
        self.style_axes()
        self._build()  # the artists now, while the window is built: Start only empties them

    def style_axes(self) -> dict[str, str]:
        first = self.axes
        colours: dict[str, str] = {}
        for ax in getattr(self, "grid", [first]):
            self.axes = ax
            colours = super().style_axes()
        self.axes = first
        return colours

    def blank(self) -> dict[str, str]:
        for ax in self.grid:
            ax.clear()
        self.state = {}
        self.strips, self.marks, self.lines, self.notes = [], [], {}, []
        self.real_line = self.real_label = None
        self._background = None
        return self.style_axes()

    def _build(self) -> None:
        """The lesson's artists, and during a run its frame."""
        self._draw_report(self, None)
        c = self.colours()
        self.notes = [
            ax.text(0.01, 0.96, "", transform=ax.transAxes, ha="left", va="top", fontsize=7, color=c["text"])
            for ax in self.grid
        ]
        if self.running and self._frame is not None:
            for ax, (x, y) in zip(self.grid, self._frame.limits, strict=True):
                ax.set_xlim(*x)
                ax.set_ylim(*y)

    def begin(self, frame: Frame, framed: Callable[[], object] | None = None) -> None:
        """A run starts: the empty ``frame``, laid out once, then the layout frozen until :meth:`finish`.

        During the run the data's artists are animated: painted over a saved picture of the frame
        (blitting); the limits stay the frame's, so no report needs a full draw.
        """
        self.report = None
        self.running = True
        self._relayout = False
        self._frame = frame
        self._framed = framed
        self.run_draws = 0
        self._pieces = []
        self.final_pending = False
        if self.state:
            self._empty()  # (clearing and rebuilding the axes would cost more than a draw)
            for ax, (x, y) in zip(self.grid, frame.limits, strict=True):
                ax.set_xlim(*x)
                ax.set_ylim(*y)
        else:
            self._build()
        for artist in self._animated():
            artist.set_animated(True)  # left out of the frame's picture, so the first report is blitted
        self.sentence.setText("")
        # The first full draw, once the plot is laid out and painted, works out the layout; _on_draw
        # then freezes it for the rest of the run.
        self.figure.set_layout_engine("constrained")
        self.redraw()

    def _empty(self) -> None:
        """The lesson's artists without data (and the limits free to be fitted by the next report)."""
        import numpy as np

        for strip in self.strips:
            strip.set_offsets(np.empty((0, 2)))
        for line in (*self.marks, *self.lines.values()):
            line.set_data([], [])
        if self.real_line is not None:
            self.real_line.set_visible(False)
        if self.real_label is not None:
            self.real_label.set_text("")
        for note in self.notes:
            note.set_text("")
        self._background = None

    def limits(
        self, ax: Any, x: tuple[float, float] | None = None, y: tuple[float, float] | None = None
    ) -> None:
        """Fit ``ax``'s limits to the figures: ``x`` and ``y`` (``None``: unchanged). During a run the
        frame's limits stay (see :meth:`outside`): a change of limits would cost a full draw."""
        if self.running:
            return
        if x is not None:
            ax.set_xlim(*x)
        if y is not None:
            ax.set_ylim(*y)

    def outside(self, ax: Any, xs: Sequence[float] = (), ys: Sequence[float] = ()) -> None:
        """During a run, say on ``ax`` how many of the figures ``xs`` (along x) and ``ys`` (along y) lie
        outside its frame, so none is silently missing; after a run (limits fitted) say nothing."""
        note = self.notes[self.grid.index(ax)] if self.notes else None
        if note is None:
            return
        count = 0
        if self.running:
            for values, (low, high) in ((xs, ax.get_xlim()), (ys, ax.get_ylim())):
                count += sum(1 for v in values if v == v and not low <= v <= high)
        note.set_text(f"{count} outside this frame: all shown when the run ends" if count else "")

    def _animated(self) -> list[Any]:
        artists = [*self.strips, *self.marks, *self.lines.values(), *self.notes]
        return artists + [a for a in (self.real_line, self.real_label) if a is not None]

    def _on_draw(self, _event: Any) -> None:
        """After every full draw of a run (also on a resize): save the frame, paint the data over it.
        After the final draw of a run: the constrained layout back, for a later resize."""
        self.full_draws += 1
        if not self.running:
            if self._relayout:
                self._relayout = False
                self.figure.set_layout_engine("constrained")
            return
        self.figure.set_layout_engine("none")
        framed, self._framed = self._framed, None
        if framed is not None:
            framed()  # (the lesson box starts its worker only now: this draw did not share the GIL)
        else:
            self.run_draws += 1
        if not all(artist.get_animated() for artist in self._animated()):
            self._background = None  # the data are in this picture (redrawn for a new palette): not a frame
            return
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.grid]
        for artist in self._animated():
            artist.axes.draw_artist(artist)

    def draw_now(self) -> None:
        """Draw now: in full when not running (~50 ms, several times that on a busy machine), otherwise
        only the data over the saved frame (a few ms; in full only if the frame was never saved)."""
        if not self.running:
            self.canvas.draw()
            return
        for artist in self._animated():
            artist.set_animated(True)
        limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.grid]
        if self._background is None or limits != self._limits or self.canvas.isHidden():
            self._limits = limits
            self.canvas.draw()  # _on_draw saves the frame and paints the data
        else:
            self.canvas.restore_region(self._background)
            for artist in self._animated():
                artist.axes.draw_artist(artist)
            self.canvas.blit(self.figure.bbox)

    def show_report(self, report: Any, *, now: bool = False) -> None:
        """Draw ``report`` (``None``: empty the plot) and put its words under it; ``now``: render at once
        (see :meth:`draw_now`) rather than when the event loop is free."""
        self.report = report
        if report is None:
            self.blank()
        else:
            if not self.state:
                self._build()
            self._draw_report(self, report)
        self.sentence.setText("" if report is None else report.words())
        if now:
            self.draw_now()
        else:
            self.redraw()

    def finish(self, report: Any) -> None:
        """The run ended with ``report`` (``None``: nothing computed): plain artists and limits fitted
        to the figures. A full draw of the plot would take 50–120 ms of the UI thread at once, so each
        axes is redrawn on its own, one per turn of the event loop, in the run's layout (see
        :meth:`_draw_piece`); the constrained layout comes back after, for a later resize."""
        self.running = False
        self._background = None
        for artist in self._animated():
            artist.set_animated(False)
        if report is None or self.canvas.isHidden() or not self.canvas.isVisible():
            self._relayout = True  # (after that full draw: when shown, or now for an empty plot)
            self.show_report(report)
            return
        self.report = report
        self._draw_report(self, report)  # data and limits, drawn by the pieces
        self.sentence.setText(report.words())
        self._pieces = list(self.grid)
        self.final_pending = True
        QTimer.singleShot(0, self, self._draw_piece)

    def _draw_piece(self) -> None:
        """Redraw the next axes of :meth:`finish` alone: its cell of the figure (the axes with its tick
        labels and axis labels, up to its neighbour's edge) painted over with the figure's colour, the
        axes drawn into it and that cell put on the screen."""
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import Bbox, IdentityTransform

        if self.running or not self._pieces:
            return
        ax = self._pieces.pop(0)
        if self.canvas.isHidden() or not self.canvas.isVisible():  # hidden meanwhile: in full when shown
            self._pieces = []
        else:
            renderer = self.canvas.get_renderer()
            cell = self._cell(ax)
            clear = Rectangle(
                cell.p0,
                cell.width,
                cell.height,
                transform=IdentityTransform(),
                facecolor=self.figure.get_facecolor(),
                edgecolor="none",
                linewidth=0,
            )
            clear.set_figure(self.figure)
            clear.draw(renderer)
            ax.draw(renderer)
            self.canvas.blit(Bbox(cell.get_points()))
            self.piece_draws += 1
        if self._pieces:
            QTimer.singleShot(0, self, self._draw_piece)
            return
        self.final_pending = False
        self.figure.set_layout_engine("constrained")
        if self.canvas.isHidden() or not self.canvas.isVisible():
            self.redraw()

    def _cell(self, ax: Any) -> Any:
        """``ax``'s part of the figure, in pixels: the figure cut at 2 px past the edge of the axes below
        (its top) or right of it (its left neighbour's right edge), so each part holds its own labels."""
        from matplotlib.transforms import Bbox

        x0, y0, x1, y1 = self.figure.bbox.extents
        box = ax.get_window_extent()
        for other in self.grid:
            if other is ax:
                continue
            edge = other.get_window_extent()
            if edge.y1 <= box.y0:  # the other one is below: cut at its top
                y0 = max(y0, edge.y1 + 2)
            elif box.y1 <= edge.y0:  # above: cut at this one's top
                y1 = min(y1, box.y1 + 2)
            elif edge.x1 <= box.x0:  # left of it: cut at its right edge
                x0 = max(x0, edge.x1 + 2)
            elif box.x1 <= edge.x0:  # right of it: cut at this one's right edge
                x1 = min(x1, box.x1 + 2)
        return Bbox.from_extents(x0, y0, x1, y1)

    def apply_palette(self) -> None:
        if hasattr(self, "grid"):
            report = self.report
            self.blank()
            self.show_report(report)


#: A run's frame for the AUC of a network (a coin toss to perfect, with room for a dot at either end).
#: A cross-validated AUC below 0.5 is said on the plot during the run, shown once it ends.
AUC_SPAN = (0.49, 1.01)


def _labels(result: TrainingResult) -> Any:
    import numpy as np

    return np.concatenate([np.asarray(result.split.y_train), np.asarray(result.split.y_test)])


def _cost_span(result: TrainingResult) -> tuple[float, float]:
    """A run's frame for a cross-validated Statlog cost: 0 to the cost of calling everybody ill (each
    healthy patient a false alarm). A network costing more does worse than no model at all; it is said
    on the plot during the run and shown once the run ends."""
    from heartgui.core.schema import STATLOG_COST_FALSE_ALARM

    y = _labels(result)
    everybody_ill = STATLOG_COST_FALSE_ALARM * float((y == 0).mean())
    return 0.0, everybody_ill * 1.02


def _most_training_patients(result: TrainingResult, folds: int) -> int:
    """At most this many patients train in one of ``folds`` stratified folds (each class's test share is
    at least its size // folds)."""
    y = _labels(result)
    return int(len(y) - sum(int((y == label).sum()) // folds for label in (0, 1)))


def _stack_rows(planned: int) -> tuple[float, float]:
    """A strip's rows for ``planned`` dots: as many as would be needed were all stacked in one place."""
    return 0.0, planned + 1.6


def _stacked(values: Sequence[float], span: float) -> tuple[Any, int]:
    """Offsets of dots along x, stacked where they would overlap (within 1.5 % of ``span``); the rows used."""
    import numpy as np

    heights = stack_heights(list(values), overlap=0.015 * span)
    offsets = np.column_stack([np.asarray(values, dtype=float), np.asarray(heights, dtype=float) + 0.5])
    return offsets.reshape(-1, 2), max(heights, default=0) + 1


def _dots(ax: Any, colours: dict[str, str]) -> Any:
    import numpy as np

    return ax.scatter(
        np.empty(0),
        np.empty(0),
        s=30,
        color=colours["negative"],
        edgecolors=colours["text"],
        linewidths=0.4,
        zorder=3,
    )


def _padded(values: Sequence[float], *extra: float, pad: float = 0.1) -> tuple[float, float]:
    finite = [v for v in (*values, *extra) if v == v]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    room = max(high - low, 0.01) * pad
    return low - room, high + room


def draw_seed_lottery(panel: LessonPlot, lottery: Any) -> None:
    """Two strips: each seed's cross-validated cost (top) and AUC (bottom); the student's seed a diamond."""
    if not panel.state:
        c = panel.colours()
        panel.strips, panel.marks = [], []
        for ax, label in zip(
            panel.grid,
            ("Statlog cost per patient at 1/6 (lower is better)", "ROC AUC (higher is better)"),
            strict=True,
        ):
            panel.strips.append(_dots(ax, c))
            (mark,) = ax.plot(
                [],
                [],
                marker="D",
                markersize=8,
                linestyle="none",
                color=c["positive"],
                markeredgecolor=c["text"],
                zorder=4,
                label="your seed",
            )
            panel.marks.append(mark)
            ax.set_yticks([])
            ax.set_xlabel(label, fontsize=8)
            ax.grid(True, axis="x", alpha=0.3, color=c["soft"])
        panel.grid[0].legend(handles=[panel.marks[0]], loc="upper right", fontsize=8)
        panel.style_axes()  # the legend's colours
        panel.state["built"] = True
    if lottery is None:
        return
    mine = lottery.of(lottery.chosen_seed)
    panel.marks[0].set_label(f"your seed ({lottery.chosen_seed})")
    for index, (ax, values) in enumerate(zip(panel.grid, (lottery.costs, lottery.aucs), strict=True)):
        panel.limits(ax, x=_padded(values))
        low, high = ax.get_xlim()
        offsets, top = _stacked(values, high - low)
        panel.strips[index].set_offsets(offsets)
        panel.marks[index].set_data(([mine[index]], [top + 0.6]) if mine is not None else ([], []))
        panel.limits(ax, y=(0, top + 1.6))
        panel.outside(ax, xs=values)
    legend = panel.grid[0].get_legend()
    if legend is not None:
        legend.get_texts()[0].set_text(f"your seed ({lottery.chosen_seed})")


#: The learning curve's y-axis labels (AUC left, cost right).
CURVE_AXES = ("ROC AUC", "Statlog cost at 1/6")


def draw_learning_curve(panel: LessonPlot, curve: Any) -> None:
    """AUC (left) and cost (right) against the mean number of training patients, one line per method."""
    from matplotlib.ticker import FormatStrFormatter

    from heartgui.core.lessons import LOGISTIC

    if not panel.state:
        c = panel.colours()
        styles = ({"color": c["positive"], "marker": "o"}, {"color": c["negative"], "marker": "s"})
        panel.lines = {}
        for ax, label, title in zip(
            panel.grid, CURVE_AXES, ("higher is better", "lower is better"), strict=True
        ):
            for method, style in zip(("Neural network", LOGISTIC.name), styles, strict=True):
                (line,) = ax.plot([], [], linewidth=1.5, markersize=5, label=method, **style)
                panel.lines[(label, method)] = line
            ax.set_xlabel("Training patients (mean per fold)", fontsize=8)
            ax.set_ylabel(label, fontsize=8)
            ax.set_title(title, fontsize=8)
            ax.grid(True, alpha=0.3, color=c["soft"])
            # Tick labels of one width in the frame and once zoomed: the run's frozen layout fits both.
            ax.yaxis.set_major_formatter(FormatStrFormatter("%.3f"))
        panel.grid[0].legend(loc="lower right", fontsize=8)
        panel.style_axes()
        panel.state["built"] = True
    if curve is None:
        return
    x = [curve.n_train[f] for f in curve.fractions]
    for ax, figures, label in zip(panel.grid, (curve.auc, curve.cost), CURVE_AXES, strict=True):
        values: list[float] = []
        for method in curve.methods:
            panel.lines[(label, method)].set_data(x, list(figures[method]))
            values.extend(figures[method])
        panel.limits(ax, (0.0, _padded(x, 0)[1]), _padded(values))  # (no patients below 0)
        panel.outside(ax, xs=x, ys=values)


def draw_permutation_test(panel: LessonPlot, test: Any) -> None:
    """The shuffled diagnoses' AUCs as stacked dots, the real AUC as a line, chance (0.5) dotted."""
    ax = panel.axes
    if not panel.state:
        c = panel.colours()
        panel.strips = [_dots(ax, c)]
        panel.real_line = ax.axvline(0.5, color=c["positive"], linewidth=2, visible=False)
        panel.real_label = ax.annotate(
            "",
            xy=(0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -12),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=c["text"],
        )
        ax.axvline(0.5, color=c["soft"], linewidth=1, linestyle=":")
        ax.set_xlim(0.3, 1.0)
        ax.set_yticks([])
        ax.set_xlabel("Cross-validated ROC AUC (0.5: a coin toss)", fontsize=8)
        ax.grid(True, axis="x", alpha=0.3, color=c["soft"])
        panel.state["built"] = True
    if test is None:
        return
    shuffled = list(test.shuffled_aucs)
    panel.limits(ax, x=_padded(shuffled, 0.5, test.real_auc))
    low, high = ax.get_xlim()
    offsets, top = _stacked(shuffled, high - low)
    panel.strips[0].set_offsets(offsets)
    panel.real_line.set_xdata([test.real_auc, test.real_auc])
    panel.real_line.set_visible(True)
    panel.real_label.xy = (test.real_auc, 1.0)
    panel.real_label.set_text(f"real diagnoses: {test.real_auc:.3f}")
    panel.limits(ax, y=(0, top + 1.6))
    panel.outside(ax, xs=[*shuffled, test.real_auc])


class LessonBox(QWidget):
    """One lesson: a heading, what it shows, Start / Cancel / progress, the plot and its words.

    ``reports(result, should_stop)`` returns the generator to run for a result; ``planned(result)`` its
    number of reports and ``frame(result)`` the plot's :class:`Frame` for the run; ``unit`` names one
    report in the progress bar ("seed", "fold", "shuffle"). Signals carry the report shown
    (``progressed``) or the last one (``finished``, ``cancelled``: what was computed stays shown).
    """

    progressed = Signal(object)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        name: str,
        title: str,
        intro: str,
        button: str,
        unit: str,
        reports: Callable[[TrainingResult, Callable[[], bool]], Iterator[Any]],
        planned: Callable[[TrainingResult], int],
        frame: Callable[[TrainingResult], Frame],
        plot: LessonPlot,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"lesson_{name}")
        self._reports = reports
        self._planned = planned
        self._frame = frame
        self._unit = unit
        self._result: TrainingResult | None = None
        self._jobs: dict[int, Job] = {}
        self._run_ids = itertools.count(1)
        self._run: int | None = None
        self._started: set[int] = set()  # the runs whose job has been started
        self._pending: Any = None  # the newest report not drawn yet
        self.latest: Any = None  # the newest report received for the current run
        self.redraws = 0  # reports drawn during a run (blits; the tests check they are throttled)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(section_title(self, title))
        column.addWidget(wrapping(intro, f"{name}_intro"))
        controls = QHBoxLayout()
        self.button = QPushButton(button)
        self.button.setObjectName(f"{name}_button")
        self.button.setToolTip("Runs in the background; the window stays usable.")
        self.button.clicked.connect(lambda: self.start())
        controls.addWidget(self.button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName(f"{name}_cancel")
        self.cancel_button.setToolTip(f"Stop after the {unit} that is running; what is done so far stays.")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        controls.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setObjectName(f"{name}_progress")
        self.progress.setTextVisible(True)
        controls.addWidget(self.progress, 1)
        column.addLayout(controls)
        self.status = soft(wrapping(name=f"{name}_status"))
        column.addWidget(self.status)
        self.plot = plot
        self.plot.full_draw_guard = self._worker_paused
        self.plot.setObjectName(f"{name}_plot")
        self.plot.hide()  # shown with the first report: no empty axes before anything is computed
        column.addWidget(self.plot)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._draw_pending)
        self._idle()

    # ----------------------------------------------------------------------------------------------
    @property
    def job(self) -> Job | None:
        """The job running now (``None`` when idle)."""
        return self._jobs.get(self._run) if self._run is not None else None

    @property
    def run_id(self) -> int | None:
        return self._run

    def set_result(self, result: TrainingResult | None) -> None:
        """Forget what was shown and abandon a running job (its late reports are ignored)."""
        for run_id, job in list(self._jobs.items()):
            job.request_stop()
            if run_id not in self._started:  # never started: no thread to wait for
                del self._jobs[run_id]
                job.deleteLater()
        self._run = None
        self._result = result
        self._pending = self.latest = None
        self._redraw_timer.stop()
        self.plot.hide()
        self.plot.running = False
        self.plot.show_report(None)
        self.status.setText("")
        self._idle()

    def start(self) -> bool:
        """Start the lesson for the result shown; false (nothing done) without one or while it runs."""
        if self._result is None or self._run is not None:
            return False
        from heartgui.gui.workers import Job

        result = self._result
        run_id = next(self._run_ids)
        job = Job(run_id, lesson_job(lambda should_stop: self._reports(result, should_stop)), parent=self)
        job.done.connect(self._on_job_done)
        job.worker.progressed.connect(self._on_progressed)
        job.worker.finished.connect(self._on_finished)
        job.worker.failed.connect(self._on_failed)
        job.worker.cancelled.connect(self._on_cancelled)
        self._jobs[run_id] = job
        self._run = run_id
        self._pending = self.latest = None
        planned = self._planned(result)
        self.progress.setFormat(f"{self._unit} %v of %m")
        self.progress.setRange(0, planned)
        self.progress.setValue(0)
        self.status.setText(f"Running {self._unit} 1 of {planned}…")
        self.button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.plot.show()
        # The worker starts once the empty frame is drawn (laid out: the costliest draw of the run), so
        # that draw has the interpreter to itself; at the latest after FRAME_WAIT_MS (a hidden tab).
        self.plot.begin(self._frame(result), framed=lambda: self._start_job(run_id))
        QTimer.singleShot(FRAME_WAIT_MS, self, lambda: self._start_job(run_id))
        return True

    def _start_job(self, run_id: int) -> None:
        job = self._jobs.get(run_id)
        if job is not None and run_id == self._run and run_id not in self._started:
            self._started.add(run_id)
            job.start_after_paint()

    @Slot()
    def cancel(self) -> None:
        """Ask the running lesson to stop after its current report."""
        job = self.job
        if job is not None:
            job.request_stop()
            self.cancel_button.setEnabled(False)
            self.status.setText(f"Stopping after the current {self._unit}…")

    def shutdown(self) -> None:
        """Stop every job and wait for its thread (the window is closing)."""
        self._run = None
        self._redraw_timer.stop()
        for job in list(self._jobs.values()):
            job.stop_and_wait()
        self._jobs.clear()

    def is_busy(self) -> bool:
        return any(job.is_running() for job in self._jobs.values())

    @contextlib.contextmanager
    def _worker_paused(self) -> Iterator[None]:
        """Pause the running job's worker (at its next epoch) for the span of a full draw."""
        job = self.job
        if job is None:
            yield
            return
        job.worker.pause()
        try:
            yield
        finally:
            job.worker.resume()

    # ----------------------------------------------------------------------------------------------
    def _idle(self) -> None:
        self.button.setEnabled(self._result is not None)
        self.cancel_button.setEnabled(False)
        if self.latest is None:
            self.progress.setFormat("not run yet")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    def _done_count(self, report: Any) -> int:
        for name in ("folds_done", "seeds", "shuffled_aucs"):
            value = getattr(report, name, None)
            if value is not None:
                return value if isinstance(value, int) else len(value)
        return 0

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            job.qthread.wait()
            job.deleteLater()

    @Slot(int, object)
    def _on_progressed(self, run_id: int, reports: tuple) -> None:
        if run_id != self._run or not reports:
            return
        report = reports[-1]
        self.latest = self._pending = report
        done = self._done_count(report)
        self.progress.setMaximum(report.planned)
        self.progress.setValue(done)
        if self.cancel_button.isEnabled():
            self.status.setText(
                f"{self._unit.capitalize()} {done} of {report.planned} done; the plot fills in."
                if done
                else f"Running {self._unit} 1 of {report.planned}…"  # (the real diagnoses came first)
            )
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()  # drawn once the timer runs out: at most one redraw per REDRAW_MS
        self.progressed.emit(report)

    @Slot()
    def _draw_pending(self) -> None:
        report, self._pending = self._pending, None
        if report is None:
            return
        self.redraws += 1
        self.plot.show_report(report, now=self._run is not None)

    def _end(self) -> None:
        self._run = None
        self._redraw_timer.stop()
        report, self._pending = self._pending, None
        self.plot.finish(report if report is not None else self.plot.report)
        if self.plot.report is None:
            self.plot.hide()  # stopped before anything was computed
        self._idle()

    @Slot(int, object)
    def _on_finished(self, run_id: int, report: Any) -> None:
        if run_id != self._run:
            return
        self.latest = self._pending = report
        self._end()
        self.status.setText(f"Done: {self._done_count(report)} of {report.planned} {self._unit}s.")
        self.finished.emit(report)

    @Slot(int)
    def _on_cancelled(self, run_id: int) -> None:
        if run_id != self._run:
            return
        self._end()
        done = 0 if self.latest is None else self._done_count(self.latest)
        self.status.setText(
            f"Cancelled after {done} {self._unit}{'' if done == 1 else 's'}"
            + (": the plot shows those." if done else ".")
        )
        self.cancelled.emit()

    @Slot(int, str)
    def _on_failed(self, run_id: int, message: str) -> None:
        if run_id != self._run:
            return
        self._end()
        self.status.setText(f"The lesson stopped with a problem: {message}")
        self.failed.emit(message)


class LessonsView(QWidget):
    """The three lessons under one heading. The parameters (``seeds``, ``folds``, ``fractions``,
    ``permutations``) may be made smaller before a run (the tests do)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seeds: tuple[int, ...] = LOTTERY_SEEDS
        self.folds = FOLDS
        self.fractions: tuple[float, ...] = FRACTIONS
        self.permutations = PERMUTATIONS
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addWidget(section_title(self, "Many networks: three lessons"))
        column.addWidget(
            wrapping(
                f"Each lesson trains many networks with your run's settings on the {FOLDS} folds of the "
                "Statlog protocol (one shuffle). The cost is the Statlog cost per patient (a miss 5, a "
                "false alarm 1) at the cost-optimal threshold 1/6.",
                "lessons_intro",
            )
        )
        self.lottery = LessonBox(
            "lottery",
            "1. Seed lottery: how much of a result is luck?",
            f"Your settings from {len(LOTTERY_SEEDS)} different random starting weights (seeds "
            f"{LOTTERY_SEEDS[0]}–{LOTTERY_SEEDS[-1]}), each cross-validated on the same folds. ◆ marks "
            "your seed.",
            "Run the seed lottery",
            "seed",
            self._lottery_reports,
            lambda result: len(self._lottery_seeds(result)),
            self._lottery_frame,
            LessonPlot(
                "Each dot: one random start, cross-validated",
                "Seed lottery",
                draw_seed_lottery,
                rows=2,
                height=3.2,
                minimum_height=240,
            ),
        )
        self.curve = LessonBox(
            "curve",
            "2. Learning curve: would more patients help?",
            "Each training fold cut to 25 %, 50 %, 75 % and all of its patients (tested on the whole test "
            "fold), for your network and for logistic regression. A curve still rising at the right "
            "means more patients would likely help.",
            "Run the learning curve",
            "fold",
            self._curve_reports,
            lambda result: self.folds,
            self._curve_frame,
            LessonPlot(
                "Cross-validated AUC and cost against training patients",
                "Learning curve",
                draw_learning_curve,
                columns=2,
            ),
        )
        self.chance = LessonBox(
            "chance",
            "3. Is it chance? The label-permutation test",
            f"The same network trained on diagnoses shuffled among the patients ({PERMUTATIONS} "
            "shuffles): it can learn nothing real, so its AUCs show what chance alone reaches with this "
            "network and these patients. The line is the AUC on the real diagnoses.",
            "Run the permutation test",
            "shuffle",
            self._chance_reports,
            lambda result: self.permutations,
            self._chance_frame,
            LessonPlot(
                "Each dot: one shuffle of the diagnoses; the line: the real diagnoses",
                "Permutation test",
                draw_permutation_test,
                height=2.2,
                minimum_height=170,
            ),
        )
        self.boxes = (self.lottery, self.curve, self.chance)
        for box in self.boxes:
            column.addWidget(box)

    def _lottery_seeds(self, result: TrainingResult) -> tuple[int, ...]:
        # The student's own seed joins the lottery when it is not among the seeds, so it can be marked.
        own = int(result.settings.seed)
        return self.seeds if own in self.seeds else (*self.seeds, own)

    def _lottery_reports(self, result: TrainingResult, should_stop: Callable[[], bool]) -> Iterator[Any]:
        from heartgui.core.lessons import iter_seed_lottery
        from heartgui.gui.crossval_job import dataset_of_split

        return iter_seed_lottery(
            dataset_of_split(result.split),
            result.settings,
            self._lottery_seeds(result),
            folds=self.folds,
            should_stop=should_stop,
        )

    def _curve_reports(self, result: TrainingResult, should_stop: Callable[[], bool]) -> Iterator[Any]:
        from heartgui.core.lessons import iter_learning_curve
        from heartgui.gui.crossval_job import dataset_of_split

        return iter_learning_curve(
            dataset_of_split(result.split),
            result.settings,
            self.fractions,
            folds=self.folds,
            should_stop=should_stop,
        )

    def _chance_reports(self, result: TrainingResult, should_stop: Callable[[], bool]) -> Iterator[Any]:
        from heartgui.core.lessons import iter_permutation_test
        from heartgui.gui.crossval_job import dataset_of_split

        return iter_permutation_test(
            dataset_of_split(result.split),
            result.settings,
            self.permutations,
            folds=self.folds,
            should_stop=should_stop,
        )

    # The frames of the runs, from the plan alone (see the module's docstring).
    def _lottery_frame(self, result: TrainingResult) -> Frame:
        rows = _stack_rows(len(self._lottery_seeds(result)))
        return Frame(((_cost_span(result), rows), (AUC_SPAN, rows)))

    def _curve_frame(self, result: TrainingResult) -> Frame:
        patients = (0.0, _most_training_patients(result, self.folds) * 1.05)
        return Frame(((patients, AUC_SPAN), (patients, _cost_span(result))))

    def _chance_frame(self, result: TrainingResult) -> Frame:
        # An AUC cannot leave 0–1: the shuffles' (about 0.4–0.6) and the real one's place read at once.
        return Frame((((-0.02, 1.02), _stack_rows(self.permutations)),))

    def set_result(self, result: TrainingResult | None) -> None:
        for box in self.boxes:
            box.set_result(result)

    def shutdown(self) -> None:
        for box in self.boxes:
            box.shutdown()

    def is_busy(self) -> bool:
        return any(box.is_busy() for box in self.boxes)
