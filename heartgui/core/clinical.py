"""How a clinician judges a risk model beyond accuracy: decision curves, calibration, subgroups, prevalence.

These are the views TRIPOD+AI (BMJ 2024) asks a prediction-model report for:

* **net benefit** (decision-curve analysis, Vickers & Elkin 2006): at threshold t, a patient is treated
  (sent for angiography, say) when risk ≥ t, and ``NB(t) = TP/n − FP/n · t/(1 − t)``: true positives per
  patient, minus the false positives weighted by the harm-to-benefit ratio the threshold implies. "Treat
  all" has ``prev − (1 − prev) · t/(1 − t)``, "treat none" has 0.
* **calibration intercept and slope** (Cox 1958): the logistic regression
  ``logit P(y) = a + b · logit(risk)``. The *intercept* (calibration-in-the-large) is ``a`` with ``b``
  held at 1: below 0 the model predicts too high on average, above 0 too low. The *slope* is ``b`` when
  both are fitted: below 1 the predictions are too extreme (too close to 0 and 1) — the signature of
  over-fitting; above 1 too timid.
* **subgroups** (sex, age bands): the same figures where a model may serve some patients worse.
* **pre-test probability**: PPV and NPV from sensitivity and specificity at another prevalence (Bayes).

Everything here is NumPy plus scikit-learn's ROC AUC; the logistic fits are a small Newton iteration, with
Wald 95 % intervals from its information matrix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "AGE_BANDS",
    "CalibrationFit",
    "DecisionCurve",
    "Subgroup",
    "calibration_fit",
    "decision_curve",
    "net_benefit",
    "predictive_values",
    "subgroups",
]

Array = np.ndarray

#: Where a subgroup is too small to say anything about: fewer patients with (or without) the disease.
MIN_EVENTS = 10
#: The age bands the Results page shows (years): < 50, 50–59, ≥ 60.
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("age < 50", -math.inf, 50.0),
    ("age 50–59", 50.0, 60.0),
    ("age ≥ 60", 60.0, math.inf),
)
_Z95 = 1.959963984540054
#: Risks are kept this far from 0 and 1 before taking their logit (a network can output exactly 0 or 1).
_EPS = 1e-12


def _check(y: Array, risk: Array) -> tuple[Array, Array]:
    y = np.asarray(y, dtype=np.float64).ravel()
    risk = np.asarray(risk, dtype=np.float64).ravel()
    if len(y) != len(risk) or len(y) == 0:
        raise ValueError("outcomes and risks must have the same, non-zero length")
    if not np.all(np.isfinite(risk)) or risk.min() < 0 or risk.max() > 1:
        raise ValueError("risks must be numbers between 0 and 1")
    if set(np.unique(y)) - {0.0, 1.0}:
        raise ValueError("outcomes must be 0 (absent) or 1 (present)")
    return y, risk


# --------------------------------------------------------------------------------------------------
# Decision curves
# --------------------------------------------------------------------------------------------------
def net_benefit(y: Array, risk: Array, threshold: float) -> float:
    """Net benefit of treating the patients whose risk is at or above ``threshold`` (0 < t < 1)."""
    y, risk = _check(y, risk)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"the threshold must lie strictly between 0 and 1, got {threshold}")
    treated = risk >= threshold
    n = len(y)
    tp = float(np.sum(treated & (y == 1)))
    fp = float(np.sum(treated & (y == 0)))
    return tp / n - fp / n * threshold / (1.0 - threshold)


@dataclass(frozen=True, eq=False)
class DecisionCurve:
    """Net benefit of the model, of treating all and of treating none, over a range of thresholds."""

    thresholds: Array
    model: Array
    treat_all: Array
    prevalence: float
    n: int

    @property
    def treat_none(self) -> Array:
        return np.zeros_like(self.thresholds)

    def at(self, threshold: float) -> tuple[float, float]:
        """(model, treat all) net benefit at ``threshold`` (the nearest threshold of the curve)."""
        i = int(np.argmin(np.abs(self.thresholds - threshold)))
        return float(self.model[i]), float(self.treat_all[i])

    def interventions_avoided(self) -> Array:
        """Per 100 patients: unnecessary treatments the model avoids compared with treating all, at the
        same number of true positives — ``(NB_model − NB_all) / (t/(1 − t)) · 100``."""
        odds = self.thresholds / (1.0 - self.thresholds)
        return (self.model - self.treat_all) / odds * 100.0

    def as_records(self) -> list[dict[str, float]]:
        return [
            {"threshold": float(t), "model": float(m), "treat_all": float(a)}
            for t, m, a in zip(self.thresholds, self.model, self.treat_all)
        ]


def decision_curve(y: Array, risk: Array, thresholds: Sequence[float] | Array | None = None) -> DecisionCurve:
    """Net benefit at each threshold (default: 1 % to 60 % in steps of 1 %)."""
    y, risk = _check(y, risk)
    t = np.round(np.arange(1, 61) / 100.0, 2) if thresholds is None else np.asarray(thresholds, float)
    if np.any(t <= 0) or np.any(t >= 1):
        raise ValueError("thresholds must lie strictly between 0 and 1")
    n = len(y)
    prevalence = float(y.mean())
    odds = t / (1.0 - t)
    # Sorting once: for each threshold, the treated are the patients with risk >= t.
    order = np.argsort(-risk, kind="stable")
    sorted_risk, sorted_y = risk[order], y[order]
    n_treated = np.searchsorted(-sorted_risk, -t, side="right")
    cum_tp = np.concatenate([[0.0], np.cumsum(sorted_y)])
    tp = cum_tp[n_treated]
    fp = n_treated - tp
    model = tp / n - fp / n * odds
    treat_all = prevalence - (1.0 - prevalence) * odds
    return DecisionCurve(t, model, treat_all, prevalence, n)


def decision_reading(curve: DecisionCurve, threshold: float) -> str:
    """The decision curve at ``threshold`` in one or two plain sentences.

    "Flagging" is the app's word for a risk at or above the threshold (sent for further testing).
    """
    model, treat_all = curve.at(threshold)
    pct = f"{threshold * 100:.1f} %"
    best_other = max(treat_all, 0.0)
    other = "flagging everyone" if treat_all >= 0 else "flagging no one"
    if model < 0:
        return (
            f"At a threshold of {pct}, using the model does more harm than good: its net benefit is "
            f"{model * 100:.1f} per 100 patients, below {other} ({best_other * 100:.1f})."
        )
    lead = (
        f"At a threshold of {pct}, using the model is worth as much as {model * 100:.1f} true positives "
        "per 100 patients without any false positives (its net benefit)"
    )
    if model > best_other:
        odds = threshold / (1.0 - threshold)
        avoided = (model - treat_all) / odds * 100.0
        return (
            f"{lead}, more than {other} ({best_other * 100:.1f}). Compared with flagging everyone, it "
            f"spares {avoided:.0f} patient{'' if round(avoided) == 1 else 's'} per 100 a needless further "
            "test, for the same patients with the disease found."
        )
    return (
        f"{lead}: no more than {other} ({best_other * 100:.1f}). At this threshold the model adds nothing "
        "to a simple policy."
    )


# --------------------------------------------------------------------------------------------------
# Calibration intercept and slope
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalibrationFit:
    """Calibration-in-the-large and calibration slope, each with a Wald 95 % interval.

    ``intercept`` is ``a`` in ``logit P(y) = a + logit(risk)`` (ideal 0); ``slope`` is ``b`` in
    ``logit P(y) = a' + b · logit(risk)`` (ideal 1). ``nan`` when they cannot be estimated (one class
    only, or all risks equal for the slope).
    """

    intercept: float
    intercept_interval: tuple[float, float]
    slope: float
    slope_interval: tuple[float, float]
    n: int

    def reading(self) -> str:
        """What the two numbers say, in words a clinician uses."""
        if not (math.isfinite(self.intercept) and math.isfinite(self.slope)):
            return "Calibration cannot be estimated here (too few patients of one kind)."
        lo, hi = self.intercept_interval
        if lo > 0:
            level = "the model's risks are too low on average (it underestimates)"
        elif hi < 0:
            level = "the model's risks are too high on average (it overestimates)"
        else:
            level = "on average the risks match what happened (the interval includes 0)"
        slo, shi = self.slope_interval
        if shi < 1:
            spread = (
                "the risks are too extreme — too close to 0 % and 100 % — as over-fitting makes them "
                "(at another hospital, patients unlike the training patients can do the same)"
            )
        elif slo > 1:
            spread = "the risks are too timid — not spread out enough"
        else:
            spread = "the spread of the risks is compatible with the outcomes (the interval includes 1)"
        return f"Intercept {self.intercept:+.2f}: {level}. Slope {self.slope:.2f}: {spread}."


def _logistic_newton(X: Array, y: Array, offset: Array, iterations: int = 100) -> tuple[Array, Array] | None:
    """Maximum-likelihood coefficients of ``logit P(y) = offset + X·β`` and their covariance, or None."""
    beta = np.zeros(X.shape[1])
    for _ in range(iterations):
        eta = offset + X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1.0 - p)
        information = X.T @ (X * w[:, None])
        try:
            step = np.linalg.solve(information, X.T @ (y - p))
        except np.linalg.LinAlgError:
            return None

        # Halve the step while the likelihood would fall (separable data make Newton overshoot).
        def loglik(b: Array) -> float:
            e = offset + X @ b
            return float(np.sum(y * e - np.logaddexp(0.0, e)))

        current = loglik(beta)
        scale = 1.0
        while scale > 1e-8 and loglik(beta + scale * step) < current - 1e-12:
            scale /= 2
        beta = beta + scale * step
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    eta = offset + X @ beta
    p = 1.0 / (1.0 + np.exp(-eta))
    information = X.T @ (X * (p * (1.0 - p))[:, None])
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return None
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(covariance))):
        return None
    return beta, covariance


def calibration_fit(y: Array, risk: Array) -> CalibrationFit:
    """Fit the calibration intercept (slope fixed at 1) and the calibration slope, with 95 % intervals."""
    y, risk = _check(y, risk)
    nan2 = (math.nan, math.nan)
    if len(np.unique(y)) < 2:
        return CalibrationFit(math.nan, nan2, math.nan, nan2, len(y))
    p = np.clip(risk, _EPS, 1.0 - _EPS)
    lp = np.log(p / (1.0 - p))
    ones = np.ones((len(y), 1))
    fit_a = _logistic_newton(ones, y, offset=lp)
    if fit_a is None:
        intercept, intercept_ci = math.nan, nan2
    else:
        a, cov = fit_a
        se = math.sqrt(cov[0, 0])
        intercept, intercept_ci = float(a[0]), (float(a[0] - _Z95 * se), float(a[0] + _Z95 * se))
    slope, slope_ci = math.nan, nan2
    if np.ptp(lp) > 0:
        fit_b = _logistic_newton(np.column_stack([ones, lp]), y, offset=np.zeros(len(y)))
        if fit_b is not None:
            b, cov = fit_b
            se = math.sqrt(cov[1, 1])
            slope, slope_ci = float(b[1]), (float(b[1] - _Z95 * se), float(b[1] + _Z95 * se))
    return CalibrationFit(intercept, intercept_ci, slope, slope_ci, len(y))


# --------------------------------------------------------------------------------------------------
# Subgroups
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subgroup:
    """The model's figures on one group of patients at one threshold."""

    name: str
    n: int
    n_diseased: int
    prevalence: float
    mean_risk: float
    sensitivity: float
    specificity: float
    auc: float
    calibration_intercept: float
    enough: bool

    @property
    def verdict(self) -> str:
        if self.enough:
            return ""
        return (
            f"too few patients to conclude ({self.n_diseased} with and {self.n - self.n_diseased} without "
            f"the disease; at least {MIN_EVENTS} of each are needed)"
        )


