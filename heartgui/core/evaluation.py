"""How good a risk model is, in the numbers a clinician asks for: metrics at a threshold and the Statlog cost,
how sure we can be of them (confidence intervals), and the ROC and calibration curves.

The metrics at a threshold are counted in NumPy (checked against :mod:`sklearn.metrics` in the tests); the
ROC and calibration curves come from :mod:`sklearn.metrics` and :mod:`sklearn.calibration`; the Wilson
interval is a formula and the AUC (alone and bootstrapped) is computed by ranks, for speed and bounded
memory.

The Statlog cost matrix (``heart.doc``) charges 5 for a missed disease and 1 for a false alarm; the cost
reported is the average per patient.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

# scikit-learn is imported inside the functions that use it: importing it takes about a second, and the
# window builds its pages (which ask for cost_optimal_threshold) before it has loaded in the background.
from heartgui.core.schema import STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED


def cost_optimal_threshold(
    cost_missed: float = STATLOG_COST_MISSED, cost_false_alarm: float = STATLOG_COST_FALSE_ALARM
) -> float:
    """The risk above which calling "disease" costs less on average than calling "healthy".

    Saying "present" at risk p costs (1 - p) · false-alarm cost; saying "absent" costs p · missed cost.
    They are equal at p = c_fa / (c_fa + c_missed) = 1 / (1 + c_missed / c_fa): 1/6 for Statlog's 5 and 1.
    A dear miss pushes the threshold down: the model should raise the alarm sooner.
    """
    if cost_missed < 0 or cost_false_alarm < 0 or cost_missed + cost_false_alarm <= 0:
        raise ValueError("costs must be non-negative and not both zero")
    return cost_false_alarm / (cost_false_alarm + cost_missed)


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


@dataclass(frozen=True)
class Metrics:
    """A model's performance on one set of patients at one threshold.

    ``tp`` = diseased patients caught, ``fn`` = missed, ``fp`` = false alarms, ``tn`` = correctly
    reassured. ``roc_auc`` and ``brier`` do not depend on the threshold.
    """

    threshold: float
    n: int
    tp: int
    fn: int
    fp: int
    tn: int
    accuracy: float
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    roc_auc: float
    brier: float
    statlog_cost: float
    cost_missed: float
    cost_false_alarm: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def evaluate(
    y_true: np.ndarray,
    risk: np.ndarray,
    threshold: float = 0.5,
    *,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
) -> Metrics:
    """Metrics of ``risk`` (probability of disease) against ``y_true`` (1 = present) at ``threshold``.

    A patient is called "present" when ``risk >= threshold``. Computed in NumPy: cross-validation asks
    for this 90 times per network, and scikit-learn's metric functions cost ~1 ms each in input checks.
    ``tests/core/test_evaluation.py`` checks every figure against ``confusion_matrix``,
    ``accuracy_score``, ``roc_auc_score`` and ``brier_score_loss``.
    """
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    risk = np.asarray(risk, dtype=float).ravel()
    if len(y_true) != len(risk) or len(y_true) == 0:
        raise ValueError("y_true and risk must have the same, non-zero length")
    if not np.isfinite(risk).all():  # scikit-learn refused these too ("Input contains NaN")
        raise ValueError("risk contains values that are not finite numbers")
    present = y_true == 1
    called = risk >= threshold
    tp = int(np.count_nonzero(present & called))
    fn = int(np.count_nonzero(present & ~called))
    fp = int(np.count_nonzero(~present & called & (y_true == 0)))
    tn = int(np.count_nonzero(~present & ~called & (y_true == 0)))
    n = len(y_true)
    both_classes = tp + fn > 0 and fp + tn > 0
    return Metrics(
        threshold=float(threshold),
        n=n,
        tp=tp,
        fn=fn,
        fp=fp,
        tn=tn,
        accuracy=(tp + tn) / n,
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        ppv=_ratio(tp, tp + fp),
        npv=_ratio(tn, tn + fn),
        roc_auc=rank_auc(y_true, risk) if both_classes else float("nan"),
        brier=float(np.mean((risk - y_true) ** 2)),
        statlog_cost=float((cost_missed * fn + cost_false_alarm * fp) / n),
        cost_missed=float(cost_missed),
        cost_false_alarm=float(cost_false_alarm),
    )


def statlog_cost(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
) -> float:
    """Average cost per patient under the Statlog cost matrix (a miss costs 5, a false alarm 1)."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    fn = int(np.count_nonzero((y_true == 1) & (y_pred == 0)))
    fp = int(np.count_nonzero((y_true == 0) & (y_pred == 1)))
    return float((cost_missed * fn + cost_false_alarm * fp) / len(y_true))


