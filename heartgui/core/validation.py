"""Taking a saved model to another hospital: score it on a labelled file from elsewhere.

External validation is the test that separates a model from a trustworthy model (TRIPOD+AI): the
model, frozen, predicts patients of another site, and its discrimination (AUC), calibration
(intercept and slope), usefulness (net benefit) and errors at its threshold are measured there.

Two traps are handled here, because the UCI files fall into both:

* **Patients the model already knows.** heart.dat (Statlog) is a subset of the Cleveland file, so a
  model trained on one and "validated" on the other is scored on patients it learned from. A model
  file keeps a fingerprint of each training and test patient (:class:`~heartgui.core.overlap.
  PatientFingerprints`); those patients are found, scored apart, and the validation is on the rest.
* **A model that needs local adjustment.** Prevalence differs between sites (Cleveland 46 %,
  Switzerland 93 %), so a model's risks are often off on average there. A hospital would *recalibrate*
  before use: refit ``logit P(y) = a + logit(risk)`` (intercept only) or ``a + b · logit(risk)``
  (intercept and slope) on its own outcomes. That uses the site's outcomes, so the recalibrated
  figures on those same patients are no longer a validation (they are optimistic); a split of the site's
  patients into a fitting half and a checking half shows how much.

Everything is NumPy; no Qt (the window and ``heartgui-cli validate`` both use it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heartgui.core.clinical import (
    MIN_EVENTS,
    CalibrationFit,
    DecisionCurve,
    Subgroup,
    _logistic_newton,
    calibration_fit,
    decision_curve,
    decision_reading,
    subgroups,
)
from heartgui.core.dataset import Dataset
from heartgui.core.evaluation import metrics_with_intervals
from heartgui.core.model import HeartModel
from heartgui.core.overlap import PatientFingerprints
from heartgui.core.schema import BY_NAME, FEATURE_NAMES

__all__ = [
    "Figures",
    "NothingToScore",
    "Recalibration",
    "Validation",
    "describe",
    "figures",
    "model_features",
    "overlap_first",
    "recalibrate",
    "validate",
]

Array = np.ndarray
_EPS = 1e-12


class NothingToScore(ValueError):
    """No patient of the file has every feature the model uses (or every risk overflowed)."""


def model_features(model: HeartModel) -> tuple[str, ...]:
    """The features the model uses: its fitted ``features_`` when it records them, else all 13."""
    chosen = getattr(model, "features_", None)
    return tuple(chosen) if chosen else tuple(FEATURE_NAMES)


def _logit(risk: Array) -> Array:
    p = np.clip(np.asarray(risk, dtype=np.float64), _EPS, 1.0 - _EPS)
    return np.log(p / (1.0 - p))


def _expit(eta: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-eta)), dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# The figures of one set of patients
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Figures:
    """A model's figures on one set of patients, at one threshold.

    Intervals are 95 %: bootstrap for the AUC, Wilson for sensitivity and specificity, Wald for the
    calibration intercept and slope. ``nan`` where a figure cannot be computed (one class only).
    """

    n: int
    n_diseased: int
    prevalence: float
    mean_risk: float
    auc: float
    auc_interval: tuple[float, float]
    brier: float
    threshold: float
    sensitivity: float
    sensitivity_interval: tuple[float, float]
    specificity: float
    specificity_interval: tuple[float, float]
    calibration: CalibrationFit
    decision: DecisionCurve

    @property
    def decision_reading(self) -> str:
        """The decision curve at the threshold in words ("" at a threshold of 0 or 1)."""
        if not 0.0 < self.threshold < 1.0:
            return ""
        return decision_reading(self.decision, self.threshold)

    def as_json(self) -> dict[str, Any]:
        c = self.calibration
        return {
            "n": self.n,
            "n_diseased": self.n_diseased,
            "prevalence": self.prevalence,
            "mean_risk": self.mean_risk,
            "auc": self.auc,
            "auc_interval": list(self.auc_interval),
            "brier": self.brier,
            "threshold": self.threshold,
            "sensitivity": self.sensitivity,
            "sensitivity_interval": list(self.sensitivity_interval),
            "specificity": self.specificity,
            "specificity_interval": list(self.specificity_interval),
            "calibration_intercept": c.intercept,
            "calibration_intercept_interval": list(c.intercept_interval),
            "calibration_slope": c.slope,
            "calibration_slope_interval": list(c.slope_interval),
            "calibration_reading": c.reading(),
            "decision_reading": self.decision_reading,
            "net_benefit": self.decision.as_records(),
        }


def _curve_thresholds(threshold: float) -> Array:
    """1 % … 60 %, plus the model's own threshold, so the reading at it is exact."""
    grid = set(np.round(np.arange(1, 61) / 100.0, 2).tolist())
    if 0.0 < threshold < 1.0:
        grid.add(float(threshold))
    return np.array(sorted(grid))


