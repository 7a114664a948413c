"""Is this patient like the patients the model learned from? A distance in the standardised feature space.

The Mahalanobis distance of a patient from the training patients' mean, over the continuous and ordinal
features, with the training covariance: it counts how unusual a combination of values is, not only each
value on its own (a young patient with a very low maximum heart rate is unusual even when both values are
within range). ``threshold`` is the 99th percentile of the training patients' own distances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartgui.core.preprocessing import _as_array
from heartgui.core.schema import BY_NAME, FEATURE_NAMES, Kind

#: The features the distance is measured over: the continuous and ordinal ones.
NOVELTY_FEATURES: tuple[str, ...] = tuple(
    f for f in FEATURE_NAMES if BY_NAME[f].kind in (Kind.CONTINUOUS, Kind.ORDINAL)
)


@dataclass(frozen=True)
class NoveltyReference:
    """Mahalanobis distances over the continuous and ordinal features (free of their units).

    ``threshold`` is the 99th percentile of the training patients' own distances: a patient farther
    than that is less typical than 99 % of the patients the model learned from.
    """

    names: tuple[str, ...]
    mean: np.ndarray
    precision: np.ndarray  # pseudo-inverse of the covariance
    threshold: float

    @classmethod
    def fit(
        cls, X_train: pd.DataFrame | np.ndarray, features: Sequence[str] = FEATURE_NAMES
    ) -> NoveltyReference:
        names = novelty_features(features)
        data = _as_array(X_train, names)[:, [FEATURE_NAMES.index(n) for n in names]]
        mean = data.mean(axis=0)
        precision = np.linalg.pinv(np.atleast_2d(np.cov(data, rowvar=False)))
        reference = cls(names, mean, precision, float("inf"))
        threshold = float(np.percentile(reference.distances(X_train), 99))
        return cls(names, mean, precision, threshold)

    def distances(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        data = _as_array(X, self.names)[:, [FEATURE_NAMES.index(n) for n in self.names]] - self.mean
        with np.errstate(over="ignore", invalid="ignore"):
            squared = np.einsum("ij,jk,ik->i", data, self.precision, data)
        # A positive semi-definite precision (checked on load) gives squares >= 0 up to rounding.
        return np.sqrt(np.maximum(squared, 0.0))

    def state(self) -> dict[str, np.ndarray]:
        """The fitted numbers as plain arrays (for a model file)."""
        return {
            "mean": np.asarray(self.mean, dtype=float),
            "precision": np.asarray(self.precision, dtype=float),
            "threshold": np.asarray([self.threshold], dtype=float),
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, np.ndarray], features: Sequence[str] = FEATURE_NAMES
    ) -> NoveltyReference:
        """Rebuild from :meth:`state` for a model on ``features``; shapes and values are checked."""
        names = novelty_features(features)
        k = len(names)
        mean = np.asarray(state["mean"], dtype=float)
        precision = np.asarray(state["precision"], dtype=float)
        threshold = np.asarray(state["threshold"], dtype=float)
        if mean.shape != (k,) or precision.shape != (k, k) or threshold.shape != (1,):
            raise ValueError("the novelty reference has the wrong shapes")
        if not (np.isfinite(mean).all() and np.isfinite(precision).all() and np.isfinite(threshold).all()):
            raise ValueError("the novelty reference holds numbers that are not finite")
        if threshold[0] < 0 or not np.allclose(precision, precision.T):
            raise ValueError("the novelty reference is not a valid distance")
        # The pseudo-inverse of a covariance has no negative eigenvalue; one would make some distances
        # the square root of a negative number, which is never "far": the warning would turn off.
        eigenvalues = np.linalg.eigvalsh((precision + precision.T) / 2.0)
        if eigenvalues.min() < -1e-9 * max(1.0, float(np.abs(eigenvalues).max())):
            raise ValueError("the novelty reference is not a valid distance (its precision is not positive)")
        return cls(names, mean, precision, float(threshold[0]))


def novelty_features(features: Sequence[str]) -> tuple[str, ...]:
    """The features of ``features`` the distance is measured over (continuous and ordinal)."""
    return tuple(n for n in NOVELTY_FEATURES if n in features)
