"""The Statlog protocol: no leak from test rows, stratified folds shared by all methods, repeatable,
stoppable, and (on a small protocol) the network beats the default rule."""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from heartgui.core import crossval
from heartgui.core.crossval import (
    BASELINE_METHODS,
    DEFAULT_METHODS,
    DEFAULT_RULE,
    baselines_on_split,
    cross_validate,
    fold_indices,
    iter_cross_validate,
)
from heartgui.core.preprocessing import Preprocessor
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import split_dataset

RECOMMENDED_NAME = "Neural network (recommended)"


def _row_keys(X: pd.DataFrame | np.ndarray) -> list[tuple[float, ...]]:
    # The networks' preprocessing is fitted on an array of the 13 features, the baselines' on a DataFrame.
    return [tuple(row) for row in np.asarray(X, dtype=float)]


@pytest.fixture(scope="module")
def small_run(heart):
    """All default methods, 3 folds × 1 shuffle, with Preprocessor.fit watched: (result, reports, fits)."""
    fitted_on: list[list[tuple[float, ...]]] = []
    original_fit = Preprocessor.fit

    def spy_fit(self, X):
        fitted_on.append(_row_keys(X))
        return original_fit(self, X)

    reports = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Preprocessor, "fit", spy_fit)
        result = cross_validate(heart, folds=3, repeats=1, progress=reports.append)
    return result, reports, fitted_on


def test_every_method_preprocesses_on_the_fold_training_rows_only(heart, small_run):
    result, _reports, fitted_on = small_run
    keys = _row_keys(heart.X)
    assert len(set(keys)) == heart.n_rows  # patients are distinguishable by their values
    n_methods = len(DEFAULT_METHODS)
    assert len(fitted_on) == result.folds_done * n_methods  # every method fits its preprocessing
    # (The networks of a shuffle fit theirs first, all folds at once, so fits are matched by content.)
    train_sets = [frozenset(set(keys) - {keys[i] for i in test}) for test in result.test_rows]
    per_fold = [0] * len(train_sets)
    for seen in fitted_on:
        rows = frozenset(seen)
        assert len(rows) == len(seen)
        # exactly one fold's training rows: no test patient leaks into the preprocessing
        assert rows in train_sets
        per_fold[train_sets.index(rows)] += 1
    assert per_fold == [n_methods] * len(train_sets)  # and every method fits on each fold's rows


def test_folds_are_stratified_partitions_as_documented(heart):
    y = heart.y
    seen = []
    for repeat, fold, train, test in fold_indices(y, folds=9, repeats=2):
        seen.append((repeat, fold, test))
        assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(y)
        # Stratified: each fold's share of diseased patients is within one patient of the whole file's.
        assert abs(y[test].sum() - y.mean() * len(test)) <= 1
    for repeat in range(2):
        tests = [t for r, _f, t in seen if r == repeat]
        assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(len(y)))
        expected = StratifiedKFold(9, shuffle=True, random_state=repeat).split(np.zeros(len(y)), y)
        for (_train, test), mine in zip(expected, tests):
            assert np.array_equal(test, mine)
    # Different shuffles make different folds.
    assert not np.array_equal(seen[0][2], seen[9][2])


def test_result_table_and_summary(small_run):
    result, reports, _ = small_run
    assert result.complete and result.folds_done == result.folds_planned == 3
    assert result.methods == tuple(m.name for m in DEFAULT_METHODS)
    frame = result.to_frame()
    assert len(frame) == 3 * len(DEFAULT_METHODS)
    assert (frame.n_test + frame.n_train == 270).all()
    assert (frame.note == "").all()
    summary = result.summary()
    assert list(summary.index) == list(result.methods)
    assert (summary["folds"] == 3).all()
    means = frame.groupby("method")["roc_auc"].mean()
    assert summary.loc[RECOMMENDED_NAME, "roc_auc_mean"] == pytest.approx(means[RECOMMENDED_NAME])
    # The default rule says "present" for everyone at 1/6: it costs the share of healthy patients.
    rule = frame[frame.method == DEFAULT_RULE]
    assert (rule.roc_auc == 0.5).all()
    assert rule.cost_at_optimal.mean() == pytest.approx(150 / 270, abs=0.01)
    # CSV round trip.
    again = pd.read_csv(io.StringIO(result.to_csv()), keep_default_na=False)
    pd.testing.assert_frame_equal(again, frame, check_dtype=False)
    # One report per fold, counting up, the last one carrying the final result.
    assert [r.done for r in reports] == [1, 2, 3]
    assert [r.result.complete for r in reports] == [False, False, True]
    assert reports[-1].result is result
    assert all(len(r.rows) == len(DEFAULT_METHODS) for r in reports)


