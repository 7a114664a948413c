"""The Predict page's explanations — why this risk, what if, how sure, the extrapolation warning — on
a model trained on the real heart.dat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QLabel

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
    points = expected.in_percentage_points()
    assert widths == [points[name] for name in plot.order]
    assert widths == sorted(widths, reverse=True)  # largest rise at the top
    # Percentage points of risk: the bars add up to the change in risk from the typical patient.
    assert sum(widths) == pytest.approx((expected.risk - expected.reference_risk) * 100, abs=1e-9)
    assert "percentage points of risk" in plot.axes.get_xlabel()
    labels = [t.get_text() for t in plot.axes.get_yticklabels()]
    assert labels == [bar_label(name, patient[name]) for name in plot.order]
    top = plot.order[0]
    sentence = plot.sentence.text()
    assert f"{bar_label(top, patient[top])} raised the risk the most" in sentence
    change = f"{(expected.risk - expected.reference_risk) * 100:+.1f}".replace("-", "−")
    assert f"add up to the change in risk: {expected.reference_risk * 100:.1f} % → " in sentence
    assert f"{expected.risk * 100:.1f} % is {change} percentage points" in sentence
    n = result.model.n_train_rows_
    assert f"associations the network learned from {n} training patients, not causes" in sentence


def test_no_method_name_a_student_cannot_read_on_the_page(page, result, qtbot):
    """ "Integrated gradients" and "Mahalanobis" may be in a tooltip, not in the text a student reads."""
    patient = _far_patient(page, result.model.training_ranges_)
    page.form.set_values(patient)
    _show_tab(page, qtbot, TAB_WHY)
    assert page.out_of_range_box.isVisible()
    shown = [label.text() for label in page.findChildren(QLabel) if label.isVisible()]
    shown += [t.get_text() for t in page.contributions_plot.axes.texts]
    shown.append(page.contributions_plot.axes.get_xlabel())
    for text in shown:
        assert "integrated gradients" not in text.lower(), text
        assert "mahalanobis" not in text.lower(), text
    assert "Mahalanobis" in page.out_of_range_label.toolTip()
    assert "integrated gradients" in page.contributions_plot.canvas.toolTip()


def test_an_older_age_lowering_the_risk_is_labelled_a_teaching_moment(page, result, heart, qtbot):
    """Heart.dat row 1 (age 70): the network lowers the risk for the older age; the page must not let
    that read as a lesson about ageing."""
    page.fill_from_row(1)
    c = contributions(result.model, heart.row(0))
    assert heart.row(0)["age"] > c.reference["age"] and c.by_feature["age"] < 0  # the premise
    plot = page.contributions_plot
    qtbot.waitUntil(lambda: plot.contributions is not None and plot.contributions.logit == c.logit)
    sentence = plot.sentence.text()
    assert (
        "Teaching moment</b> — Age 70 years lowered the risk compared with the typical patient's" in sentence
    )
    assert "although a higher value generally goes with more coronary disease" in sentence
    assert "not a clinical fact" in sentence
    # A patient younger than the typical one, whose age lowers the risk, gets no such note.
    page.form.set_values({"age": c.reference["age"] - 15})
    younger = contributions(result.model, page.form.values())
    qtbot.waitUntil(lambda: plot.contributions is not None and plot.contributions.logit == younger.logit)
    if younger.by_feature["age"] < 0:
        assert "Teaching moment</b> — Age" not in plot.sentence.text()


def test_cholesterol_stays_in_mmol_per_litre_in_why_and_what_if(page, result, heart, qtbot):
    from heartgui.core.schema import MG_DL_PER_MMOL_L_CHOLESTEROL as F
    from heartgui.gui.widgets.patient_form import MMOL_L

    page.fill_from_row(1)
    page.form.set_cholesterol_unit(MMOL_L)
    chol = heart.row(0)["chol"]
    plot = page.contributions_plot
    qtbot.waitUntil(lambda: plot.contributions is not None and plot._unit == MMOL_L)
    labels = [t.get_text() for t in plot.axes.get_yticklabels()]
    assert f"Serum cholesterol: {chol / F:.2f} mmol/L" in labels
    assert "mg/dl" not in " ".join(label for label in labels if label.startswith("Serum cholesterol"))
    _show_tab(page, qtbot, TAB_WHAT_IF)
    page.what_if_plot.set_feature("chol")
    what = page.what_if_plot
    qtbot.waitUntil(lambda: what.curve is not None and what.curve.feature == "chol")
    expected = what_if(result.model, heart.row(0), "chol")
    np.testing.assert_allclose(what.line.get_xdata(), expected.values / F)
    assert what.marker.get_xdata()[0] == pytest.approx(chol / F)
    assert what.axes.get_xlabel() == "Serum cholesterol (mmol/L)"
    assert what.axes.get_ylabel() == "Risk of coronary disease now (%)"
    assert f"As entered ({chol / F:.2f} mmol/L)" in what.sentence.text()


def test_a_rare_ecg_finding_is_flagged_where_the_patient_has_it(page, result, qtbot):
    X = result.split.X_train
    rare = int((X["restecg"] == 1).sum())
    assert rare < 12  # the premise: heart.dat's training patients hardly have it
    page.reset_button.click()
    assert not page.out_of_range_box.isVisible()
    page.form.set_values({"restecg": 1.0})
    assert page.out_of_range_box.isVisible()
    assert (
        f"Only {rare} of {len(X)} training patients had this answer for Resting ECG (ST-T wave "
        "abnormality): the network knows little about it." in page.out_of_range_label.text()
    )


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
    assert f"{expected.current_risk * 100:.1f}\u00a0%" in plot.sentence.text()
    n = result.model.n_train_rows_
    assert (
        f"as learned from {n} training patients: an association, not what changing this value would do"
        in (plot.sentence.text())
    )


def test_what_if_labels_a_risk_falling_with_age_a_teaching_moment(page, result, heart, qtbot):
    """Heart.dat row 7: this network's risk falls as age rises; the curve must not teach that."""
    page.fill_from_row(7)
    expected = what_if(result.model, heart.row(6), "age")
    assert (expected.risks[-1] - expected.risks[0]) * 100 <= -1  # the premise
    _show_tab(page, qtbot, TAB_WHAT_IF)
    page.what_if_plot.set_feature("age")
    plot = page.what_if_plot
    qtbot.waitUntil(lambda: plot.curve is not None and plot.curve.feature == "age")
    qtbot.waitUntil(lambda: plot.curve.current_risk == pytest.approx(expected.current_risk))
    n = result.model.n_train_rows_
    assert (
        "<b>Teaching moment</b> — in this network the risk falls as Age rises, although a higher value "
        "generally goes with more coronary disease" in plot.sentence.text()
    )
    assert f"from {n} training patients together with this patient's other findings" in plot.sentence.text()
    # A curve in the direction clinicians expect gets no such note.
    for feature in ("oldpeak", "trestbps", "chol", "thalach"):
        curve = what_if(result.model, heart.row(6), feature)
        sign = {"thalach": -1}.get(feature, 1)
        if (curve.risks[-1] - curve.risks[0]) * sign > 0:
            page.what_if_plot.set_feature(feature)
            qtbot.waitUntil(lambda f=feature: plot.curve.feature == f)
            assert "Teaching moment" not in plot.sentence.text()
            break
    else:
        pytest.fail("no measurement moves this patient's risk the expected way")


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