# --------------------------------------------------------------------------------------------------
# How sure we can be: confidence intervals
# --------------------------------------------------------------------------------------------------
def _normal_quantile(confidence: float) -> float:
    """The two-sided standard-normal quantile (1.959963984540054 for 95 %)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (e.g. accuracy on ``n`` test patients).

    Unlike the textbook ``p ± 1.96·√(p(1-p)/n)`` it stays inside [0, 1] and does not collapse to a
    single point at 0/n or n/n, which matters on 54 test patients. ``(nan, nan)`` when ``n`` is 0.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return float("nan"), float("nan")
    z = _normal_quantile(confidence)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    # At 0/n and n/n the bound is exactly 0 or 1; the formula only gets there up to rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def bootstrap_auc_interval(
    y_true: np.ndarray,
    risk: np.ndarray,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | None = 0,
) -> tuple[float, float]:
    """Percentile interval of the ROC AUC over stratified bootstrap resamples of the patients.

    Each resample draws, with replacement, as many diseased patients from the diseased and as many
    healthy from the healthy as the data hold (stratified, as pROC does by default), so every resample
    has both classes and none is skipped. ``(nan, nan)`` when ``y_true`` holds one class only.

    Calling ``roc_auc_score`` 1000 times takes seconds, so the resamples are scored together by ranks
    (:func:`_resample_aucs`, the Mann–Whitney form of the AUC with ties counting one half;
    ``tests/core/test_evaluation.py`` checks it against ``roc_auc_score``). Time grows as n log n and
    memory stays bounded (resamples are scored a block at a time), so a file of 200,000 patients costs
    seconds and megabytes, not the gigabytes a table of every diseased–healthy pair would.
    """
    y_true, risk = _check_scores(y_true, risk)
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    _normal_quantile(confidence)  # validates confidence
    diseased, healthy = risk[y_true == 1], risk[y_true == 0]
    if len(diseased) == 0 or len(healthy) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    ranks = _AucRanks(diseased, healthy)
    block = max(1, min(n_boot, _BOOTSTRAP_BLOCK_ELEMENTS // (len(diseased) + len(healthy))))
    aucs = np.empty(n_boot)
    for start in range(0, n_boot, block):
        k = min(block, n_boot - start)
        draws_diseased = _draw_counts(rng, len(diseased), k)
        draws_healthy = _draw_counts(rng, len(healthy), k)
        aucs[start : start + k] = ranks.aucs(draws_diseased, draws_healthy)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(aucs, [tail, 1.0 - tail])
    return float(low), float(high)


#: How many numbers one block of bootstrap resamples may hold (about 8 MB per array).
_BOOTSTRAP_BLOCK_ELEMENTS = 1_000_000


class _AucRanks:
    """The AUC of weighted resamples of fixed diseased and healthy scores, by ranks.

    AUC = Σᵢ aᵢ · (weight of healthy scored below diseased i + ½ weight of healthy tied with it) / (Σa Σb),
    with ``a`` and ``b`` how often each diseased and healthy patient was drawn: P(risk of a diseased >
    risk of a healthy) + ½ P(tie). The healthy scores are sorted once and grouped by value; for each
    resample the group weights are summed and accumulated (O(n)), and each diseased patient reads the
    weight below its score and at it from its position among the groups (found once, by binary search).
    """

    def __init__(self, diseased: np.ndarray, healthy: np.ndarray) -> None:
        order = np.argsort(healthy, kind="stable")
        values = healthy[order]
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        self.order = order
        self.starts = starts
        groups = values[starts]
        # Position of each diseased score among the groups: groups[:pos] are below it.
        self.position = np.searchsorted(groups, diseased, side="left")
        at = np.minimum(self.position, len(groups) - 1)
        self.tied = groups[at] == diseased

    def aucs(self, draws_diseased: np.ndarray, draws_healthy: np.ndarray) -> np.ndarray:
        """One AUC per row of the ``(k, n_diseased)`` and ``(k, n_healthy)`` draw counts."""
        weights = np.add.reduceat(draws_healthy[:, self.order], self.starts, axis=1)  # per group
        below = np.zeros((len(weights), weights.shape[1] + 1))
        np.cumsum(weights, axis=1, out=below[:, 1:])  # below[:, j] = weight of groups[:j]
        score = below[:, self.position]
        tied_at = np.minimum(self.position, weights.shape[1] - 1)
        score += 0.5 * np.where(self.tied, weights[:, tied_at], 0.0)
        total = draws_diseased.sum(axis=1) * draws_healthy.sum(axis=1)
        return np.einsum("ki,ki->k", draws_diseased, score) / total


def rank_auc(y_true: np.ndarray, risk: np.ndarray) -> float:
    """The ROC AUC by ranks (Mann–Whitney, ties count one half), as ``roc_auc_score`` computes it.

    ``nan`` when ``y_true`` holds one class only.
    """
    y_true, risk = _check_scores(y_true, risk)
    diseased, healthy = risk[y_true == 1], risk[y_true == 0]
    if len(diseased) == 0 or len(healthy) == 0:
        return float("nan")
    ones_d, ones_h = np.ones((1, len(diseased))), np.ones((1, len(healthy)))
    return float(_AucRanks(diseased, healthy).aucs(ones_d, ones_h)[0])


def _draw_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """How many times each of ``n`` items is drawn in each of ``n_boot`` resamples of size ``n``."""
    drawn = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(drawn.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _check_scores(y_true: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    risk = np.asarray(risk, dtype=float).ravel()
    if len(y_true) != len(risk) or len(y_true) == 0:
        raise ValueError("y_true and risk must have the same, non-zero length")
    if set(np.unique(y_true)) - {0, 1}:
        raise ValueError("y_true must hold 0 (absent) and 1 (present) only")
    return y_true, risk


def _require_both_classes(y_true: np.ndarray, what: str) -> None:
    if len(np.unique(y_true)) < 2:
        raise ValueError(
            f"A {what} needs patients with and without heart disease; these are all of one class."
        )


# --------------------------------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------------------------------
def roc_points(y_true: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: false-positive rate, true-positive rate and the threshold of each point.

    Every point is kept (``drop_intermediate=False``), so the point of any threshold (see
    :func:`roc_point_at`) is one of the curve's vertices. The first threshold is ``inf`` (nobody called
    "present", the point (0, 0)).
    """
    from sklearn.metrics import roc_curve

    y_true, risk = _check_scores(y_true, risk)
    _require_both_classes(y_true, "ROC curve")
    fpr, tpr, thresholds = roc_curve(y_true, risk, drop_intermediate=False)
    return fpr, tpr, thresholds


