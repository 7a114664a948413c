"""Turning the clinical features (all 13, or those a model chose) into the numbers the network sees,
fitted on training rows only.

Measurements (and, without one-hot encoding, every feature) are standardised: z = (x − mean) / sd, with the
mean and sd of the training rows, computed exactly as scikit-learn's ``StandardScaler`` computes them. With
``one_hot=True`` the nominal features (chest pain type, resting ECG, thallium scan) become one 0/1 column
per documented code, as scikit-learn's ``OneHotEncoder`` with the schema's codes makes them (an unknown
code gives all zeros), so that "asymptomatic = 4" is not read as "twice atypical angina = 2".

Both are written in NumPy here, not called from scikit-learn: cross-validation fits and applies them about
a hundred times per run, How sure ten times, and the Predict page once per keystroke, and each
scikit-learn call costs far more in input checks than the arithmetic (a patient took 1.45 ms through
pandas and scikit-learn, 9 µs in NumPy). ``tests/core/test_preprocessing.py`` checks that the numbers are
the ones ``StandardScaler`` and ``OneHotEncoder`` give, to the last bit.

The fitted state is plain arrays (:meth:`Preprocessor.state`), so a model file can store it without pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from heartgui.core.schema import BY_NAME, FEATURE_NAMES, NOMINAL_NAMES, check_features

_EPS = float(np.finfo(np.float64).eps)
_POSITION = {name: i for i, name in enumerate(FEATURE_NAMES)}


def standard_scaling(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, variance, scale) of each column, as ``StandardScaler().fit(X)`` computes them.

    The same operations in the same order (scikit-learn 1.x, ``_incremental_mean_and_var`` on a first
    fit without missing values: the corrected two-pass variance of Chan, Golub & LeVeque), and the same
    rule for near-constant columns (their scale is 1, so they are centred but not blown up).
    """
    X = np.asarray(X, dtype=np.float64)
    n = np.full(X.shape[1], float(X.shape[0]))
    total = np.sum(X, axis=0)
    mean = total / n
    deviation = X - total / n
    correction = np.sum(deviation, axis=0)
    deviation **= 2
    variance = (np.sum(deviation, axis=0) - correction**2 / n) / n
    constant = variance <= n * _EPS * variance + (n * mean * _EPS) ** 2
    scale = np.sqrt(variance)
    scale[constant] = 1.0
    return mean, variance, scale


