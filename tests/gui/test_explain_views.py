"""The Predict page's explanations — why this risk, what if, how sure, the extrapolation warning — on
a model trained on the real heart.dat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QThread

from heartgui.core.explain import NoveltyReference, contributions, ensemble_spread, iter_ensemble, what_if
from heartgui.core.presets import RECOMMENDED
from heartgui.core.schema import FEATURE_NAMES
from heartgui.core.training import train
from heartgui.gui.pages.predict_page import (
    NEEDS_TRAINING_DATA,
    TAB_HOW_SURE,
    TAB_WHAT_IF,
    TAB_WHY,
    PredictPage,
    spread_words,
)
from heartgui.gui.widgets.contributions_plot import METHOD_TITLE, bar_label
from tests.gui.heartbeat import Heartbeat
from tests.gui.hosting import shown

SHOTS = Path("/tmp/heartgui-shots")


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result, heart):
    page = PredictPage()
    page.host = shown(qtbot, page)
    page.set_model(result.model, heart, 0.5)
    page.set_training_data(result.split.X_train, result.split.y_train, result.settings)
    yield page
    page.shutdown()


def _show_tab(page, qtbot, tab):
    page.tabs.setCurrentIndex(tab)
    page.refresh_explanations()


# --------------------------------------------------------------------------------------------------
# Why this risk


def test_contributions_chart_has_one_bar_per_feature_that_add_up(page, result, heart, qtbot):
    page.fill_from_row(1)
    patient = heart.row(0)
    expected = contributions(result.model, patient)
    plot = page.contributions_plot
    qtbot.waitUntil(lambda: plot.contributions is not None and plot.contributions.logit == expected.logit)
    assert plot.title.text() == METHOD_TITLE
    assert len(plot.bars) == len(FEATURE_NAMES)
    widths = [bar.get_width() for bar in plot.bars]
    assert widths == [expected.by_feature[name] for name in plot.order]
    assert widths == sorted(widths, reverse=True)  # largest rise at the top
    assert sum(widths) == pytest.approx(expected.logit - expected.reference_logit, abs=1e-9)
    labels = [t.get_text() for t in plot.axes.get_yticklabels()]
    assert labels == [bar_label(name, patient[name]) for name in plot.order]
    top = plot.order[0]
    assert f"{bar_label(top, patient[top])} raised the risk the most" in plot.sentence.text()
    assert "add up to" in plot.sentence.text()
    assert "typical patient's" in plot.sentence.text()


def test_an_edit_updates_the_chart_after_a_short_delay(page, result, qtbot):
    page.form.editors["age"].setValue(71)
    expected = contributions(result.model, page.form.values())
    plot = page.contributions_plot
    qtbot.waitUntil(
        lambda: plot.contributions is not None and plot.contributions.logit == pytest.approx(expected.logit),
        timeout=2000,
    )


# --------------------------------------------------------------------------------------------------
# What if


@pytest.mark.parametrize("feature", ["thalach", "cp", "oldpeak"])
def test_what_if_curve_equals_the_core_and_marks_the_patient(page, result, heart, qtbot, feature):
    page.fill_from_row(3)
    patient = heart.row(2)
    _show_tab(page, qtbot, TAB_WHAT_IF)
    page.what_if_plot.set_feature(feature)
    plot = page.what_if_plot
    expected = what_if(result.model, patient, feature)
    qtbot.waitUntil(lambda: plot.curve is not None and plot.curve.feature == feature)
    np.testing.assert_array_equal(plot.curve.values, expected.values)
    np.testing.assert_allclose(plot.curve.risks, expected.risks, rtol=1e-12)
    if plot.bars is not None:  # a coded feature: one bar per answer at positions 0, 1, …
        assert [b.get_height() for b in plot.bars] == pytest.approx(list(expected.risks * 100))
        index = list(expected.values).index(patient[feature])
        assert plot.marker.get_xdata()[0] == plot.positions[index]
        assert [t.get_text() for t in plot.axes.get_xticklabels()] == list(expected.labels)
    else:
        np.testing.assert_allclose(plot.line.get_xdata(), expected.values)
        np.testing.assert_allclose(plot.line.get_ydata(), expected.risks * 100)
        assert plot.marker.get_xdata()[0] == patient[feature]
    assert plot.marker.get_ydata()[0] == pytest.approx(expected.current_risk * 100)
    assert f"{expected.current_risk * 100:.1f} %" in plot.sentence.text()


# --------------------------------------------------------------------------------------------------
# patient_changed


def test_every_edit_emits_patient_changed(page, heart, qtbot):
    with qtbot.waitSignal(page.patient_changed) as blocker:
        page.form.editors["thalach"].setValue(150)
    assert blocker.args[0]["thalach"] == 150.0
    with qtbot.waitSignal(page.patient_changed) as blocker:
        page.fill_from_row(7)
    assert blocker.args[0] == heart.row(6)


# --------------------------------------------------------------------------------------------------
# How sure


def _run_ensemble(page, qtbot, n_models):
    page.ensemble_size = n_models
    _show_tab(page, qtbot, TAB_HOW_SURE)
    assert page.ensemble_button.isEnabled()
    page.ensemble_button.click()
    qtbot.waitUntil(lambda: not page.ensemble_running(), timeout=60_000)
    return page.spread_label.text()


def test_ensemble_spread_is_computed_reproducibly(page, result, heart, qtbot):
    page.fill_from_row(1)
    first = _run_ensemble(page, qtbot, 3)
    models = [
        step.model
        for step in iter_ensemble(result.split.X_train, result.split.y_train, result.settings, n_models=3)
    ]
    spread = ensemble_spread(models, heart.row(0))
    risk = float(result.model.predict_risk(heart.row(0))[0])
    assert first == spread_words(spread, risk, 0.5, (1000, 1002))
    assert "between" in first and "Your model says" in first
    assert _run_ensemble(page, qtbot, 3) == first
    # A new patient: the same networks, that patient's spread.
    page.fill_from_row(2)
    spread = ensemble_spread(models, heart.row(1))
    risk = float(result.model.predict_risk(heart.row(1))[0])
    qtbot.waitUntil(lambda: page.spread_label.text() == spread_words(spread, risk, 0.5, (1000, 1002)))


def test_a_patient_edited_while_the_ensemble_trains_gets_their_own_spread(page, result, heart, qtbot):
    """The worker computes the spread of the patient the ensemble started with; a patient entered
    meanwhile gets theirs, not that one."""
    page.fill_from_row(1)
    page.ensemble_size = 3
    _show_tab(page, qtbot, TAB_HOW_SURE)
    page.ensemble_button.click()
    page.fill_from_row(2)  # while the networks train
    qtbot.waitUntil(lambda: not page.ensemble_running(), timeout=60_000)
    models = [
        step.model
        for step in iter_ensemble(result.split.X_train, result.split.y_train, result.settings, n_models=3)
    ]
    spread = ensemble_spread(models, heart.row(1))
    risk = float(result.model.predict_risk(heart.row(1))[0])
    assert page.spread_label.text() == spread_words(spread, risk, 0.5, (1000, 1002))


def test_ensemble_can_be_cancelled_mid_run(page, qtbot):
    page.ensemble_size = 40
    _show_tab(page, qtbot, TAB_HOW_SURE)
    with qtbot.waitSignal(page.ensemble_progress.valueChanged, timeout=10_000):
        page.ensemble_button.click()
    job = page._ensemble_job
    assert job is not None
    thread = job.qthread
    page.ensemble_cancel.click()
    # (Waiting on the worker's own signal would run the wait's timer in the worker thread.)
    qtbot.waitUntil(lambda: "Stopped" in page.spread_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not page.ensemble_running())
    assert thread.wait(5000)
    assert page.ensemble_progress.value() < 40
    assert "Stopped" in page.spread_label.text()
    assert page.ensemble_button.isEnabled()
    assert not page.ensemble_cancel.isVisible()


def test_shutdown_joins_a_running_ensemble(page, qtbot):
    page.ensemble_size = 40
    _show_tab(page, qtbot, TAB_HOW_SURE)
    page.ensemble_button.click()
    thread: QThread = page._ensemble_job.qthread
    page.shutdown()
    assert thread.isFinished()
    assert not page.ensemble_running()


def test_window_stays_responsive_while_the_ensemble_trains(page, qtbot, record_property):
    heartbeat = Heartbeat()
    with heartbeat.running():
        _run_ensemble(page, qtbot, 10)
    assert len(heartbeat.gaps) > 5
    heartbeat.check(record_property, "the ensemble")


def test_without_training_data_the_button_explains(page, result, heart, qtbot):
    page.set_model(result.model, heart, 0.5)  # the same model: its training data stay
    assert page.ensemble_button.isEnabled()
    other = train(heart, RECOMMENDED.replace(epochs=20)).model
    page.set_model(other, None, 0.5)  # as after File → Open model
    _show_tab(page, qtbot, TAB_HOW_SURE)
    assert not page.ensemble_button.isEnabled()
    assert page.ensemble_button.toolTip() == NEEDS_TRAINING_DATA
    assert page.spread_label.text() == NEEDS_TRAINING_DATA


# --------------------------------------------------------------------------------------------------
# Extrapolation warning


def test_no_warning_for_a_typical_patient(page):
    page.reset_button.click()
    assert not page.out_of_range_box.isVisible()


def test_warning_for_a_value_outside_the_training_range(page, result):
    high = result.model.training_ranges_["trestbps"][1]
    page.form.set_values({"trestbps": high + 10})
    assert page.out_of_range_box.isVisible()
    assert "Resting blood pressure" in page.out_of_range_label.text()


def _far_patient(page, ranges) -> dict:
    """The form's patient made young, with a very low heart rate, high blood pressure and cholesterol
    and a large ST depression: every value inside its training range, but a combination no training
    patient comes close to."""
    patient = dict(page.form.values())
    patient.update(
        age=ranges["age"][0],
        thalach=ranges["thalach"][0],
        trestbps=ranges["trestbps"][1],
        chol=ranges["chol"][1],
        oldpeak=ranges["oldpeak"][1],
    )
    return patient


def test_warning_for_a_patient_far_from_every_training_patient(page, result):
    patient = _far_patient(page, result.model.training_ranges_)
    reference = NoveltyReference.fit(result.split.X_train)
    distance = float(reference.distances(patient)[0])
    assert distance > reference.threshold  # the premise of this test
    assert result.model.out_of_range(patient) == {}
    page.form.set_values(patient)
    text = page.out_of_range_label.text()
    assert page.out_of_range_box.isVisible()
    assert "Far from every training patient" in text
    assert f"{distance:.1f}" in text and f"{reference.threshold:.1f}" in text
    assert "99 %" in text


def test_a_model_opened_from_a_file_still_warns_about_a_far_patient(page, result, tmp_path):
    """Without the training patients (a model file), the reference kept in the file does the check."""
    from heartgui.core.model_file import load_model, save_model

    path = tmp_path / "far.heartmodel"
    save_model(path, result.model)
    opened = load_model(path).model
    page.set_model(opened, None, 0.5)
    patient = _far_patient(page, opened.training_ranges_)
    assert opened.out_of_range(patient) == {}
    page.form.set_values(patient)
    assert page.out_of_range_box.isVisible()
    assert "Far from every training patient" in page.out_of_range_label.text()


# --------------------------------------------------------------------------------------------------
# Pictures


@pytest.mark.parametrize("tab", [TAB_WHY, TAB_WHAT_IF, TAB_HOW_SURE])
def test_each_tab_renders_at_1200_by_800(page, qtbot, tab):
    page.fill_from_row(1)
    if tab == TAB_HOW_SURE:
        _run_ensemble(page, qtbot, 3)
    _show_tab(page, qtbot, tab)
    for plot in (page.contributions_plot, page.what_if_plot):
        plot.canvas.draw()
    SHOTS.mkdir(exist_ok=True)
    assert page.grab().save(str(SHOTS / f"predict_tab{tab}.png"))
    assert page.caveat_label.isVisible()
    assert page.caveat_label.geometry().bottom() <= page.height()


@pytest.mark.parametrize(("width", "two_lines"), [(1200, False), (1000, True)])
def test_the_whole_explanation_is_in_sight_and_the_chart_fits_its_width(page, heart, qtbot, width, two_lines):
    """At 1200 × 800 and at a narrower 1000 × 700 (the page inside a window with its sidebar): the risk,
    the chart with every label, and the sentence under it all lie inside the page, not clipped."""
    page.window().resize(width, 700 if two_lines else 800)
    page.fill_from_row(1)
    _show_tab(page, qtbot, TAB_WHY)
    plot = page.contributions_plot
    qtbot.waitUntil(lambda: plot.contributions is not None)
    assert plot._two_line_labels is two_lines
    patient = heart.row(0)
    labels = [t.get_text() for t in plot.axes.get_yticklabels()]
    assert labels == [bar_label(name, patient[name], two_lines=two_lines) for name in plot.order]
    plot.canvas.draw()
    renderer = plot.canvas.get_renderer()
    width_px, height_px = plot.canvas.get_width_height(physical=True)
    low, high = plot.axes.get_xlim()
    shown_ticks = [t for t in plot.axes.get_xticklabels() if low <= t.get_position()[0] <= high]
    texts = [*plot.axes.get_yticklabels(), *shown_ticks, plot.axes.xaxis.label]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width_px + 1, text.get_text()
        assert box.y0 >= -1 and box.y1 <= height_px + 1, text.get_text()
    for widget in (page.risk_label, page.decision_label, plot.sentence, page.caveat_label):
        assert widget.isVisible()
        bottom_left = widget.mapTo(page, widget.rect().bottomLeft())
        assert 0 <= bottom_left.y() <= page.height(), widget.objectName()
    # The sentence is shown whole: its label is (once laid out) as tall as its wrapped text needs.
    sentence = plot.sentence
    qtbot.waitUntil(lambda: sentence.height() >= sentence.heightForWidth(sentence.width()), timeout=2_000)
