"""Decision curves, calibration intercept and slope, subgroups and Bayes: checked against independent sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar
from sklearn.linear_model import LogisticRegression

from heartgui.core.clinical import (
    MIN_EVENTS,
    calibration_fit,
    decision_curve,
    decision_reading,
    net_benefit,
    predictive_values,
    subgroups,
)
from heartgui.core.evaluation import evaluate
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train


@pytest.fixture(scope="module")
def scored(heart):
    """The recommended model's risks for its held-out heart.dat patients."""
    result = train(heart, RECOMMENDED)
    return result.split.X_test, result.split.y_test.astype(float), result.test_risk


def test_net_benefit_is_the_formula_counted_patient_by_patient(scored):
    _, y, risk = scored
    curve = decision_curve(y, risk)
    assert curve.thresholds[0] == 0.01 and curve.thresholds[-1] == 0.60 and len(curve.thresholds) == 60
    n = len(y)
    prevalence = sum(y) / n
    for t, model, all_ in zip(curve.thresholds, curve.model, curve.treat_all):
        tp = sum(1 for yi, ri in zip(y, risk) if ri >= t and yi == 1)
        fp = sum(1 for yi, ri in zip(y, risk) if ri >= t and yi == 0)
        assert model == pytest.approx(tp / n - fp / n * t / (1 - t), abs=1e-12)
        assert all_ == pytest.approx(prevalence - (1 - prevalence) * t / (1 - t), abs=1e-12)
        assert net_benefit(y, risk, t) == pytest.approx(model, abs=1e-12)
    np.testing.assert_array_equal(curve.treat_none, 0.0)


def test_treating_all_is_the_model_that_calls_everyone_ill():
    y = np.array([1, 0, 1, 1, 0, 0, 0, 1.0])
    everyone = decision_curve(y, np.ones(len(y)))
    np.testing.assert_allclose(everyone.model, everyone.treat_all, atol=1e-15)
    perfect = decision_curve(y, y * 0.9 + 0.05)
    # A perfect classifier's net benefit is the prevalence wherever it separates the classes.
    np.testing.assert_allclose(perfect.model[5:], 0.5)  # t > 0.05: only the ill are treated
    assert perfect.interventions_avoided()[20] == pytest.approx(
        (0.5 - (0.5 - 0.5 * 0.21 / 0.79)) / (0.21 / 0.79) * 100
    )


def test_the_reading_says_what_the_curve_says(scored):
    _, y, risk = scored
    curve = decision_curve(y, risk, [1 / 6])
    text = decision_reading(curve, 1 / 6)
    model, treat_all = curve.at(1 / 6)
    assert f"{model * 100:.1f} true positives per 100 patients" in text
    assert "16.7 %" in text
    assert ("more than" in text) == (model > max(treat_all, 0))


def _independent_intercept(y, lp):
    def nll(a):
        eta = a + lp
        return -np.sum(y * eta - np.logaddexp(0, eta))

    return minimize_scalar(nll, bounds=(-20, 20), method="bounded", options={"xatol": 1e-10}).x, nll


def test_calibration_intercept_and_slope_equal_independent_fits(scored):
    _, y, risk = scored
    fit = calibration_fit(y, risk)
    p = np.clip(risk, 1e-12, 1 - 1e-12)
    lp = np.log(p / (1 - p))
    a, nll = _independent_intercept(y, lp)
    assert fit.intercept == pytest.approx(a, abs=1e-6)
    # Its standard error from a numerical second derivative of the likelihood.
    h = 1e-4
    second = (nll(a + h) - 2 * nll(a) + nll(a - h)) / h**2
    se = 1 / math.sqrt(second)
    assert fit.intercept_interval == pytest.approx((a - 1.96 * se, a + 1.96 * se), abs=2e-3)
    reference = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(lp.reshape(-1, 1), y)
    assert fit.slope == pytest.approx(reference.coef_[0, 0], rel=1e-5)
    lo, hi = fit.slope_interval
    assert lo < fit.slope < hi
    assert fit.n == len(y)


