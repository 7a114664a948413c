"""The Results page shows the real test-set figures of a model trained on heart.dat, in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from heartgui.core.evaluation import evaluate
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import TrainingSession, train
from heartgui.gui.pages.results import TAB_COMPARE, ResultsPage
from tests.gui.hosting import shown

SHOTS = Path("/tmp/heartgui-shots")


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED.replace(epochs=300, preset="recommended"))


@pytest.fixture(scope="module")
def stopped_result(heart):
    """A tutorial run stopped by hand after 10 of its 100 epochs."""
    session = TrainingSession(heart, TUTORIAL)
    for report in session.epochs():
        if report.epoch >= 10:
            break
    return session.finish()


@pytest.fixture
def page(qtbot):
    page = ResultsPage()
    page.host = shown(qtbot, page)
    yield page
    page.shutdown()  # joins the comparison threads before the widgets go


def text(page: ResultsPage, name: str) -> str:
    label = page.findChild(QLabel, name)
    assert label is not None, f"no label named {name}"
    return label.text()


def test_before_a_result_the_page_says_what_to_do(page):
    assert page.result is None
    assert page.placeholder.isVisible()
    assert "Train page" in page.placeholder.text()


def test_figures_are_the_test_metrics(page, result):
    page.show_result(result)
    m = result.test_metrics
    assert not page.placeholder.isVisible()
    assert text(page, "accuracy_value") == f"{m.accuracy * 100:.1f} %"
    assert text(page, "sensitivity_value") == f"{m.sensitivity * 100:.1f} %"
    assert text(page, "specificity_value") == f"{m.specificity * 100:.1f} %"
    assert text(page, "roc_auc_value") == f"{m.roc_auc:.2f}"
    assert text(page, "statlog_cost_value") == f"{m.statlog_cost:.2f}"
    # The Statlog cost is (5·missed + 1·false alarms) / patients, and that is what is shown.
    assert text(page, "statlog_cost_value") == f"{(5 * m.fn + m.fp) / m.n:.2f}"


def test_each_figure_is_explained_in_plain_words(page, result):
    page.show_result(result)
    assert "how many the model caught" in text(page, "sensitivity_explanation")
    assert "correctly reassured" in text(page, "specificity_explanation")
    assert "coin toss" in text(page, "roc_auc_explanation")
    assert "missed disease costs 5 and a false alarm 1 (heart.doc)" in text(page, "statlog_cost_explanation")
    for card in page.cards.values():
        assert len(card.toolTip()) > 40


def test_confusion_grid_counts_and_words(page, result):
    page.show_result(result)
    m = result.test_metrics
    for key in ("tp", "fn", "fp", "tn"):
        assert text(page, f"cm_{key}_count") == str(getattr(m, key))
    words = {key: text(page, f"cm_{key}_word") for key in ("tp", "fn", "fp", "tn")}
    assert words == {"tp": "caught", "fn": "missed", "fp": "false alarm", "tn": "correctly reassured"}
    assert text(page, "cm_row_had").startswith("Had heart disease")
    assert text(page, "cm_row_did_not").startswith("Did not")
    assert text(page, "cm_col_disease").startswith("Model said disease")
    assert text(page, "cm_col_none").startswith("Model said no disease")
    # The row headings count the patients: 22 with disease in this split.
    assert f"({m.tp + m.fn} patients)" in text(page, "cm_row_had")
    # Missed stands out in its own (warm) style.
    assert page.cells["fn"].property("cell") == "missed"
    assert {page.cells[k].property("cell") for k in ("tp", "fp", "tn")}.isdisjoint({"missed"})
    tint = page.cells["fn"].tint
    assert tint.red() > tint.green() > tint.blue()  # a warm colour


def test_run_details_and_overfitting_hint(page, result):
    page.show_result(result)
    m = result.test_metrics
    assert text(page, "threshold_value").startswith("50 %")
    assert text(page, "n_test_value").startswith("54 patients")
    assert "few" in text(page, "n_test_value")
    assert text(page, "epochs_value") == (
        f"Finished all 300 epochs: final training loss {result.final_train_loss:.5f}."
    )
    assert text(page, "preset_value") == "Recommended"
    assert text(page, "train_accuracy_value") == f"{result.train_metrics.accuracy * 100:.1f} %"
    assert text(page, "test_accuracy_value") == f"{m.accuracy * 100:.1f} %"
    gap = (result.train_metrics.accuracy - m.accuracy) * 100
    assert gap > 10  # on heart.dat the recommended run fits its training patients clearly better
    assert "overfitting" in text(page, "overfit_hint")


def test_a_stopped_run_says_so(page, stopped_result):
    page.show_result(stopped_result)
    assert stopped_result.stopped_early
    assert text(page, "epochs_value") == (
        f"Stopped by you at epoch {stopped_result.epochs_run} of 100. The model keeps the weights reached."
    )
    assert text(page, "preset_value") == "Tutorial (the original lesson's run)"


def _all_label_text(page: ResultsPage) -> str:
    return "\n".join(label.text() for label in page.findChildren(QLabel))


def test_the_summary_shows_one_test_accuracy_at_the_chosen_threshold(page, result, qtbot):
    """The fit card's test accuracy is the Accuracy card's, and both follow the threshold."""
    page.show_result(result)
    assert text(page, "test_accuracy_value") == text(page, "accuracy_value")
    page.set_threshold(1 / 6)
    qtbot.waitUntil(lambda: page.live_metrics is not None and page.live_metrics.threshold == 1 / 6)
    y_train, risk_train = result.split.y_train, result.model.predict_risk(result.split.X_train)
    at_sixth = evaluate(result.split.y_test, result.test_risk, 1 / 6)
    assert at_sixth.accuracy != result.test_metrics.accuracy  # the threshold does change the figure here
    assert text(page, "accuracy_value") == f"{at_sixth.accuracy * 100:.1f} %"
    assert text(page, "test_accuracy_value") == text(page, "accuracy_value")
    train_at_sixth = ((risk_train >= 1 / 6) == y_train).mean()
    assert text(page, "train_accuracy_value") == f"{train_at_sixth * 100:.1f} %"
    assert "16.7 %" in text(page, "overfit_hint")


def test_no_text_says_the_model_was_trained_with_a_threshold(page, result, qtbot):
    """Cross-entropy training uses no threshold: the threshold is chosen after training."""
    page.show_result(result)
    page.set_threshold(1 / 6)
    qtbot.waitUntil(lambda: page.live_metrics is not None and page.live_metrics.threshold == 1 / 6)
    words = _all_label_text(page)
    assert "trained with" not in words and "trained at" not in words
    assert "training does not use a threshold" in text(page, "threshold_value")


def test_the_default_rule_is_named_for_what_it_does_in_both_columns(page, result, qtbot):
    from heartgui.core.crossval import DEFAULT_RULE

    page.show_result(result)
    with qtbot.waitSignal(page.comparison_finished, timeout=60_000) as blocker:
        page.tabs.setCurrentIndex(TAB_COMPARE)
    rule = next(r for r in blocker.args[0].rows if r.method == DEFAULT_RULE)
    assert "majority" not in rule.method.lower()
    y = result.split.y_test
    sick, n = int(y.sum()), len(y)
    # At 50 % it calls everyone healthy (every sick patient missed, cost 5 each) ...
    assert rule.cost_at_half == pytest.approx(5 * sick / n)
    # ... and at 1/6 everyone ill (every healthy patient a false alarm, cost 1 each).
    assert rule.cost_at_optimal == pytest.approx((n - sick) / n)
    model = page.comparison_table.model
    row = [r[0] for r in model.rows].index(DEFAULT_RULE)
    tip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "At 50 % it therefore calls everyone healthy; at 1/6 (16.7 %) it calls everyone ill" in tip
    assert f"{result.split.y_train.mean() * 100:.1f} %" in tip


def test_clear_goes_back_to_the_placeholder(page, result):
    page.show_result(result)
    page.clear()
    assert page.result is None
    assert page.placeholder.isVisible()


def test_modules_load_without_the_heavy_libraries():
    """The window imports the page at start-up: matplotlib, NumPy and the core load later."""
    import subprocess
    import sys

    code = (
        "import sys, heartgui.gui.pages.results, heartgui.gui.crossval_job\n"
        "heavy = [m for m in ('matplotlib', 'numpy', 'pandas', 'sklearn') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("size", [(1200, 800), (900, 650)])
def test_renders_without_clipped_labels(page, result, qtbot, size):
    page.host.resize(*size)
    page.show_result(result)
    qtbot.waitUntil(lambda: page.size().width() == size[0])
    SHOTS.mkdir(exist_ok=True)
    seen = 0
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        tab = page.tabs.currentWidget()
        qtbot.waitUntil(tab.isVisible)
        QApplication.processEvents()  # let the plots draw at their new size before the picture
        name = page.tabs.tabText(index).split()[0].lower()
        assert page.grab().save(str(SHOTS / f"results_{name}_{size[0]}x{size[1]}.png"))
        labels = [label for label in tab.findChildren(QLabel) if label.isVisible() and label.text()]
        seen += len(labels)
        for label in labels:
            # A label narrower than it needs would cut its text.
            assert label.width() >= label.minimumSizeHint().width(), label.objectName() or label.text()
        assert isinstance(tab, QScrollArea)
        # Without a horizontal scroll bar, content wider than the viewport is cut off on the right.
        assert tab.widget().width() <= tab.viewport().width()
    assert seen > 40