def test_small_protocol_quality(small_run):
    """Robust facts only: the recommended network ranks well and costs less than saying "present" to all."""
    summary = small_run[0].summary()
    assert summary.loc[RECOMMENDED_NAME, "roc_auc_mean"] > 0.85
    assert (
        summary.loc[RECOMMENDED_NAME, "cost_at_optimal_mean"]
        < summary.loc[DEFAULT_RULE, "cost_at_optimal_mean"]
    )
    assert summary.loc[RECOMMENDED_NAME, "accuracy_at_half_mean"] > 0.75


def test_repeatable_and_independent_of_the_other_methods(heart, small_run):
    """Same seeds, same figures; a method's figures do not depend on which others run beside it."""
    alone = cross_validate(heart, folds=3, repeats=1, methods=[RECOMMENDED])
    columns = ["repeat", "fold", "roc_auc", "accuracy_at_half", "cost_at_half", "cost_at_optimal"]
    full = small_run[0].to_frame()
    mine = full[full.method == RECOMMENDED_NAME][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.to_frame()[columns], mine)
    assert alone.test_rows == small_run[0].test_rows


def test_settings_become_a_named_network_method(heart):
    custom = RECOMMENDED.replace(l2=0.0, epochs=20)
    result = cross_validate(heart, folds=2, repeats=1, methods=[custom, TUTORIAL])
    assert result.methods == ("Neural network (your settings)", "Neural network (tutorial)")
    with pytest.raises(ValueError, match="distinct"):
        cross_validate(heart, folds=2, repeats=1, methods=[TUTORIAL, TUTORIAL])


def test_should_stop_stops_between_folds_with_a_partial_result(heart):
    rule = [m for m in BASELINE_METHODS if m.name == DEFAULT_RULE]
    reports = []
    result = cross_validate(
        heart,
        folds=9,
        repeats=5,
        methods=rule,
        progress=reports.append,
        should_stop=lambda: len(reports) >= 4,
    )
    assert not result.complete
    assert result.folds_done == len(reports) == 4
    assert len(result.rows) == 4 and result.summary().loc[DEFAULT_RULE, "folds"] == 4
    # Stopped before the first fold: an empty, incomplete result.
    empty = cross_validate(heart, methods=rule, should_stop=lambda: True)
    assert not empty.complete and empty.folds_done == 0 and empty.to_frame().empty


def test_iteration_can_be_abandoned_midway(heart):
    rule = [m for m in BASELINE_METHODS if m.name == DEFAULT_RULE]
    reports = iter_cross_validate(heart, folds=9, repeats=2, methods=rule)
    first = next(reports)
    second = next(reports)
    reports.close()
    assert (first.done, second.done, second.total) == (1, 2, 18)
    assert first.result.folds_done == 1 and second.result.folds_done == 2  # reports are not mutated


def test_impossible_fold_counts_are_refused(heart):
    with pytest.raises(ValueError, match="folds"):
        next(iter_cross_validate(heart, folds=1))
    with pytest.raises(ValueError, match="folds"):
        next(iter_cross_validate(heart, folds=500))


def test_baselines_on_the_tutorial_split(heart):
    split = split_dataset(heart, TUTORIAL.test_size, TUTORIAL.split_seed)
    table = baselines_on_split(split)
    frame = table.to_frame().set_index("method")
    assert list(frame.index) == [m.name for m in BASELINE_METHODS]
    assert (frame.n_test == 54).all() and (frame.n_train == 216).all()
    assert frame.loc[DEFAULT_RULE, "roc_auc"] == 0.5
    for name in ("Logistic regression", "Naive Bayes (Gaussian)", "scikit-learn MLPClassifier (8)"):
        assert frame.loc[name, "roc_auc"] > 0.8
        assert frame.loc[name, "accuracy_at_half"] > 0.7
        assert frame.loc[name, "cost_at_optimal"] < frame.loc[DEFAULT_RULE, "cost_at_optimal"]


def test_module_is_in_the_core_boundary():
    assert crossval.__name__.startswith("heartgui.core.")


def test_stacked_networks_give_the_same_table_as_one_by_one(heart):
    """The folds of a shuffle train as one stacked computation: every figure and note is unchanged."""
    from heartgui.core.presets import RECOMMENDED, TUTORIAL

    methods = [
        RECOMMENDED,
        TUTORIAL,
        crossval.network_method(TUTORIAL.replace(learning_rate=0.014), "Neural network (diverging)"),
        crossval.BASELINE_METHODS[1],
    ]
    fast = crossval.cross_validate(heart, folds=9, repeats=2, methods=methods)  # stacked by default
    slow = crossval.cross_validate(heart, folds=9, repeats=2, methods=methods, stack=False)
    a, b = fast.to_frame().drop(columns="seconds"), slow.to_frame().drop(columns="seconds")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (a["note"] != "").any(), "the case needs a network that diverges on some folds"
    assert fast.test_rows == slow.test_rows