def _subgroup(name: str, y: Array, risk: Array, threshold: float) -> Subgroup:
    from sklearn.metrics import roc_auc_score

    n = len(y)
    n_pos = int(y.sum())
    called = risk >= threshold
    both = 0 < n_pos < n
    sensitivity = float(np.sum(called & (y == 1)) / n_pos) if n_pos else math.nan
    specificity = float(np.sum(~called & (y == 0)) / (n - n_pos)) if n > n_pos else math.nan
    return Subgroup(
        name=name,
        n=n,
        n_diseased=n_pos,
        prevalence=n_pos / n if n else math.nan,
        mean_risk=float(risk.mean()) if n else math.nan,
        sensitivity=sensitivity,
        specificity=specificity,
        auc=float(roc_auc_score(y, risk)) if both else math.nan,
        calibration_intercept=calibration_fit(y, risk).intercept if both else math.nan,
        enough=min(n_pos, n - n_pos) >= MIN_EVENTS,
    )


def subgroups(patients: pd.DataFrame, y: Array, risk: Array, threshold: float) -> list[Subgroup]:
    """All patients, then women, men and the age bands (:data:`AGE_BANDS`), each at ``threshold``."""
    y, risk = _check(y, risk)
    if len(patients) != len(y):
        raise ValueError("one row of patient data is needed per outcome")
    groups = [("all patients", np.ones(len(y), dtype=bool))]
    if "sex" in patients:
        sex = patients["sex"].to_numpy(dtype=float)
        groups += [("women", sex == 0), ("men", sex == 1)]
    if "age" in patients:
        age = patients["age"].to_numpy(dtype=float)
        groups += [(name, (age >= lo) & (age < hi)) for name, lo, hi in AGE_BANDS]
    return [_subgroup(name, y[mask], risk[mask], threshold) for name, mask in groups if mask.any()]


# --------------------------------------------------------------------------------------------------
# Pre-test probability
# --------------------------------------------------------------------------------------------------
def predictive_values(sensitivity: float, specificity: float, prevalence: float) -> tuple[float, float]:
    """(PPV, NPV) of a test with this sensitivity and specificity in a population with this prevalence.

    Bayes' rule: PPV = se·p / (se·p + (1 − sp)(1 − p)), NPV = sp(1 − p) / (sp(1 − p) + (1 − se)·p). The same
    model flags fewer true cases among its alarms where the disease is rarer (primary care, say).
    """
    for name, value in (
        ("sensitivity", sensitivity),
        ("specificity", specificity),
        ("prevalence", prevalence),
    ):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie between 0 and 1, got {value}")
    true_pos = sensitivity * prevalence
    false_pos = (1.0 - specificity) * (1.0 - prevalence)
    true_neg = specificity * (1.0 - prevalence)
    false_neg = (1.0 - sensitivity) * prevalence
    ppv = true_pos / (true_pos + false_pos) if true_pos + false_pos > 0 else math.nan
    npv = true_neg / (true_neg + false_neg) if true_neg + false_neg > 0 else math.nan
    return ppv, npv
