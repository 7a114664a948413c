"""Saving PDF reports from the window: a patched file dialog, a worker, a PDF pypdf can open."""

from __future__ import annotations

import pypdf
import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.report_actions import save_patient_report, save_training_report


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    qtbot.addWidget(w)
    w.show()
    return w


def patch_save(monkeypatch, path, seen: list):
    def dialog(*args, **kwargs):
        seen.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))


def test_training_report_is_written_in_a_worker(qtbot, window, result, heart, monkeypatch, tmp_path):
    seen: list = []
    patch_save(monkeypatch, tmp_path / "report", seen)
    job = save_training_report(window, result, heart.provenance)
    assert job is not None
    assert job.is_running() or (tmp_path / "report.pdf").exists()
    assert window.statusBar().currentMessage() == "Writing the training report…"
    with qtbot.waitSignal(job.saved, timeout=30_000) as blocker:
        pass
    assert blocker.args == [str(tmp_path / "report.pdf")]
    assert seen[0][2].endswith("training-report-heart.pdf")
    reader = pypdf.PdfReader(tmp_path / "report.pdf")
    assert len(reader.pages) >= 6 and "23a Model performance" in "".join(
        p.extract_text() for p in reader.pages
    )
    qtbot.waitUntil(lambda: "Saved the training report" in window.statusBar().currentMessage())


def test_patient_report_is_written(qtbot, window, result, heart, monkeypatch, tmp_path):
    seen: list = []
    patch_save(monkeypatch, tmp_path / "anna.pdf", seen)
    patient = heart.row(5)
    job = save_patient_report(window, result.model, patient, 0.5, settings=result.settings)
    assert job is not None
    patient["age"] = 1.0  # the form changing afterwards does not change the report
    with qtbot.waitSignal(job.saved, timeout=30_000):
        pass
    text = pypdf.PdfReader(tmp_path / "anna.pdf").pages[0].extract_text()
    assert f"{heart.row(5)['age']:.0f} years" in text
    assert seen[0][2].endswith("patient-report.pdf")


def test_cancel_writes_nothing(window, result, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert save_training_report(window, result) is None


def test_failure_is_explained(qtbot, window, result, monkeypatch, tmp_path):
    warnings: list = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a)))
    patch_save(monkeypatch, tmp_path / "missing" / "r.pdf", [])
    job = save_training_report(window, result)
    with qtbot.waitSignal(job.failed, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: bool(warnings))
    assert warnings[0][1] == "Cannot save the training report"
    assert str(tmp_path / "missing" / "r.pdf") in warnings[0][2]
    assert window.statusBar().currentMessage() == "The training report was not saved."
