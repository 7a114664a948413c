"""The plots' toolbar: only what a student uses, and saving the loss plot works during and after a run.

The loss plot is saved through its toolbar's save button (the file dialog patched to answer a path) in
PNG, PDF and SVG, halfway through a real run and after it; nothing may reach stderr (matplotlib prints
the errors of its draw callbacks there instead of raising them), every file must be a real picture of its
kind, and the live plot must still draw correctly afterwards.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pypdf
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from heartgui.core.dataset import load_dataset
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import TrainingSession
from heartgui.gui.widgets.loss_plot import LossPlot
from heartgui.gui.widgets.roc_plot import RocPlot
from tests.gui.hosting import shown

EPOCHS = 200


@pytest.fixture(scope="module")
def reports(heart_dat):
    dataset = load_dataset(heart_dat)
    settings = RECOMMENDED.replace(epochs=EPOCHS, validation_fraction=0.2)
    return list(TrainingSession(dataset, settings).epochs())


@pytest.fixture
def no_boxes(monkeypatch):
    shown_boxes: list = []

    def box(*args, **kwargs):
        shown_boxes.append(args)
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(box))
    return shown_boxes


def answer_save_dialog(monkeypatch, path) -> list:
    seen: list = []

    def dialog(*args, **kwargs):
        seen.append((args, kwargs))
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    return seen


def toolbar_texts(toolbar) -> list[str]:
    return [a.text() for a in toolbar.actions() if a.text() and not a.isSeparator()]


def check_picture(path, fmt: str) -> None:
    data = path.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    elif fmt == "pdf":
        text = pypdf.PdfReader(str(path)).pages[0].extract_text()
        assert "Epoch" in text and "Loss" in text
    else:
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        # the two curves are in the drawing (animated lines are drawn when saving)
        assert data.count(b"stroke: #1f77b4") >= 1 and data.count(b"stroke: #ff7f0e") >= 1


def pixels(plot: LossPlot) -> np.ndarray:
    return np.asarray(plot.canvas.buffer_rgba()).astype(int).copy()


def test_the_toolbars_offer_only_save_zoom_pan_and_reset(qtbot):
    loss = LossPlot()
    roc = RocPlot()
    for widget in (loss, roc):
        qtbot.addWidget(widget)
    expected = ["Reset view", "Move", "Zoom", "Save picture"]
    assert toolbar_texts(loss.toolbar) == expected
    assert roc.toolbar is not None and toolbar_texts(roc.toolbar) == expected


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg"])
@pytest.mark.parametrize("when", ["during", "after"])
def test_saving_the_loss_plot_from_the_toolbar(
    qtbot, reports, monkeypatch, tmp_path, capfd, no_boxes, fmt, when
):
    plot = LossPlot()
    host = shown(qtbot, plot, (900, 600))  # noqa: F841 (kept: it owns the plot)
    plot.clear(EPOCHS)
    half = EPOCHS // 2
    for start in range(0, half, 20):
        plot.add_reports(reports[start : start + 20])
        plot.redraw()
    if when == "after":
        plot.add_reports(reports[half:])
        plot.finish()
        plot.redraw()
        plot.canvas.draw()
    capfd.readouterr()
    target = tmp_path / f"loss.{fmt}"
    seen = answer_save_dialog(monkeypatch, target)
    plot.toolbar.save_action.trigger()
    assert len(seen) == 1
    check_picture(target, fmt)
    if when == "during":  # the run goes on: the live plot still draws what a full draw gives
        plot.add_reports(reports[half:])
        plot.redraw()
        plot.redraw()
        live = pixels(plot)
        plot.canvas.draw()
        assert live.shape == pixels(plot).shape
        assert np.abs(live - pixels(plot)).max(axis=-1).mean() < 2
    err = capfd.readouterr().err
    assert err == "", err
    assert no_boxes == []


def test_a_save_without_an_extension_is_a_png(qtbot, monkeypatch, tmp_path, no_boxes):
    plot = LossPlot()
    qtbot.addWidget(plot)
    answer_save_dialog(monkeypatch, tmp_path / "curve")
    plot.toolbar.save_action.trigger()
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"


def test_a_save_that_fails_says_so_and_names_the_file(qtbot, monkeypatch, tmp_path, no_boxes):
    plot = LossPlot()
    qtbot.addWidget(plot)
    target = tmp_path / "no-such-folder" / "loss.png"
    answer_save_dialog(monkeypatch, target)
    plot.toolbar.save_action.trigger()
    assert len(no_boxes) == 1 and str(target) in no_boxes[0][2]
    assert not target.exists()
