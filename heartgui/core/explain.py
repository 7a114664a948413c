"""Teaching views of one prediction: every number on the way, why this risk, what if, how sure.

* :func:`walk_through` — raw values → standardised values (with the training mean and sd) → each layer's
  Z = A·W + b and A = ReLU(Z) (which units are switched off) → output logit → risk = sigmoid(Z).
* :func:`contributions` — integrated gradients (Sundararajan et al., 2017) from a reference patient (the
  training median/mode) to this patient, on the output logit, summed per clinical feature, computed
  exactly for the piecewise-linear ReLU network. They add up to logit(patient) − logit(reference)
  ("completeness"), which the tests check.
* :func:`what_if` — the risk as one feature moves across its plausible range, everything else fixed.
* :func:`iter_ensemble` / :func:`ensemble_spread` — models trained with different seeds on the same
  patients, and the spread of one patient's risk across them.
* :class:`TrainingFacts` — how many patients a model learned from, the share with disease (prevalence),
  and which coded answers few of them had.
* :class:`NoveltyReference` — how far a patient is from the training patients (Mahalanobis distance in
  the standardised feature space, compared with the training patients' own distances).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartgui.core.model import HeartModel
from heartgui.core.network import sigmoid
from heartgui.core.novelty import NoveltyReference
from heartgui.core.preprocessing import _as_frame
from heartgui.core.presets import TrainingSettings
from heartgui.core.schema import BY_NAME, FEATURE_NAMES, MG_DL_PER_MMOL_L_CHOLESTEROL
from heartgui.core.stacked import Job, fit_stacked
from heartgui.core.threads import one_blas_thread_if_small

Patient = Mapping[str, float]


# --------------------------------------------------------------------------------------------------
# One prediction, walked through
@dataclass(frozen=True)
class ScaledValue:
    """z = (x − mean) / sd for one standardised feature."""

    name: str
    raw: float
    mean: float
    sd: float
    z: float


@dataclass(frozen=True)
class LayerStep:
    """One layer for one patient: Z = A_prev·W + b, then A = ReLU(Z) (hidden) or sigmoid(Z) (output)."""

    index: int  # 1-based layer number
    z: np.ndarray
    a: np.ndarray
    activation: str  # "relu" or "sigmoid"

    @property
    def switched_off(self) -> tuple[int, ...]:
        """1-based numbers of the hidden units whose ReLU output is 0 for this patient."""
        if self.activation != "relu":
            return ()
        return tuple(int(i) + 1 for i in np.flatnonzero(self.a <= 0))


@dataclass(frozen=True)
class WalkThrough:
    """Every number between a patient's raw values and the predicted risk."""

    raw: dict[str, float]
    scaled: tuple[ScaledValue, ...]
    one_hot: dict[str, float]  # e.g. {"cp=4": 1.0, ...}; empty without one-hot encoding
    inputs: np.ndarray  # the network's input row, in model.feature_names_out_ order
    input_names: tuple[str, ...]
    layers: tuple[LayerStep, ...]
    logit: float
    risk: float


def walk_through(model: HeartModel, patient: Patient) -> WalkThrough:
    """The forward pass for one patient with all intermediate numbers (the tutorial's formulas)."""
    model._check_fitted()
    raw = {n: float(patient[n]) for n in model.used_features}
    x = model.transform(raw)[0]
    pre = model.preprocessor_
    scaled = tuple(
        ScaledValue(n, raw[n], float(m), float(s), float(z))
        for n, m, s, z in zip(pre.scaled_names, pre.mean_, pre.scale_, x, strict=False)
    )
    names = tuple(model.feature_names_out_)
    one_hot = {name: float(v) for name, v in zip(names, x) if "=" in name}
    steps = model.network_.forward_steps(x[None, :])
    last = len(steps) - 1
    layers = tuple(
        LayerStep(i + 1, z[0].copy(), a[0].copy(), "sigmoid" if i == last else "relu")
        for i, (z, a) in enumerate(steps)
    )
    logit = float(layers[-1].z[0])
    return WalkThrough(raw, scaled, one_hot, x, names, layers, logit, float(layers[-1].a[0]))


