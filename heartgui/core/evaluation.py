"""How good a risk model is, in the numbers a clinician asks for: metrics at a threshold and the Statlog cost.

Everything is computed with :mod:`sklearn.metrics`. The Statlog cost matrix (``heart.doc``) charges 5 for a
missed disease and 1 for a false alarm; the cost reported is the average per patient.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
)

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

    A patient is called "present" when ``risk >= threshold``.
    """
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    risk = np.asarray(risk, dtype=float).ravel()
    if len(y_true) != len(risk) or len(y_true) == 0:
        raise ValueError("y_true and risk must have the same, non-zero length")
    y_pred = (risk >= threshold).astype(np.int64)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel())
    n = len(y_true)
    both_classes = len(np.unique(y_true)) == 2
    return Metrics(
        threshold=float(threshold),
        n=n,
        tp=tp,
        fn=fn,
        fp=fp,
        tn=tn,
        accuracy=float(accuracy_score(y_true, y_pred)),
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        ppv=_ratio(tp, tp + fp),
        npv=_ratio(tn, tn + fn),
        roc_auc=float(roc_auc_score(y_true, risk)) if both_classes else float("nan"),
        brier=float(brier_score_loss(y_true, risk, pos_label=1)),
        statlog_cost=statlog_cost(y_true, y_pred, cost_missed, cost_false_alarm),
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
    _tn, fp, fn, _tp = confusion_matrix(
        np.asarray(y_true).ravel(), np.asarray(y_pred).ravel(), labels=[0, 1]
    ).ravel()
    return float((cost_missed * fn + cost_false_alarm * fp) / len(np.asarray(y_true).ravel()))
