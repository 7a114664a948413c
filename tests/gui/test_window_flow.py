"""The whole click-through on the real window: data → training → Inside → threshold → files → closing.

Every step goes through :class:`~heartgui.gui.main_window.MainWindow` (its actions, pages and signals) on
heart.dat; file dialogs are patched, and each asynchronous step is waited for on a signal or a condition.
"""

from __future__ import annotations

import numpy as np
import pypdf
import pytest
import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QDoubleSpinBox, QMessageBox

from heartgui import reports
from heartgui.core.evaluation import evaluate
from heartgui.core.model_file import load_model
from heartgui.core.presets import RECOMMENDED
from heartgui.gui import report_actions
from heartgui.gui.batch_dialog import BatchDialog
from heartgui.gui.main_window import PAGE_NETWORK, PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN
from tests.gui.hosting import patch_save_dialog

SETTINGS = RECOMMENDED.replace(epochs=400)


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch):
    """Any warning box would block: record it instead (and fail the test that did not expect one)."""
    shown: list = []

    def box(*args, **kwargs):
        shown.append(args)
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(box))
    yield shown
    assert not shown, f"unexpected message boxes: {shown}"


def train_in_window(window, qtbot, settings=SETTINGS):
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(settings)
    return blocker.args[0]


@pytest.fixture
def trained(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    result = train_in_window(window, qtbot)
    assert window.model is result.model
    return window


def move_threshold(window, qtbot, threshold: float) -> float:
    with qtbot.waitSignal(window.results_page.threshold_changed, timeout=5_000) as blocker:
        window.results_page.set_threshold(threshold)
    return blocker.args[0]


def pages_enabled(window) -> list[bool]:
    return [window.page_enabled(i) for i in range(5)]


# --------------------------------------------------------------------------------------------------
# actions and pages follow the state


def test_actions_follow_data_training_and_opened_models(
    window, open_file, heart_dat, qtbot, monkeypatch, tmp_path
):
    file_actions = (
        window.save_model_action,
        window.batch_action,
        window.training_report_action,
        window.patient_report_action,
    )
    assert not any(a.isEnabled() for a in file_actions)
    assert pages_enabled(window) == [True, False, False, False, False]
    assert not window.start_action.isEnabled() and not window.stop_action.isEnabled()

    open_file(window, heart_dat)
    assert pages_enabled(window) == [True, True, False, False, False]
    assert not any(a.isEnabled() for a in file_actions)
    assert window.start_action.isEnabled()

    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(SETTINGS)
        # While training: the Inside page shows the weights changing; nothing to save or predict yet.
        assert window.training
        assert pages_enabled(window) == [True, True, False, False, True]
        assert window.stop_action.isEnabled() and not window.start_action.isEnabled()
        assert not any(a.isEnabled() for a in file_actions)
    assert pages_enabled(window) == [True, True, True, True, True]
    assert all(a.isEnabled() for a in file_actions)
    assert window.start_action.isEnabled() and not window.stop_action.isEnabled()

    # A model opened from a file has no training session: no training report, the rest works; on its
    # own data (loaded here) its test patients are set aside again, so Results shows it.
    path = tmp_path / "model.heartmodel"
    patch_save_dialog(monkeypatch, path)
    # The training worker already computed the patients' fingerprints (one per patient, a second on a
    # 200,000-row file): saving does not compute them in the window.
    assert "fingerprints" in vars(window.result.split)
    import heartgui.core.overlap as overlap_module

    with monkeypatch.context() as patched:
        patched.setattr(overlap_module, "fingerprints", lambda *a, **k: pytest.fail("computed at save"))
        window.save_model_action.trigger()
    assert path.is_file()
    # The file records which patients trained and tested it, so a validation can set them apart.
    from heartgui.core.model_file import load_model
    from heartgui.core.overlap import PatientFingerprints

    split = window.result.split
    assert load_model(path).fingerprints == PatientFingerprints.of(split.X_train, split.X_test)
    with qtbot.waitSignal(window.model_opened, timeout=10_000):
        assert window.open_model(path)
    assert window.result is not None and window.result.stop_reason == "opened"
    assert not window.training_report_action.isEnabled()
    assert window.save_model_action.isEnabled() and window.batch_action.isEnabled()
    assert window.patient_report_action.isEnabled()
    assert pages_enabled(window) == [True, True, True, True, True]
    assert window.stack.currentIndex() == PAGE_PREDICT


def test_disabled_actions_do_nothing_without_a_model(window, monkeypatch):
    calls = patch_save_dialog(monkeypatch, "/nonexistent/never.pdf")
    opened: list = []
    monkeypatch.setattr(BatchDialog, "exec", lambda self: opened.append(self) or 0)
    # Called directly (as a stray shortcut would): the slots refuse without a model or result.
    window.save_model_dialog()
    window.save_training_report()
    window.save_patient_report()
    window.open_batch_dialog()
    assert calls == [] and opened == []


# --------------------------------------------------------------------------------------------------
# training feeds the Inside page


def test_inside_page_gets_weights_while_training_then_the_model_and_the_patient(
    window, open_file, heart_dat, qtbot, monkeypatch
):
    open_file(window, heart_dat)
    page = window.network_page
    view = page.network_view
    seen: list[tuple[int | None, str, tuple[int, ...], list[np.ndarray]]] = []
    original = page.show_training_weights

    def spy(weights, biases, epoch=None):
        original(weights, biases, epoch)
        seen.append((epoch, view.caption, view.layer_sizes, [w.copy() for w in view.weights]))

    monkeypatch.setattr(page, "show_training_weights", spy)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(SETTINGS)
        assert window.page_enabled(PAGE_NETWORK)  # open while training, before any model exists
        assert page.model is None
    result = blocker.args[0]

    assert seen, "no weight snapshot reached the Inside page during training"
    epochs = [epoch for epoch, *_ in seen]
    assert epochs == sorted(epochs) and epochs[-1] == result.epochs_run == SETTINGS.epochs
    n_inputs = len(result.model.feature_names_out_)  # 20 with one-hot cp, restecg and thal
    for epoch, caption, sizes, _ in seen:
        assert caption == f"Weights after epoch {epoch}"
        assert sizes == (n_inputs, 8, 1)
    # The last snapshot is the trained network, weight for weight.
    for drawn, trained in zip(seen[-1][3], result.model.network_.coefs_, strict=True):
        np.testing.assert_array_equal(drawn, trained)
    assert view.input_names == tuple(result.model.feature_names_out_)

    # After training: the model itself, and the Predict page's patient walked through.
    assert page.model is window.model is result.model
    assert view.caption == ""
    for drawn, trained in zip(view.weights, result.model.network_.coefs_, strict=True):
        np.testing.assert_array_equal(drawn, trained)
    predict = window.predict_page
    window.show_page(PAGE_PREDICT)
    age = predict.form.editors["age"]
    assert isinstance(age, QDoubleSpinBox)
    with qtbot.waitSignal(predict.patient_changed, timeout=5_000):
        age.setValue(age.value() + 7)
    assert page.patient == predict.patient
    assert page.patient["age"] == age.value()

    window.show_page(PAGE_NETWORK)
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: view.inputs is not None)
    expected_input = result.model.transform(predict.patient)[0]
    np.testing.assert_allclose(view.inputs, expected_input)
    assert f"{predict.risk * 100:.1f} %" in page.status_label.text()


