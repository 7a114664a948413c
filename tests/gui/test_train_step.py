"""The Train page's learning controls: Step, Step back, slow motion, earlier runs to compare, and the
held-out loss drawn with the training loss. Every number is checked against the core's own training."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from heartgui.core.network import cross_entropy
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import split_dataset
from heartgui.gui.main_window import PAGE_RESULTS, PAGE_TRAIN
from heartgui.gui.pages.train_page import SPEEDS
from heartgui.gui.widgets.loss_plot import TEST_LABEL
from tests.gui.heartbeat import Heartbeat


@pytest.fixture
def loaded(window, open_file, heart_dat):
    open_file(window, heart_dat)
    return window


def core_model(dataset, settings, epochs):
    """The core's HeartModel trained for ``epochs`` epochs on the training split the window makes."""
    split = split_dataset(dataset, settings.test_size, settings.split_seed)
    return settings.replace(epochs=epochs).model().fit(split.X_train, split.y_train), split


def assert_same_weights(model, reference):
    for mine, theirs in zip(model.network_.coefs_, reference.network_.coefs_, strict=True):
        np.testing.assert_array_equal(mine, theirs)  # bit for bit
    for mine, theirs in zip(model.network_.intercepts_, reference.network_.intercepts_, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def click(window, qtbot, button):
    with qtbot.waitSignal(window.training_finished, timeout=30_000) as blocker:
        button.click()
    return blocker.args[0]


def choose_speed(page, rate):
    page.speed.setCurrentIndex(page.speed.findData(rate))


def test_three_steps_are_three_epochs_of_the_core_and_step_back_restores_the_weights(loaded, qtbot, heart):
    page = loaded.train_page
    page.set_settings(TUTORIAL)
    for _ in range(3):
        result = click(loaded, qtbot, page.step_button)
    assert result.epochs_run == 3 and loaded.model is result.model
    reference, _ = core_model(heart, TUTORIAL, 3)
    assert_same_weights(loaded.model, reference)
    np.testing.assert_array_equal(page.plot.train_losses, reference.network_.loss_curve_)
    assert page.plot.epochs == [1, 2, 3]
    assert page.progress.format() == "Epoch 3 of 100 — paused"
    # A real model the other pages use, the way a stopped run's is (handed over when one is shown).
    loaded.show_page(PAGE_RESULTS)
    assert loaded.results_page.result is result
    assert loaded.predict_page.model is result.model
    assert loaded.network_page.model is result.model
    loaded.show_page(PAGE_TRAIN)
    assert page.step_back_button.isEnabled() and page.stop_button.isEnabled()
    assert loaded.statusBar().currentMessage().startswith("Paused at epoch 3 of 100")

    back = click(loaded, qtbot, page.step_back_button)
    assert back.epochs_run == 2
    assert_same_weights(loaded.model, core_model(heart, TUTORIAL, 2)[0])
    assert page.plot.epochs == [1, 2]
    assert back.loss_curve == tuple(reference.network_.loss_curve_[:2])
    # The model of epoch 3, handed to the pages before, was not changed by the step back.
    assert_same_weights(result.model, reference)

    again = click(loaded, qtbot, page.step_button)
    assert again.epochs_run == 3
    assert_same_weights(again.model, reference)

    # Start (F5) goes on with the paused run, to its last epoch: the tutorial's run exactly.
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
    full = blocker.args[0]
    assert full.epochs_run == 100 and full.stop_reason == "finished"
    assert_same_weights(full.model, core_model(heart, TUTORIAL, 100)[0])
    assert page.plot.epochs == list(range(1, 101))
    assert page.progress.format() == "Epoch 100 of 100 — done"
    assert not page.step_back_button.isEnabled()  # the run has ended


def test_step_back_stops_at_epoch_one_and_stop_ends_the_paused_run(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    click(loaded, qtbot, page.step_button)
    assert page.paused_epoch == 1 and not page.step_back_button.isEnabled()
    assert "Step back: not before epoch 1." in page.status.text()
    loaded.stop_action.trigger()  # Esc: the run ends, its model stays
    assert page.paused_epoch == 0 and loaded.model is not None
    assert not page.step_back_button.isEnabled() and not page.stop_button.isEnabled()
    # The next Step begins a new run at epoch 1.
    result = click(loaded, qtbot, page.step_button)
    assert result.epochs_run == 1 and page.plot.epochs == [1]


def test_changing_a_setting_ends_the_paused_run(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    click(loaded, qtbot, page.step_button)
    click(loaded, qtbot, page.step_button)
    assert page.paused_epoch == 2
    page.learning_rate.setValue(0.1)  # as typed: the page says its settings changed
    assert page.paused_epoch == 0
    result = click(loaded, qtbot, page.step_button)
    assert result.epochs_run == 1 and result.settings.learning_rate == 0.1


def test_slow_motion_paces_the_run_and_stop_still_answers_at_once(loaded, qtbot, heart):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    assert (SPEEDS[-1][1], SPEEDS[0][1]) == (2.0, None)
    choose_speed(page, 10.0)
    seen: list[tuple[int, float]] = []  # (epoch, seconds since the run started, in the worker)
    original = page.add_reports

    def record(reports):
        seen.extend((r.epoch, r.elapsed) for r in reports)
        original(reports)

    page.add_reports = record
    with qtbot.waitSignal(loaded.training_finished, timeout=30_000) as blocker:
        loaded.start_action.trigger()
        qtbot.waitUntil(lambda: len(seen) >= 6, timeout=10_000)
        # 10 epochs a second: five intervals take half a second.
        assert [epoch for epoch, _ in seen[:6]] == [1, 2, 3, 4, 5, 6]
        assert 0.45 <= seen[5][1] - seen[0][1] < 0.8
        choose_speed(page, 2.0)  # slower while it runs: half a second between epochs
        n = len(seen)
        qtbot.waitUntil(lambda: len(seen) >= n + 1, timeout=10_000)
        ended: list[float] = []  # when the worker is done (in its thread, before the window shows it)
        worker = loaded._jobs[loaded._training_run].worker
        worker.finished.connect(
            lambda *_: ended.append(time.perf_counter()), Qt.ConnectionType.DirectConnection
        )
        stopped = time.perf_counter()
        loaded.stop_action.trigger()  # Esc, in the middle of a half-second wait
    result = blocker.args[0]
    assert ended[0] - stopped < 0.2  # the wait is woken by Stop, not slept through
    assert result.stop_reason == "stopped" and result.epochs_run == len(page.plot.epochs)
    assert result.epochs_run < 30  # about 10 per second for ~0.6 s, then 2 per second
    assert_same_weights(result.model, core_model(heart, RECOMMENDED, result.epochs_run)[0])


def test_step_during_a_run_pauses_it_and_start_goes_on(loaded, qtbot, heart):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    choose_speed(page, 30.0)
    with qtbot.waitSignal(loaded.training_finished, timeout=30_000) as blocker:
        loaded.start_action.trigger()
        qtbot.waitUntil(lambda: len(page.plot.epochs) >= 3, timeout=10_000)
        page.step_button.click()  # pause
    paused = blocker.args[0]
    assert page.paused_epoch == paused.epochs_run >= 3
    choose_speed(page, None)
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
    result = blocker.args[0]
    assert result.epochs_run == 300
    assert_same_weights(result.model, core_model(heart, RECOMMENDED, 300)[0])
    assert page.plot.epochs == list(range(1, 301))


def test_the_loss_axis_grows_with_the_run(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    click(loaded, qtbot, page.step_button)
    _, high = page.plot.axes.get_xlim()
    assert high < 20  # one epoch is not drawn on an axis of 300 epochs
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000):
        loaded.start_action.trigger()
    assert 300 <= page.plot.axes.get_xlim()[1] < 320


def test_earlier_runs_are_kept_with_what_differed_and_clear_empties_them(loaded, qtbot, monkeypatch):
    page = loaded.train_page
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: None))  # the divergence box

    def run(settings):
        page.set_settings(settings)
        with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
            loaded.start_action.trigger()
        return blocker.args[0]

    tutorial = run(TUTORIAL)
    page.set_settings(TUTORIAL.replace(learning_rate=10.0))
    with qtbot.waitSignal(loaded.training_failed, timeout=60_000):
        loaded.start_action.trigger()
    diverged_losses = list(page.plot.train_losses)
    run(TUTORIAL.replace(learning_rate=0.01))
    assert page.plot.past_labels == ("lr 0.001 — tutorial", "lr 10 — diverged")
    (x0, y0), (_, y1) = page.plot.past_curves()
    np.testing.assert_array_equal(x0, np.arange(1, 101))
    np.testing.assert_array_equal(y0, tutorial.loss_curve)
    np.testing.assert_array_equal(y1, diverged_losses)
    legend = page.plot._legend_entries()
    assert legend[-2:] == ("lr 0.001 — tutorial", "lr 10 — diverged")
    page.plot.clear_past_button.click()
    assert page.plot.past_labels == () and not page.plot.clear_past_button.isEnabled()
    assert "lr 10 — diverged" not in page.plot._legend_entries()
    run(TUTORIAL)  # the run before is the only earlier one now
    assert page.plot.past_labels == ("lr 0.01",)


def test_the_test_patients_loss_is_drawn_and_equals_the_core(loaded, qtbot, heart):
    page = loaded.train_page
    page.set_settings(TUTORIAL)
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
    result = blocker.args[0]
    x, y = page.plot.validation_line.get_data()
    assert list(x) == list(range(1, 101)) and page.plot.validation_line.get_visible()
    assert TEST_LABEL in page.plot._legend_entries()
    np.testing.assert_array_equal(y, result.test_loss_curve)
    # Epoch k's point is the loss on the test patients of the weights after k - 1 updates.
    for epoch in (2, 10, 60, 100):
        model, split = core_model(heart, TUTORIAL, epoch - 1)
        risk = model.predict_risk(split.X_test).reshape(-1, 1)
        expected = cross_entropy(split.y_test.reshape(-1, 1).astype(float), risk, 1e-10)
        assert y[epoch - 1] == pytest.approx(expected, rel=1e-12)


def test_a_validation_split_draws_the_validation_loss(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED.replace(validation_fraction=0.2, epochs=80))
    with qtbot.waitSignal(loaded.training_finished, timeout=60_000) as blocker:
        loaded.start_action.trigger()
    result = blocker.args[0]
    _, y = page.plot.validation_line.get_data()
    np.testing.assert_array_equal(y, result.validation_loss_curve)
    assert result.test_loss_curve == ()  # the validation patients are the held-out part
    assert "validation loss" in page.plot._legend_entries()


def _ready_on_the_train_page(window, qtbot):
    """As a student is: the Train page shown (its plot drawn), the model pages built."""
    plot = window.train_page.plot
    draws = []
    plot.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    window.show_page(PAGE_TRAIN)
    qtbot.waitUntil(lambda: len(draws) > 0, timeout=10_000)
    qtbot.waitUntil(lambda: window.model_pages_built, timeout=30_000)


@pytest.mark.slow
def test_heartbeat_in_slow_motion(loaded, qtbot, record_property):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    _ready_on_the_train_page(loaded, qtbot)
    choose_speed(page, 30.0)
    heartbeat = Heartbeat(counting=lambda: loaded.training)
    with heartbeat.running(), qtbot.waitSignal(loaded.training_finished, timeout=60_000):
        loaded.start_action.trigger()
        qtbot.waitUntil(lambda: len(page.plot.epochs) >= 60, timeout=30_000)  # two seconds of it
        loaded.stop_action.trigger()
    assert len(heartbeat.gaps) > 100
    heartbeat.check(record_property, "a run at 30 epochs per second")


@pytest.mark.slow
def test_heartbeat_while_stepping(loaded, qtbot, record_property):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    _ready_on_the_train_page(loaded, qtbot)
    click(loaded, qtbot, page.step_button)  # the first result shown (Results, Predict, Inside) once
    heartbeat = Heartbeat()
    with heartbeat.running():
        for _ in range(8):
            click(loaded, qtbot, page.step_button)
        for _ in range(3):
            click(loaded, qtbot, page.step_back_button)
        qtbot.wait(200)  # (not a sleep: the event loop runs, and whatever a step left to do is measured)
    assert page.paused_epoch == 6
    heartbeat.check(record_property, "eight steps and three steps back")


def test_the_page_says_the_history_the_core_keeps():
    from heartgui.core.training import HISTORY_EPOCHS
    from heartgui.gui.pages import train_page

    assert train_page.HISTORY_EPOCHS == HISTORY_EPOCHS


def test_a_threshold_chosen_while_paused_is_kept_by_the_next_step(loaded, qtbot):
    page = loaded.train_page
    page.set_settings(RECOMMENDED)
    click(loaded, qtbot, page.step_button)
    loaded.show_page(PAGE_RESULTS)
    with qtbot.waitSignal(loaded.results_page.threshold_changed, timeout=10_000):
        loaded.results_page.set_threshold(0.3)  # as the student moves it
    loaded.show_page(PAGE_TRAIN)
    result = click(loaded, qtbot, page.step_button)
    assert result.epochs_run == 2
    assert result.model.threshold == 0.3 == loaded.threshold
    assert result.test_metrics.threshold == 0.3


def test_the_status_keeps_the_room_of_the_longest_pause_message_and_no_more(loaded, qtbot):
    """The status label is as tall as the longest pause message needs at its width, so a Step never
    resizes the plot; it kept five lines (and any growth) for good, which left ~100 px of empty page
    above the loss plot at 1280 × 720."""
    from PySide6.QtWidgets import QLabel

    from heartgui.gui.pages.train_page import _PAUSE_TAIL, longest_paused_words

    page = loaded.train_page
    page.set_settings(TUTORIAL.replace(epochs=20))
    loaded.resize(1280, 720)
    loaded.show_page(PAGE_TRAIN)
    with qtbot.waitSignal(loaded.training_finished, timeout=30_000):
        loaded.start_action.trigger()

    def needed() -> int:
        ruler = QLabel(longest_paused_words(20) + _PAUSE_TAIL)
        ruler.setWordWrap(True)
        ruler.setFont(page.status.font())
        return ruler.heightForWidth(page.status.width())

    qtbot.waitUntil(lambda: page.status.height() <= needed() + 1, timeout=5_000)
    assert page.status.height() >= needed()  # room for every pause message: a Step does not resize
    before = page.status.height()
    click(loaded, qtbot, page.step_button)  # a new run, paused after its first epoch
    assert page.status.text().startswith("Paused at epoch 1 of 20")
    assert page.status.height() == before
    # Narrower, the words take more lines; wide again, the label gives the room back.
    loaded.resize(1000, 720)
    qtbot.waitUntil(lambda: page.status.height() > before, timeout=5_000)
    most = page.status.fontMetrics().lineSpacing() * page.status.MOST_RESERVED_LINES  # a small window's cap
    assert page.status.height() >= min(needed(), most)
    loaded.resize(1280, 720)
    qtbot.waitUntil(lambda: page.status.height() == before, timeout=5_000)