def test_several_shuffles_train_as_one_stack_while_small_with_the_same_table(heart, monkeypatch):
    """heart.dat's 45 networks of 9 folds × 5 shuffles train as one stack (10,800 training rows in all);
    with a smaller budget they are stacked a few shuffles at a time. Either way the table is the one
    that training them one by one gives."""
    sizes: list[int] = []
    original = crossval.fit_stacked

    def watched(jobs, should_stop=None):
        sizes.append(len(jobs))
        return original(jobs, should_stop)

    monkeypatch.setattr(crossval, "fit_stacked", watched)
    one_stack = cross_validate(heart, folds=9, repeats=5, methods=[RECOMMENDED])
    assert sizes == [45]
    sizes.clear()
    monkeypatch.setattr(crossval, "STACK_ROWS", 5000)  # two shuffles of 9 × 240 rows fit, three do not
    blocks = cross_validate(heart, folds=9, repeats=5, methods=[RECOMMENDED])
    assert sizes == [18, 18, 9]
    alone = cross_validate(heart, folds=9, repeats=5, methods=[RECOMMENDED], stack=False)
    expected = alone.to_frame().drop(columns="seconds")
    for result in (one_stack, blocks):
        pd.testing.assert_frame_equal(result.to_frame().drop(columns="seconds"), expected, check_exact=True)
        assert result.test_rows == alone.test_rows
        for mine, theirs in zip(result.test_risks, alone.test_risks):
            assert np.array_equal(mine[RECOMMENDED_NAME], theirs[RECOMMENDED_NAME])


def test_a_stop_request_ends_the_stacked_training_of_a_shuffle(heart):
    """should_stop is asked during the stacked training of a shuffle's networks, not only between
    folds: a Cancel in the window does not wait for all nine folds' networks to finish."""
    asked = []

    def stop_on_the_tenth_question():
        asked.append(True)
        return len(asked) >= 10

    reports = list(
        iter_cross_validate(
            heart, folds=9, repeats=1, methods=[RECOMMENDED], should_stop=stop_on_the_tenth_question
        )
    )
    assert reports == [] and len(asked) == 10  # stopped after 10 of the 300 stacked epochs
    result = cross_validate(
        heart, folds=9, repeats=1, methods=[RECOMMENDED], should_stop=stop_on_the_tenth_question
    )
    assert not result.complete and result.folds_done == 0


def test_cross_validation_runs_with_one_blas_thread_and_restores_it(heart):
    """The baselines' tiny matrix products run with one BLAS thread during a cross-validation (two
    threads fought over this machine's two cores); the setting is given back afterwards."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    seen = []

    class Spy:
        def fit(self, X, y):
            seen.append(blas_threads())
            return self

        def predict_risk(self, X):
            return np.full(len(X), 0.5)

    reports = iter_cross_validate(heart, folds=3, repeats=1, methods=[crossval.Method("spy", Spy)])
    next(reports)
    reports.close()  # abandoned midway: the limit is lifted all the same
    assert seen and all(threads == [1] * len(before) for threads in seen)
    assert blas_threads() == before
    list(iter_cross_validate(heart, folds=3, repeats=1, methods=[crossval.Method("spy", Spy)]))
    assert blas_threads() == before and len(seen) == 1 + 3
    mlp = next(m for m in BASELINE_METHODS if m.name.startswith("scikit-learn MLPClassifier"))
    assert mlp.build().estimator.solver == "lbfgs"


def test_the_blas_controller_is_made_again_after_an_import(monkeypatch):
    """Scanning the loaded libraries costs ~2 ms, so blocks reuse threadpoolctl's controller; after an
    import (which may load another BLAS library) the next block scans again, so that library is limited
    too."""
    import types

    from heartgui.core import threads

    with threads.one_blas_thread_if_small(100):
        first = threads._controller
    with threads.one_blas_thread_if_small(100):
        assert threads._controller is first
    monkeypatch.setitem(sys.modules, "heartgui_test_new_module", types.ModuleType("heartgui_test_new_module"))
    with threads.one_blas_thread_if_small(100):
        assert threads._controller is not first


def test_overlapping_blas_limits_in_two_threads_restore_the_original_setting():
    """A cross-validation and How sure may overlap in the window and end in either order: the BLAS
    setting is one thread while either runs and the original once both have ended."""
    import threading

    from threadpoolctl import threadpool_info

    from heartgui.core.threads import one_blas_thread_if_small

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    first_in, second_in, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with one_blas_thread_if_small(270):
            first_in.set()
            first_may_leave.wait(10)
            seen["first"] = blas_threads()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with one_blas_thread_if_small(270):
        second_in.set()
        first_may_leave.set()
        thread.join(10)  # the first block ends while the second is still inside
        seen["second, after the first ended"] = blas_threads()
    assert seen == {"first": [1] * len(before), "second, after the first ended": [1] * len(before)}
    assert blas_threads() == before
    # And a worker thread's block takes effect after the main thread's (threadpoolctl lets only the
    # thread that set the limit first set it again, unless it is released).
    inside_worker = []

    def worker():
        with one_blas_thread_if_small(270):
            inside_worker.append(blas_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert inside_worker == [[1] * len(before)] and blas_threads() == before
