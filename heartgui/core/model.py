"""The heart-risk model: preprocessing fitted on training rows, then the from-scratch network.

:class:`HeartModel` is a scikit-learn-style estimator over the clinical features (a DataFrame with the
schema's columns; its ``features`` choose which of the 13 it uses: the others are never read). It owns
a :class:`~heartgui.core.preprocessing.Preprocessor` and an
:class:`~heartgui.core.network.MLP`; with ``validation_fraction > 0`` it holds back part of the training
rows (stratified) to watch for overfitting and stop early with the best weights restored.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Generator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from heartgui.core.network import MLP, EpochReport
from heartgui.core.novelty import NoveltyReference, novelty_features
from heartgui.core.preprocessing import Preprocessor, _as_array, _as_frame
from heartgui.core.schema import BY_NAME, FEATURE_NAMES, check_features

_Rows = TypeVar("_Rows", pd.DataFrame, np.ndarray)


class RiskNotComputable(ValueError):
    """The network's arithmetic overflowed for these patients: there is no risk, so no decision."""

    def __init__(self, n: int) -> None:
        self.n = n
        who = "this patient" if n == 1 else f"{n} patients"
        super().__init__(
            f"the model cannot compute a risk for {who}: its arithmetic overflowed (its weights are far "
            "too large for these values), so it gives no decision"
        )


