"""Every save of the window refuses to write over the data or model in use, and asks before replacing a
file of another kind.

The window trains on a copy of heart.dat in the test's folder (so a failing test can only destroy the
copy); each save goes through its real menu action or button, with the file dialog patched to answer a
path and the message boxes recorded (answering as the test says).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from heartgui.core.presets import RECOMMENDED
from heartgui.gui import report_actions
from heartgui.gui.batch_dialog import BatchDialog
from tests.gui.hosting import patch_save_dialog

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


class Boxes:
    """QMessageBox.warning and .question recorded; questions answered with ``answer``."""

    def __init__(self, monkeypatch) -> None:
        self.warnings: list[tuple] = []
        self.questions: list[tuple] = []
        self.answer = No
        monkeypatch.setattr(QMessageBox, "warning", staticmethod(self._warning))
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self._question))

    def _warning(self, *args, **kwargs):
        self.warnings.append(args)
        return QMessageBox.StandardButton.Ok

    def _question(self, *args, **kwargs):
        self.questions.append(args)
        return self.answer


@pytest.fixture
def boxes(monkeypatch) -> Boxes:
    return Boxes(monkeypatch)


@pytest.fixture
def data_copy(tmp_path, heart_dat) -> Path:
    path = tmp_path / "data" / "heart.dat"
    path.parent.mkdir()
    shutil.copyfile(heart_dat, path)
    return path


@pytest.fixture
def trained(window, open_file, data_copy, qtbot):
    open_file(window, data_copy)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=50))
    return window


def wait_reports(qtbot) -> None:
    qtbot.waitUntil(lambda: not report_actions._RUNNING, timeout=30_000)


def refused(boxes: Boxes, path: Path) -> bool:
    return len(boxes.warnings) == 1 and str(path) in boxes.warnings[0][2]


# --------------------------------------------------------------------------------------------------
# never over the data file or the model in use


@pytest.mark.parametrize("action", ["save_model_action", "training_report_action", "patient_report_action"])
def test_no_save_writes_over_the_data_file_loaded(trained, data_copy, boxes, monkeypatch, qtbot, action):
    before = data_copy.read_bytes()
    patch_save_dialog(monkeypatch, data_copy)
    getattr(trained, action).trigger()
    wait_reports(qtbot)
    assert data_copy.read_bytes() == before
    assert refused(boxes, data_copy), boxes.warnings
    assert "data file" in boxes.warnings[0][2]
    assert boxes.questions == []  # refused, not asked: there is no "yes" to this


def test_the_same_file_by_another_name_is_refused_too(trained, data_copy, boxes, monkeypatch):
    before = data_copy.read_bytes()
    other_name = data_copy.parent / ".." / "data" / "heart.dat"
    patch_save_dialog(monkeypatch, other_name)
    trained.save_model_action.trigger()
    assert data_copy.read_bytes() == before
    assert len(boxes.warnings) == 1


def test_the_data_the_model_was_trained_on_stays_protected_after_another_file_opens(
    trained, data_copy, open_file, shared_data, boxes, monkeypatch, qtbot
):
    open_file(trained, shared_data / "processed.cleveland.data")
    before = data_copy.read_bytes()
    patch_save_dialog(monkeypatch, data_copy)
    trained.training_report_action.trigger()
    wait_reports(qtbot)
    assert data_copy.read_bytes() == before
    assert refused(boxes, data_copy)


def test_no_save_writes_over_the_model_file_opened(trained, tmp_path, boxes, monkeypatch, qtbot):
    model_path = tmp_path / "m.heartmodel"
    patch_save_dialog(monkeypatch, model_path)
    trained.save_model_action.trigger()
    assert model_path.is_file() and boxes.warnings == []
    with qtbot.waitSignal(trained.model_opened, timeout=10_000):
        assert trained.open_model(model_path)
    before = model_path.read_bytes()
    patch_save_dialog(monkeypatch, model_path)
    trained.patient_report_action.trigger()
    wait_reports(qtbot)
    assert model_path.read_bytes() == before
    assert refused(boxes, model_path) and "model" in boxes.warnings[0][2]


def test_the_plot_picture_asks_before_replacing_a_file_that_is_not_a_picture(
    trained, tmp_path, boxes, monkeypatch
):
    essay = tmp_path / "essay.pdf"
    essay.write_text("my essay, not a PDF at all")
    patch_save_dialog(monkeypatch, essay)
    trained.train_page.plot.toolbar.save_action.trigger()
    assert essay.read_text() == "my essay, not a PDF at all"
    assert len(boxes.questions) == 1 and boxes.warnings == []


def test_the_export_is_not_saved_over_the_patients_file_or_the_data(
    trained, data_copy, tmp_path, heart_dat, boxes, monkeypatch, qtbot
):
    patients = tmp_path / "clinic.csv"
    rows = [",".join(line.split()) for line in heart_dat.read_text().splitlines()[:20]]
    header = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,class"
    patients.write_text("\n".join([header, *rows]) + "\n")
    dialog = BatchDialog(trained.model, trained.threshold, parent=trained)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        with qtbot.waitSignal(dialog.loaded, timeout=30_000):
            dialog.open_file(patients)
        for target in (patients, data_copy):
            before = target.read_bytes()
            boxes.warnings.clear()
            patch_save_dialog(monkeypatch, target)
            dialog.export_button.click()
            assert dialog.running_jobs() == 0
            assert target.read_bytes() == before
            assert refused(boxes, target), (target, boxes.warnings)
    finally:
        dialog.done(0)


# --------------------------------------------------------------------------------------------------
# another kind of file: only when the user says so


def test_a_model_over_a_pdf_asks_first(trained, tmp_path, boxes, monkeypatch):
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4 the student's notes")
    patch_save_dialog(monkeypatch, pdf)
    boxes.answer = No
    trained.save_model_action.trigger()
    assert pdf.read_bytes() == b"%PDF-1.4 the student's notes"
    assert len(boxes.questions) == 1 and str(pdf) in boxes.questions[0][2]
    boxes.answer = Yes
    trained.save_model_action.trigger()
    assert pdf.read_bytes()[:2] == b"PK"  # the user said so: a model (a NumPy zip) now
    assert boxes.warnings == []


def test_a_report_over_a_model_file_asks_first(trained, tmp_path, boxes, monkeypatch, qtbot):
    model_path = tmp_path / "m.heartmodel"
    patch_save_dialog(monkeypatch, model_path)
    trained.save_model_action.trigger()
    before = model_path.read_bytes()
    patch_save_dialog(monkeypatch, model_path)
    boxes.answer = No
    trained.training_report_action.trigger()
    wait_reports(qtbot)
    assert model_path.read_bytes() == before
    assert len(boxes.questions) == 1


def test_a_pdf_named_pdf_that_is_not_one_asks_first(trained, tmp_path, boxes, monkeypatch, qtbot):
    fake = tmp_path / "essay.pdf"
    fake.write_text("my essay, not a PDF at all")
    patch_save_dialog(monkeypatch, fake)
    trained.training_report_action.trigger()
    wait_reports(qtbot)
    assert fake.read_text() == "my essay, not a PDF at all"
    assert len(boxes.questions) == 1


def test_replacing_a_file_of_the_same_kind_needs_no_extra_question(
    trained, tmp_path, boxes, monkeypatch, qtbot
):
    model_path = tmp_path / "m.heartmodel"
    patch_save_dialog(monkeypatch, model_path)
    trained.save_model_action.trigger()
    trained.save_model_action.trigger()  # the file dialog itself asked "replace?"
    report = tmp_path / "r.pdf"
    patch_save_dialog(monkeypatch, report)
    trained.training_report_action.trigger()
    wait_reports(qtbot)
    trained.training_report_action.trigger()
    wait_reports(qtbot)
    assert report.read_bytes()[:4] == b"%PDF"
    assert boxes.questions == [] and boxes.warnings == []


def test_a_folder_is_refused(trained, tmp_path, boxes, monkeypatch):
    folder = tmp_path / "a-folder.heartmodel"
    folder.mkdir()
    patch_save_dialog(monkeypatch, folder)
    trained.save_model_action.trigger()
    assert folder.is_dir()
    assert refused(boxes, folder)
