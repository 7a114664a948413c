"""Turning the clinical features (all 13, or those a model chose) into the numbers the network sees,
fitted on training rows only.

Measurements (and, without one-hot encoding, every feature) are standardised with scikit-learn's
``StandardScaler``: z = (x − mean) / sd, with the mean and sd of the training rows. With ``one_hot=True`` the
nominal features (chest pain type, resting ECG, thallium scan) become one 0/1 column per documented code,
via scikit-learn's ``OneHotEncoder`` with the codes from the schema, so that "asymptomatic = 4" is not read
as "twice atypical angina = 2".

The fitted state is plain arrays (:meth:`Preprocessor.state`), so a model file can store it without pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from heartgui.core.schema import BY_NAME, FEATURE_NAMES, NOMINAL_NAMES, check_features


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

    def _encoder(self) -> OneHotEncoder:
        categories = [np.array(sorted(BY_NAME[n].codes or {}), dtype=float) for n in self.encoded_names]
        encoder = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
        # The categories are fixed by the schema, so fitting needs no data: one row of known codes.
        encoder.fit(np.array([[c[0] for c in categories]]))
        return encoder

    def fit(self, X: pd.DataFrame) -> Preprocessor:
        X = _as_frame(X, self.used_names)
        self.scaler_ = StandardScaler().fit(X[list(self.scaled_names)].to_numpy(dtype=float))
        if self.encoded_names:
            self.encoder_ = self._encoder()
        self.feature_names_out_ = self._names_out()
        return self

    def _names_out(self) -> tuple[str, ...]:
        names = list(self.scaled_names)
        for name in self.encoded_names:
            codes = BY_NAME[name].codes or {}
            names.extend(f"{name}={code}" for code in sorted(codes))
        return tuple(names)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "scaler_"):
            raise NotFittedError("This Preprocessor is not fitted yet: call fit() first.")
        X = _as_frame(X, self.used_names)
        parts = [self.scaler_.transform(X[list(self.scaled_names)].to_numpy(dtype=float))]
        if self.encoded_names:
            parts.append(self.encoder_.transform(X[list(self.encoded_names)].to_numpy(dtype=float)))
        return np.hstack(parts)

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
            "scaler_mean": np.asarray(self.scaler_.mean_, dtype=float),
            "scaler_scale": np.asarray(self.scaler_.scale_, dtype=float),
            "scaler_var": np.asarray(self.scaler_.var_, dtype=float),
        }

    @classmethod
    def from_state(
        cls, one_hot: bool, state: Mapping[str, np.ndarray], features: Sequence[str] | None = None
    ) -> Preprocessor:
        """Rebuild a fitted preprocessor from :meth:`state` (validated by the caller)."""
        pre = cls(one_hot=one_hot, features=features)
        n = len(pre.scaled_names)
        scaler = StandardScaler()
        scaler.mean_ = np.asarray(state["scaler_mean"], dtype=float).reshape(n)
        scaler.scale_ = np.asarray(state["scaler_scale"], dtype=float).reshape(n)
        scaler.var_ = np.asarray(state["scaler_var"], dtype=float).reshape(n)
        scaler.n_features_in_ = n
        scaler.n_samples_seen_ = 0
        pre.scaler_ = scaler
        if pre.encoded_names:
            pre.encoder_ = pre._encoder()
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
