"""The many-patients dialog on a 100,000-row file: read and predicted off the UI thread, with progress and
a Cancel button, sorted by an argsort; the table equals the synchronous prediction.

The file is built from heart.dat rows drawn at random (seeded), written to the test's folder. Opening it
once froze the window 17 s and sorting it 32 s (a proxy model asked pandas for every cell).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from heartgui.core.batch import predict_patients
from heartgui.core.dataset import load_patients
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.batch_dialog import BatchDialog
from tests.gui.heartbeat import Heartbeat

ROWS = 100_000
HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,class"


@pytest.fixture(scope="module")
def model(heart):
    return train(heart, RECOMMENDED).model


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory, heart_dat) -> Path:
    rows = [",".join(line.split()) for line in heart_dat.read_text().splitlines() if line.strip()]
    picks = np.random.default_rng(7).integers(0, len(rows), ROWS)
    path = tmp_path_factory.mktemp("large") / "clinic-100k.csv"
    path.write_text("\n".join([HEADER, *(rows[i] for i in picks)]) + "\n")
    return path


@pytest.fixture
def dialog(qtbot, model):
    d = BatchDialog(model, 0.5)
    qtbot.addWidget(d)
    d.resize(1280, 720)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.done(0)


def column(dialog, name: str) -> int:
    model = dialog.table_model
    return [model.column_name(c) for c in range(model.columnCount())].index(name)


@pytest.mark.slow
def test_opening_and_sorting_a_large_file_keeps_the_dialog_responsive(
    qtbot, dialog, big_csv, model, record_property
):
    heartbeat = Heartbeat()
    with heartbeat.running():
        with qtbot.waitSignal(dialog.loaded, timeout=120_000) as blocker:
            dialog.open_file(big_csv)
            assert dialog.progress.isVisible() and dialog.cancel_button.isVisible()
        qtbot.waitUntil(lambda: dialog.running_jobs() == 0, timeout=10_000)
        header = dialog.table.horizontalHeader()
        for name in ("risk", "age", "decision", "cp", "line"):  # clicked as a student would
            ticks = len(heartbeat.gaps)
            header.sectionClicked.emit(column(dialog, name))
            # The next click once the timer ticked again: each sort is measured on its own.
            qtbot.waitUntil(lambda ticks=ticks: len(heartbeat.gaps) > ticks + 1, timeout=5_000)
    prediction = blocker.args[0]
    assert dialog.table_model.rowCount() == ROWS == prediction.n_predicted
    assert not dialog.progress.isVisible() and not dialog.cancel_button.isVisible()
    assert len(heartbeat.gaps) > 20
    heartbeat.check(record_property, "opening and sorting 100,000 patients")


def test_the_table_equals_the_synchronous_prediction(qtbot, dialog, big_csv, model):
    with qtbot.waitSignal(dialog.loaded, timeout=120_000) as blocker:
        dialog.open_file(big_csv)
    expected = predict_patients(model, load_patients(big_csv), 0.5).table
    shown = dialog.table_model
    np.testing.assert_array_equal(shown.column_values("line"), expected["line"].to_numpy())
    np.testing.assert_array_equal(shown.column_values("risk"), expected["risk"].to_numpy())
    np.testing.assert_array_equal(shown.column_values("decision"), expected["decision"].to_numpy())
    assert blocker.args[0].n_flagged == int((expected["decision"] == "flagged").sum())
    assert f"{blocker.args[0].n_flagged} flagged for further testing" in dialog.status.text()

    # Sorted by risk, highest first: the risks in order, ties in the order of the file's lines.
    dialog.table.sortByColumn(column(dialog, "risk"), Qt.SortOrder.DescendingOrder)
    order = np.lexsort((expected["line"].to_numpy(), -expected["risk"].to_numpy()))
    np.testing.assert_array_equal(shown.column_values("line"), expected["line"].to_numpy()[order])
    top = shown.index(0, column(dialog, "risk"))
    assert shown.data(top) == f"{expected['risk'].max() * 100:.1f} %"
    # Back to ascending by age, then the shown cells follow the sorted rows.
    dialog.table.sortByColumn(column(dialog, "age"), Qt.SortOrder.AscendingOrder)
    ages = shown.column_values("age")
    assert np.all(np.diff(ages) >= 0)
    assert shown.data(shown.index(0, column(dialog, "age"))) == f"{ages[0]:.0f} years"


def test_cancel_keeps_the_table_shown(qtbot, dialog, big_csv, heart_dat, tmp_path):
    small = tmp_path / "small.csv"
    rows = [",".join(line.split()) for line in heart_dat.read_text().splitlines()[:12]]
    small.write_text("\n".join([HEADER, *rows]) + "\n")
    with qtbot.waitSignal(dialog.loaded, timeout=30_000):
        dialog.open_file(small)
    loaded: list = []
    dialog.loaded.connect(loaded.append)
    with qtbot.waitSignal(dialog.load_cancelled, timeout=5_000):
        dialog.open_file(big_csv)
        dialog.cancel_button.click()
    assert "Stopped reading clinic-100k.csv" in dialog.status.text()
    assert "small.csv is still shown" in dialog.status.text()
    assert dialog.open_button.isEnabled() and not dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: dialog.running_jobs() == 0, timeout=120_000)  # the worker stopped
    assert loaded == []
    assert dialog.table_model.rowCount() == 12
