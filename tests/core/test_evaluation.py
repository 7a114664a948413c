"""Metrics, intervals and curves: known values, agreement with scikit-learn, and consistency with evaluate."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from heartgui.core.evaluation import (
    bootstrap_auc_interval,
    calibration_points,
    cost_optimal_threshold,
    evaluate,
    metrics_with_intervals,
    roc_point_at,
    roc_points,
    statlog_cost,
    wilson_interval,
)
from heartgui.core.presets import TUTORIAL
from heartgui.core.training import train


@pytest.fixture(scope="module")
def tutorial_run(heart):
    """The tutorial preset on its own split: 54 real test patients and their predicted risks."""
    result = train(heart, TUTORIAL)
    return result.split.y_test, result.test_risk


# -- existing behaviour -----------------------------------------------------------------------------
def test_cost_optimal_threshold_is_one_sixth_for_statlog_costs():
    assert cost_optimal_threshold() == pytest.approx(1 / 6)
    assert cost_optimal_threshold(1, 1) == 0.5
    with pytest.raises(ValueError):
        cost_optimal_threshold(-1, 1)


def test_evaluate_counts_and_statlog_cost():
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    risk = np.array([0.9, 0.5, 0.2, 0.6, 0.1, 0.0, 0.3])
    m = evaluate(y, risk, 0.5)
    assert (m.tp, m.fn, m.fp, m.tn) == (2, 1, 1, 3)  # 0.5 itself counts as "present"
    assert m.statlog_cost == pytest.approx((5 * 1 + 1 * 1) / 7)
    assert statlog_cost(y, risk >= 0.5) == m.statlog_cost
    assert m.roc_auc == pytest.approx(roc_auc_score(y, risk))


# -- Wilson -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        (8, 10, (0.4902, 0.9433)),  # as scipy.stats.binomtest(k, n).proportion_ci(method="wilson")
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
        (47, 54, (0.7558, 0.9358)),
    ],
)
def test_wilson_interval_known_values(successes, n, expected):
    low, high = wilson_interval(successes, n)
    assert low == pytest.approx(expected[0], abs=1e-4)
    assert high == pytest.approx(expected[1], abs=1e-4)


def test_wilson_interval_edges_and_width():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert all(np.isnan(wilson_interval(0, 0)))
    narrow, wide = wilson_interval(80, 100), wilson_interval(8, 10)
    assert wide[1] - wide[0] > narrow[1] - narrow[0]
    assert wilson_interval(8, 10, 0.99)[0] < wilson_interval(8, 10, 0.95)[0]
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(5, 10, confidence=1.0)


# -- bootstrap AUC ----------------------------------------------------------------------------------
def test_bootstrap_resample_auc_equals_sklearn(tutorial_run):
    """The vectorised pair formula gives roc_auc_score's number on explicit resamples (ties included)."""
    y, risk = tutorial_run
    risk = np.round(risk, 1)  # create ties, which count one half
    rng = np.random.default_rng(3)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    pair = (risk[pos][:, None] > risk[neg][None, :]) + 0.5 * (risk[pos][:, None] == risk[neg][None, :])
    for _ in range(20):
        a = rng.integers(0, len(pos), len(pos))
        b = rng.integers(0, len(neg), len(neg))
        rows = np.concatenate([pos[a], neg[b]])
        counts_a = np.bincount(a, minlength=len(pos))
        counts_b = np.bincount(b, minlength=len(neg))
        assert counts_a @ pair @ counts_b / (len(pos) * len(neg)) == pytest.approx(
            roc_auc_score(y[rows], risk[rows]), abs=1e-12
        )


def test_bootstrap_auc_interval_brackets_the_auc_and_is_repeatable(tutorial_run):
    y, risk = tutorial_run
    auc = roc_auc_score(y, risk)
    low, high = bootstrap_auc_interval(y, risk, n_boot=1000, random_state=0)
    assert 0.0 <= low < auc < high <= 1.0
    assert 0.05 < high - low < 0.4  # 54 patients: neither a point nor the whole range
    assert bootstrap_auc_interval(y, risk, random_state=0) == (low, high)
    assert bootstrap_auc_interval(y, risk, random_state=1) != (low, high)
    # A perfect ranking stays perfect in every resample.
    assert bootstrap_auc_interval(y, y + 0.0) == (1.0, 1.0)
    assert all(np.isnan(bootstrap_auc_interval(np.ones(5), np.linspace(0, 1, 5))))