def roc_point_at(y_true: np.ndarray, risk: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false-positive rate, true-positive rate) at ``threshold``, as :func:`evaluate` counts them.

    A patient is "present" when ``risk >= threshold``; roc_curve uses the same rule, so the point is a
    vertex of :func:`roc_points`.
    """
    y_true, risk = _check_scores(y_true, risk)
    _require_both_classes(y_true, "ROC curve")
    m = evaluate(y_true, risk, threshold)
    return 1.0 - m.specificity, m.sensitivity


def precision_recall_points(
    y_true: np.ndarray, risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The precision–recall curve: recall (sensitivity), precision (PPV), each point's threshold, and the
    average precision (the area under the steps).

    Unlike the ROC curve, precision depends on the prevalence: a model with no skill draws a horizontal
    line at the prevalence. The last point (recall 0, precision 1) has no threshold, as scikit-learn
    returns it.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    y_true, risk = _check_scores(y_true, risk)
    _require_both_classes(y_true, "precision–recall curve")
    precision, recall, thresholds = precision_recall_curve(y_true, risk, drop_intermediate=False)
    return recall, precision, thresholds, float(average_precision_score(y_true, risk))


def calibration_points(
    y_true: np.ndarray, risk: np.ndarray, n_bins: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted risk, observed fraction with disease, and number of patients in each risk group.

    Patients are grouped by quantiles of their predicted risk (``strategy="quantile"``): a trained network
    puts most patients near 0 or near 1, so equal-width bins would leave the middle groups with one or two
    patients and their dots would be noise; equal-count groups give every dot the same weight of
    evidence. Tied risks can merge groups, so fewer than ``n_bins`` may come back; empty groups are
    dropped as ``calibration_curve`` drops them.
    """
    from sklearn.calibration import calibration_curve

    y_true, risk = _check_scores(y_true, risk)
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    if risk.min() < 0.0 or risk.max() > 1.0:
        raise ValueError("risk values must lie between 0 and 1")
    observed, predicted = calibration_curve(y_true, risk, n_bins=n_bins, strategy="quantile")
    # calibration_curve does not return the group sizes; these are its own bin edges and assignment.
    edges = np.percentile(risk, np.linspace(0.0, 100.0, n_bins + 1))
    counts = np.bincount(np.searchsorted(edges[1:-1], risk), minlength=n_bins)
    counts = counts[counts > 0]
    if len(counts) != len(predicted):  # pragma: no cover - only if scikit-learn changes its binning
        raise RuntimeError("calibration group sizes do not match scikit-learn's calibration_curve")
    return predicted, observed, counts


