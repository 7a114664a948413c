"""Results and Predict after training; saving a model and opening it again from the window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from heartgui.gui.main_window import MODEL_FILTER, PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN


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
