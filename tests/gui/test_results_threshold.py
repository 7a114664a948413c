"""The Threshold & costs and Curves tabs show exactly what the core computes, live as the slider moves."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from heartgui.core.evaluation import (
    bootstrap_auc_interval,
    calibration_points,
    evaluate,
    metrics_with_intervals,
    roc_point_at,
    roc_points,
)
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.pages.results import BOOTSTRAP_RESAMPLES, CALIBRATION_GROUPS, ResultsPage
from tests.gui.hosting import shown

SLIDER_TICKS = (0, 100, 167, 300, 455, 500, 742, 1000)


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result):
    page = ResultsPage()
    page.host = shown(qtbot, page)
    page.show_result(result)
    yield page
    page.shutdown()


def text(page: ResultsPage, name: str) -> str:
    label = page.findChild(QLabel, name)
    assert label is not None, f"no label named {name}"
    return label.text()


def pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def ci(low: float, high: float) -> str:
    return f"95 % CI {low * 100:.1f}–{high * 100:.1f} %"


def move_slider(page: ResultsPage, tick: int) -> None:
    page.threshold_panel.slider.setValue(tick)
    page.refresh()  # what the coalescing timer does on the next pass of the event loop


def test_starts_at_the_models_threshold(page, result):
    assert page.threshold == result.model.threshold == 0.5
    assert page.threshold_panel.slider.value() == 500
    assert page.threshold_panel.spin.value() == 50.0
    assert text(page, "live_cost") == f"{result.test_metrics.statlog_cost:.2f}"


@pytest.mark.parametrize("tick", SLIDER_TICKS)
def test_live_figures_equal_the_core_at_the_slider_position(page, result, tick):
    move_slider(page, tick)
    threshold = tick / 1000
    assert page.threshold == threshold
    m = evaluate(result.split.y_test, result.test_risk, threshold, cost_missed=5, cost_false_alarm=1)
    np.testing.assert_equal(page.live_metrics.as_dict(), m.as_dict())  # NaN-aware
    for key in ("tp", "fn", "fp", "tn"):
        assert text(page, f"cm_{key}_count") == str(getattr(m, key))
    undefined = "—"
    for key in ("sensitivity", "specificity", "ppv", "npv"):
        value = getattr(m, key)
        assert text(page, f"live_{key}") == (undefined if np.isnan(value) else pct(value))
    assert text(page, "live_cost") == f"{(5 * m.fn + 1 * m.fp) / m.n:.2f}"
    # The Summary cards follow the same threshold, with Wilson intervals from the core.
    assert text(page, "accuracy_value") == pct(m.accuracy)
    assert text(page, "statlog_cost_value") == f"{m.statlog_cost:.2f}"
    with_ci = metrics_with_intervals(
        result.split.y_test, result.test_risk, threshold, n_boot=BOOTSTRAP_RESAMPLES
    )
    assert text(page, "accuracy_interval") == ci(*with_ci.accuracy_interval)
    assert text(page, "sensitivity_interval") == ci(*with_ci.sensitivity_interval)
    assert text(page, "specificity_interval") == ci(*with_ci.specificity_interval)
    low, high = with_ci.roc_auc_interval
    assert text(page, "roc_auc_interval") == f"95 % CI {low:.2f}–{high:.2f}"
    assert f"{threshold * 100:.1f}".rstrip("0").rstrip(".") + " %" in text(page, "confusion_sentence")


def test_the_extremes_call_everybody_ill_or_nobody(page, result):
    move_slider(page, 0)
    assert text(page, "cm_fn_count") == "0" and text(page, "cm_tn_count") == "0"
    move_slider(page, 1000)
    # Nobody reaches a risk of exactly 100 %: everybody is reassured.
    assert text(page, "cm_tp_count") == "0" and text(page, "cm_fp_count") == "0"


def test_cost_optimal_button_uses_one_sixth(page, result, qtbot):
    panel = page.threshold_panel
    assert "16.7 %" in panel.optimal_label.text()
    assert "dearer a miss, the lower the threshold" in panel.why.text()
    with qtbot.waitSignal(page.threshold_changed) as blocker:
        qtbot.mouseClick(panel.optimal_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [pytest.approx(1 / 6, abs=0)]
    assert page.threshold == 1 / 6  # exactly, not the slider's 0.167
    assert panel.slider.value() == 167 and panel.spin.value() == 16.7
    page.refresh()
    m = evaluate(result.split.y_test, result.test_risk, 1 / 6)
    assert text(page, "live_cost") == f"{m.statlog_cost:.2f}"
    assert m.statlog_cost < result.test_metrics.statlog_cost  # a lower threshold is cheaper here


def test_edited_costs_move_the_optimal_threshold_and_the_expected_cost(page, result, qtbot):
    panel = page.threshold_panel
    panel.cost_missed.setValue(9.0)
    assert "10 %" in panel.optimal_label.text()
    with qtbot.waitSignal(page.threshold_changed) as blocker:
        panel.optimal_button.click()
    assert blocker.args == [pytest.approx(0.1)]
    page.refresh()
    m = evaluate(result.split.y_test, result.test_risk, 0.1, cost_missed=9, cost_false_alarm=1)
    assert text(page, "live_cost") == f"{m.statlog_cost:.2f}"
    # The Statlog card keeps Statlog's own costs (5 and 1).
    assert (
        text(page, "statlog_cost_value")
        == f"{evaluate(result.split.y_test, result.test_risk, 0.1).statlog_cost:.2f}"
    )


def test_a_cost_of_zero_is_refused_in_words_not_reverted_silently(page, qtbot):
    panel = page.threshold_panel
    box = panel.cost_missed
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert panel.costs == (5.0, 1.0)  # the cost in use, as the message says
    assert not box.message.isHidden()  # (its tab is not the one shown)
    assert box.message.text() == (
        "⚠ 0 is outside 0.1–1000.0; enter a value in that range. A cost must be above 0: a mistake that "
        "costs nothing pushes the best threshold to 0 % or 100 %. The cost of a missed disease in use: 5.0."
    )
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "9")
    assert panel.costs == (9.0, 1.0) and box.message.isHidden()


def test_a_threshold_over_100_percent_is_refused_in_words(page, qtbot):
    spin = page.threshold_panel.spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "150")
    assert spin.lineEdit().text().startswith("150")  # not the silently cut "15"
    assert page.threshold_panel.threshold == 0.15
    assert spin.message.text() == (
        "⚠ 150 is outside 0.0–100.0 %; enter a value in that range. The threshold in use: 15.0 %."
    )


def test_threshold_changed_carries_the_final_value_once(page, qtbot):
    seen: list[float] = []
    page.threshold_changed.connect(seen.append)
    with qtbot.waitSignal(page.threshold_changed) as blocker:
        for tick in (200, 250, 300):
            page.threshold_panel.slider.setValue(tick)
    assert blocker.args == [0.3]
    assert seen == [0.3]  # debounced: the intermediate positions are not sent


def test_spin_box_moves_the_slider(page, qtbot):
    with qtbot.waitSignal(page.threshold_changed) as blocker:
        page.threshold_panel.spin.setValue(25.0)
    assert blocker.args == [0.25]
    assert page.threshold_panel.slider.value() == 250
    assert text(page, "threshold_number") == "25 %"


def test_keyboard_moves_the_slider(page, qtbot):
    slider = page.threshold_panel.slider
    slider.setFocus()
    with qtbot.waitSignal(page.threshold_changed) as blocker:
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert blocker.args == [0.55]


def test_roc_point_follows_the_slider_and_lies_on_the_curve(page, result):
    fpr, tpr, _ = roc_points(result.split.y_test, result.test_risk)
    curve_x, curve_y = page.roc_plot.curve.get_data()
    assert np.array_equal(curve_x, fpr) and np.array_equal(curve_y, tpr)
    for tick in SLIDER_TICKS:
        move_slider(page, tick)
        point = page.roc_plot.point_data()
        assert point == roc_point_at(result.split.y_test, result.test_risk, tick / 1000)
        assert np.any(np.isclose(fpr, point[0]) & np.isclose(tpr, point[1])), f"{point} is not a vertex"
    m = result.test_metrics
    label = page.roc_plot.axes.get_title()
    low, high = bootstrap_auc_interval(result.split.y_test, result.test_risk, BOOTSTRAP_RESAMPLES)
    assert f"(AUC) {m.roc_auc:.2f}, 95 % CI {low:.2f}–{high:.2f}" in label


def test_calibration_plot_has_one_dot_per_group(page, result):
    predicted, observed, counts = calibration_points(
        result.split.y_test, result.test_risk, CALIBRATION_GROUPS
    )
    x, y = page.calibration_plot.dots.get_data()
    assert page.calibration_plot.point_count() == len(predicted) == len(counts)
    assert np.allclose(x, predicted) and np.allclose(y, observed)
    assert f"Brier score {result.test_metrics.brier:.3f}" in page.calibration_plot.dots.get_label()
    # A risk of 30 % is neither right nor wrong for one patient: calibration asks whether 30 % had it.
    assert "When the model says 30 %, do about 30 % have heart disease?" in page.calibration_plot.title.text()
    axes = page.calibration_plot.axes
    assert axes.get_xlabel() and axes.get_ylabel()


def test_uncertainty_sentence_names_the_real_number_of_patients(page, result):
    n = len(result.split.y_test)
    assert text(page, "uncertainty_sentence").startswith(
        f"Only {n} test patients: these numbers could easily be a few points higher or lower"
    )


def test_figures_save_as_png(page, tmp_path):
    for plot in (page.roc_plot, page.calibration_plot):
        path = tmp_path / f"{plot.accessibleName()}.png"
        plot.save_png(str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
