"""The “Predict many patients” dialog on a CSV built from heart.dat with broken rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from heartgui.core import schema
from heartgui.core.dataset import load_patients
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui import workers
from heartgui.gui.batch_dialog import PREFERRED_SIZE, BatchDialog

HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,class"


@pytest.fixture(scope="module")
def model(heart):
    return train(heart, RECOMMENDED).model


@pytest.fixture
def patients_csv(tmp_path: Path, heart_dat: Path) -> Path:
    """Lines 2–31: heart.dat rows (line 31 with cholesterol 600); lines 32–34 broken."""
    rows = [line.split() for line in heart_dat.read_text().splitlines()[:30]]
    rows[29][4] = "600"
    broken = [
        rows[0][:4] + ["abc"] + rows[0][5:],
        ["400"] + rows[1][1:],
        rows[2][:12],
    ]
    path = tmp_path / "clinic.csv"
    path.write_text("\n".join([HEADER, *(",".join(r) for r in [*rows, *broken])]) + "\n")
    return path


def patch_dialog(monkeypatch, name: str, path: Path | str, seen: list | None = None) -> None:
    def dialog(*args, **kwargs):
        if seen is not None:
            seen.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, name, staticmethod(dialog))


@pytest.fixture
def dialog(qtbot, model):
    d = BatchDialog(model, 0.5)
    qtbot.addWidget(d)
    d.show()
    yield d
    d.done(0)


def open_patients(qtbot, dialog, monkeypatch, path):
    patch_dialog(monkeypatch, "getOpenFileName", path)
    with qtbot.waitSignal(dialog.loaded, timeout=20_000) as blocker:
        dialog.open_button.click()
    return blocker.args[0]


def cell(dialog, row: int, column_name: str, role=Qt.ItemDataRole.DisplayRole):
    model = dialog.table_model
    column = [model.column_name(c) for c in range(model.columnCount())].index(column_name)
    return model.data(model.index(row, column), role)


def test_table_shows_every_predicted_patient(qtbot, dialog, monkeypatch, patients_csv, model):
    prediction = open_patients(qtbot, dialog, monkeypatch, patients_csv)
    patients = load_patients(patients_csv)
    assert dialog.table_model.rowCount() == 30
    risks = model.predict_risk(patients.X)
    for row in (0, 7, 29):
        assert cell(dialog, row, "line") == str(int(patients.lines[row]))
        assert cell(dialog, row, "risk") == f"{risks[row] * 100:.1f} %"
        assert cell(dialog, row, "decision") == ("flagged" if risks[row] >= 0.5 else "not flagged")
        assert cell(dialog, row, "cp") == schema.BY_NAME["cp"].describe_value(patients.X.at[row, "cp"])
    assert cell(dialog, 29, "chol") == "600 mg/dl"
    assert cell(dialog, 29, "out_of_range") == "Serum cholesterol"
    assert cell(dialog, 0, "out_of_range") == ""
    assert "clinic.csv" in dialog.status.text() and "30 patients predicted" in dialog.status.text()
    assert "3 rows could not be predicted" in dialog.status.text()
    assert prediction.n_rejected == 3
    assert dialog.export_button.isEnabled()


def test_a_model_on_fewer_findings_takes_a_file_with_only_those(qtbot, monkeypatch, heart, tmp_path):
    """The dialog of a model on the 8 findings of all four sites says so, and reads a file that has
    only those 8 columns (it needed all 13)."""
    few = train(heart, RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES)).model
    d = BatchDialog(few, 0.5)
    qtbot.addWidget(d)
    d.show()
    intro = " ".join(label.text() for label in d.findChildren(type(d.status)))
    assert "the 8 findings this model uses (age, sex, cp, trestbps, restecg, thalach" in intro
    path = tmp_path / "eight.csv"
    heart.X[list(schema.ALL_SITES_FEATURES)].head(20).to_csv(path, index=False)
    prediction = open_patients(qtbot, d, monkeypatch, path)
    assert prediction.n_predicted == 20 and prediction.n_rejected == 0
    risks = few.predict_risk(heart.X.head(20))
    assert cell(d, 3, "risk") == f"{risks[3] * 100:.1f} %"
    assert cell(d, 3, "ca") == "not recorded"  # the table showed a traceback for an unused NaN
    assert cell(d, 3, "cp") == schema.BY_NAME["cp"].describe_value(heart.X.at[3, "cp"])
    d.done(0)


def test_rejected_rows_are_listed_with_their_reasons(qtbot, dialog, monkeypatch, patients_csv):
    open_patients(qtbot, dialog, monkeypatch, patients_csv)
    assert dialog.rejected_box.isVisible()
    items = [dialog.rejected_list.item(i).text() for i in range(dialog.rejected_list.count())]
    assert items == [
        "Line 32: serum cholesterol (chol): 'abc' is not a number",
        "Line 33: age: is 400 years, outside the possible range 1–120 years",
        "Line 34: has 12 fields where 14 are expected (separated by commas)",
    ]
    assert "Rows not predicted (3)" in dialog.rejected_title.text()


def test_sorting_by_risk_sorts_numbers(qtbot, dialog, monkeypatch, patients_csv):
    open_patients(qtbot, dialog, monkeypatch, patients_csv)
    column = [dialog.table_model.column_name(c) for c in range(dialog.table_model.columnCount())].index(
        "risk"
    )
    dialog.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    model = dialog.table_model
    shown = [model.data(model.index(r, column), Qt.ItemDataRole.UserRole) for r in range(model.rowCount())]
    assert shown == sorted(shown, reverse=True)
    assert len(set(shown)) > 20  # really 30 different risks, not one repeated


def test_export_writes_risks_and_decisions(qtbot, dialog, monkeypatch, patients_csv, tmp_path):
    prediction = open_patients(qtbot, dialog, monkeypatch, patients_csv)
    seen: list = []
    patch_dialog(monkeypatch, "getSaveFileName", tmp_path / "out", seen)
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as blocker:
        dialog.export_button.click()
    assert blocker.args == [str(tmp_path / "out.csv")]
    assert seen[0][2].endswith("clinic-predictions.csv")  # suggested name beside the source
    written = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, na_values=[""])
    assert len(written) == 33
    np.testing.assert_array_equal(written["risk"], prediction.table["risk"])
    assert written["decision"].fillna("").tolist() == prediction.table["decision"].tolist()
    assert "Saved the predictions" in dialog.status.text()


def test_export_failure_is_explained(qtbot, dialog, monkeypatch, patients_csv, tmp_path):
    open_patients(qtbot, dialog, monkeypatch, patients_csv)
    warnings: list = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a)))
    patch_dialog(monkeypatch, "getSaveFileName", tmp_path / "missing" / "out.csv")
    with qtbot.waitSignal(dialog.export_failed, timeout=10_000):
        dialog.export_button.click()
    assert warnings and "not saved to" in warnings[0][2]
    assert dialog.export_button.isEnabled()


def test_a_bad_file_is_explained_and_the_table_kept(qtbot, dialog, monkeypatch, patients_csv, tmp_path):
    open_patients(qtbot, dialog, monkeypatch, patients_csv)
    bad = tmp_path / "notes.csv"
    bad.write_text("name,comment\nAnna,fine\n")
    warnings: list = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a)))
    patch_dialog(monkeypatch, "getOpenFileName", bad)
    with qtbot.waitSignal(dialog.load_failed, timeout=10_000) as blocker:
        dialog.open_button.click()
    assert "unknown column" in blocker.args[0]
    assert warnings and warnings[0][1] == "Cannot use this patients file"
    assert dialog.table_model.rowCount() == 30
    assert (
        "Could not use notes.csv" in dialog.status.text()
        and "clinic.csv is still shown" in dialog.status.text()
    )
    assert dialog.open_button.isEnabled()


def test_loading_does_not_block_and_closing_mid_load_is_safe(qtbot, model, patients_csv):
    d = BatchDialog(model, 1 / 6)
    qtbot.addWidget(d)
    d.open_file(patients_csv)
    assert d.running_jobs() <= 1 and not d.open_button.isEnabled()
    d.done(0)  # the job lives on without the dialog
    qtbot.waitUntil(lambda: not workers._ORPHANED_JOBS, timeout=20_000)


def test_cancelled_file_dialog_changes_nothing(qtbot, dialog, monkeypatch):
    patch_dialog(monkeypatch, "getOpenFileName", "")
    dialog.open_button.click()
    assert dialog.running_jobs() == 0 and dialog.prediction is None
    assert not dialog.export_button.isEnabled()


def test_render_for_a_look(qtbot, dialog, monkeypatch, patients_csv, tmp_path_factory):
    open_patients(qtbot, dialog, monkeypatch, patients_csv)
    dialog.resize(PREFERRED_SIZE)  # as on a screen with room (the offscreen one is 800 wide)
    image = dialog.grab()
    assert not image.isNull() and image.width() >= 900
    out = tmp_path_factory.getbasetemp() / "batch_dialog.png"
    assert image.save(str(out))