# -- curves -----------------------------------------------------------------------------------------
def test_roc_point_at_lies_on_the_roc_curve(tutorial_run):
    y, risk = tutorial_run
    fpr, tpr, thresholds = roc_points(y, risk)
    assert fpr[0] == tpr[0] == 0.0 and fpr[-1] == tpr[-1] == 1.0
    vertices = set(zip(fpr.round(12), tpr.round(12)))
    for threshold in [0.0, 1 / 6, 0.3, 0.5, 0.7, 0.99, 1.0, *np.sort(risk)[::7]]:
        point = roc_point_at(y, risk, threshold)
        assert (round(point[0], 12), round(point[1], 12)) in vertices, threshold
        m = evaluate(y, risk, threshold)
        assert point == pytest.approx((m.fp / (m.fp + m.tn), m.tp / (m.tp + m.fn)))
    # At a threshold taken from the curve, the point is that threshold's own vertex.
    k = len(thresholds) // 2
    assert roc_point_at(y, risk, thresholds[k]) == pytest.approx((fpr[k], tpr[k]))


def test_roc_needs_both_classes():
    with pytest.raises(ValueError, match="all of one class"):
        roc_points(np.ones(4), np.linspace(0, 1, 4))


def test_calibration_points_cover_every_patient(tutorial_run):
    y, risk = tutorial_run
    predicted, observed, counts = calibration_points(y, risk, n_bins=5)
    assert counts.sum() == len(y)
    assert len(predicted) == len(observed) == len(counts) <= 5
    assert np.all(np.diff(predicted) > 0)
    assert np.all((observed >= 0) & (observed <= 1))
    # Weighted by the group sizes, the groups give back the overall means.
    assert np.dot(counts, predicted) / counts.sum() == pytest.approx(risk.mean())
    assert np.dot(counts, observed) / counts.sum() == pytest.approx(y.mean())
    # Quantile groups hold about the same number of patients.
    assert counts.max() - counts.min() <= 2


def test_metrics_with_intervals(tutorial_run):
    y, risk = tutorial_run
    mi = metrics_with_intervals(y, risk, 0.5)
    m = mi.metrics
    assert m == evaluate(y, risk, 0.5)
    for value, (low, high) in [
        (m.accuracy, mi.accuracy_interval),
        (m.sensitivity, mi.sensitivity_interval),
        (m.specificity, mi.specificity_interval),
        (m.roc_auc, mi.roc_auc_interval),
    ]:
        assert low < value < high
    assert mi.accuracy_interval == wilson_interval(m.tp + m.tn, m.n)
    assert mi.sensitivity_interval == wilson_interval(m.tp, m.tp + m.fn)


# -- the bootstrap by ranks: equal to roc_auc_score, and small in memory ------------------------------
def test_rank_auc_equals_sklearn_on_real_data_and_with_ties(tutorial_run, heart):
    from heartgui.core.evaluation import rank_auc

    y, risk = tutorial_run
    assert rank_auc(y, risk) == pytest.approx(roc_auc_score(y, risk), abs=1e-12)
    tied = np.round(risk, 1)
    assert len(np.unique(tied)) < len(tied) / 3  # many ties, across the classes
    assert rank_auc(y, tied) == pytest.approx(roc_auc_score(y, tied), abs=1e-12)
    # a real feature as the "risk": integer values, hundreds of ties
    for name in ("thalach", "ca", "oldpeak", "age"):
        x = heart.X[name].to_numpy()
        assert rank_auc(heart.y, x) == pytest.approx(roc_auc_score(heart.y, x), abs=1e-12), name
    assert np.isnan(rank_auc(np.zeros(4), np.arange(4.0)))