def test_a_calibrated_model_scores_0_and_1_and_an_overfit_one_a_slope_below_1():
    rng = np.random.default_rng(7)
    true_lp = rng.normal(0, 1.5, 4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-true_lp))).astype(float)
    honest = calibration_fit(y, 1 / (1 + np.exp(-true_lp)))
    assert honest.intercept_interval[0] < 0 < honest.intercept_interval[1]
    assert honest.slope_interval[0] < 1 < honest.slope_interval[1]
    extreme = calibration_fit(y, 1 / (1 + np.exp(-2 * true_lp)))  # twice as sure as it should be
    assert extreme.slope == pytest.approx(0.5, abs=0.05) and extreme.slope_interval[1] < 1
    assert "over-fitting" in extreme.reading()
    too_high = calibration_fit(y, 1 / (1 + np.exp(-(true_lp + 1))))
    assert too_high.intercept == pytest.approx(-1, abs=0.1) and "overestimates" in too_high.reading()
    # Both fits maximise the likelihood: scipy's optimiser finds the same two numbers.
    lp2 = 2 * true_lp
    res = minimize(lambda b: -np.sum(y * (b[0] + b[1] * lp2) - np.logaddexp(0, b[0] + b[1] * lp2)), [0, 1])
    assert extreme.slope == pytest.approx(res.x[1], abs=1e-4)


def test_one_class_only_gives_no_calibration_rather_than_a_number():
    fit = calibration_fit(np.ones(20), np.linspace(0.1, 0.9, 20))
    assert math.isnan(fit.intercept) and math.isnan(fit.slope)
    assert "cannot be estimated" in fit.reading()


def test_subgroups_count_what_pandas_counts(scored):
    X, y, risk = scored
    threshold = 1 / 6
    groups = {g.name: g for g in subgroups(X, y, risk, threshold)}
    frame = X.assign(y=y, risk=risk, called=risk >= threshold)
    for name, rows in [
        ("all patients", frame),
        ("women", frame[frame.sex == 0]),
        ("men", frame[frame.sex == 1]),
        ("age < 50", frame[frame.age < 50]),
        ("age 50–59", frame[(frame.age >= 50) & (frame.age < 60)]),
        ("age ≥ 60", frame[frame.age >= 60]),
    ]:
        g = groups[name]
        assert g.n == len(rows) and g.n_diseased == int(rows.y.sum())
        m = evaluate(rows.y.to_numpy(int), rows.risk.to_numpy(), threshold)
        assert g.sensitivity == pytest.approx(m.sensitivity, nan_ok=True)
        assert g.specificity == pytest.approx(m.specificity, nan_ok=True)
        assert g.auc == pytest.approx(m.roc_auc, nan_ok=True)
        assert g.enough == (min(m.tp + m.fn, m.tn + m.fp) >= MIN_EVENTS)
        assert ("too few patients to conclude" in g.verdict) == (not g.enough)
    assert sum(groups[n].n for n in ("women", "men")) == len(y)
    assert sum(groups[n].n for n in ("age < 50", "age 50–59", "age ≥ 60")) == len(y)
    assert not groups["women"].enough  # 54 test patients: the women are too few to judge


def test_predictive_values_follow_bayes_and_match_the_confusion_matrix(scored):
    _, y, risk = scored
    m = evaluate(y.astype(int), risk, 1 / 6)
    ppv, npv = predictive_values(m.sensitivity, m.specificity, float(np.mean(y)))
    assert ppv == pytest.approx(m.ppv) and npv == pytest.approx(m.npv)
    # Primary care, 10 %: a test with sensitivity 0.9 and specificity 0.8 flags mostly healthy people.
    ppv, npv = predictive_values(0.9, 0.8, 0.10)
    assert ppv == pytest.approx(0.09 / (0.09 + 0.18)) and npv == pytest.approx(0.72 / (0.72 + 0.01))
    with pytest.raises(ValueError, match="prevalence"):
        predictive_values(0.9, 0.8, 1.5)


def test_the_reading_says_when_the_model_does_harm():
    # Risks that point the wrong way: every patient flagged at 30 % is healthy, every one with disease missed.
    y = np.array([1] * 10 + [0] * 10)
    risk = np.array([0.1] * 10 + [0.9] * 10)
    curve = decision_curve(y, risk, [0.3])
    model, treat_all = curve.at(0.3)
    assert model == pytest.approx(-10 / 20 * 0.3 / 0.7) and treat_all > 0
    text = decision_reading(curve, 0.3)
    assert "does more harm than good" in text and f"{model * 100:.1f} per 100 patients" in text
    assert "flagging everyone" in text and "true positives" not in text


def test_the_reading_counts_one_spared_patient_in_the_singular():
    import numpy as np

    from heartgui.core.clinical import DecisionCurve, decision_reading

    # At 50 % (odds 1) the model's net benefit beats flagging everyone by 0.01: 1 patient per 100 spared.
    curve = DecisionCurve(np.array([0.5]), np.array([0.51]), np.array([0.50]), 0.75, 100)
    words = decision_reading(curve, 0.5)
    assert "spares 1 patient per 100" in words and "1 patients" not in words