class HeartModel:
    """Preprocessing plus the from-scratch network, with a decision threshold.

    A scikit-learn-style estimator (``get_params``, ``set_params``, so ``sklearn.base.clone`` works),
    written without scikit-learn: importing it takes about a second, and the window's first training
    must not wait for it (the training path imports none of it; tests/core/test_core_imports.py).

    Parameters
    ----------
    hidden_layers, learning_rate, epochs, init, gradient, l2, patience, random_state :
        passed to :class:`~heartgui.core.network.MLP`.
    one_hot : one-hot encode chest pain type, resting ECG and thallium scan.
    validation_fraction : share of the training rows held back to watch the validation loss
        (0 = none). Needed for early stopping (``patience``).
    threshold : the risk at or above which the model says "disease present".
    features : the findings the model uses (names as in the schema, any order); ``None`` = all 13.
        Fitted, ``features_`` holds them in the schema's order; the other columns are never read
        (they may be missing).
    """

    def __init__(
        self,
        hidden_layers: Sequence[int] = (8,),
        *,
        learning_rate: float = 0.001,
        epochs: int = 100,
        init: str = "normal",
        gradient: str = "sum",
        l2: float = 0.0,
        patience: int | None = None,
        one_hot: bool = False,
        validation_fraction: float = 0.0,
        threshold: float = 0.5,
        random_state: int | None = 1,
        features: Sequence[str] | None = None,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.init = init
        self.gradient = gradient
        self.l2 = l2
        self.patience = patience
        self.one_hot = one_hot
        self.validation_fraction = validation_fraction
        self.threshold = threshold
        self.random_state = random_state
        self.features = features

    @property
    def used_features(self) -> tuple[str, ...]:
        """The features this model reads (fitted: ``features_``), in the schema's order."""
        if hasattr(self, "features_"):
            return tuple(self.features_)
        return FEATURE_NAMES if self.features is None else check_features(self.features)

    # ----------------------------------------------------------------------------------------------
    # scikit-learn protocol (what BaseEstimator gave: the constructor's parameters, sorted by name)
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(name for name in signature.parameters if name != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> HeartModel:
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for HeartModel; valid parameters: {valid}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = HeartModel().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"HeartModel({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _network(self) -> MLP:
        """An untrained network with this model's network parameters."""
        mine = self.get_params()
        return MLP(**{name: mine[name] for name in MLP().get_params() if name in mine})

    # ----------------------------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Sequence[int] | np.ndarray) -> HeartModel:
        for _ in self.iter_fit(X, y):
            pass
        return self

    def iter_fit(
        self,
        X: pd.DataFrame,
        y: Sequence[int] | np.ndarray,
        *,
        X_test: pd.DataFrame | None = None,
        y_test: Sequence[int] | np.ndarray | None = None,
        history: int = 0,
    ) -> Generator[EpochReport, str | None, None]:
        """Fit the preprocessing, then train the network, yielding one report per epoch.

        Stopping the iteration early leaves a usable model with the weights reached so far.
        ``X_test``, ``y_test`` (patients never learnt from) get their loss recorded each epoch, and
        ``history`` epochs can be taken back: see :meth:`MLP.iter_fit <heartgui.core.network.MLP.iter_fit>`.
        """
        Z_fit, y_fit, Z_val, y_val = self.prepare(X, y)
        self.network_ = self._network()
        Z_test = None if X_test is None else self.preprocessor_.transform(_as_frame(X_test))
        y_watch = None if y_test is None else np.asarray(y_test, dtype=np.int64).ravel()
        yield from self.network_.iter_fit(
            Z_fit, y_fit, X_val=Z_val, y_val=y_val, X_test=Z_test, y_test=y_watch, history=history
        )

    def frozen(self) -> HeartModel:
        """A copy whose network a training run still going on no longer changes (the preprocessing,
        fitted before the network trains, is shared)."""
        self._check_fitted()
        frozen = copy.copy(self)
        frozen.network_ = self.network_.frozen()
        return frozen

    def prepare(
        self, X: pd.DataFrame | np.ndarray, y: Sequence[int] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Everything :meth:`iter_fit` does before the network trains: hold back the validation rows,
        fit the preprocessing on the rest, and keep the training facts.

        Returns the network's inputs and labels exactly as it trains on them (``Z_fit``, ``y_fit``) and
        the validation rows (``Z_val``, ``y_val``; ``None`` without a validation split). The backward-pass
        walk-through and stacked training start from these.
        """
        if not 0.0 <= self.validation_fraction < 0.9:
            raise ValueError(f"validation_fraction must be in [0, 0.9), got {self.validation_fraction}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        features = FEATURE_NAMES if self.features is None else check_features(self.features)
        # All 13 columns in the schema's order as one array (NaN for an absent one the model does not
        # use): the rest is NumPy. Cross-validation prepares 45 models, and pandas' column look-ups cost
        # more than the arithmetic.
        values13 = _as_array(X, features)
        values = values13[:, [FEATURE_NAMES.index(n) for n in features]]  # the used features, in order
        lacking = [n for n, missing in zip(features, np.isnan(values).any(axis=0)) if missing]
        if lacking:
            raise ValueError(
                f"X lacks values of {', '.join(lacking)}, which this model uses: leave those patients out "
                "(Dataset.complete) or choose other features"
            )
        y = np.asarray(y, dtype=np.int64).ravel()
        if set(np.unique(y)) - {0, 1}:
            raise ValueError("y must hold 0 (absent) and 1 (present) only")
        X_fit, X_val, y_fit, y_val = self._split_validation(values13, y)

        self.features_ = features
        self.preprocessor_ = Preprocessor(one_hot=self.one_hot, features=self.features).fit(X_fit)
        self.feature_names_out_ = self.preprocessor_.feature_names_out_
        lows, highs = values.min(axis=0), values.max(axis=0)
        self.training_ranges_ = {n: (float(lo), float(hi)) for n, lo, hi in zip(features, lows, highs)}
        self.training_defaults_ = _defaults(values, features)
        # None only in a model loaded from a file written before it was kept (see from_fitted).
        # None also for a model without a continuous or ordinal feature: no distance to measure.
        self.novelty_reference_: NoveltyReference | None = (
            NoveltyReference.fit(values13, features) if novelty_features(features) else None
        )
        self.n_train_rows_ = len(values13)
        Z_val = None if X_val is None else self.preprocessor_.transform(X_val)
        return self.preprocessor_.transform(X_fit), np.asarray(y_fit), Z_val, y_val

    def prepare_as(
        self, other: HeartModel, X: pd.DataFrame, y: Sequence[int] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None] | None:
        """:meth:`prepare` by sharing what ``other`` (prepared on the same ``X``, ``y``) fitted, when the
        result cannot differ: same preprocessing and no validation split (which depends on the seed).

        Returns what :meth:`prepare` would, or ``None`` (then call :meth:`prepare`). An ensemble of ten
        seeds otherwise fits the same preprocessing and training facts ten times.
        """
        if self.validation_fraction > 0 or other.validation_fraction > 0 or self.one_hot != other.one_hot:
            return None
        if self.used_features != other.used_features:
            return None
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        for name in (
            "features_",
            "preprocessor_",
            "feature_names_out_",
            "training_ranges_",
            "training_defaults_",
            "novelty_reference_",
            "n_train_rows_",
        ):
            setattr(self, name, getattr(other, name))
        # The shared preprocessing reads the used columns itself (a DataFrame column selection first
        # cost ~1 ms per model of How sure's ten).
        return self.preprocessor_.transform(X), np.asarray(y, dtype=np.int64).ravel(), None, None

    @classmethod
    def from_fitted(
        cls,
        params: Mapping[str, Any],
        preprocessor: Preprocessor,
        network: MLP,
        *,
        training_ranges: Mapping[str, tuple[float, float]],
        training_defaults: Mapping[str, float],
        n_train_rows: int,
        novelty_reference: NoveltyReference | None = None,
    ) -> HeartModel:
        """A trained model from its parts (a model file), without training."""
        model = cls(**dict(params))
        model.features_ = model.used_features
        if network.n_features_in_ != len(preprocessor.feature_names_out_):
            raise ValueError(
                f"the network expects {network.n_features_in_} inputs but the preprocessing "
                f"makes {len(preprocessor.feature_names_out_)}"
            )
        model.preprocessor_ = preprocessor
        model.feature_names_out_ = preprocessor.feature_names_out_
        model.network_ = network
        model.training_ranges_ = {n: (float(lo), float(hi)) for n, (lo, hi) in training_ranges.items()}
        model.training_defaults_ = {n: float(v) for n, v in training_defaults.items()}
        model.n_train_rows_ = int(n_train_rows)
        model.novelty_reference_ = novelty_reference  # None for model files from before it was kept
        return model

    # ----------------------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "network_") or not hasattr(self.network_, "coefs_"):
            from sklearn.exceptions import NotFittedError  # only when there is an error to raise

            raise NotFittedError("This HeartModel is not trained yet: train it or load a model file.")

    def transform(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        """The network's input for these patients (standardised, one-hot encoded).

        One patient as a mapping goes to NumPy directly, without a DataFrame (the Predict page asks for
        one patient's risk on every change; through pandas that cost ~1.5 ms, now microseconds).
        """
        self._check_fitted()
        return self.preprocessor_.transform(X)

    def predict_proba(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        """(absent, present) probabilities, one row per patient.

        NaN for a patient whose arithmetic overflowed (a model with absurd weights); no RuntimeWarning.
        """
        inputs = self.transform(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.network_.predict_proba(inputs)

    def predict_risk(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        """The probability of heart disease, one number per patient (NaN where it cannot be computed)."""
        return self.predict_proba(X)[:, 1]

    def predict(self, X: pd.DataFrame | Mapping[str, float] | np.ndarray) -> np.ndarray:
        """1 (present) where the risk reaches :attr:`threshold`, else 0.

        Raises
        ------
        RiskNotComputable : some patient's risk is not a finite number; a decision would be arbitrary.
        """
        inputs = self.transform(X)
        with np.errstate(over="ignore", invalid="ignore"):
            risk = self.network_.predict_proba(inputs)[:, 1]
            bad = int(np.count_nonzero(~np.isfinite(risk)))
            if bad:
                raise RiskNotComputable(bad)
            return self.network_.predict(inputs, self.threshold)

    def out_of_range(self, patient: Mapping[str, float]) -> dict[str, tuple[float, float]]:
        """Features of ``patient`` outside the range seen in training: name → (low, high)."""
        self._check_fitted()
        out = {}
        for name, (low, high) in self.training_ranges_.items():
            value = float(patient[name])
            if not low <= value <= high:
                out[name] = (low, high)
        return out

    def fit_part(self, X: pd.DataFrame, y: Sequence[int] | np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """The training rows the network's gradient descent used, of the rows ``X``, ``y`` given to
        :meth:`fit`: all of them, or without the validation part when ``validation_fraction > 0``.

        The split :meth:`iter_fit` makes (same call, same seed; test_fit_part_is_the_rows_the_network_
        learnt_from_with_a_validation_split replays training on these rows to check it), raw and in the
        order the network saw them; ``model.transform(X_fit)`` and ``y_fit`` are the batch that
        :func:`heartgui.core.backprop.backward_pass` walks through. Changes nothing in the model.
        """
        X = _with_columns(_as_frame(X, self.used_features), self.used_features)
        X_fit, _, y_fit, _ = self._split_validation(X, np.asarray(y, dtype=np.int64).ravel())
        return X_fit, np.asarray(y_fit, dtype=np.int64)

    def _split_validation(
        self, X: _Rows, y: np.ndarray
    ) -> tuple[_Rows, _Rows | None, np.ndarray, np.ndarray | None]:
        """(X_fit, X_val, y_fit, y_val): the validation part held back, stratified, seeded by
        ``random_state``; no validation part (``None``) when ``validation_fraction`` is 0. ``X`` is a
        DataFrame or an array (the same rows are held back either way: the split depends on ``y``)."""
        if self.validation_fraction <= 0:
            return X, None, y, None
        # Stratified: scikit-learn's StratifiedShuffleSplit (imported here, only for a validation split;
        # the presets have none).
        from sklearn.model_selection import train_test_split

        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=self.validation_fraction, stratify=y, random_state=self.random_state
        )
        return X_fit, X_val, y_fit, y_val


def _with_columns(X: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """``X`` with the 13 columns in the schema's order (NaN for an absent one the model does not use)."""
    X = X.reset_index(drop=True)
    absent = [n for n in FEATURE_NAMES if n not in X.columns]
    if absent:
        X = X.assign(**dict.fromkeys(absent, np.nan))
    return X[list(FEATURE_NAMES)]


def _defaults(values: np.ndarray, features: Sequence[str] = FEATURE_NAMES) -> dict[str, float]:
    """A typical patient: the median of each measurement and the most common code of each coded feature
    (the smallest of them when several are as common, as pandas' ``mode().iloc[0]``); ``values`` has the
    ``features`` as columns, in that order."""
    out = {}
    for i, feature in enumerate(BY_NAME[n] for n in features):
        column = values[:, i]
        if feature.is_coded:
            codes, counts = np.unique(column, return_counts=True)  # sorted: argmax takes the smallest
            out[feature.name] = float(codes[np.argmax(counts)])
        else:
            out[feature.name] = float(np.median(column))
    return out