# --------------------------------------------------------------------------------------------------
# Metrics with their uncertainty
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricsWithIntervals:
    """:class:`Metrics` plus confidence intervals ``(low, high)``.

    Accuracy, sensitivity and specificity get Wilson intervals (they are proportions of patients);
    the ROC AUC gets a stratified bootstrap percentile interval. An interval is ``(nan, nan)`` when its
    proportion has no patients (e.g. sensitivity without diseased patients).
    """

    metrics: Metrics
    confidence: float
    accuracy_interval: tuple[float, float]
    sensitivity_interval: tuple[float, float]
    specificity_interval: tuple[float, float]
    roc_auc_interval: tuple[float, float]


def metrics_with_intervals(
    y_true: np.ndarray,
    risk: np.ndarray,
    threshold: float = 0.5,
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
) -> MetricsWithIntervals:
    """:func:`evaluate` at ``threshold`` with 95 % (by default) intervals on the main figures."""
    y_true, risk = _check_scores(y_true, risk)
    m = evaluate(y_true, risk, threshold, cost_missed=cost_missed, cost_false_alarm=cost_false_alarm)
    return MetricsWithIntervals(
        metrics=m,
        confidence=float(confidence),
        accuracy_interval=wilson_interval(m.tp + m.tn, m.n, confidence),
        sensitivity_interval=wilson_interval(m.tp, m.tp + m.fn, confidence),
        specificity_interval=wilson_interval(m.tn, m.tn + m.fp, confidence),
        roc_auc_interval=bootstrap_auc_interval(y_true, risk, n_boot, confidence, random_state),
    )
