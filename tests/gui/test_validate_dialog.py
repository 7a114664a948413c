"""“Validate on another file…”: a heart.dat model taken to the Cleveland file, which holds all its
patients."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox
from sklearn.metrics import roc_auc_score

from heartgui.core.dataset import load_dataset
from heartgui.core.overlap import PatientFingerprints, fingerprints
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui import workers
from heartgui.gui.validate_dialog import ValidateDialog


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture(scope="module")
def cleveland(shared_data):
    """Cleveland's patients with all 13 findings (the others are left out, with their reasons)."""
    return load_dataset(shared_data / "processed.cleveland.data").complete()


@pytest.fixture
def dialogs():
    """Every dialog a test made is closed as the window closes it (``done``: a job still finishing its
    thread is kept alive without the dialog), never just dropped with a thread running."""
    made: list[ValidateDialog] = []
    yield made
    for d in made:
        d.done(0)
    made.clear()


def _dialog(qtbot, dialogs, result, prints, sha=None) -> ValidateDialog:
    d = ValidateDialog(result.model, 1 / 6, prints, sha)
    qtbot.addWidget(d)
    dialogs.append(d)
    d.resize(1280, 720)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_the_overlap_is_said_before_the_figures_and_only_new_patients_count(
    qtbot, dialogs, result, heart, cleveland, shared_data, tmp_path
):
    split = result.split
    d = _dialog(qtbot, dialogs, result, PatientFingerprints.of(split.X_train, split.X_test))
    order: list[str] = []
    d.overlap_said.connect(lambda text: order.append("overlap"))
    d.validated.connect(lambda v: order.append("figures"))
    with qtbot.waitSignal(d.validated, timeout=60_000) as blocker:
        d.open_file(shared_data / "processed.cleveland.data")
    assert order == ["overlap", "figures"]
    v = blocker.args[0]
    # Independently: Cleveland's complete rows that are not among heart.dat's 270 patients.
    unseen = np.array([f not in set(fingerprints(heart.X)) for f in fingerprints(cleveland.X)])
    assert unseen.sum() == 27 == v.unseen.n
    assert "270 of these 297 patients" in d.warning.text() and d.warning.isVisible()
    table = d.figures_table
    assert table.horizontalHeaderItem(0).text() == "New to the model (27)"
    assert "not a validation" in table.horizontalHeaderItem(1).text()
    auc = roc_auc_score(np.asarray(cleveland.y)[unseen], result.model.predict_risk(cleveland.X[unseen]))
    row = [table.verticalHeaderItem(i).text() for i in range(table.rowCount())].index("ROC AUC")
    assert table.item(row, 0).text().startswith(f"{auc:.3f}")
    assert "no longer a validation" in d.recalibration_words.text()
    assert d.tabs.tabText(4) == f"Rows left out ({len(cleveland.provenance.dropped)})"
    lines = [d.left_out_list.item(i).text() for i in range(d.left_out_list.count())]
    assert lines[0].startswith(f"line {cleveland.provenance.dropped[0].line}:")
    assert d.decision.sentence.text().startswith("At a threshold of 16.7 %")

    # The warning gets its whole wrapped height (once Qt has laid the dialog out again).
    def laid_out() -> bool:
        fits = d.warning.height() >= d.warning.heightForWidth(d.warning.width())
        return fits and d.warning.geometry().bottom() < d.tabs.geometry().top()

    qtbot.waitUntil(laid_out, timeout=5_000)
    for tab in range(d.tabs.count()):  # look at every view as a student would
        d.tabs.setCurrentIndex(tab)
        d.grab().save(str(tmp_path / f"validate-{tab}.png"))


def test_a_model_that_does_not_record_its_patients_says_it_cannot_check(qtbot, dialogs, result, shared_data):
    d = _dialog(qtbot, dialogs, result, None)
    said: list[str] = []
    d.overlap_said.connect(said.append)
    with qtbot.waitSignal(d.validated, timeout=60_000):
        d.open_file(shared_data / "processed.cleveland.data")
    assert "cannot check" in said[0]
    assert d.figures_table.horizontalHeaderItem(0).text() == "All scored (297; overlap not checked)"
    assert "heart.dat is part of the Cleveland file" in d.warning.text()


def test_the_models_own_file_is_not_another_hospital(qtbot, dialogs, result, heart, heart_dat):
    split = result.split
    d = _dialog(
        qtbot, dialogs, result, PatientFingerprints.of(split.X_train, split.X_test), heart.provenance.sha256
    )
    with qtbot.waitSignal(d.validated, timeout=60_000):
        d.open_file(heart_dat)
    assert "the very file the model was made from" in d.warning.text()
    assert "nothing to validate it on" in d.readings.text()


def test_a_bad_file_is_said_and_nothing_changes(qtbot, dialogs, result, tmp_path, monkeypatch):
    bad = tmp_path / "bad.dat"
    bad.write_text("1 2 3\n")
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a[2])))
    d = _dialog(qtbot, dialogs, result, None)
    with qtbot.waitSignal(d.validate_failed, timeout=30_000) as blocker:
        d.open_file(bad)
    assert "bad.dat" in blocker.args[0] and warned == [blocker.args[0]]
    assert d.validation is None and not d.tabs.isVisible() and d.open_button.isEnabled()


def test_closing_while_scoring_is_safe(qtbot, dialogs, result, shared_data):
    d = _dialog(qtbot, dialogs, result, None)
    d.open_file(shared_data / "processed.cleveland.data")
    d.done(0)  # the job lives on without the dialog, then is disposed of
    qtbot.waitUntil(lambda: not workers._ORPHANED_JOBS, timeout=60_000)


def test_the_window_validates_its_model_with_the_patients_it_was_made_from(
    qtbot, window, open_file, heart_dat, monkeypatch
):
    seen: list[ValidateDialog] = []
    monkeypatch.setattr(ValidateDialog, "exec", lambda self: seen.append(self) or 0)
    open_file(window, heart_dat)
    assert not window.validate_action.isEnabled()  # no model yet
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(RECOMMENDED.replace(epochs=50))
    assert window.validate_action.isEnabled()
    window.validate_action.trigger()
    prints = seen[0].fingerprints
    split = blocker.args[0].split
    assert len(prints.train) == len(split.y_train) and len(prints.test) == len(split.y_test)
    assert seen[0].threshold == window.threshold
    seen[0].done(0)