# --------------------------------------------------------------------------------------------------
# the threshold flows from Results to Predict, the model and its file


def test_threshold_from_results_reaches_predict_model_and_saved_file(trained, qtbot, monkeypatch, tmp_path):
    window = trained
    window.show_page(PAGE_RESULTS)
    assert window.predict_page.threshold == window.model.threshold == 1 / 6  # the cost-optimal default
    t = move_threshold(window, qtbot, 0.3)
    assert t == pytest.approx(0.3)
    assert window.threshold == t
    assert window.predict_page.threshold == t
    assert window.model.threshold == t
    risk = window.predict_page.risk
    assert risk is not None
    assert window.predict_page.model.predict(window.predict_page.patient)[0] == int(risk >= t)

    path = tmp_path / "chosen-threshold"
    calls = patch_save_dialog(monkeypatch, path)
    window.save_model_action.trigger()
    assert len(calls) == 1
    saved = load_model(path.with_suffix(".heartmodel"))
    assert saved.model.threshold == t
    assert saved.settings is not None and saved.settings.threshold == t
    result = window.result
    expected = evaluate(result.split.y_test, result.test_risk, t).as_dict()
    assert saved.metrics is not None
    assert saved.metrics["threshold"] == t
    assert saved.metrics == pytest.approx(expected, nan_ok=True)
    # ... and they are not the metrics at 0.5 (the threshold really changed the decisions).
    assert saved.metrics != pytest.approx(result.test_metrics.as_dict(), nan_ok=True)
    np.testing.assert_array_equal(
        saved.model.predict_risk(result.split.X_test), window.model.predict_risk(result.split.X_test)
    )

    # Reopening the file brings the threshold back to Predict.
    window.results_page.set_threshold(0.7)  # never emitted: the model is replaced right away
    assert window.open_model(path.with_suffix(".heartmodel"))
    assert window.threshold == window.predict_page.threshold == t


