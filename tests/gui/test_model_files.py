"""Results and Predict after training; saving a model and opening it again from the window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from heartgui.gui.main_window import (
    MODEL_FILTER,
    PAGE_DATA,
    PAGE_NETWORK,
    PAGE_PREDICT,
    PAGE_RESULTS,
    PAGE_TRAIN,
)


@pytest.fixture
def trained(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    index = window.train_page.preset.findData("tutorial")
    window.train_page.preset.setCurrentIndex(index)
    window.train_page.preset.activated.emit(index)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_action.trigger()
    return window, blocker.args[0]


def patch_dialog(monkeypatch, name, path, seen=None):
    def dialog(parent, caption, folder, filters):
        if seen is not None:
            seen.append((folder, filters))
        return str(path), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, name, staticmethod(dialog))


def test_training_fills_results_and_predict(trained):
    window, result = trained
    assert window.page_enabled(PAGE_RESULTS) and window.page_enabled(PAGE_PREDICT)
    assert window.results_page.result is result
    assert window.predict_page.model is result.model
    assert window.predict_page.threshold == result.settings.threshold
    assert window.save_model_action.isEnabled()


def test_threshold_from_results_reaches_predict(trained):
    window, _ = trained
    window.results_page.threshold_changed.emit(0.25)
    assert window.predict_page.threshold == 0.25


def test_save_then_open_the_model(trained, qtbot, tmp_path, monkeypatch, heart, isolated_settings):
    window, result = trained
    seen = []
    patch_dialog(monkeypatch, "getSaveFileName", tmp_path / "my-model", seen)
    window.save_model_action.trigger()
    saved = tmp_path / "my-model.heartmodel"  # the suffix is added when the student leaves it out
    assert saved.is_file()
    assert seen[0][1] == MODEL_FILTER
    assert "Saved the model" in window.statusBar().currentMessage()

    from heartgui.gui.main_window import MainWindow

    fresh = MainWindow()  # no data at all
    qtbot.addWidget(fresh)
    fresh.finish_startup()
    patch_dialog(monkeypatch, "getOpenFileName", saved)
    with qtbot.waitSignal(fresh.model_opened, timeout=10_000) as blocker:
        fresh.open_model_action.trigger()
    opened = blocker.args[0]
    assert opened.settings == result.settings
    assert opened.data_name == "heart.dat"
    assert opened.data_sha256 == heart.provenance.sha256
    assert fresh.page_enabled(PAGE_PREDICT)
    assert not fresh.page_enabled(PAGE_TRAIN) and not fresh.page_enabled(PAGE_RESULTS)
    assert fresh.stack.currentIndex() == PAGE_PREDICT
    assert fresh.predict_page.model is opened.model
    np.testing.assert_allclose(
        opened.model.predict_risk(heart.X), result.model.predict_risk(heart.X), rtol=1e-12
    )
    assert "heart.dat" in fresh.statusBar().currentMessage()


def test_corrupted_model_file_changes_nothing(trained, tmp_path, monkeypatch):
    window, result = trained
    broken = tmp_path / "broken.heartmodel"
    broken.write_bytes(b"PK\x03\x04 this is not a model")
    shown = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    patch_dialog(monkeypatch, "getOpenFileName", broken)
    window.open_model_action.trigger()
    assert len(shown) == 1 and "broken.heartmodel" in shown[0]
    assert window.model is result.model
    assert window.results_page.result is result
    assert window.predict_page.model is result.model
    assert "nothing was changed" in window.statusBar().currentMessage()


def test_save_failure_is_explained(trained, tmp_path, monkeypatch):
    window, _ = trained
    shown = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    patch_dialog(monkeypatch, "getSaveFileName", tmp_path / "no-such-folder" / "model.heartmodel")
    window.save_model_action.trigger()
    assert len(shown) == 1 and "not saved" in shown[0]


# --------------------------------------------------------------------------------------------------
# which data a model belongs to


def save_to(window, monkeypatch, path):
    patch_dialog(monkeypatch, "getSaveFileName", path)
    window.save_model_action.trigger()
    assert path.is_file()
    return path


def test_a_model_opened_on_its_own_data_gets_its_results_back(
    trained, qtbot, tmp_path, monkeypatch, open_file, heart_dat
):
    window, result = trained
    path = save_to(window, monkeypatch, tmp_path / "own-data.heartmodel")
    from heartgui.gui.main_window import MainWindow

    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.show()
    fresh.finish_startup()
    open_file(fresh, heart_dat)
    assert fresh.open_model(path)
    rebuilt = fresh.results_page.result
    assert rebuilt is not None and fresh.page_enabled(PAGE_RESULTS)
    # The same test patients (file lines) and so the same figures as when it was trained.
    np.testing.assert_array_equal(rebuilt.split.lines_test, result.split.lines_test)
    np.testing.assert_array_equal(rebuilt.test_risk, result.test_risk)
    assert rebuilt.test_metrics == result.test_metrics
    assert rebuilt.stop_reason == "opened"
    message = fresh.statusBar().currentMessage()
    assert (
        "its 54 test patients were set aside again from the split seed and test fraction it records"
        in message
    )
    fresh.show_page(PAGE_RESULTS)  # (the page fills its figures when shown)
    epochs = fresh.results_page.findChild(QLabel, "epochs_value").text()
    assert epochs.startswith("Opened from a model file, which does not record how its training went.")
    assert "test fraction (0.2) and split seed (2)" in epochs
    assert fresh.results_page.threshold_panel.origin.text().startswith("16.7 % = 1/(1+5)")
    assert not fresh.training_report_action.isEnabled()  # no loss curve to report
    assert fresh.model_note.isHidden()  # its own data: nothing to warn about
    fresh.close()


def test_a_model_of_another_file_says_so_on_every_page_that_shows_it(trained, open_file, shared_data, qtbot):
    window, result = trained
    open_file(window, shared_data / "processed.cleveland.data")
    assert window.results_page.result is result  # still shown ...
    expected = (
        "⚠ This model was trained on heart.dat, not on processed.cleveland.data, the data now loaded. "
        "The figures on Results are for heart.dat's test patients. "
        "Press Start on the Train page for a model of processed.cleveland.data."
    )
    for page in (PAGE_RESULTS, PAGE_PREDICT, PAGE_NETWORK):  # ... but never without saying whose it is
        window.show_page(page)
        assert window.model_note.isVisible() and window.model_note.text() == expected
    for page in (PAGE_DATA, PAGE_TRAIN):
        window.show_page(page)
        assert not window.model_note.isVisible()
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_action.trigger()
    window.show_page(PAGE_RESULTS)
    assert not window.model_note.isVisible()  # a model of the data loaded


def test_a_model_opened_beside_other_data_has_no_results_and_names_its_file(
    trained, open_file, shared_data, qtbot, tmp_path, monkeypatch
):
    window, _ = trained
    path = save_to(window, monkeypatch, tmp_path / "heart.heartmodel")
    open_file(window, shared_data / "processed.cleveland.data")
    assert window.open_model(path)
    assert window.results_page.result is None and not window.page_enabled(PAGE_RESULTS)
    assert "It has no Results here: it was not trained on processed.cleveland.data." in (
        window.statusBar().currentMessage()
    )
    window.show_page(PAGE_PREDICT)
    assert window.model_note.isVisible()
    assert window.model_note.text().startswith("⚠ This model was trained on heart.dat, not on processed")


def test_the_data_of_an_opened_model_loaded_afterwards_brings_its_results(
    trained, qtbot, tmp_path, monkeypatch, open_file, heart_dat
):
    window, result = trained
    path = save_to(window, monkeypatch, tmp_path / "first-the-model.heartmodel")
    from heartgui.gui.main_window import MainWindow

    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.show()
    fresh.finish_startup()
    assert fresh.open_model(path)  # no data yet: no Results
    assert fresh.result is None and not fresh.page_enabled(PAGE_RESULTS)
    open_file(fresh, heart_dat)
    assert fresh.page_enabled(PAGE_RESULTS)
    np.testing.assert_array_equal(fresh.results_page.result.test_risk, result.test_risk)
    assert "its 54 test patients were set aside again" in fresh.statusBar().currentMessage()
    fresh.close()