class Preprocessor:
    """Standardise measurements and optionally one-hot encode nominal features.

    Parameters
    ----------
    one_hot : encode cp, restecg and thal (those of them used) as one 0/1 column per documented code.
    features : the features used, in any order (kept in the schema's); ``None`` = all 13. The others
        are never read, so they may be missing (NaN) or absent.
    """

    def __init__(self, one_hot: bool = False, features: Sequence[str] | None = None) -> None:
        self.one_hot = one_hot
        self.features = features

    @property
    def used_names(self) -> tuple[str, ...]:
        """The features this preprocessing reads, in the schema's order."""
        return FEATURE_NAMES if self.features is None else check_features(self.features)

    @property
    def scaled_names(self) -> tuple[str, ...]:
        """The features that are standardised, in order."""
        if self.one_hot:
            return tuple(n for n in self.used_names if n not in NOMINAL_NAMES)
        return self.used_names

    @property
    def encoded_names(self) -> tuple[str, ...]:
        return tuple(n for n in NOMINAL_NAMES if n in self.used_names) if self.one_hot else ()

    def _codes(self) -> list[np.ndarray]:
        """The documented codes of each encoded feature, sorted (the one-hot columns, in order)."""
        return [np.array(sorted(BY_NAME[n].codes or {}), dtype=float) for n in self.encoded_names]

    def fit(self, X: pd.DataFrame | np.ndarray) -> Preprocessor:
        """Learn the mean and sd of the scaled features from the training rows ``X``."""
        values = _as_array(X, self.used_names)
        used = values[:, [_POSITION[n] for n in self.used_names]]
        if np.isnan(used).any():  # rows lacking a used finding are left out before; this keeps it honest
            raise ValueError("the training rows contain missing values")
        scaled = values[:, self._scaled_positions()]
        self.mean_, self.var_, self.scale_ = standard_scaling(scaled)
        self.feature_names_out_ = self._names_out()
        return self

    def _scaled_positions(self) -> list[int]:
        return [_POSITION[n] for n in self.scaled_names]

    def _names_out(self) -> tuple[str, ...]:
        names = list(self.scaled_names)
        for name in self.encoded_names:
            codes = BY_NAME[name].codes or {}
            names.extend(f"{name}={code}" for code in sorted(codes))
        return tuple(names)

    def transform(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        """The network's inputs: scaled features, then (with one-hot) one 0/1 column per code."""
        if not hasattr(self, "scale_"):
            from sklearn.exceptions import NotFittedError  # only when there is an error to raise

            raise NotFittedError("This Preprocessor is not fitted yet: call fit() first.")
        values = _as_array(X, self.used_names)
        # StandardScaler.transform subtracts the mean, then divides by the scale: the same two steps.
        out = [(values[:, self._scaled_positions()] - self.mean_) / self.scale_]
        if self.encoded_names:
            for name, codes in zip(self.encoded_names, self._codes(), strict=True):
                column = values[:, _POSITION[name]]
                out.append((column[:, None] == codes[None, :]).astype(np.float64))
        return np.hstack(out)

    def fit_transform(self, X: pd.DataFrame) -> np.ndarray:
        return self.fit(X).transform(X)

    def label(self, column: str) -> str:
        """A clinical label for an output column: ``"Chest pain type: asymptomatic"``."""
        if "=" in column:
            name, code = column.split("=")
            feature = BY_NAME[name]
            return f"{feature.label}: {(feature.codes or {})[int(code)]}"
        return BY_NAME[column].label

    # ----------------------------------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """The fitted numbers as plain arrays (for a model file)."""
        return {
            "scaler_mean": np.asarray(self.mean_, dtype=float),
            "scaler_scale": np.asarray(self.scale_, dtype=float),
            "scaler_var": np.asarray(self.var_, dtype=float),
        }

    @classmethod
    def from_state(
        cls, one_hot: bool, state: Mapping[str, np.ndarray], features: Sequence[str] | None = None
    ) -> Preprocessor:
        """Rebuild a fitted preprocessor from :meth:`state` (validated by the caller)."""
        pre = cls(one_hot=one_hot, features=features)
        n = len(pre.scaled_names)
        pre.mean_ = np.asarray(state["scaler_mean"], dtype=float).reshape(n)
        pre.scale_ = np.asarray(state["scaler_scale"], dtype=float).reshape(n)
        pre.var_ = np.asarray(state["scaler_var"], dtype=float).reshape(n)
        pre.feature_names_out_ = pre._names_out()
        return pre


def _as_frame(
    X: pd.DataFrame | Mapping[str, float] | np.ndarray, required: Sequence[str] = FEATURE_NAMES
) -> pd.DataFrame:
    """Accept a DataFrame with the canonical columns, one patient as a mapping, or a 13-column array.

    The ``required`` features must be there; in a mapping, a feature not required may be absent (NaN).
    """
    if isinstance(X, pd.DataFrame):
        missing = [n for n in required if n not in X.columns]
        if missing:
            raise ValueError(f"missing feature columns: {', '.join(missing)}")
        return X
    if isinstance(X, Mapping):
        absent = [n for n in required if n not in X]
        if absent:
            raise ValueError(f"missing features: {', '.join(absent)}")
        return pd.DataFrame([{n: float(X[n]) if n in X else np.nan for n in FEATURE_NAMES}])
    arr = np.atleast_2d(np.asarray(X, dtype=float))
    if arr.shape[1] != len(FEATURE_NAMES):
        raise ValueError(f"expected {len(FEATURE_NAMES)} feature columns, got {arr.shape[1]}")
    return pd.DataFrame(arr, columns=list(FEATURE_NAMES))


def _as_array(
    X: pd.DataFrame | Mapping[str, float] | np.ndarray, required: Sequence[str] = FEATURE_NAMES
) -> np.ndarray:
    """The 13 features as a float array in :data:`FEATURE_NAMES` order (rows = patients).

    Accepts what :func:`_as_frame` accepts (a feature that is not ``required`` may be absent: NaN); one
    patient as a mapping goes straight to NumPy, without a DataFrame (the Predict page's path).
    """
    if isinstance(X, pd.DataFrame):
        if tuple(X.columns) == FEATURE_NAMES:  # the usual case; selecting columns costs ~0.5 ms
            return X.to_numpy(dtype=float)
        missing = [n for n in required if n not in X.columns]
        if missing:
            raise ValueError(f"missing feature columns: {', '.join(missing)}")
        return X.reindex(columns=list(FEATURE_NAMES)).to_numpy(dtype=float)
    if isinstance(X, Mapping):
        absent = [n for n in required if n not in X]
        if absent:
            raise ValueError(f"missing features: {', '.join(absent)}")
        return np.array([[float(X[n]) if n in X else np.nan for n in FEATURE_NAMES]])
    arr = np.atleast_2d(np.asarray(X, dtype=float))
    if arr.ndim != 2 or arr.shape[1] != len(FEATURE_NAMES):
        raise ValueError(f"expected {len(FEATURE_NAMES)} feature columns, got {arr.shape}")
    return arr
