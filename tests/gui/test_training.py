"""Training from the window: worker thread, live plot, stop, divergence, closing mid-run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.gui.main_window import PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN
from heartgui.gui.pages.train_page import PATIENCE_NEEDS_VALIDATION, parse_layers
from heartgui.gui.widgets.loss_plot import TEST_LABEL

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
    # The tutorial's run, decided at the window's threshold (the cost-optimal 1/6, not the preset's 50 %).
    assert result.settings == TUTORIAL.replace(threshold=1 / 6, preset="tutorial")
    assert result.epochs_run == 100
    assert result.final_train_loss == pytest.approx(TUTORIAL_FINAL_LOSS, abs=1e-10)
    x, y = page.plot.train_line.get_data()
    assert list(x) == list(range(1, 101))  # exactly one point per epoch reported
    np.testing.assert_array_equal(y, result.loss_curve)
    # No validation patients: the test patients' loss is the held-out curve, labelled as such.
    assert page.plot.validation_line.get_visible()
    np.testing.assert_array_equal(page.plot.validation_line.get_ydata(), result.test_loss_curve)
    assert page.progress.value() == 100
    assert page.progress.format() == "Epoch 100 of 100 — done"
    assert page.plot.kept_epoch == 0  # the last weights: nothing to mark
    assert (
        loaded.statusBar()
        .currentMessage()
        .startswith(f"Finished all 100 epochs: final training loss {result.final_train_loss:.5f}.")
    )
    assert page.plot._legend_entries() == ("training loss", TEST_LABEL)
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
    assert result.stopped_early and result.stop_reason == "stopped"
    assert 100 <= result.epochs_run < 20_000
    assert len(page.plot.train_line.get_xdata()) == result.epochs_run
    ran = f"{result.epochs_run:,}"
    # Said as a Stop, not as "done", with the epoch the plot ends at.
    assert page.progress.format() == f"Stopped by you at epoch {ran} of 20,000"
    assert page.progress.value() == result.epochs_run == page.plot.epochs[-1]
    assert page.status.text().startswith(
        f"Stopped by you at epoch {ran} of 20,000. The model keeps the weights reached."
    )
    assert loaded.statusBar().currentMessage().startswith(f"Stopped by you at epoch {ran} of 20,000.")
    assert loaded.model is result.model


#: Early stopping that stops after about 76 epochs on heart.dat (the validation loss is lowest at ~56).
EARLY_STOPPING = RECOMMENDED.replace(
    validation_fraction=0.2, patience=20, epochs=3000, l2=0.0, learning_rate=1.0
)


def test_early_stopping_says_so_and_which_epochs_weights_were_kept(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(EARLY_STOPPING)
    result = train(loaded, qtbot)
    kept = int(np.argmin(result.validation_loss_curve)) + 1
    assert result.stop_reason == "early-stopping" and result.kept_epoch == kept
    ran = result.epochs_run
    assert ran == kept + 20
    assert page.progress.format() == f"Early stopping at epoch {ran} of 3,000 — weights of epoch {kept} kept"
    assert page.progress.value() == ran == page.plot.epochs[-1]
    words = (
        f"Early stopping at epoch {ran} of 3,000: the validation loss had not improved for 20 epochs. "
        f"The model keeps the weights of epoch {kept}, which had the lowest validation loss "
        f"({result.validation_loss_curve[kept - 1]:.5f})."
    )
    assert page.status.text().startswith(words)
    assert loaded.statusBar().currentMessage().startswith(words)
    # The plot marks the kept epoch: the curves go on past it, the model does not.
    assert page.plot.kept_epoch == kept
    assert page.plot._legend_entries() == ("training loss", "validation loss", f"weights kept: epoch {kept}")


def test_stop_under_early_stopping_says_the_best_epoch_was_kept(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(EARLY_STOPPING.replace(patience=50_000, epochs=20_000))
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
        qtbot.waitUntil(lambda: len(page.plot.epochs) >= 300, timeout=30_000)
        loaded.stop_action.trigger()
    result = blocker.args[0]
    kept = int(np.argmin(result.validation_loss_curve)) + 1
    assert result.stop_reason == "stopped" and result.kept_epoch == kept < result.epochs_run
    ran = f"{result.epochs_run:,}"
    assert page.progress.format() == f"Stopped by you at epoch {ran} of 20,000 — weights of epoch {kept} kept"
    assert page.plot.kept_epoch == kept
    assert page.status.text().startswith(
        f"Stopped by you at epoch {ran} of 20,000. The model keeps the weights of epoch {kept}, which had "
        f"the lowest validation loss ({result.validation_loss_curve[kept - 1]:.5f}) so far."
    )


def test_a_run_without_validation_names_the_test_patients_curve_in_the_legend(loaded, qtbot):
    page = loaded.train_page
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000):
        loaded.start_training(TUTORIAL)
        assert page.plot._legend_entries() == ("training loss", TEST_LABEL)  # during the run, not only after
    assert page.plot._legend_entries() == ("training loss", TEST_LABEL)


def test_patience_without_a_validation_split_is_refused_with_the_reason(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED.replace(patience=20, validation_fraction=0.0))
    assert not page.start_button.isEnabled()
    assert page.hint.text() == PATIENCE_NEEDS_VALIDATION
    loaded.start_action.trigger()  # F5 is refused too, with the same words
    assert not loaded.training
    assert loaded.statusBar().currentMessage() == PATIENCE_NEEDS_VALIDATION
    page.validation.setValue(0.2)
    assert page.start_button.isEnabled()


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
    # Message, bar and plot name the same epoch: the plot ends at the last finite loss, the one after
    # is marked, and nobody is told a model was kept when none was.
    last = page.plot.epochs[-1]
    assert blocker.args[0].startswith(f"Training diverged at epoch {last + 1}:")
    assert blocker.args[0].endswith("No model was made from this run.")
    assert page.progress.format() == f"Diverged at epoch {last + 1} of 100 — no model"
    assert page.progress.value() == last
    assert page.plot.divergence_epoch == last + 1
    assert page.plot._legend_entries() == ("training loss", TEST_LABEL, f"diverged at epoch {last + 1}")
    assert not loaded.training and page.start_button.isEnabled()
    assert not loaded.page_enabled(PAGE_RESULTS) and not loaded.page_enabled(PAGE_PREDICT)

    page.learning_rate.setValue(0.001)
    result = train(loaded, qtbot)
    assert result.final_train_loss == pytest.approx(TUTORIAL_FINAL_LOSS, abs=1e-10)
    assert page.plot.divergence_epoch == 0  # the next run's plot does not keep the old mark
    assert page.plot._legend_entries() == ("training loss", TEST_LABEL, "lr 10 — diverged")


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
    assert page.hint.text() == page.LAYERS_REFUSED  # the refused "x" is said, not dropped silently
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


def test_numbers_typed_out_of_range_are_said_under_their_field(loaded, qtbot):
    page = loaded.train_page
    loaded.show_page(PAGE_TRAIN)
    for box, typed, words in (
        (page.learning_rate, "100", "100 is outside 0.00001–10.00000; enter a value in that range."),
        (page.epochs, "200000", "200000 is outside 1–100,000; enter a value in that range."),
        (page.test_size, "0.75", "0.75 is outside 0.10–0.50; enter a value in that range."),
    ):
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box, typed)
        assert box.lineEdit().text().startswith(typed)  # what was typed stays visible
        assert box.message.isVisible()
        assert box.message.text() == f"⚠ {words} {box.what} in use: {box.textFromValue(box.value())}."
        assert page.settings() == page.settings()  # (the settings use the value in use, never the text)
    assert page.settings().epochs == page.epochs.value() <= 100_000