def test_each_bootstrap_resample_is_scored_as_roc_auc_score_scores_it(tutorial_run):
    from heartgui.core.evaluation import _AucRanks

    y, risk = tutorial_run
    risk = np.round(risk, 1)  # ties, which count one half
    rng = np.random.default_rng(3)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    a = rng.integers(0, len(pos), (20, len(pos)))
    b = rng.integers(0, len(neg), (20, len(neg)))
    counts_a = np.array([np.bincount(r, minlength=len(pos)) for r in a], dtype=float)
    counts_b = np.array([np.bincount(r, minlength=len(neg)) for r in b], dtype=float)
    aucs = _AucRanks(risk[pos], risk[neg]).aucs(counts_a, counts_b)
    for k in range(20):
        rows = np.concatenate([pos[a[k]], neg[b[k]]])
        assert aucs[k] == pytest.approx(roc_auc_score(y[rows], risk[rows]), abs=1e-12)


def test_a_bootstrap_of_200000_patients_stays_small_in_memory():
    import tracemalloc

    rng = np.random.default_rng(0)
    n = 200_000
    y = (rng.random(n) < 0.45).astype(int)
    risk = np.round(np.clip(0.3 * y + rng.normal(0.35, 0.2, n), 0, 1), 3)  # ties too
    tracemalloc.start()
    try:
        low, high = bootstrap_auc_interval(y, risk, n_boot=20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A table of every diseased–healthy pair would hold 90,000 × 110,000 numbers (tens of GB); the
    # blocks of resamples hold a few arrays of about a million numbers.
    assert peak < 150 * 2**20, f"{peak / 2**20:.0f} MB"
    auc = roc_auc_score(y, risk)
    assert low <= auc <= high and high - low < 0.01


def _sklearn_metrics(y, risk, threshold):
    """What evaluate() computed when it called scikit-learn (the reference)."""
    from sklearn.metrics import accuracy_score, brier_score_loss, confusion_matrix

    y_pred = (risk >= threshold).astype(np.int64)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y, y_pred, labels=[0, 1]).ravel())
    auc = float(roc_auc_score(y, risk)) if len(np.unique(y)) == 2 else float("nan")
    return (tp, fn, fp, tn), float(accuracy_score(y, y_pred)), auc, float(brier_score_loss(y, risk))


def test_evaluate_equals_scikit_learn_on_cross_validation_folds(heart):
    """The NumPy counts, accuracy, AUC and Brier score equal scikit-learn's on real test folds (risks of
    networks trained on heart.dat folds; rounded copies add ties), at 0.5 and the Statlog 1/6."""
    from sklearn.model_selection import StratifiedKFold

    y_all = np.asarray(heart.y)
    checked = 0
    for train_rows, test_rows in StratifiedKFold(9, shuffle=True, random_state=0).split(heart.X, y_all):
        model = TUTORIAL.model().fit(heart.X.iloc[train_rows], y_all[train_rows])
        y = y_all[test_rows]
        risk = model.predict_risk(heart.X.iloc[test_rows])
        for scores in (risk, np.round(risk, 1)):
            for threshold in (0.5, 1 / 6, float(scores[0])):
                m = evaluate(y, scores, threshold)
                counts, accuracy, auc, brier = _sklearn_metrics(y, scores, threshold)
                assert (m.tp, m.fn, m.fp, m.tn) == counts
                assert m.accuracy == accuracy
                assert abs(m.roc_auc - auc) <= 1e-12 and abs(m.brier - brier) <= 1e-12
                assert m.statlog_cost == (5 * counts[1] + counts[2]) / len(y)
                checked += 1
    assert checked == 9 * 2 * 3
    one_class = evaluate(np.ones(5), np.linspace(0.1, 0.9, 5), 0.5)
    assert np.isnan(one_class.roc_auc) and (one_class.tp, one_class.fn) == (3, 2)
    with pytest.raises(ValueError, match="not finite"):
        evaluate(np.array([0, 1]), np.array([0.2, np.nan]))