def test_how_sure_says_what_it_measures_and_draws_a_dot_per_network(page, result, heart, qtbot):
    n = result.model.n_train_rows_
    intro = page.how_sure_intro.text()
    assert "comes from that random start — and nothing else" in intro
    assert f"much larger uncertainty of having learned from only {n} patients" in intro
    assert "A narrow spread does not mean the risk is right" in intro
    assert not page.spread_plot.isVisible()  # nothing to draw before the networks exist
    page.fill_from_row(1)
    _run_ensemble(page, qtbot, 3)
    plot = page.spread_plot
    assert plot.isVisible()
    models = [
        step.model
        for step in iter_ensemble(result.split.X_train, result.split.y_train, result.settings, n_models=3)
    ]
    spread = ensemble_spread(models, heart.row(0))
    np.testing.assert_allclose(plot.dots.get_offsets()[:, 0], spread.risks * 100)
    own = float(result.model.predict_risk(heart.row(0))[0])
    assert plot.own_marker.get_xdata()[0] == pytest.approx(own * 100)
    assert plot.threshold_line.get_xdata()[0] == pytest.approx(50)
    low, high = plot.axes.get_xlim()
    assert low <= 0 and high >= 100
    # Trained again: the old networks' dots go.
    page.set_training_data(result.split.X_train, result.split.y_train, result.settings)
    assert not plot.isVisible() and plot.dots is None