# --------------------------------------------------------------------------------------------------
# File menu: reports and many patients


def _wait_for_report(window, qtbot, path, what: str) -> pypdf.PdfReader:
    qtbot.waitUntil(lambda: f"Saved the {what}" in window.statusBar().currentMessage(), timeout=60_000)
    qtbot.waitUntil(lambda: not report_actions._RUNNING, timeout=10_000)
    assert path.is_file()
    return pypdf.PdfReader(str(path))


def test_training_and_patient_reports_from_the_file_menu(trained, qtbot, monkeypatch, tmp_path):
    window = trained
    t = move_threshold(window, qtbot, 0.25)

    training_pdf = tmp_path / "training.pdf"
    calls = patch_save_dialog(monkeypatch, training_pdf)
    window.training_report_action.trigger()
    assert len(calls) == 1
    reader = _wait_for_report(window, qtbot, training_pdf, "training report")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "heart.dat" in text and "TRIPOD+AI" in text and len(reader.pages) >= 6

    window.predict_page.fill_from_row(5)
    patient_pdf = tmp_path / "patient.pdf"
    patch_save_dialog(monkeypatch, patient_pdf)
    window.patient_report_action.trigger()
    reader = _wait_for_report(window, qtbot, patient_pdf, "patient report")
    assert len(reader.pages) == reports.PATIENT_REPORT_PAGES
    text = reader.pages[0].extract_text()
    assert f"{window.predict_page.risk * 100:.1f}" in text or f"{window.predict_page.risk:.0%}" in text
    assert f"{t * 100:.0f}" in text
    # The window hands the report the test figures at this threshold and the file trained on.
    text = " ".join(text.split())
    m = evaluate(window.result.split.y_test, window.result.test_risk, t)
    assert f"found {m.sensitivity * 100:.1f} % of the test patients with the disease" in text
    assert f"did not flag {m.specificity * 100:.1f} % of those without" in text
    assert "Trained on heart.dat" in text
    assert "for further testing" in text