def figures(y: Array, risk: Array, threshold: float, *, n_boot: int = 1000) -> Figures:
    """The figures of ``risk`` against outcomes ``y`` (1 = disease) at ``threshold``."""
    y = np.asarray(y, dtype=np.int64).ravel()
    risk = np.asarray(risk, dtype=np.float64).ravel()
    m = metrics_with_intervals(y, risk, threshold, n_boot=n_boot)
    metrics = m.metrics
    return Figures(
        n=metrics.n,
        n_diseased=int(y.sum()),
        prevalence=float(y.mean()),
        mean_risk=float(risk.mean()),
        auc=metrics.roc_auc,
        auc_interval=m.roc_auc_interval,
        brier=metrics.brier,
        threshold=float(threshold),
        sensitivity=metrics.sensitivity,
        sensitivity_interval=m.sensitivity_interval,
        specificity=metrics.specificity,
        specificity_interval=m.specificity_interval,
        calibration=calibration_fit(y, risk),
        decision=decision_curve(y, risk, _curve_thresholds(threshold)),
    )


# --------------------------------------------------------------------------------------------------
# Recalibration
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HeldOutCheck:
    """Recalibration fitted on one half of the site's patients, checked on the other half."""

    n_fit: int
    n_check: int
    before: CalibrationFit
    after: CalibrationFit
    brier_before: float
    brier_after: float


@dataclass(frozen=True, eq=False)
class Recalibration:
    """``logit P(y) = a + b · logit(risk)`` fitted on a site's outcomes (``b`` = 1 for intercept only).

    ``before`` and ``after`` are the calibration of the original and the recalibrated risks on the
    *same* patients it was fitted on (optimistic by construction); ``held_out`` checks it honestly
    on patients it was not fitted on, when there are enough for two halves.
    """

    kind: str  # "intercept" or "intercept and slope"
    a: float
    b: float
    n: int
    before: CalibrationFit
    after: CalibrationFit
    mean_risk_before: float
    mean_risk_after: float
    prevalence: float
    brier_before: float
    brier_after: float
    sensitivity_after: float
    specificity_after: float
    held_out: HeldOutCheck | None

    def apply(self, risk: Array) -> Array:
        """The recalibrated risks."""
        return _expit(self.a + self.b * _logit(risk))

    def as_json(self) -> dict[str, Any]:
        held = self.held_out
        return {
            "kind": self.kind,
            "a": self.a,
            "b": self.b,
            "fitted_on_n": self.n,
            "prevalence": self.prevalence,
            "mean_risk_before": self.mean_risk_before,
            "mean_risk_after": self.mean_risk_after,
            "calibration_intercept_before": self.before.intercept,
            "calibration_intercept_after": self.after.intercept,
            "calibration_slope_before": self.before.slope,
            "calibration_slope_after": self.after.slope,
            "brier_before": self.brier_before,
            "brier_after": self.brier_after,
            "sensitivity_after": self.sensitivity_after,
            "specificity_after": self.specificity_after,
            "held_out": None
            if held is None
            else {
                "n_fit": held.n_fit,
                "n_check": held.n_check,
                "calibration_intercept_before": held.before.intercept,
                "calibration_intercept_after": held.after.intercept,
                "calibration_slope_before": held.before.slope,
                "calibration_slope_after": held.after.slope,
                "brier_before": held.brier_before,
                "brier_after": held.brier_after,
            },
        }


