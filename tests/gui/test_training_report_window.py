"""The training report saved from the window describes the run: its data file and one threshold.

Train on heart.dat, then open processed.cleveland.data (the run's model stays), move the Results page's
threshold to the cost-optimal 1/6, and save the training report from the File menu: the PDF (read with
pypdf) names heart.dat and its fingerprint, never the file opened afterwards, and every figure in it is
at 16.7 % — the 50 % the run was trained with appears nowhere.
"""

from __future__ import annotations

import pypdf
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from heartgui.core.evaluation import evaluate
from heartgui.core.presets import RECOMMENDED
from heartgui.gui import report_actions


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch):
    shown: list = []
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(
            QMessageBox, name, staticmethod(lambda *a, **k: shown.append(a) or QMessageBox.StandardButton.Ok)
        )
    yield shown
    assert not shown, f"unexpected message boxes: {shown}"


def _text(path) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_report_names_the_trained_data_and_one_threshold(
    window, open_file, heart_dat, shared_data, heart, qtbot, monkeypatch, tmp_path
):
    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(RECOMMENDED)
    result = blocker.args[0]
    cleveland = open_file(window, shared_data / "processed.cleveland.data")
    assert window.dataset is cleveland and window.result is result
    with qtbot.waitSignal(window.results_page.threshold_changed, timeout=5_000):
        window.results_page.set_threshold(1 / 6)
    assert window.threshold == pytest.approx(1 / 6)

    target = tmp_path / "training.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    window.training_report_action.trigger()
    qtbot.waitUntil(
        lambda: "Saved the training report" in window.statusBar().currentMessage(), timeout=60_000
    )
    qtbot.waitUntil(lambda: not report_actions._RUNNING, timeout=10_000)
    text = _text(target)

    # Provenance: the run's file, not the one open now.
    assert "heart.dat" in text and heart.provenance.sha256[:16] in text
    assert "processed.cleveland" not in text  # (the citation names the Cleveland Clinic)
    assert cleveland.provenance.sha256[:16] not in text
    assert "270 read, 270 used, 0 dropped" in text

    # One threshold, named once with where it comes from; every figure at it.
    # (a subgroup's sensitivity may be 50 %: that is a figure, not a threshold)
    assert "50 % or more" not in text and "threshold 50 %" not in text and "(50 %)" not in text
    assert "threshold 16.7 %" in text  # the ROC point's legend
    assert "16.7 % or more (the threshold chosen on the Results page)" in text
    split = result.split
    at_chosen = evaluate(split.y_test, result.test_risk, 1 / 6)
    on_train = evaluate(split.y_train, result.model.predict_risk(split.X_train), 1 / 6)
    assert f"Accuracy on test patients {at_chosen.accuracy * 100:.1f} %" in text
    assert f"Accuracy on training patients {on_train.accuracy * 100:.1f} %" in text
    assert f"Sensitivity (disease caught) {at_chosen.sensitivity * 100:.1f} %" in text
