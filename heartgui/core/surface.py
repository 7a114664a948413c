"""The network's risk over two features at once: a decision surface on real patients.

For two features the student picks (say age and maximum heart rate), the risk is computed over a grid of
their values while every other feature is held at one patient's values (the Predict page's). The picture
is TensorFlow Playground's output map, on a real model: where the colour changes fastest, the network is
most sensitive to those two findings for a patient like this one. The training patients whose *other*
findings resemble the patient's are drawn on it, coloured by their diagnosis, so the student sees which
real patients the surface is about — and where it extrapolates with no patient near.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartgui.core.model import HeartModel
from heartgui.core.schema import BY_NAME, FEATURE_NAMES

__all__ = ["DecisionSurface", "decision_surface"]

#: Share of the training patients shown as "similar" (at least MIN_SIMILAR of them).
SIMILAR_SHARE = 0.25
MIN_SIMILAR = 20


@dataclass(frozen=True, eq=False)
class DecisionSurface:
    """Risk on a grid of two features, with the patient and similar training patients.

    ``risk[i, j]`` is the risk at ``y_values[i]`` (feature ``y_feature``) and ``x_values[j]``.
    ``similar`` are rows of the training data (all 13 findings and ``outcome``, 0/1), closest first.
    """

    x_feature: str
    y_feature: str
    x_values: np.ndarray
    y_values: np.ndarray
    risk: np.ndarray
    patient: Mapping[str, float]
    patient_risk: float
    similar: pd.DataFrame


def _axis(name: str, low: float, high: float, steps: int) -> np.ndarray:
    feature = BY_NAME[name]
    if feature.codes is not None:
        return np.array(sorted(float(c) for c in feature.codes), dtype=np.float64)
    if high <= low:
        high = low + 1.0
    return np.linspace(low, high, steps)


def decision_surface(
    model: HeartModel,
    patient: Mapping[str, float],
    x_feature: str,
    y_feature: str,
    *,
    training: pd.DataFrame | None = None,
    outcomes: Sequence[int] | np.ndarray | None = None,
    steps: int = 61,
) -> DecisionSurface:
    """The risk of ``model`` (a fitted :class:`~heartgui.core.model.HeartModel`) over ``x_feature`` ×
    ``y_feature``, all other findings held at ``patient``'s.

    Continuous features span the training range (``model.training_ranges_``) in ``steps`` values; coded
    features take each of their codes. With ``training`` and ``outcomes`` (the training patients and
    their diagnoses) the surface also carries the most similar of them: those whose other findings are
    closest to the patient's, in standard deviations of the training data.
    """
    for name in (x_feature, y_feature):
        if name not in FEATURE_NAMES:
            raise ValueError(f"unknown feature {name!r}")
    if x_feature == y_feature:
        raise ValueError("choose two different features")
    used = model.used_features
    for name in (x_feature, y_feature):
        if name not in used:
            raise ValueError(f"the model does not use {name}: the risk does not change with it")
    if steps < 2:
        raise ValueError("steps must be at least 2")
    ranges: Mapping[str, tuple[float, float]] = model.training_ranges_
    xs = _axis(x_feature, ranges[x_feature][0], ranges[x_feature][1], steps)
    ys = _axis(y_feature, ranges[y_feature][0], ranges[y_feature][1], steps)
    gx, gy = np.meshgrid(xs, ys)
    # A finding the model does not use is never read: NaN, whatever the patient's value.
    grid = pd.DataFrame(
        {name: np.full(gx.size, float(patient[name]) if name in used else np.nan) for name in FEATURE_NAMES}
    )
    grid[x_feature] = gx.ravel()
    grid[y_feature] = gy.ravel()
    risk = np.asarray(model.predict_risk(grid), dtype=np.float64).reshape(gx.shape)
    patient_frame = pd.DataFrame(
        [{name: float(patient[name]) if name in used else np.nan for name in FEATURE_NAMES}]
    )
    patient_risk = float(model.predict_risk(patient_frame)[0])

    similar = pd.DataFrame(columns=[*FEATURE_NAMES, "outcome"])
    if training is not None and outcomes is not None and len(training):
        # similar by the other findings the model uses (training patients may lack the rest)
        others = [n for n in used if n not in (x_feature, y_feature)]
        values = training[others].to_numpy(dtype=np.float64)
        sd = values.std(axis=0)
        sd[sd == 0] = 1.0
        distance = np.sqrt((((values - patient_frame[others].to_numpy()) / sd) ** 2).sum(axis=1))
        keep = max(MIN_SIMILAR, int(round(SIMILAR_SHARE * len(training))))
        order = np.argsort(distance, kind="stable")[:keep]
        similar = training.iloc[order][list(FEATURE_NAMES)].reset_index(drop=True)
        similar["outcome"] = np.asarray(outcomes)[order]
    return DecisionSurface(x_feature, y_feature, xs, ys, risk, dict(patient), patient_risk, similar)