def _fit_recalibration(y: Array, risk: Array, slope: bool) -> tuple[float, float]:
    """(a, b) of the logistic recalibration; (nan, nan) when it cannot be fitted (one class only)."""
    lp = _logit(risk)
    ones = np.ones((len(y), 1))
    if slope:
        fit = _logistic_newton(np.column_stack([ones, lp]), y.astype(float), np.zeros(len(y)))
        return (float(fit[0][0]), float(fit[0][1])) if fit else (math.nan, math.nan)
    fit = _logistic_newton(ones, y.astype(float), lp)
    return (float(fit[0][0]), 1.0) if fit else (math.nan, math.nan)


def _halves(y: Array, seed: int = 0) -> tuple[Array, Array]:
    """A stratified split of the positions into two halves (fixed seed: the same halves every run)."""
    rng = np.random.default_rng(seed)
    first = np.zeros(len(y), dtype=bool)
    for label in (0, 1):
        where = np.flatnonzero(y == label)
        rng.shuffle(where)
        first[where[: len(where) // 2]] = True
    return first, ~first


def _brier(y: Array, risk: Array) -> float:
    return float(np.mean((risk - y) ** 2))


def recalibrate(y: Array, risk: Array, threshold: float, *, slope: bool) -> Recalibration | None:
    """Fit the recalibration on ``(y, risk)`` and measure it; ``None`` with one class only."""
    y = np.asarray(y, dtype=np.int64).ravel()
    risk = np.asarray(risk, dtype=np.float64).ravel()
    if len(np.unique(y)) < 2:
        return None
    a, b = _fit_recalibration(y, risk, slope)
    if not (math.isfinite(a) and math.isfinite(b)):
        return None
    kind = "intercept and slope" if slope else "intercept"
    after = _expit(a + b * _logit(risk))
    called = after >= threshold
    held = None
    first, second = _halves(y)
    if min(np.bincount(y[second], minlength=2).min(), np.bincount(y[first], minlength=2).min()) >= MIN_EVENTS:
        ha, hb = _fit_recalibration(y[first], risk[first], slope)
        if math.isfinite(ha) and math.isfinite(hb):
            checked = _expit(ha + hb * _logit(risk[second]))
            held = HeldOutCheck(
                n_fit=int(first.sum()),
                n_check=int(second.sum()),
                before=calibration_fit(y[second], risk[second]),
                after=calibration_fit(y[second], checked),
                brier_before=_brier(y[second], risk[second]),
                brier_after=_brier(y[second], checked),
            )
    return Recalibration(
        kind=kind,
        a=a,
        b=b,
        n=len(y),
        before=calibration_fit(y, risk),
        after=calibration_fit(y, after),
        mean_risk_before=float(risk.mean()),
        mean_risk_after=float(after.mean()),
        prevalence=float(y.mean()),
        brier_before=_brier(y, risk),
        brier_after=_brier(y, after),
        sensitivity_after=float(np.sum(called & (y == 1)) / max(int(y.sum()), 1)),
        specificity_after=float(np.sum(~called & (y == 0)) / max(int((y == 0).sum()), 1)),
        held_out=held,
    )


# --------------------------------------------------------------------------------------------------
# A whole validation
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Validation:
    """A saved model scored on a labelled file from elsewhere.

    ``lines``, ``risk`` and ``outcome`` are the scored patients; ``in_training`` and ``in_model_test``
    say which of them the model was trained and tested on (``None`` when the model file does not record
    its patients). The validation proper — ``unseen``, ``subgroups`` and ``recalibrations`` — is on the
    patients new to the model (on all of them when that cannot be checked).
    """

    data_name: str
    n_read: int
    left_out: tuple[tuple[int, str], ...]
    features: tuple[str, ...]
    patients: pd.DataFrame
    lines: Array
    risk: Array
    outcome: Array
    in_training: Array | None
    in_model_test: Array | None
    same_file: bool
    threshold: float
    all: Figures
    seen: Figures | None
    unseen: Figures | None
    subgroups: tuple[Subgroup, ...]
    recalibrations: tuple[Recalibration, ...]

    @property
    def overlap_checked(self) -> bool:
        return self.in_training is not None

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    @property
    def n_in_training(self) -> int | None:
        return None if self.in_training is None else int(self.in_training.sum())

    @property
    def n_in_model_test(self) -> int | None:
        return None if self.in_model_test is None else int(self.in_model_test.sum())

    @property
    def seen_mask(self) -> Array:
        """The scored patients the model was made from (all False when that cannot be checked)."""
        if self.in_training is None or self.in_model_test is None:
            return np.zeros(self.n_rows, dtype=bool)
        return np.asarray(self.in_training | self.in_model_test)

    @property
    def n_seen(self) -> int:
        return int(self.seen_mask.sum())

    @property
    def validation(self) -> Figures | None:
        """The figures that count as a validation: on the unseen patients (or all, if unchecked)."""
        return self.unseen if self.overlap_checked else self.all

    def warnings(self) -> list[str]:
        """What the student must read before any figure, most important first."""
        out = []
        if self.overlap_checked and self.n_seen:
            trained, tested = self.n_in_training or 0, self.n_in_model_test or 0
            whom = (
                "were used to train this model"
                if not tested
                else "come from the data this model was made from"
            )
            parts = []
            if tested:
                parts = [f"{trained} were used to train it", f"{tested} were its own test patients"]
            detail = f" ({' and '.join(parts)})" if parts else ""
            rest = self.n_rows - self.n_seen
            tail = (
                f"The validation below is on the other {rest} patient{'s' if rest != 1 else ''} only."
                if rest
                else "No patient of this file is new to the model: there is nothing to validate it on."
            )
            share = f"All {self.n_rows} of these" if rest == 0 else f"{self.n_seen} of these {self.n_rows}"
            out.append(
                f"{share} patients {whom}{detail}; their scores are not a "
                "validation: a model scored on patients it learned from looks better than it is. " + tail
            )
        if self.same_file:
            out.append(
                "This is the very file the model was made from (same SHA-256): it is not another hospital."
            )
        if not self.overlap_checked:
            out.append(
                "This model file does not record which patients it was trained on (it was saved by an "
                "older heartgui), so heartgui cannot check whether any of these patients were among them. "
                "If this file shares patients with the training data (heart.dat is part of the Cleveland "
                "file), the figures below flatter the model. Save the model again to record them."
            )
        return out

    def as_json(self) -> dict[str, Any]:
        def flag(mask: Array | None, i: int) -> bool | None:
            return None if mask is None else bool(mask[i])

        seen = self.seen_mask
        return {
            "data_file": self.data_name,
            "features": list(self.features),
            "threshold": self.threshold,
            "n_read": self.n_read,
            "n_rows": self.n_rows,
            "n_left_out": len(self.left_out),
            "left_out": [{"line": line, "reason": reason} for line, reason in self.left_out],
            "overlap_checked": self.overlap_checked,
            "same_file_as_training": self.same_file,
            "n_in_training": self.n_in_training,
            "n_in_model_test": self.n_in_model_test,
            "n_unseen": self.n_rows - self.n_seen if self.overlap_checked else None,
            "warnings": self.warnings(),
            "patients": [
                {
                    "line": int(self.lines[i]),
                    "risk": float(self.risk[i]),
                    "outcome": int(self.outcome[i]),
                    "in_training": flag(self.in_training, i),
                    "in_model_test": flag(self.in_model_test, i),
                    "unseen": None if not self.overlap_checked else not bool(seen[i]),
                }
                for i in range(self.n_rows)
            ],
            "all": self.all.as_json(),
            "seen": None if self.seen is None else self.seen.as_json(),
            "unseen": None if self.unseen is None else self.unseen.as_json(),
            "subgroups": [
                {
                    "name": g.name,
                    "n": g.n,
                    "n_diseased": g.n_diseased,
                    "prevalence": g.prevalence,
                    "mean_risk": g.mean_risk,
                    "sensitivity": g.sensitivity,
                    "specificity": g.specificity,
                    "auc": g.auc,
                    "calibration_intercept": g.calibration_intercept,
                    "enough": g.enough,
                    "verdict": g.verdict,
                }
                for g in self.subgroups
            ],
            "recalibration": [r.as_json() for r in self.recalibrations],
        }


def overlap_first(
    dataset: Dataset, fingerprints: PatientFingerprints | None, model_data_sha256: str | None = None
) -> str:
    """What to say about ``dataset`` before anything is computed: whether its patients are ones the
    model was made from (by fingerprint), or that this cannot be checked; "" when all are new."""
    if model_data_sha256 is not None and model_data_sha256 == dataset.provenance.sha256:
        return "This is the very file the model was made from (same SHA-256): it is not another hospital."
    if fingerprints is None:
        return (
            "This model does not record which patients it was trained on (it was saved by an older "
            "heartgui), so heartgui cannot check whether any of these patients were among them."
        )
    trained, tested = fingerprints.find(dataset.X)
    seen = int((trained.shared | tested.shared).sum())
    if not seen:
        return ""
    share = f"All {dataset.n_rows}" if seen == dataset.n_rows else f"{seen} of the {dataset.n_rows}"
    return (
        f"{share} patients of {dataset.provenance.file_name} are patients this model was made from "
        "(trained or tested on): they are scored apart, and only the others count as a validation."
    )


def _left_out_rows(dataset: Dataset, features: Sequence[str]) -> tuple[Array, list[tuple[int, str]]]:
    """Which rows can be scored (all the model's features recorded), and why the others cannot."""
    left = [(d.line, d.reason) for d in dataset.provenance.dropped]
    values = dataset.X[list(features)].to_numpy(dtype=np.float64)
    absent = ~np.isfinite(values)
    # A reader that keeps incomplete rows says itself why each one lacks a finding ("not recorded (0)").
    reader_reasons = getattr(dataset, "left_out", None)
    if callable(reader_reasons) and absent.any():
        left += [(d.line, d.reason) for d in reader_reasons(list(features))]
        return ~absent.any(axis=1), left
    for i in np.flatnonzero(absent.any(axis=1)):
        names = [features[int(j)] for j in np.flatnonzero(absent[i])]
        words = ", ".join(f"{BY_NAME[n].label.lower()} ({n})" for n in names)
        left.append((int(dataset.lines[i]), f"{words} not recorded"))
    return ~absent.any(axis=1), left


def validate(
    model: HeartModel,
    dataset: Dataset,
    *,
    fingerprints: PatientFingerprints | None,
    threshold: float | None = None,
    model_data_sha256: str | None = None,
    n_boot: int = 1000,
) -> Validation:
    """Score ``model`` on ``dataset`` (another site's labelled patients), as described in the module.

    Raises
    ------
    NothingToScore : no patient of the file can be scored (a feature the model uses is never recorded).
    """
    features = model_features(model)
    t = float(model.threshold if threshold is None else threshold)
    usable, left = _left_out_rows(dataset, features)
    name = dataset.provenance.file_name
    if not usable.any():
        raise NothingToScore(
            f"none of the {dataset.n_rows} patients of '{name}' has every feature this model uses "
            f"({', '.join(features)}): there is no patient to score"
        )
    patients = dataset.X[usable].reset_index(drop=True)
    lines = np.asarray(dataset.lines)[usable]
    outcome = np.asarray(dataset.y)[usable]
    risk = np.asarray(model.predict_risk(patients), dtype=np.float64)
    finite = np.isfinite(risk)
    if not finite.all():  # an absurd network: never a figure on a risk that is not a number
        for line in lines[~finite]:
            left.append((int(line), "the model cannot compute a risk (its arithmetic overflowed)"))
        patients, lines, outcome, risk = (
            patients[finite].reset_index(drop=True),
            lines[finite],
            outcome[finite],
            risk[finite],
        )
        if not len(risk):
            raise NothingToScore(f"the model cannot compute a risk for any patient of '{name}'")
    left.sort()

    in_training = in_model_test = None
    seen = np.zeros(len(risk), dtype=bool)
    if fingerprints is not None:
        trained, tested = fingerprints.find(patients)
        in_training, in_model_test = trained.shared, tested.shared & ~trained.shared
        seen = in_training | in_model_test
    target = ~seen  # the validation set: every patient new to the model (all, when unchecked)

    def scored(mask: Array) -> Figures | None:
        return figures(outcome[mask], risk[mask], t, n_boot=n_boot) if mask.any() else None

    everyone = figures(outcome, risk, t, n_boot=n_boot)
    groups: tuple[Subgroup, ...] = ()
    recalibrations: tuple[Recalibration, ...] = ()
    if target.any():
        groups = tuple(subgroups(patients[target], outcome[target], risk[target], t))
        recalibrations = tuple(
            r
            for r in (recalibrate(outcome[target], risk[target], t, slope=s) for s in (False, True))
            if r is not None
        )
    return Validation(
        data_name=name,
        n_read=dataset.provenance.rows_read,
        left_out=tuple(left),
        features=features,
        patients=patients,
        lines=lines,
        risk=risk,
        outcome=outcome,
        in_training=in_training,
        in_model_test=in_model_test,
        same_file=model_data_sha256 is not None and model_data_sha256 == dataset.provenance.sha256,
        threshold=t,
        all=everyone,
        seen=scored(seen) if fingerprints is not None else None,
        unseen=scored(target) if fingerprints is not None else None,
        subgroups=groups,
        recalibrations=recalibrations,
    )


# --------------------------------------------------------------------------------------------------
# In words
# --------------------------------------------------------------------------------------------------
def _pct(value: float, decimals: int = 0) -> str:
    return "–" if not math.isfinite(value) else f"{value * 100:.{decimals}f} %"


def _interval(pair: tuple[float, float], fmt: str = ".2f", pct: bool = False) -> str:
    lo, hi = pair
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "no interval"
    if pct:
        return f"95 % interval {_pct(lo)} to {_pct(hi)}"
    return f"95 % interval {lo:{fmt}} to {hi:{fmt}}"


def _num(value: float, fmt: str = ".2f") -> str:
    if not math.isfinite(value):
        return "–"
    if abs(value) < 0.005:  # "-0.00" would read as a sign that means something
        value = 0.0
    return f"{value:{fmt}}"


def _figures_lines(f: Figures) -> list[str]:
    c = f.calibration
    reference = f.prevalence * (1.0 - f.prevalence)
    lines = [
        f"  Patients:               {f.n}, of whom {f.n_diseased} have heart disease ({_pct(f.prevalence)})",
        f"  Mean predicted risk:    {_pct(f.mean_risk)} (observed {_pct(f.prevalence)})",
        f"  Discrimination (AUC):   {_num(f.auc)} ({_interval(f.auc_interval)}); "
        "0.5 = a coin toss, 1 = perfect",
        f"  At the threshold {_pct(f.threshold, 1)}: sensitivity {_pct(f.sensitivity)} "
        f"({_interval(f.sensitivity_interval, pct=True)}), specificity {_pct(f.specificity)} "
        f"({_interval(f.specificity_interval, pct=True)})",
        f"  Calibration intercept:  {_num(c.intercept, '+.2f')} ({_interval(c.intercept_interval, '+.2f')}); "
        "ideal 0",
        f"  Calibration slope:      {_num(c.slope)} ({_interval(c.slope_interval)}); ideal 1",
        f"    {c.reading()}",
        f"  Brier score:            {_num(f.brier, '.3f')} (0 is perfect; giving everyone the observed "
        f"prevalence as their risk scores {reference:.3f})",
    ]
    if f.decision_reading:
        lines.append(f"  Decision curve: {f.decision_reading}")
    return lines


def _subgroup_lines(groups: Sequence[Subgroup]) -> list[str]:
    out = [f"  {'group':<14}{'n':>5}{'disease':>9}{'mean risk':>11}{'sens.':>7}{'spec.':>7}{'AUC':>6}"]
    for g in groups:
        row = (
            f"  {g.name:<14}{g.n:>5}{_pct(g.prevalence):>9}{_pct(g.mean_risk):>11}"
            f"{_pct(g.sensitivity):>7}{_pct(g.specificity):>7}{_num(g.auc):>6}"
        )
        out.append(row if g.enough else f"{row}  {g.verdict}")
    return out


def _recalibration_lines(recalibrations: Sequence[Recalibration]) -> list[str]:
    if not recalibrations:
        return []
    n = recalibrations[0].n
    out = [
        "Recalibration (what a hospital would do before using the model): refit it to this site's "
        f"outcomes, on the same {n} patients.",
        "  This uses the site's outcomes, so the 'after' figures are no longer a validation: fitted and "
        "checked on the same patients, they are optimistic.",
    ]
    for r in recalibrations:
        formula = (
            f"logit(new risk) = {r.a:+.2f} + logit(risk)"
            if r.kind == "intercept"
            else f"logit(new risk) = {r.a:+.2f} + {r.b:.2f} · logit(risk)"
        )
        out += [
            f"  {r.kind.capitalize()}: {formula}",
            f"    mean risk {_pct(r.mean_risk_before)} → {_pct(r.mean_risk_after)} "
            f"(observed {_pct(r.prevalence)}); "
            f"calibration intercept {_num(r.before.intercept, '+.2f')} → {_num(r.after.intercept, '+.2f')}, "
            f"slope {_num(r.before.slope)} → {_num(r.after.slope)}; Brier {r.brier_before:.3f} → "
            f"{r.brier_after:.3f}",
            f"    at the same threshold the recalibrated risks give sensitivity {_pct(r.sensitivity_after)}, "
            f"specificity {_pct(r.specificity_after)}"
            + ("; the AUC does not change (the order of the patients is kept)." if r.b > 0 else "."),
        ]
        held = r.held_out
        if held is None:
            out.append(
                "    Too few patients to check it on patients it was not fitted on "
                f"(each half needs at least "
                f"{MIN_EVENTS} with and {MIN_EVENTS} without the disease)."
            )
        else:
            out.append(
                f"    Checked honestly — fitted on half ({held.n_fit}), "
                f"measured on the other {held.n_check}: "
                f"intercept {_num(held.before.intercept, '+.2f')} → {_num(held.after.intercept, '+.2f')}, "
                f"slope {_num(held.before.slope)} → {_num(held.after.slope)}, "
                f"Brier {held.brier_before:.3f} → "
                f"{held.brier_after:.3f}."
            )
    return out


def describe(v: Validation, model_name: str = "the model") -> str:
    """The whole validation in plain words, warnings first."""
    out = [f"Validating {model_name} on {v.data_name} (threshold {_pct(v.threshold, 1)})", ""]
    for warning in v.warnings():
        out += [f"WARNING: {warning}", ""]
    left = len(v.left_out)
    out.append(f"Rows: {v.n_read} read, {v.n_rows} scored, {left} left out" + (":" if left else "."))
    for line, reason in v.left_out[:10]:
        out.append(f"  line {line}: {reason}")
    if left > 10:
        out.append(f"  … and {left - 10} more (all are listed by --json)")
    out.append("")
    validation = v.validation
    if validation is not None:
        title = (
            f"Validation on the {validation.n} patients new to the model:"
            if v.overlap_checked
            else f"Validation on all {validation.n} patients scored (overlap with training not checked):"
        )
        out += [title, *_figures_lines(validation), ""]
        if v.subgroups:
            out += ["Subgroups (same patients, same threshold):", *_subgroup_lines(v.subgroups), ""]
        rec = _recalibration_lines(v.recalibrations)
        if rec:
            out += [*rec, ""]
    if v.seen is not None:
        out += [
            f"For comparison, the {v.seen.n} patients the model was made from (not a validation):",
            f"  AUC {_num(v.seen.auc)}, sensitivity {_pct(v.seen.sensitivity)}, specificity "
            f"{_pct(v.seen.specificity)}, "
            f"calibration intercept {_num(v.seen.calibration.intercept, '+.2f')}, "
            f"Brier {v.seen.brier:.3f}",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