def test_a_patient_report_of_an_opened_model_uses_the_figures_kept_in_its_file(
    window, heart, qtbot, monkeypatch, tmp_path
):
    """No training in this window: the sensitivity, specificity and data name come from the model file."""
    from heartgui.core.model_file import save_model
    from heartgui.core.training import train

    result = train(heart, RECOMMENDED)
    path = tmp_path / "m.heartmodel"
    save_model(path, result.model, metrics=result.test_metrics, data_name="heart.dat")
    assert window.open_model(path)
    patient_pdf = tmp_path / "patient.pdf"
    patch_save_dialog(monkeypatch, patient_pdf)
    window.patient_report_action.trigger()
    reader = _wait_for_report(window, qtbot, patient_pdf, "patient report")
    text = " ".join(reader.pages[0].extract_text().split())
    m = result.test_metrics  # at the model's threshold, which the window keeps on opening
    assert f"found {m.sensitivity * 100:.1f} % of the test patients with the disease" in text
    assert f"(sensitivity, {m.tp} of {m.tp + m.fn})" in text
    assert "Trained on heart.dat" in text
    assert "the model file does not record how many had the disease (the prevalence)" in text


def test_predict_many_patients_opens_a_dialog_with_the_model_and_threshold(trained, qtbot, monkeypatch):
    window = trained
    t = move_threshold(window, qtbot, 0.4)
    opened: list[BatchDialog] = []

    def fake_exec(self):
        opened.append(self)
        return 0

    monkeypatch.setattr(BatchDialog, "exec", fake_exec)
    window.batch_action.trigger()
    assert len(opened) == 1
    dialog = opened[0]
    assert dialog.model is window.model
    assert dialog.threshold == t
    assert dialog.parent() is window
    dialog.done(0)
    dialog.deleteLater()


# --------------------------------------------------------------------------------------------------
# closing with work in the background


def _alive_and_running(thread: QThread) -> bool:
    # A thread whose C++ object is gone was deleted after it finished (deleting a running one aborts).
    return shiboken6.isValid(thread) and thread.isRunning()


def test_closing_mid_cross_validation_and_ensemble_joins_every_thread(trained, qtbot, monkeypatch, tmp_path):
    window = trained
    results, predict = window.results_page, window.predict_page

    window.show_page(PAGE_RESULTS)
    with qtbot.waitSignal(results.crossval_progressed, timeout=60_000):
        assert results.start_cross_validation(folds=9, repeats=5)
    window.show_page(PAGE_PREDICT)
    predict.ensemble_size = 40
    predict.start_ensemble()
    # Running: its first network trained (the thread starts once the tab's new state is painted).
    qtbot.waitUntil(lambda: predict.ensemble_progress.value() >= 1, timeout=30_000)
    patch_save_dialog(monkeypatch, tmp_path / "closing.pdf")
    window.training_report_action.trigger()  # a PDF being written while the window closes

    threads = [job.qthread for job in results._jobs.values()]
    threads.append(predict._ensemble_job.qthread)
    threads += [job.job.qthread for job in report_actions._RUNNING]
    threads += [job.qthread for job in window._jobs.values()]
    assert sum(t.isRunning() for t in threads) >= 3

    window.show_page(PAGE_TRAIN)
    window.close()

    assert not [t.objectName() for t in threads if _alive_and_running(t)]
    assert not results.is_busy()
    assert not predict.ensemble_running()
    assert (tmp_path / "closing.pdf").is_file()  # the report was finished, not cut off


# --------------------------------------------------------------------------------------------------
# the cost of training in the window (figures in bench/bench_gui_training.py)


