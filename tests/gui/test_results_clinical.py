"""The Results page's clinical views (issue 12) show what heartgui.core.clinical computes on heart.dat's
test patients, checked here against independent computations: net benefit counted by hand, Bayes' rule
written out, subgroup counts from the raw columns, a confusion cell's patients from the file's lines."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sklearn.metrics import precision_recall_curve

from heartgui.core.clinical import (
    calibration_fit,
    decision_curve,
    decision_reading,
    predictive_values,
    subgroups,
)
from heartgui.core.evaluation import calibration_points, evaluate, wilson_interval
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.pages.results import (
    CALIBRATION_GROUPS,
    TAB_CALIBRATION,
    TAB_DECISION,
    TAB_PRETEST,
    TAB_SUBGROUPS,
    TAB_THRESHOLD,
    ResultsPage,
)
from heartgui.gui.pages.results.subgroups import TOO_FEW
from tests.gui.hosting import shown

THRESHOLDS = (0.05, 1 / 6, 0.3, 0.5, 0.7)


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result):
    page = ResultsPage()
    page.host = shown(qtbot, page, (1280, 720))
    page.show_result(result)
    yield page
    page.shutdown()


def text(page: ResultsPage, name: str) -> str:
    label = page.findChild(QLabel, name)
    assert label is not None, f"no label named {name}"
    return label.text()


def set_threshold(page: ResultsPage, threshold: float) -> None:
    page.threshold_panel.set_threshold(threshold, by_user=True)
    page.refresh()  # what the coalescing timer does on the next pass of the event loop
    assert page.threshold == pytest.approx(threshold, abs=1e-3)


def hand_net_benefit(y: np.ndarray, risk: np.ndarray, t: float) -> float:
    """TP/n − FP/n · t/(1 − t), counted patient by patient."""
    tp = fp = 0
    for outcome, r in zip(y, risk, strict=True):
        if r >= t:
            tp += outcome == 1
            fp += outcome == 0
    return tp / len(y) - fp / len(y) * t / (1 - t)


# --------------------------------------------------------------------------------------------------
# decision curve
def test_decision_curve_draws_the_core_curve_from_1_to_60_percent(page, result):
    page.tabs.setCurrentIndex(TAB_DECISION)
    y, risk = result.split.y_test, result.test_risk
    curve = decision_curve(y, risk)
    plot = page.decision_view.decision_plot
    x, model = plot.model_line.get_data()
    assert np.allclose(x, np.arange(1, 61)) and np.allclose(model, curve.model * 100)
    _, treat_all = plot.all_line.get_data()
    prevalence = y.mean()
    assert np.allclose(treat_all, [100 * (prevalence - (1 - prevalence) * t / (1 - t)) for t in x / 100])
    assert np.allclose(plot.none_line.get_data()[1], 0)
    # every point of the model's line is net benefit counted by hand
    for t, nb in zip(x / 100, model, strict=True):
        assert nb == pytest.approx(100 * hand_net_benefit(y, risk, t), abs=1e-9)


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_the_chosen_threshold_is_marked_and_read_in_words(page, result, threshold):
    page.tabs.setCurrentIndex(TAB_DECISION)
    set_threshold(page, threshold)
    t = page.threshold  # the slider's value (thousandths)
    y, risk = result.split.y_test, result.test_risk
    plot = page.decision_view.decision_plot
    assert list(plot.marker.get_xdata()) == pytest.approx([t * 100, t * 100])
    (px,), (py,) = plot.point.get_data()
    assert (px, py) == pytest.approx((t * 100, 100 * hand_net_benefit(y, risk, t)))
    reading = text(page, "decision_reading")
    assert reading.startswith(decision_reading(decision_curve(y, risk, [t]), t))
    assert f"{hand_net_benefit(y, risk, t) * 100:.1f} " in reading
    assert f"On the {len(y)} test patients" in reading


def test_a_threshold_of_zero_is_explained_not_computed(page):
    page.tabs.setCurrentIndex(TAB_DECISION)
    set_threshold(page, 0.0)
    assert "above 0 % and below 100 %" in text(page, "decision_reading")


# --------------------------------------------------------------------------------------------------
# calibration
def test_calibration_intercept_and_slope_are_the_cores_with_their_intervals(page, result):
    page.tabs.setCurrentIndex(TAB_CALIBRATION)
    fit = calibration_fit(result.split.y_test, result.test_risk)
    assert np.isfinite(fit.intercept) and np.isfinite(fit.slope)
    assert text(page, "calibration_intercept_value") == f"{fit.intercept:+.2f}"
    low, high = fit.intercept_interval
    assert text(page, "calibration_intercept_interval") == f"95 % CI {low:.2f} to {high:.2f}"
    assert text(page, "calibration_slope_value") == f"{fit.slope:.2f}"
    low, high = fit.slope_interval
    assert text(page, "calibration_slope_interval") == f"95 % CI {low:.2f} to {high:.2f}"
    assert fit.reading() in text(page, "calibration_reading")
    words = " ".join(label.text() for label in page.calibration_view.findChildren(QLabel))
    assert "below 1 the risks are too extreme" in words and "over-fitting" in words
    assert "Calibration-in-the-large" in words


def test_each_calibration_group_has_its_95_percent_interval(page, result):
    predicted, observed, counts = calibration_points(
        result.split.y_test, result.test_risk, n_bins=CALIBRATION_GROUPS
    )
    bars = page.calibration_plot.interval_data()
    assert len(bars) == len(counts) == page.calibration_plot.point_count()
    xs = [segment[0][0] for segment in page.calibration_plot._bars.get_segments()]
    assert np.allclose(xs, predicted)  # each bar through its group's dot
    for (low, high), share, n in zip(bars, observed, counts, strict=True):
        events = int(round(share * n))
        assert (low, high) == pytest.approx(wilson_interval(events, int(n)))
        assert low <= share <= high
    assert "95 % interval" in text(page, "calibration_sentence")


# --------------------------------------------------------------------------------------------------
# subgroups
@pytest.mark.parametrize("threshold", [1 / 6, 0.5])
def test_subgroups_table_shows_the_cores_figures(page, result, threshold, qtbot):
    set_threshold(page, threshold)
    page.tabs.setCurrentIndex(TAB_SUBGROUPS)
    t = page.threshold
    split = result.split
    groups = subgroups(split.X_test, split.y_test, result.test_risk, t)
    rows = page.subgroups_view.table.model.rows
    assert [r[0] for r in rows] == [g.name for g in groups]
    assert [r[0] for r in rows] == ["all patients", "women", "men", "age < 50", "age 50–59", "age ≥ 60"]
    sex, age, y = split.X_test["sex"].to_numpy(), split.X_test["age"].to_numpy(), split.y_test
    masks = [
        np.ones(len(y), bool),
        sex == 0,
        sex == 1,
        age < 50,
        (age >= 50) & (age < 60),
        age >= 60,
    ]
    for row, g, mask in zip(rows, groups, masks, strict=True):
        n, ill = int(mask.sum()), int(y[mask].sum())
        assert row[1] == str(n) and row[2].startswith(f"{ill} (")
        m = evaluate(y[mask], result.test_risk[mask], t)
        assert row[4] == f"{m.sensitivity * 100:.0f} %" and row[5] == f"{m.specificity * 100:.0f} %"
        assert row[6] == f"{g.auc:.2f}" and row[7] == f"{g.calibration_intercept:+.2f}"
        assert (row[8] == TOO_FEW) == (min(ill, n - ill) < 10)


def test_subgroups_follow_the_threshold_while_shown(page, result):
    page.tabs.setCurrentIndex(TAB_SUBGROUPS)
    set_threshold(page, 0.9)
    y, risk = result.split.y_test, result.test_risk
    all_row = page.subgroups_view.table.model.rows[0]
    assert all_row[4] == f"{evaluate(y, risk, page.threshold).sensitivity * 100:.0f} %"
    assert "threshold of 90 %" in text(page, "subgroups_sentence")


# --------------------------------------------------------------------------------------------------
# pre-test probability
def bayes(se: float, sp: float, p: float) -> tuple[float, float]:
    return se * p / (se * p + (1 - sp) * (1 - p)), sp * (1 - p) / (sp * (1 - p) + (1 - se) * p)


def test_prevalence_starts_at_the_files_and_primary_care_lowers_the_ppv(page, result, heart):
    page.tabs.setCurrentIndex(TAB_PRETEST)
    view = page.pretest_view
    file_prevalence = float(np.mean(heart.y))
    assert view.spin.value() == round(file_prevalence * 100)
    assert view.this_file.text() == f"This file ({file_prevalence * 100:.0f} %)"
    m = evaluate(result.split.y_test, result.test_risk, page.threshold)
    view.primary_care.click()
    assert view.spin.value() == 10 and view.slider.value() == 10
    ppv, npv = bayes(m.sensitivity, m.specificity, 0.10)
    assert text(page, "pretest_ppv") == f"{ppv * 100:.1f} %"
    assert text(page, "pretest_npv") == f"{npv * 100:.1f} %"
    assert ppv < m.ppv  # rarer disease: fewer of the alarms are true
    assert (ppv, npv) == pytest.approx(predictive_values(m.sensitivity, m.specificity, 0.10))
    assert "of 1,000 patients have heart disease" in text(page, "pretest_frequencies")
    view.this_file.click()
    assert view.spin.value() == round(file_prevalence * 100)


@pytest.mark.parametrize("prevalence", [1, 25, 60, 90])
@pytest.mark.parametrize("threshold", [1 / 6, 0.5])
def test_the_control_recomputes_ppv_and_npv_by_bayes(page, result, prevalence, threshold):
    set_threshold(page, threshold)
    page.pretest_view.spin.setValue(prevalence)
    m = evaluate(result.split.y_test, result.test_risk, page.threshold)
    ppv, npv = bayes(m.sensitivity, m.specificity, prevalence / 100)
    assert text(page, "pretest_sensitivity") == f"{m.sensitivity * 100:.1f} %"
    assert text(page, "pretest_specificity") == f"{m.specificity * 100:.1f} %"
    assert text(page, "pretest_ppv") == f"{ppv * 100:.1f} %"
    assert text(page, "pretest_npv") == f"{npv * 100:.1f} %"


# --------------------------------------------------------------------------------------------------
# precision–recall
@pytest.mark.parametrize("threshold", [1 / 6, 0.5])
def test_precision_recall_curve_beside_the_roc(page, result, threshold):
    y, risk = result.split.y_test, result.test_risk
    precision, recall, _ = precision_recall_curve(y, risk, drop_intermediate=False)
    x, p = page.curves_view.pr_plot.curve.get_data()
    assert np.allclose(x, recall) and np.allclose(p, precision)
    assert list(page.curves_view.pr_plot.baseline.get_ydata()) == pytest.approx([y.mean()] * 2)
    set_threshold(page, threshold)
    m = evaluate(y, risk, page.threshold)
    assert page.curves_view.pr_plot.point_data() == pytest.approx((m.sensitivity, m.ppv))
    # beside the ROC: the same tab, side by side
    roc, pr = page.roc_plot, page.curves_view.pr_plot
    assert roc.parent() is pr.parent() and abs(roc.y() - pr.y()) < 5 and pr.x() > roc.x()


# --------------------------------------------------------------------------------------------------
# a confusion cell's patients
def heart_lines(heart_dat) -> dict[int, list[float]]:
    with open(heart_dat, encoding="ascii") as f:
        return {number: [float(v) for v in line.split()] for number, line in enumerate(f, start=1)}


@pytest.mark.parametrize("key", ["tp", "fn", "fp", "tn"])
@pytest.mark.parametrize("threshold", [1 / 6, 0.5])
def test_clicking_a_cell_lists_exactly_its_patients(page, result, qtbot, heart_dat, key, threshold):
    page.tabs.setCurrentIndex(TAB_THRESHOLD)
    set_threshold(page, threshold)
    cell = page.cells[key]
    qtbot.waitUntil(cell.isVisible)
    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    split, risk, t = result.split, result.test_risk, page.threshold
    ill, flagged = split.y_test == 1, risk >= t
    mask = {"tp": ill & flagged, "fn": ill & ~flagged, "fp": ~ill & flagged, "tn": ~ill & ~flagged}[key]
    expected = sorted(int(line) for line in split.lines_test[mask])
    view = page.threshold_view
    assert view.listed_lines() == expected
    assert int(cell.count.text()) == len(expected)
    rows = view.patients_table.model.rows
    assert [int(r[0]) for r in rows] == expected
    assert view.patients_title.text().startswith(f"{len(expected)} test patient")
    # each listed line is that patient's line in heart.dat: its age and sex, its risk
    lines = heart_lines(heart_dat)
    by_line = dict(zip(split.lines_test.tolist(), range(len(split.lines_test)), strict=True))
    for row in rows:
        fields = lines[int(row[0])]
        age, sex = int(fields[0]), "male" if fields[1] == 1 else "female"
        assert row[2].startswith(f"{age} years, {sex}, chest pain ")
        assert row[1] == f"{risk[by_line[int(row[0])]] * 100:.1f} %"
        assert (fields[13] == 2) == (key in ("tp", "fn"))  # heart.dat: class 2 = disease present


def test_the_listed_cell_follows_the_threshold_and_the_keyboard_opens_one(page, result, qtbot):
    page.tabs.setCurrentIndex(TAB_THRESHOLD)
    cell = page.cells["fn"]
    qtbot.waitUntil(cell.isVisible)
    cell.setFocus()
    qtbot.keyClick(cell, Qt.Key.Key_Space)
    assert page.threshold_view.selected_cell == "fn"
    before = page.threshold_view.listed_lines()
    set_threshold(page, 0.9)  # more patients missed
    split = result.split
    missed = (split.y_test == 1) & (result.test_risk < page.threshold)
    assert page.threshold_view.listed_lines() == sorted(int(v) for v in split.lines_test[missed])
    assert len(page.threshold_view.listed_lines()) >= len(before)


def test_a_new_result_forgets_the_listed_cell(page, result, qtbot):
    page.tabs.setCurrentIndex(TAB_THRESHOLD)
    page.threshold_view.select_cell("tp")
    assert page.threshold_view.listed_lines()
    page.show_result(result)
    assert page.threshold_view.listed_lines() == [] and page.threshold_view.selected_cell is None


def test_a_long_cell_lists_its_first_patients_and_saves_them_all(page, result, monkeypatch, tmp_path):
    import pandas as pd

    from heartgui.gui.pages.results import threshold

    monkeypatch.setattr(threshold, "MAX_LISTED", 3)
    page.tabs.setCurrentIndex(TAB_THRESHOLD)
    page.threshold_view.select_cell("tn")
    split = result.split
    healthy = (split.y_test == 0) & (result.test_risk < page.threshold)
    expected = sorted(int(v) for v in split.lines_test[healthy])
    assert len(expected) > 3
    view = page.threshold_view
    assert [int(r[0]) for r in view.patients_table.model.rows] == expected[:3]
    assert "(the first 3 shown; the CSV holds all)" in view.patients_title.text()
    path = tmp_path / "patients.csv"
    view.patients_table.save_csv(str(path))
    saved = pd.read_csv(path)
    assert saved["line"].tolist() == expected and (saved["heart_disease"] == 0).all()


def test_a_listed_patient_opens_in_predict(window, open_file, heart_dat, qtbot, heart):
    from heartgui.gui.main_window import PAGE_PREDICT, PAGE_RESULTS

    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=20))
    window.show_page(PAGE_RESULTS)
    page = window.results_page
    page.tabs.setCurrentIndex(TAB_THRESHOLD)
    page.threshold_view.select_cell("tp")
    table = page.threshold_view.patients_table
    line = int(table.model.rows[1][0])
    table.view.selectRow(1)
    page.threshold_view.open_patient.click()
    assert window.stack.currentIndex() == PAGE_PREDICT
    row = int(np.flatnonzero(heart.lines == line)[0])
    assert window.predict_page.patient == pytest.approx(heart.row(row))
    assert f"line {line}" in window.statusBar().currentMessage()
    # Another patient's findings under that line (another file opened since): not opened, and said so.
    window.show_page(PAGE_RESULTS)
    wrong = {**heart.row(row), "age": heart.row(row)["age"] + 1}
    page.patient_requested.emit(line, wrong)
    assert window.stack.currentIndex() == PAGE_RESULTS
    assert "is not that test patient" in window.statusBar().currentMessage()