# --------------------------------------------------------------------------------------------------
# Why this risk
def _logit_and_input_gradient(model: HeartModel, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Output logit and its gradient with respect to the network's inputs, for each row of X."""
    net = model.network_
    a = X
    masks = []
    for w, b in zip(net.coefs_[:-1], net.intercepts_[:-1]):
        z = a @ w + b
        masks.append(z > 0)
        a = np.maximum(z, 0.0)
    logit = (a @ net.coefs_[-1] + net.intercepts_[-1]).ravel()
    grad = np.repeat(net.coefs_[-1].T, len(X), axis=0)  # d logit / d A_last
    for w, mask in zip(reversed(net.coefs_[:-1]), reversed(masks)):
        grad = (grad * mask) @ w.T
    return logit, grad


@dataclass(frozen=True)
class Contributions:
    """Per-feature contributions to the output logit, relative to a reference patient.

    ``by_feature[name]`` is positive when this patient's value of ``name`` raised the risk compared with
    the reference. ``sum(by_feature.values()) ≈ logit − reference_logit`` (completeness).
    """

    by_feature: dict[str, float]
    logit: float
    reference_logit: float
    reference: dict[str, float]
    method: str = "integrated gradients"

    @property
    def risk(self) -> float:
        return float(sigmoid(np.array(self.logit)))

    @property
    def reference_risk(self) -> float:
        return float(sigmoid(np.array(self.reference_logit)))

    def sorted(self) -> list[tuple[str, float]]:
        """(feature, contribution) from the largest rise in risk to the largest fall."""
        return sorted(self.by_feature.items(), key=lambda item: -item[1])

    @property
    def points_per_log_odds(self) -> float:
        """Percentage points of risk per unit of log-odds between the reference and this patient.

        (risk − reference risk) / (logit − reference logit) × 100: the sigmoid's average slope between the
        two log-odds; at equal log-odds, its slope there, p(1 − p) × 100.
        """
        change = self.logit - self.reference_logit
        if abs(change) < 1e-9:
            p = self.reference_risk
            return p * (1 - p) * 100
        return (self.risk - self.reference_risk) / change * 100

    def in_percentage_points(self) -> dict[str, float]:
        """``by_feature`` in percentage points of risk: every contribution times one common factor
        (:attr:`points_per_log_odds`), so they keep their signs and ratios and add up to
        (risk − reference risk) × 100."""
        factor = self.points_per_log_odds
        return {name: value * factor for name, value in self.by_feature.items()}


def _hidden_preactivations(model: HeartModel, X: np.ndarray) -> list[np.ndarray]:
    net = model.network_
    out = []
    a = X
    for w, b in zip(net.coefs_[:-1], net.intercepts_[:-1]):
        z = a @ w + b
        out.append(z)
        a = np.maximum(z, 0.0)
    return out


def _path_breakpoints(model: HeartModel, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """Every α in [0, 1] where a hidden ReLU switches on or off along x0 + α(x1 − x0).

    Layer by layer: between the breakpoints found so far, all earlier layers are linear, so each unit's
    pre-activation in this layer is linear in α and crosses zero at most once.
    """
    breaks = np.array([0.0, 1.0])
    n_hidden = len(model.network_.coefs_) - 1
    for layer in range(n_hidden):
        path = x0[None, :] + breaks[:, None] * (x1 - x0)[None, :]
        z = _hidden_preactivations(model, path)[layer]
        za, zb = z[:-1], z[1:]
        crossing = (za * zb) < 0
        seg_start = np.broadcast_to(breaks[:-1, None], za.shape)[crossing]
        seg_len = np.broadcast_to(np.diff(breaks)[:, None], za.shape)[crossing]
        alphas = seg_start + seg_len * za[crossing] / (za[crossing] - zb[crossing])
        breaks = np.unique(np.concatenate([breaks, alphas]))
    return breaks


def contributions(model: HeartModel, patient: Patient, reference: Patient | None = None) -> Contributions:
    """Integrated gradients of the output logit, from ``reference`` (default: the training median or
    mode of each feature) to ``patient``, summed over the one-hot parts of each clinical feature.

    Along the straight path from reference to patient the ReLU network is piecewise linear, so the
    integral is computed exactly: the gradient is constant between the points where a hidden unit
    switches on or off, and each piece is weighted by its length. The contributions therefore add up to
    logit(patient) − logit(reference) up to rounding.
    """
    model._check_fitted()
    used = model.used_features  # a finding the model does not use contributes nothing: not listed
    reference = {n: float(v) for n, v in (reference or model.training_defaults_).items() if n in used}
    x = model.transform({n: float(patient[n]) for n in used})[0]
    x0 = model.transform(reference)[0]
    breaks = _path_breakpoints(model, x0, x)
    midpoints = (breaks[:-1] + breaks[1:]) / 2
    _, grads = _logit_and_input_gradient(model, x0[None, :] + midpoints[:, None] * (x - x0)[None, :])
    attributions = (x - x0) * (np.diff(breaks) @ grads)
    logits, _ = _logit_and_input_gradient(model, np.vstack([x, x0]))
    by_feature = dict.fromkeys(used, 0.0)
    for name, value in zip(model.feature_names_out_, attributions):
        by_feature[name.split("=")[0]] += float(value)
    return Contributions(by_feature, float(logits[0]), float(logits[1]), reference)


#: Whether a higher value goes with more (+1) or less (−1) coronary disease in clinical knowledge: a
#: contribution the other way is a teaching moment, labelled as one.
KNOWN_DIRECTION = {"age": 1, "trestbps": 1, "chol": 1, "oldpeak": 1, "thalach": -1}
#: A backwards contribution smaller than this (percentage points of risk) is too small to comment on.
TEACHING_MOMENT_POINTS = 1.0


def points_words(contributions: Contributions) -> str:
    """How the log-odds contributions became percentage points, in one sentence."""
    # Rounded first: a change of −0.04 points reads "0.0", not "−0.0" (a sign on nothing).
    points = round((contributions.risk - contributions.reference_risk) * 100, 1)
    change = "0.0" if points == 0 else f"{points:+.1f}".replace("-", "−")
    return (
        f"The network's contributions (in log-odds) are each multiplied by the same factor, "
        f"{contributions.points_per_log_odds:.1f}, so that they add up to the change in risk: "
        f"{contributions.reference_risk * 100:.1f} % → {contributions.risk * 100:.1f} % is {change} "
        "percentage points."
    )


def association_words(n_patients: int) -> str:
    """Contributions are associations the network learned, not causes."""
    return (
        f"These are associations the network learned from {n_patients} training patients, not causes: a bar "
        "says how the network's risk moves with a value, not what that value does to the heart."
    )


def teaching_moments(
    contributions: Contributions, patient: Patient, n_patients: int, cholesterol_unit: str = "mg/dl"
) -> list[str]:
    """A sentence for each measurement that moved the risk against clinical knowledge (e.g. an older age
    lowering it) by at least :data:`TEACHING_MOMENT_POINTS`, saying it is an association of these
    training patients, not a clinical fact."""
    out = []
    points = contributions.in_percentage_points()
    for name, direction in KNOWN_DIRECTION.items():
        if name not in contributions.by_feature:  # a finding the model does not use
            continue
        value, reference = float(patient[name]), float(contributions.reference[name])
        amount = contributions.by_feature[name]
        if abs(points[name]) < TEACHING_MOMENT_POINTS or value == reference:
            continue
        if (value > reference) == ((amount > 0) == (direction > 0)):  # the direction clinicians expect
            continue
        label = BY_NAME[name].label
        higher = "higher" if value > reference else "lower"
        more = "more" if (value > reference) == (direction > 0) else "less"
        out.append(
            f"Teaching moment — {label} {describe_value(name, value, cholesterol_unit)} "
            f"{'raised' if amount > 0 else 'lowered'} the risk compared with the typical patient's "
            f"{describe_value(name, reference, cholesterol_unit)}, although a {higher} value generally goes "
            f"with {more} coronary disease. The network picked this up from {n_patients} training patients "
            "together with their other findings: an association in a small sample, not a clinical fact."
        )
    return out


# --------------------------------------------------------------------------------------------------
# What if
@dataclass(frozen=True)
class WhatIfCurve:
    feature: str
    values: np.ndarray
    risks: np.ndarray
    current_value: float
    current_risk: float
    labels: tuple[str, ...]  # the value in words, for coded features


def what_if(model: HeartModel, patient: Patient, feature: str, points: int = 60) -> WhatIfCurve:
    """The risk as ``feature`` moves across its plausible range (each code, for coded features)."""
    spec = BY_NAME[feature]
    if spec.codes is not None:
        values = np.array(sorted(spec.codes), dtype=float)
        labels = tuple(spec.codes[int(v)] for v in values)
    else:
        low, high = spec.typical or spec.limits or (0.0, 1.0)
        current = float(patient[feature])
        values = np.linspace(min(low, current), max(high, current), points)
        labels = tuple(spec.describe_value(v) for v in values)
    used = model.used_features
    if feature not in used:
        raise ValueError(f"the model does not use {spec.label}: its risk does not change with it")
    row = {n: float(patient[n]) if n in used else np.nan for n in FEATURE_NAMES}
    rows = pd.DataFrame([row] * len(values))
    rows[feature] = values
    risks = model.predict_risk(rows)
    current_risk = float(model.predict_risk({n: float(patient[n]) for n in used})[0])
    return WhatIfCurve(feature, values, risks, float(patient[feature]), current_risk, labels)


# --------------------------------------------------------------------------------------------------
# How sure
@dataclass(frozen=True)
class EnsembleProgress:
    """One more ensemble member trained (``index`` of ``n_models``, 1-based)."""

    index: int
    n_models: int
    seed: int
    model: HeartModel


#: How many networks of an ensemble train as one stacked computation: all of How sure's 10 at once,
#: and a larger ensemble reports progress after each group of this many.
ENSEMBLE_GROUP = 10


def iter_ensemble(
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    settings: TrainingSettings,
    n_models: int = 10,
    base_seed: int = 1000,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[EnsembleProgress, None, None]:
    """Train ``n_models`` copies of ``settings`` on the same patients, seeds base_seed, base_seed+1, …

    Only the initial weights (and validation split) differ, so the spread shows how much of a risk is
    an accident of the starting point. Reproducible for a fixed base_seed.

    The networks train as one stacked computation (:mod:`heartgui.core.stacked`: each gets bit for bit
    the model ``settings.replace(seed=...).model().fit(X_train, y_train)`` gives alone, tested), with
    one BLAS thread, and the preprocessing is fitted once when no validation split makes it differ
    from seed to seed. The networks train in groups of :data:`ENSEMBLE_GROUP`; each group's models
    come once it is trained, one :class:`EnsembleProgress` each. ``should_stop`` is asked after every
    stacked epoch and ends the iteration there (the models of finished groups have been yielded).

    Raises
    ------
    TrainingDiverged : one of the networks diverged (the first one's, as when they trained one by one).
    """
    if n_models < 2:
        raise ValueError("an ensemble needs at least 2 models")
    models = [settings.replace(seed=base_seed + i, preset=settings.preset).model() for i in range(n_models)]
    jobs: list[Job] = []
    for model in models:
        prepared = model.prepare_as(models[0], X_train, y_train) if jobs else None
        Z, y, Z_val, y_val = prepared if prepared is not None else model.prepare(X_train, y_train)
        model.network_ = model._network()
        jobs.append(Job(model.network_, Z, y, Z_val, y_val))
    with one_blas_thread_if_small(len(jobs[0].y)):
        for start in range(0, n_models, ENSEMBLE_GROUP):
            group = slice(start, start + ENSEMBLE_GROUP)
            outcomes = fit_stacked(jobs[group], should_stop)
            if outcomes is None:
                return
            for outcome in outcomes:
                if outcome.diverged is not None:
                    raise outcome.diverged
            for i, model in enumerate(models[group], start):
                yield EnsembleProgress(i + 1, n_models, base_seed + i, model)


@dataclass(frozen=True)
class RiskSpread:
    """One patient's risk across an ensemble."""

    risks: np.ndarray
    low: float  # 10th percentile
    median: float
    high: float  # 90th percentile


def ensemble_spread(models: Sequence[HeartModel], patient: Patient | pd.DataFrame) -> RiskSpread:
    """The 10th, 50th and 90th percentile of the patient's risk across ``models``."""
    X = _as_frame(patient) if not isinstance(patient, pd.DataFrame) else patient
    risks = np.array([float(m.predict_risk(X)[0]) for m in models])
    low, median, high = np.percentile(risks, [10, 50, 90])
    return RiskSpread(risks, float(low), float(median), float(high))


# --------------------------------------------------------------------------------------------------
# What the model learned from
#: A coded answer seen in fewer training patients than this (about 5 % of heart.dat's 216) is flagged:
#: the network has had few examples to learn what it means.
RARE_CODE_PATIENTS = 12


@dataclass(frozen=True)
class RareCode:
    """A coded answer of this patient that few training patients had."""

    feature: str
    code: int
    patients: int  # training patients with this answer
    of: int  # training patients in all


@dataclass(frozen=True)
class TrainingFacts:
    """What the views say about the patients a model learned from.

    ``prevalence`` (the share with heart disease) and ``code_counts`` (feature → code → patients) are
    known only with the training patients themselves, not for a model opened from a file.
    """

    n_patients: int
    prevalence: float | None = None
    code_counts: Mapping[str, Mapping[int, int]] | None = None

    @classmethod
    def from_data(
        cls, X_train: pd.DataFrame, y_train: np.ndarray, features: Sequence[str] = FEATURE_NAMES
    ) -> TrainingFacts:
        """Counts of each code of the coded ``features`` (those a model uses) among ``X_train``."""
        y = np.asarray(y_train).ravel()
        counts = {
            name: {int(code): int(np.sum(X_train[name] == code)) for code in BY_NAME[name].codes or {}}
            for name in FEATURE_NAMES
            if BY_NAME[name].is_coded and name in features
        }
        return cls(len(y), float(np.mean(y == 1)), counts)

    @classmethod
    def from_model(cls, model: HeartModel) -> TrainingFacts:
        """Only what a model (e.g. from a file) records: how many patients it learned from."""
        return cls(int(model.n_train_rows_))

    def rare_codes(self, patient: Patient, below: int = RARE_CODE_PATIENTS) -> list[RareCode]:
        """The patient's coded answers that fewer than ``below`` training patients had."""
        if self.code_counts is None:
            return []
        out = []
        for name, counts in self.code_counts.items():
            code = int(patient[name])
            if counts.get(code, 0) < below:
                out.append(RareCode(name, code, counts.get(code, 0), self.n_patients))
        return out


def rare_code_words(rare: RareCode) -> str:
    """``"Only 2 of 216 training patients had this answer for Resting ECG (ST-T wave abnormality): …"``."""
    feature = BY_NAME[rare.feature]
    return (
        f"Only {rare.patients} of {rare.of} training patients had this answer for {feature.label} "
        f"({feature.describe_value(rare.code)}): the network knows little about it."
    )


def risk_definition(facts: TrainingFacts | None, *, short: bool = False) -> str:
    """What the risk is and what it depends on, in plain text: the target, the time frame, and the
    prevalence it was learned at (from ``facts``; a model file does not record the prevalence).
    ``short`` for the risk card, under the number."""
    if short:
        text = (
            "The probability that angiography would show coronary disease now (> 50 % narrowing of a major "
            "vessel), not a 10-year risk."
        )
        if facts is None:
            return text
        text += f" Learned from {facts.n_patients} referred patients"
        if facts.prevalence is None:
            return text + (
                "; the model file does not record their prevalence of disease, on which the risk, PPV and "
                "NPV depend."
            )
        return text + (
            f", {facts.prevalence * 100:.0f} % with the disease (the prevalence): the risk, PPV and NPV "
            "depend on it."
        )
    text = (
        "The probability that coronary angiography would show disease now (more than 50 % narrowing of a "
        "major vessel), not a 10-year risk."
    )
    if facts is None:
        return text
    text += f" Learned from {facts.n_patients} training patients referred for angiography"
    if facts.prevalence is None:
        return text + (
            "; the model file does not record how many had the disease (the prevalence), on which the "
            "risk and the predictive values (PPV, NPV) depend."
        )
    return text + (
        f", {facts.prevalence * 100:.0f} % of whom had the disease (the prevalence); where fewer have it, "
        "the same findings mean a lower risk, and the predictive values (PPV, NPV) change too."
    )


#: The cholesterol units a student may choose (the patient form offers both).
MG_DL, MMOL_L = "mg/dl", "mmol/L"


def describe_value(name: str, value: float, cholesterol_unit: str = MG_DL) -> str:
    """``value`` of feature ``name`` in clinical words, cholesterol in ``cholesterol_unit``
    (``"6.20 mmol/L"``); everything else as :meth:`Feature.describe_value`."""
    if name == "chol" and cholesterol_unit == MMOL_L:
        return f"{value / MG_DL_PER_MMOL_L_CHOLESTEROL:.2f} {MMOL_L}"
    return BY_NAME[name].describe_value(value)


# --------------------------------------------------------------------------------------------------
# Is this patient like the training patients?
@dataclass(frozen=True)
class Extrapolation:
    """Why the model may be extrapolating for this patient (empty when it is not)."""

    out_of_range: dict[str, tuple[float, float]]  # feature → training (min, max)
    distance: float | None
    threshold: float | None

    @property
    def far_from_training(self) -> bool:
        return self.distance is not None and self.threshold is not None and self.distance > self.threshold

    @property
    def warning(self) -> bool:
        return bool(self.out_of_range) or self.far_from_training


def extrapolation(
    model: HeartModel, patient: Patient, reference: NoveltyReference | None = None
) -> Extrapolation:
    """Range check against the training data, plus the distance check: with ``reference``, or else the
    model's own (fitted with it, and kept in model files)."""
    if reference is None:
        reference = getattr(model, "novelty_reference_", None)
    distance = None if reference is None else float(reference.distances(patient)[0])
    return Extrapolation(
        model.out_of_range(patient), distance, None if reference is None else reference.threshold
    )