def test_the_spread_words_never_say_the_model_is_sure():
    from heartgui.core.explain import RiskSpread

    tight = RiskSpread(np.array([0.30, 0.31, 0.32]), 0.302, 0.31, 0.318)
    text = spread_words(tight, 0.31, 0.5, (1000, 1002))
    assert "not that the risk is right" in text
    for reading in ("sure", "certain", "hardly matter", "agree closely"):
        assert reading not in text
    wide = RiskSpread(np.array([0.2, 0.4, 0.6]), 0.24, 0.4, 0.56)
    text = spread_words(wide, 0.4, 0.5, (1000, 1002))
    assert "1 of the 3 networks would flag this patient for further testing" in text
    assert "sure" not in text and "certain" not in text
    # Your model alone on the other side of the threshold, and outside the networks' range.
    alone = RiskSpread(np.array([0.05, 0.06, 0.08]), 0.052, 0.06, 0.076)
    text = spread_words(alone, 0.20, 1 / 6, (1000, 1002))
    assert "Your model says 20.0 %, outside that range." in text
    assert "your model flags this patient for further testing, but none of the 3 other networks would" in text
    assert "changes little" not in text  # 5–20 %: the whole spread counts, your model included


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
    qtbot.waitUntil(thread.isRunning)  # (it starts once the tab's new state is painted)
    page.shutdown()
    assert thread.isFinished()
    assert not page.ensemble_running()


def test_shutdown_before_the_ensemble_started_never_starts_it(page, qtbot):
    page.ensemble_size = 40
    _show_tab(page, qtbot, TAB_HOW_SURE)
    page.ensemble_button.click()  # its thread starts on the next turn of the event loop ...
    thread: QThread = page._ensemble_job.qthread
    page.shutdown()  # ... which comes after the window closed
    qtbot.wait(50)
    assert not thread.isRunning() and not page.ensemble_running()


def test_window_stays_responsive_while_the_ensemble_trains(page, qtbot, record_property):
    # The tab is shown first: its spread plot's first full draw (~100 ms, once) is not the training's.
    page.ensemble_size = 10
    _show_tab(page, qtbot, TAB_HOW_SURE)
    heartbeat = Heartbeat()
    with heartbeat.running():
        _run_ensemble(page, qtbot, 10)
    assert len(heartbeat.gaps) > 5
    heartbeat.check(record_property, "the ensemble")


def test_after_training_how_sure_does_not_say_the_model_came_from_a_file(page, result, qtbot):
    """set_training_data first forgets the old training data (which wrote "opened from a file"); once
    the new training patients are there, nothing of that may stay on the tab."""
    _show_tab(page, qtbot, TAB_HOW_SURE)
    assert page.ensemble_button.isEnabled()
    assert "opened from a file" not in page.spread_label.text()
    # Trained again (the window calls set_model, then set_training_data): still not.
    page.set_training_data(result.split.X_train, result.split.y_train, result.settings)
    assert "opened from a file" not in page.spread_label.text()


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