def test_a_first_run_starts_from_the_empty_axes_drawn_when_the_page_was_shown(
    window, open_file, heart_dat, qtbot, monkeypatch
):
    open_file(window, heart_dat)
    window.train_page.set_settings(SETTINGS)
    plot = window.train_page.plot
    painted = []
    plot.canvas.mpl_connect("draw_event", painted.append)
    window.show_page(PAGE_TRAIN)  # the page's first paint draws the empty axes of the planned run
    qtbot.waitUntil(lambda: bool(painted) and not plot.canvas._draw_pending)  # then Start, at once
    # At full speed the axes span the planned epochs from the start (a watched run's grow with it).
    assert not plot.grows and SETTINGS.epochs < plot.axes.get_xlim()[1] < SETTINGS.epochs * 1.02 + 2
    full_draws: list[int] = []
    original = plot.canvas.draw

    def counting_draw():
        full_draws.append(len(plot.epochs))
        original()

    monkeypatch.setattr(plot.canvas, "draw", counting_draw)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_action.trigger()  # as the student does (F5): the settings the page shows
    result = blocker.args[0]
    assert result.epochs_run == SETTINGS.epochs
    # The finished curve is laid out again: the axes fill the canvas (matplotlib's default margins would
    # leave a tenth of it empty on the right). On a busy machine the whole run can end before the plot's
    # timer first fires, so the full draws are counted once that last one is done, not at the signal.
    qtbot.waitUntil(lambda: len(full_draws) > 0 and not plot.canvas._draw_pending)
    assert plot.axes.get_in_layout()
    # Pressing Start did not wait for a ~50–150 ms full draw: the points were blitted over that frame;
    # the only full draw was the final layout.
    assert len(full_draws) == 1 and full_draws[0] == SETTINGS.epochs
    assert list(plot.train_line.get_xdata()) == list(range(1, SETTINGS.epochs + 1))
    assert plot.axes.get_position().x1 > 0.95


def test_a_second_identical_run_reuses_the_empty_frame_and_still_plots_every_epoch(
    trained, qtbot, monkeypatch
):
    window = trained
    plot = window.train_page.plot
    full_draws: list[int] = []
    original = plot.canvas.draw

    def counting_draw():
        full_draws.append(len(plot.epochs))
        original()

    # The first run (started without the page's settings, so with a frame of its own) drew its empty
    # frame; the finished curve's layout then moved the axes for its own tick labels. The second run
    # puts them back where the frame had them and starts from its pixels.
    qtbot.waitUntil(lambda: plot._frame is not None and not plot.canvas._draw_pending)  # finished curve drawn
    finished_position = plot.axes.get_position().bounds
    assert finished_position != plot._frame[1]
    monkeypatch.setattr(plot.canvas, "draw", counting_draw)

    def train_and_tick(settings):
        # The plot's first timer tick (100 ms) paints the new run's frame; a 400-epoch run can end in
        # 50 ms, before it. So the timer is stopped and its tick given here, right after Start and
        # before any epoch reaches the window (its reports wait in the event queue): the same call,
        # without the race, whatever the machine's speed.
        plot._timer.stop()
        with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
            window.start_training(settings)
            assert plot._frame_pending and not plot.epochs
            plot.redraw()
        plot._timer.start()
        return blocker.args[0]

    result = train_and_tick(SETTINGS)
    # The frame holds the first run's faint curve now (runs to compare): drawn once, empty.
    assert full_draws == [0]
    assert plot.past_labels == ("same settings",)
    x, y = plot.train_line.get_data()
    assert list(x) == list(range(1, result.epochs_run + 1))
    np.testing.assert_array_equal(y, result.loss_curve)
    # Another number of epochs is another frame: drawn in full.
    qtbot.waitUntil(lambda: not plot.canvas._draw_pending)  # (the finished curve, drawn in full)
    full_draws.clear()
    result = train_and_tick(SETTINGS.replace(epochs=SETTINGS.epochs + 100))
    assert len(full_draws) == 1
    assert len(plot.train_line.get_xdata()) == result.epochs_run


def test_results_hidden_at_the_end_of_training_are_shown_when_the_page_opens(trained, qtbot):
    window = trained
    page = window.results_page
    assert window.stack.currentIndex() == PAGE_TRAIN
    assert page.result is window.result
    window.show_page(PAGE_RESULTS)
    assert page.live_metrics is not None
    expected = window.result.test_metrics.as_dict()
    np.testing.assert_equal(page.live_metrics.as_dict(), expected)  # NaN-aware
    assert page.roc_plot.isVisible() or page.tabs.currentIndex() != 2
