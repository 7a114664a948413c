"""The live loss plot paints only the points that arrived since its last redraw, and the picture it
builds that way is the one a full draw of the whole curves gives."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from heartgui.core.dataset import load_dataset
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import TrainingSession
from heartgui.gui.widgets.loss_plot import LossPlot
from tests.gui.hosting import shown

EPOCHS = 600
BATCH = 40  # about what the worker sends per emit in a fast run


@pytest.fixture(scope="module")
def run_reports(heart_dat):
    """``run_reports(epochs)``: the epoch reports of a real run with a validation set (both curves grow)."""
    dataset = load_dataset(heart_dat)

    @functools.cache
    def run(epochs: int) -> list:
        settings = RECOMMENDED.replace(epochs=epochs, validation_fraction=0.2)
        return list(TrainingSession(dataset, settings).epochs())

    return run


def pixels(plot: LossPlot) -> np.ndarray:
    return np.asarray(plot.canvas.buffer_rgba()).astype(int).copy()


@pytest.mark.parametrize(
    ("epochs", "batch"),
    [(EPOCHS, BATCH), (60, 4)],  # dense (points closer than a pixel), sparse (segments ~14 px long)
)
def test_segments_drawn_live_give_the_picture_of_the_whole_curves(
    qtbot, run_reports, monkeypatch, epochs, batch
):
    reports = run_reports(epochs)
    plot = LossPlot()
    host = shown(qtbot, plot, (900, 600))  # noqa: F841 (kept: it owns the plot)
    plot.clear(epochs)
    drawn_sizes: list[int] = []
    full_draws: list[int] = []
    draw_artist, canvas_draw = plot.axes.draw_artist, plot.canvas.draw

    def counting_draw_artist(artist):
        if not full_draws or full_draws[-1] >= 0:  # (a full draw draws the whole lines: not counted)
            drawn_sizes.append(len(artist.get_xdata()))
        draw_artist(artist)

    def counting_draw():
        full_draws.append(-1)
        canvas_draw()
        full_draws[-1] = len(drawn_sizes)

    monkeypatch.setattr(plot.axes, "draw_artist", counting_draw_artist)
    monkeypatch.setattr(plot.canvas, "draw", counting_draw)
    for start in range(0, epochs, batch):
        plot.add_reports(reports[start : start + batch])
        plot.redraw()  # what the plot's timer does ten times a second
    assert plot._drawn == [epochs, epochs]
    # Between the full draws (the first frame, and the few where the x-axis grows with the run: it
    # doubles), each redraw painted only the new points (and the one they join), never a whole curve.
    assert 1 <= len(full_draws) <= 8
    assert drawn_sizes and max(drawn_sizes) <= batch + 1
    live = pixels(plot)

    plot.canvas.draw()  # a full draw: the empty frame, then both whole lines
    full = pixels(plot)
    assert live.shape == full.shape
    # The curves really are in the picture: blue and orange pixels inside the axes.
    x0, y0, x1, y1 = (int(v) for v in plot.axes.bbox.extents)
    height = full.shape[0]
    inside = full[height - y1 : height - y0, x0:x1, :3]
    blue = np.all(np.abs(inside - (31, 119, 180)) < 40, axis=-1).sum()
    orange = np.all(np.abs(inside - (255, 127, 14)) < 40, axis=-1).sum()
    assert blue > 100 and orange > 100
    # The same picture: segments and whole lines differ only in the faint antialiased edges, and where
    # two segments join (painted twice): no pixel by half its range, hardly any by a fifth.
    difference = np.abs(live - full).max(axis=-1)
    assert difference.max() < 128
    assert (difference > 48).sum() < 0.02 * (blue + orange)


def test_shorter_curves_start_again_from_the_background(qtbot, run_reports):
    reports = run_reports(EPOCHS)
    plot = LossPlot()
    host = shown(qtbot, plot, (900, 600))  # noqa: F841 (kept: it owns the plot)
    plot.clear(EPOCHS)
    plot.add_reports(reports)
    plot.redraw()
    plot.redraw()  # nothing new: nothing to do
    # The run is replaced by a shorter one without a full draw in between (the lists are cleared).
    plot.epochs[:] = plot.epochs[:100]
    plot.train_losses[:] = plot.train_losses[:100]
    plot.validation_epochs[:] = plot.validation_epochs[:100]
    plot.validation_losses[:] = plot.validation_losses[:100]
    plot._dirty = True
    plot.redraw()
    assert plot._drawn == [100, 100]
    assert len(plot.train_line.get_xdata()) == 100


def test_reports_without_a_validation_loss_add_no_validation_point(qtbot, run_reports):
    reports = run_reports(EPOCHS)[:50]
    mixed = [r if r.epoch % 5 == 0 else r._replace(validation_loss=None) for r in reports]
    plot = LossPlot()
    plot.clear(EPOCHS)
    plot.add_reports(mixed[:25])
    plot.add_reports(iter(mixed[25:]))  # any iterable
    assert plot.epochs == list(range(1, 51))
    assert plot.train_losses == [r.train_loss for r in reports]
    assert plot.validation_epochs == list(range(5, 51, 5))
    assert plot.validation_losses == [r.validation_loss for r in reports if r.epoch % 5 == 0]
    without = LossPlot()
    without.clear(EPOCHS)
    without.add_reports([r._replace(validation_loss=None) for r in reports])
    assert without.validation_epochs == [] and len(without.epochs) == 50
    plot.deleteLater()
    without.deleteLater()
