"""Training from the window: worker thread, live plot, stop, divergence, closing mid-run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.gui.main_window import PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN
from heartgui.gui.pages.train_page import parse_layers

#: The tutorial's final training loss on heart.dat (pinned by the core's tests).
TUTORIAL_FINAL_LOSS = 0.2783107364


@pytest.fixture
def loaded(window, open_file, heart_dat):
    open_file(window, heart_dat)
    return window


def choose_preset(page, key):
    index = page.preset.findData(key)
    page.preset.setCurrentIndex(index)
    page.preset.activated.emit(index)


def train(window, qtbot, timeout=60_000):
    with qtbot.waitSignal(window.training_finished, timeout=timeout) as blocker:
        window.start_action.trigger()  # F5
    return blocker.args[0]


def test_tutorial_preset_reproduces_the_core(loaded, qtbot):
    page = loaded.train_page
    choose_preset(page, "tutorial")
    assert page.settings() == TUTORIAL
    result = train(loaded, qtbot)
    assert result.settings == TUTORIAL
    assert result.epochs_run == 100
    assert result.final_train_loss == pytest.approx(TUTORIAL_FINAL_LOSS, abs=1e-10)
    x, y = page.plot.train_line.get_data()
    assert list(x) == list(range(1, 101))  # exactly one point per epoch reported
    np.testing.assert_array_equal(y, result.loss_curve)
    assert not page.plot.validation_line.get_visible()
    assert page.progress.value() == 100
    assert "finished after 100 epochs" in loaded.statusBar().currentMessage()
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert loaded.model is result.model


def test_validation_curve_is_drawn(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED.replace(validation_fraction=0.2, epochs=150))
    result = train(loaded, qtbot)
    x, y = page.plot.validation_line.get_data()
    assert len(x) == result.epochs_run == 150
    np.testing.assert_array_equal(y, result.validation_loss_curve)


def test_stop_keeps_the_weights_reached(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED.replace(epochs=20_000))
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
        assert loaded.training and not loaded.start_action.isEnabled()
        qtbot.waitUntil(lambda: len(page.plot.epochs) >= 100, timeout=30_000)
        loaded.stop_action.trigger()  # Esc
    result = blocker.args[0]
    assert result.stopped_early
    assert 100 <= result.epochs_run < 20_000
    assert len(page.plot.train_line.get_xdata()) == result.epochs_run
    assert "stopped after" in loaded.statusBar().currentMessage()
    assert loaded.model is result.model


def test_closing_during_training_stops_the_thread(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    window.train_page.set_settings(RECOMMENDED.replace(epochs=100_000))
    window.start_action.trigger()
    qtbot.waitUntil(lambda: len(window.train_page.plot.epochs) >= 50, timeout=30_000)
    jobs = list(window._jobs.values())
    assert any(job.is_running() for job in jobs)
    window.close()  # a "QThread: Destroyed while thread is still running" warning would fail the test
    assert not any(job.qthread.isRunning() for job in jobs)
    assert len(window.train_page.plot.epochs) < 100_000


def test_too_high_learning_rate_fails_calmly_and_app_stays_usable(loaded, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    page = loaded.train_page
    choose_preset(page, "tutorial")
    page.learning_rate.setValue(10.0)
    assert page.preset.currentData() == "custom"
    with qtbot.waitSignal(loaded.training_failed, timeout=60_000) as blocker:
        loaded.start_action.trigger()
    assert "learning rate" in blocker.args[0] and "too high" in blocker.args[0]
    assert shown == [blocker.args[0]]
    assert "too high" in page.status.text()
    assert not loaded.training and page.start_button.isEnabled()
    assert not loaded.page_enabled(PAGE_RESULTS) and not loaded.page_enabled(PAGE_PREDICT)

    page.learning_rate.setValue(0.001)
    result = train(loaded, qtbot)
    assert result.final_train_loss == pytest.approx(TUTORIAL_FINAL_LOSS, abs=1e-10)


def test_signals_from_stale_runs_are_ignored(loaded, qtbot):
    page = loaded.train_page
    choose_preset(page, "tutorial")
    first = train(loaded, qtbot)
    points = len(page.plot.epochs)
    stale = loaded._next_run_id - 1  # the load job's id: not the current training run
    loaded._on_training_progressed(stale, ())
    loaded._on_training_finished(stale, object())
    loaded._on_training_failed(stale, "old news")
    assert loaded.result is first
    assert len(page.plot.epochs) == points
    assert "old news" not in page.status.text()


def test_editing_a_field_makes_the_settings_custom(loaded):
    page = loaded.train_page
    choose_preset(page, "recommended")
    assert page.settings() == RECOMMENDED
    page.epochs.setValue(500)
    assert page.preset.currentData() == "custom"
    assert page.settings() == RECOMMENDED.replace(epochs=500)
    page.reset_button.click()
    assert page.settings() == RECOMMENDED


def test_invalid_values_cannot_be_entered(loaded, qtbot):
    page = loaded.train_page
    page.layers.clear()
    qtbot.keyClicks(page.layers, "16,x8")
    assert page.layers.text() == "16,8"
    page.layers.setText("16,")
    page.layers.textEdited.emit("16,")
    assert not page.layers.hasAcceptableInput() and not page.start_button.isEnabled()
    page.layers.setText("16, 8")
    page.layers.textEdited.emit("16, 8")
    assert page.start_button.isEnabled()
    assert page.settings().hidden_layers == (16, 8)
    assert parse_layers("8") == (8,)
    for box, low, high in (
        (page.learning_rate, 1e-5, 10),
        (page.test_size, 0.1, 0.5),
        (page.validation, 0, 0.4),
    ):
        box.setValue(high * 100)
        assert box.value() == pytest.approx(high)
        box.setValue(-1)
        assert box.value() == pytest.approx(low)
    page.epochs.setValue(10**9)
    assert page.epochs.value() == 100_000


def test_last_settings_are_remembered(window, open_file, heart_dat, qtbot):
    from heartgui.gui.main_window import MainWindow

    window.train_page.set_settings(RECOMMENDED.replace(epochs=1234, hidden_layers=(16, 8)))
    window.train_page.seed.setValue(7)  # an edit by the student is saved at once
    second = MainWindow()
    qtbot.addWidget(second)
    second.finish_startup()
    assert second.train_page.settings() == RECOMMENDED.replace(epochs=1234, hidden_layers=(16, 8), seed=7)


def test_train_page_needs_data(window):
    assert not window.page_enabled(PAGE_TRAIN)
    assert not window.train_page.start_button.isEnabled()
    assert not window.start_action.isEnabled()
