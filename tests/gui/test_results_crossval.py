"""The Compare tab: baselines on the same split and the Statlog cross-validation, off the UI thread."""

from __future__ import annotations

import pandas as pd
import pytest

from heartgui.core.crossval import DEFAULT_METHODS
from heartgui.core.evaluation import evaluate
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.crossval_job import THIS_NETWORK, YOUR_SETTINGS, dataset_of_split
from heartgui.gui.pages.results import CV_FOLDS, CV_REPEATS, TAB_COMPARE, ResultsPage
from tests.gui.heartbeat import Heartbeat
from tests.gui.hosting import shown

CV_TIMEOUT_MS = 120_000


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
    assert not page.is_busy()


def test_the_split_rebuilt_for_comparisons_is_the_data_file(heart, result):
    rebuilt = dataset_of_split(result.split)
    pd.testing.assert_frame_equal(rebuilt.X, heart.X)
    assert (rebuilt.y == heart.y).all()


def test_baselines_on_the_same_split_when_the_tab_opens(page, result, qtbot, tmp_path):
    assert page.comparison_table.isHidden()  # no empty table before the figures
    with qtbot.waitSignal(page.comparison_finished, timeout=CV_TIMEOUT_MS) as blocker:
        page.tabs.setCurrentIndex(TAB_COMPARE)
    comparison = blocker.args[0]
    model = page.comparison_table.model
    names = [row[0] for row in model.rows]
    assert names == [THIS_NETWORK, *(r.method for r in comparison.rows)]
    assert names[1:] == [
        "Neural network (tutorial)",
        "Default rule (every patient gets the base rate)",
        "Logistic regression",
        "Naive Bayes (Gaussian)",
        "scikit-learn MLPClassifier (8)",
    ]
    mine = evaluate(result.split.y_test, result.test_risk, 0.5)
    assert model.rows[0][1:4] == [
        f"{mine.accuracy * 100:.1f} %",
        f"{mine.roc_auc:.2f}",
        f"{mine.statlog_cost:.2f}",
    ]
    logistic = comparison.rows[2]
    assert model.rows[3][2] == f"{logistic.roc_auc:.2f}"
    # The default rule ranks nobody: AUC 0.5.
    assert model.rows[2][2] == "0.50"
    path = tmp_path / "comparison.csv"
    page.comparison_table.save_csv(str(path))
    saved = pd.read_csv(path, index_col="method")
    assert list(saved.index) == names
    assert saved.loc["Logistic regression", "cost_at_optimal"] == pytest.approx(logistic.cost_at_optimal)
    assert "Lowest cost at 1/6" in page.comparison_status.text()


def test_cross_validation_in_the_page(page, qtbot, tmp_path):
    assert page.cv_repeats.value() == CV_REPEATS and CV_FOLDS == 9
    progress: list[tuple[int, int]] = []
    page.crossval_progressed.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(page.crossval_finished, timeout=CV_TIMEOUT_MS) as blocker:
        assert page.start_cross_validation(folds=3, repeats=1)
        assert not page.cv_button.isEnabled() and page.cv_cancel.isEnabled()
    cv = blocker.args[0]
    assert cv.complete and cv.folds_done == 3
    assert progress[-1] == (3, 3)
    assert page.cv_progress.value() == page.cv_progress.maximum() == 3
    names = [row[0] for row in page.cv_table.model.rows]
    assert names == [m.name for m in DEFAULT_METHODS]  # one row per method, both presets and the baselines
    summary = cv.summary()
    first = page.cv_table.model.rows[0]
    mean, sd = summary.iloc[0]["cost_at_optimal_mean"], summary.iloc[0]["cost_at_optimal_sd"]
    assert first[1] == f"{mean:.2f} ± {sd:.2f}"
    assert first[-1] == "3"
    assert page.cv_button.isEnabled() and not page.cv_cancel.isEnabled()
    assert page.cv_status.text().startswith("Done: 3 folds")
    path = tmp_path / "cv.csv"
    page.cv_table.save_csv(str(path))
    assert list(pd.read_csv(path, index_col=0).index) == names


def test_cancel_then_run_again(page, qtbot):
    with qtbot.waitSignal(page.crossval_progressed, timeout=CV_TIMEOUT_MS):
        page.start_cross_validation(folds=3, repeats=2)
    job = page.cv_job
    assert job is not None and job.is_running()
    with qtbot.waitSignal(page.crossval_cancelled, timeout=CV_TIMEOUT_MS):
        page.cancel_cross_validation()
    assert page.cv_status.text().startswith("Cancelled after")
    assert len(page.cv_table.model.rows) == len(DEFAULT_METHODS) and not page.cv_table.isHidden()  # partial
    page.shutdown()
    assert not job.qthread.isRunning()
    assert page.cv_button.isEnabled()
    with qtbot.waitSignal(page.crossval_finished, timeout=CV_TIMEOUT_MS) as blocker:
        assert page.start_cross_validation(folds=3, repeats=1)
    assert blocker.args[0].complete


def test_a_new_result_abandons_the_running_cross_validation(page, result, qtbot):
    cancelled: list[bool] = []
    page.crossval_cancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(page.crossval_progressed, timeout=CV_TIMEOUT_MS):
        page.start_cross_validation(folds=3, repeats=2)
    job = page.cv_job
    # Wait on the job's own signal, emitted in the UI thread when its thread has ended (the worker's
    # signals come from the worker thread, where pytest-qt's timeout timer must not be touched).
    with qtbot.waitSignal(job.done, timeout=CV_TIMEOUT_MS):
        page.show_result(result)  # a new model: the old run's signals are stale
    assert not job.qthread.isRunning()
    assert cancelled == []
    assert page.cv_table.isHidden() and page.cv_button.isEnabled()


def test_custom_settings_are_cross_validated_too(qtbot, heart):
    custom = train(heart, RECOMMENDED.replace(preset="custom", epochs=50))
    from heartgui.gui.crossval_job import crossval_methods

    assert crossval_methods(custom.settings)[0].name == YOUR_SETTINGS
    assert crossval_methods(RECOMMENDED.replace(threshold=0.3))[0].name == DEFAULT_METHODS[0].name


def test_window_stays_responsive_during_cross_validation(page, qtbot, record_property):
    heartbeat = Heartbeat(counting=lambda: page.cv_job is not None)
    with heartbeat.running(), qtbot.waitSignal(page.crossval_finished, timeout=CV_TIMEOUT_MS):
        page.start_cross_validation(folds=3, repeats=1)
    # The timer really ticked while the job ran (the stacked 3-fold run takes ~0.2 s on a quiet machine,
    # so a count of ticks tied to this machine's speed would fail on a faster one).
    assert len(heartbeat.gaps) >= 5
    heartbeat.check(record_property, "cross-validation")
