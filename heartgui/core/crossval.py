"""Honest comparison of the network with simple baselines: the Statlog protocol, cross-validation.

One train/test split of 270 patients tests a model on 54 of them: its accuracy moves by several points
from one split to the next. The Statlog project (Michie, Spiegelhalter & Taylor, 1994) compared methods on
heart.dat by **stratified 9-fold cross-validation** and the **average cost per patient** under its cost
matrix (a missed disease costs 5, a false alarm 1). This module runs that protocol, repeated over several
shuffles, for the network and for baselines, all on the **same folds**, with every bit of preprocessing
(standardisation, one-hot encoding) fitted on each fold's training rows only.

A GUI worker drives it one fold at a time and can stop between folds::

    for report in iter_cross_validate(dataset, folds=9, repeats=5):
        show_progress(report.done, report.total)
        if stop_requested:
            break
    result = report.result          # what was computed so far; result.complete says if it is all

Everything runs in the calling thread (``n_jobs=1``): a frozen app must never spawn worker processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier

from heartgui.core.dataset import Dataset
from heartgui.core.evaluation import cost_optimal_threshold, evaluate
from heartgui.core.network import TrainingDiverged
from heartgui.core.preprocessing import Preprocessor
from heartgui.core.presets import RECOMMENDED, TUTORIAL, TrainingSettings
from heartgui.core.safe_io import atomic_write
from heartgui.core.schema import FEATURE_NAMES, STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED, check_features
from heartgui.core.stacked import Job, fit_stacked
from heartgui.core.threads import one_blas_thread_if_small
from heartgui.core.training import Split

__all__ = [
    "BASELINE_METHODS",
    "DEFAULT_METHODS",
    "CrossValResult",
    "FoldReport",
    "FoldRow",
    "Method",
    "SplitComparison",
    "SplitRow",
    "baselines_on_split",
    "cross_validate",
    "iter_cross_validate",
    "network_method",
]


class RiskModel(Protocol):
    """What a compared method builds: trained on a DataFrame of the 13 features, it predicts risks."""

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> Any: ...

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray: ...


@dataclass(frozen=True)
class Method:
    """One contender: a student-readable name and a function that makes a fresh, untrained model."""

    name: str
    build: Callable[[], RiskModel] = field(compare=False)
    #: For the from-scratch network: its settings, so that cross-validation can train the folds of a
    #: shuffle as one stacked computation (:mod:`heartgui.core.stacked`); ``None`` for the baselines.
    settings: TrainingSettings | None = field(default=None, compare=False)


class PreprocessedClassifier:
    """A scikit-learn classifier behind heartgui's own :class:`Preprocessor`, fitted on training rows only.

    Using the core's preprocessing (not a separate pipeline) means the baselines see exactly the inputs
    the network sees, and a test that watches ``Preprocessor.fit`` watches every method.
    """

    def __init__(self, estimator: Any, *, one_hot: bool, features: Sequence[str] | None = None) -> None:
        self.estimator = estimator
        self.one_hot = one_hot
        self.features = features

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> PreprocessedClassifier:
        self.preprocessor_ = Preprocessor(one_hot=self.one_hot, features=self.features).fit(X)
        self.estimator_ = clone(self.estimator).fit(self.preprocessor_.transform(X), np.asarray(y))
        return self

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.estimator_.predict_proba(self.preprocessor_.transform(X))
        return proba[:, list(self.estimator_.classes_).index(1)]


def network_method(settings: TrainingSettings, name: str | None = None) -> Method:
    """The from-scratch network trained with ``settings`` (its threshold is ignored: see the metrics)."""
    if name is None:
        name = {"tutorial": "Neural network (tutorial)", "recommended": "Neural network (recommended)"}.get(
            settings.preset, "Neural network (your settings)"
        )
    return Method(name, settings.model, settings)


def _sklearn_method(name: str, estimator: Any, *, one_hot: bool) -> Method:
    return Method(name, lambda: PreprocessedClassifier(estimator, one_hot=one_hot))


#: The baseline that ignores every finding: each patient gets the training patients' share with disease
#: as their risk. At 50 % it calls everyone healthy (on heart.dat), at the Statlog 1/6 everyone ill, so
#: "the majority" would be the wrong name in one of the two columns.
DEFAULT_RULE = "Default rule (every patient gets the base rate)"

#: The MLPClassifier baseline's weight decay: the recommended network's (``l2`` 0.02 on the mean loss)
#: in scikit-learn's units, which divide ``alpha`` by the number of training rows: 0.02 × 240 (a
#: heart.dat training fold). Not tuned on the folds.
SKLEARN_MLP_ALPHA = 4.8


def sklearn_mlp(hidden_layers: Sequence[int]) -> MLPClassifier:
    """scikit-learn's MLPClassifier as the baseline: the ``lbfgs`` solver, which scikit-learn's
    documentation recommends for small data sets (here 240 patients), and the recommended network's
    weight decay (:data:`SKLEARN_MLP_ALPHA`).

    Until issue 13 the baseline used scikit-learn's default solver, adam, with ``alpha=1``: adam needed
    430-620 iterations per fold and the MLPClassifier was most of a cross-validation's time. lbfgs
    minimises the penalised loss to the end, where adam's stopping rule ended early; with ``alpha=1``
    it then fitted the training folds far more tightly (training loss 0.20 against adam's 0.34) and
    its cost at 1/6 rose from 0.36 to 0.52, which would have made the baseline look worse than it is.
    With the network's own weight decay its cost and AUC are those adam reached. ``max_iter`` 2000
    leaves room, so no ConvergenceWarning is expected and none is silenced.
    """
    return MLPClassifier(
        tuple(int(h) for h in hidden_layers),
        solver="lbfgs",
        alpha=SKLEARN_MLP_ALPHA,
        max_iter=2000,
        random_state=RECOMMENDED.seed,
    )


#: The baselines. Logistic regression and the MLPClassifier (lbfgs solver: :func:`sklearn_mlp`) see the
#: recommended network's inputs (standardised measurements, one-hot chest pain / ECG / thallium);
#: Gaussian naive Bayes models each feature as a bell curve, which one-hot 0/1 columns are not, so it
#: gets the 13 standardised features. Cross-validation runs them with one BLAS thread (threads.py).
BASELINE_METHODS: tuple[Method, ...] = (
    _sklearn_method(DEFAULT_RULE, DummyClassifier(strategy="prior"), one_hot=False),
    _sklearn_method("Logistic regression", LogisticRegression(max_iter=1000), one_hot=True),
    _sklearn_method("Naive Bayes (Gaussian)", GaussianNB(), one_hot=False),
    _sklearn_method("scikit-learn MLPClassifier (8)", sklearn_mlp(RECOMMENDED.hidden_layers), one_hot=True),
)

#: Everything compared by default: the two network presets, then the baselines.
DEFAULT_METHODS: tuple[Method, ...] = (
    network_method(RECOMMENDED),
    network_method(TUTORIAL),
    *BASELINE_METHODS,
)


def _with_features(
    methods: tuple[Method, ...], features: Sequence[str] | None
) -> tuple[tuple[Method, ...], tuple[str, ...]]:
    """The methods, each network on ``features``, and the features: by default those of the first
    network that chose some, else all 13 (so every method in a comparison sees the same findings)."""
    if features is None:
        chosen = [m.settings.features for m in methods if m.settings is not None and m.settings.features]
        features = chosen[0] if chosen else FEATURE_NAMES
    used = check_features(features)
    out = []
    for m in methods:
        if m.settings is not None and m.settings.used_features != used:
            settings = m.settings.replace(features=used, preset=m.settings.preset)
            m = Method(m.name, settings.model, settings)
        out.append(m)
    return tuple(out), used


def _methods(methods: Iterable[Method | TrainingSettings] | None) -> tuple[Method, ...]:
    if methods is None:
        return DEFAULT_METHODS
    out = tuple(m if isinstance(m, Method) else network_method(m) for m in methods)
    names = [m.name for m in out]
    if not out or len(set(names)) != len(names):
        raise ValueError(f"methods must be non-empty with distinct names, got {names}")
    return out


# --------------------------------------------------------------------------------------------------
# One method on one train/test split
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scores:
    roc_auc: float
    accuracy_at_half: float
    cost_at_half: float
    cost_at_optimal: float
    seconds: float
    note: str


def _score(
    method: Method,
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    X_test: pd.DataFrame,
    y_test: np.ndarray,
    cost_missed: float,
    cost_false_alarm: float,
    features: Sequence[str] | None = None,
) -> tuple[_Scores, np.ndarray]:
    start = time.perf_counter()
    model = method.build()
    if isinstance(model, PreprocessedClassifier) and features is not None:
        model.features = features  # the baselines see the findings the network sees
    note = ""
    try:
        model.fit(X_train, y_train)
    except TrainingDiverged as exc:
        note = _diverged_note(exc)
    risk = model.predict_risk(X_test)
    return _scored(risk, y_test, time.perf_counter() - start, note, cost_missed, cost_false_alarm), risk


def _diverged_note(exc: TrainingDiverged) -> str:
    """The table's note for a network that diverged: it keeps its last good weights, which are scored."""
    note = f"diverged at epoch {exc.epoch}"
    if exc.epoch == 1:  # the loss of the initial weights: no step was taken, so not the learning rate
        note += ", before any learning step (scored with its initial weights)"
    return note


def _scored(
    risk: np.ndarray,
    y_test: np.ndarray,
    seconds: float,
    note: str,
    cost_missed: float,
    cost_false_alarm: float,
) -> _Scores:
    costs = {"cost_missed": cost_missed, "cost_false_alarm": cost_false_alarm}
    at_half = evaluate(y_test, risk, 0.5, **costs)
    at_optimal = evaluate(y_test, risk, cost_optimal_threshold(cost_missed, cost_false_alarm), **costs)
    return _Scores(
        roc_auc=at_half.roc_auc,
        accuracy_at_half=at_half.accuracy,
        cost_at_half=at_half.statlog_cost,
        cost_at_optimal=at_optimal.statlog_cost,
        seconds=seconds,
        note=note,
    )


def _networks_stacked(
    settings: TrainingSettings,
    parts: Sequence[tuple[pd.DataFrame | np.ndarray, np.ndarray, pd.DataFrame | np.ndarray]],
    should_stop: Callable[[], bool] | None = None,
) -> list[tuple[np.ndarray, float, str]] | None:
    """Train one network per (X_train, y_train, X_test) part as one stacked computation.

    Each part gets exactly the network training it alone gives (same preprocessing, weights, curves:
    :mod:`heartgui.core.stacked`); returns each part's test risks, its share of the time and its note,
    or ``None`` when ``should_stop()`` (asked after every stacked epoch) said stop.
    """
    start = time.perf_counter()
    models, jobs = [], []
    for X_train, y_train, _ in parts:
        model = settings.model()
        Z, y, Z_val, y_val = model.prepare(X_train, y_train)
        model.network_ = model._network()
        models.append(model)
        jobs.append(Job(model.network_, Z, y, Z_val, y_val))
    # Cancel must not wait for all the folds: asked after every stacked epoch.
    outcomes = fit_stacked(jobs, should_stop)
    if outcomes is None:
        return None
    out = []
    for model, outcome, (_, _, X_test) in zip(models, outcomes, parts):
        note = "" if outcome.diverged is None else _diverged_note(outcome.diverged)
        out.append((model.predict_risk(X_test), note))
    share = (time.perf_counter() - start) / max(len(parts), 1)
    return [(risk, share, note) for risk, note in out]


# --------------------------------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------------------------------
#: The per-fold figures, as columns of :meth:`CrossValResult.to_frame`.
METRIC_COLUMNS = ("cost_at_optimal", "cost_at_half", "roc_auc", "accuracy_at_half", "seconds")


@dataclass(frozen=True)
class SplitRow:
    """One method trained on a training part and scored on its test part.

    ``cost_at_optimal`` is the Statlog cost (average per patient) at the cost-optimal threshold (1/6 for
    costs 5 and 1), ``cost_at_half`` and ``accuracy_at_half`` are at risk 0.5; ``roc_auc`` does not depend
    on a threshold. ``seconds`` is training plus prediction time. ``note`` is empty unless something
    unusual happened (the network diverged and was scored with its last good weights).
    """

    method: str
    n_train: int
    n_test: int
    roc_auc: float
    accuracy_at_half: float
    cost_at_half: float
    cost_at_optimal: float
    seconds: float
    note: str = ""


@dataclass(frozen=True)
class FoldRow(SplitRow):
    """One method's figures on the test rows of fold ``fold`` of shuffle ``repeat``."""

    repeat: int = field(kw_only=True)
    fold: int = field(kw_only=True)


#: The columns of :meth:`CrossValResult.to_frame`: which fold, then a :class:`SplitRow`'s figures.
FOLD_COLUMNS = ("repeat", "fold", *(f.name for f in fields(SplitRow)))


@dataclass(frozen=True, eq=False)
class CrossValResult:
    """The figures of every method on every fold computed so far.

    ``complete`` is false when the run was stopped before its last fold: the summary then covers the
    folds that finished. ``test_rows[k]`` are the dataset row positions tested in the k-th fold run, and
    ``test_risks[k]`` each method's risks for them (method name → array, in the same order).
    """

    rows: tuple[FoldRow, ...]
    methods: tuple[str, ...]
    folds: int
    repeats: int
    complete: bool
    test_rows: tuple[tuple[int, ...], ...]
    cost_missed: float
    cost_false_alarm: float
    n_patients: int
    data_sha256: str
    test_risks: tuple[Mapping[str, np.ndarray], ...] = ()

    def out_of_fold_risks(self, method: str) -> list[np.ndarray]:
        """For each complete shuffle, every patient's risk from the fold that tested it (row order)."""
        pooled = []
        for repeat in range(self.repeats):
            runs = range(repeat * self.folds, (repeat + 1) * self.folds)
            if runs[-1] >= min(len(self.test_rows), len(self.test_risks)):
                break
            risk = np.full(self.n_patients, np.nan)
            for k in runs:
                risk[list(self.test_rows[k])] = self.test_risks[k][method]
            pooled.append(risk)
        return pooled

    @property
    def optimal_threshold(self) -> float:
        return cost_optimal_threshold(self.cost_missed, self.cost_false_alarm)

    @property
    def folds_done(self) -> int:
        return len(self.test_rows)

    @property
    def folds_planned(self) -> int:
        return self.folds * self.repeats

    def to_frame(self) -> pd.DataFrame:
        """One row per (repeat, fold, method)."""
        rows = [[getattr(r, c) for c in FOLD_COLUMNS] for r in self.rows]
        return pd.DataFrame(rows, columns=list(FOLD_COLUMNS))

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation over folds of each figure, one row per method (in order).

        Columns ``<figure>_mean`` and ``<figure>_sd`` (sample sd, ddof=1), plus ``folds`` and
        ``total_seconds``.
        """
        frame = self.to_frame()
        grouped = frame.groupby("method", sort=False)[list(METRIC_COLUMNS)]
        means = grouped.mean().add_suffix("_mean")
        sds = grouped.std(ddof=1).add_suffix("_sd")
        out = pd.concat([means, sds], axis=1)
        out = out[[f"{c}_{s}" for c in METRIC_COLUMNS for s in ("mean", "sd")]]
        out["folds"] = frame.groupby("method", sort=False).size()
        out["total_seconds"] = frame.groupby("method", sort=False)["seconds"].sum()
        return out.reindex([m for m in self.methods if m in out.index])

    def to_csv(self, path: str | Path | None = None) -> str:
        """The per-fold table as CSV text; also written to ``path`` when one is given."""
        text = self.to_frame().to_csv(index=False)
        if path is not None:
            with atomic_write(path) as handle:  # a failed write leaves an earlier file as it was
                handle.write(text.encode("utf-8"))
        return text


@dataclass(frozen=True, eq=False)
class FoldReport:
    """Progress after one fold (immutable, safe to send to another thread).

    ``done`` of ``total`` folds have finished; ``rows`` are this fold's figures (one per method) and
    ``result`` everything so far, ready to show if the user stops now.
    """

    repeat: int
    fold: int
    done: int
    total: int
    rows: tuple[FoldRow, ...]
    elapsed: float
    result: CrossValResult


def fold_indices(
    y: np.ndarray, folds: int = 9, repeats: int = 5
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """``(repeat, fold, train_rows, test_rows)``: shuffle r is ``StratifiedKFold(folds, shuffle=True,
    random_state=r)``, r = 0 .. repeats - 1 (the folds the recommended preset was tuned on)."""
    y = np.asarray(y)
    for repeat in range(repeats):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=repeat)
        for fold, (train, test) in enumerate(splitter.split(np.zeros((len(y), 1)), y)):
            yield repeat, fold, train, test


def iter_cross_validate(
    dataset: Dataset,
    *,
    folds: int = 9,
    repeats: int = 5,
    methods: Iterable[Method | TrainingSettings] | None = None,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
    stack: bool = True,
    should_stop: Callable[[], bool] | None = None,
    features: Sequence[str] | None = None,
) -> Generator[FoldReport, None, None]:
    """Cross-validate, yielding one :class:`FoldReport` per fold; stop iterating to stop.

    ``methods`` are :class:`Method` objects or :class:`TrainingSettings` (a network trained with them);
    by default :data:`DEFAULT_METHODS`. Every method is trained and tested on the same folds. With
    ``stack`` (the default) the networks of one shuffle's folds — and of the next shuffles' while they
    fit in :data:`STACK_ROWS` (on heart.dat all 9 × 5) — train as one stacked computation when the
    first of those folds comes up: the same numbers as one by one (tested), in less time; a network's
    ``seconds`` is then its share of the stacked time. ``should_stop`` is asked after every stacked
    epoch: when it says stop, the iteration ends without those shuffles' reports, so a worker's Cancel
    does not wait for the stack's networks.

    ``features`` are the findings every method uses (default: those of the first network method that
    chose some, else all 13); the patients lacking one of them are left out (:meth:`Dataset.complete`).
    """
    chosen, features = _with_features(_methods(methods), features)
    dataset = dataset.complete(features)
    y = np.asarray(dataset.y)
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    smallest_class = int(min(np.bincount(y, minlength=2)))
    if not 2 <= folds <= smallest_class:
        raise ValueError(
            f"Cannot make {folds} folds: each fold needs patients of both classes, and the smaller class "
            f"has {smallest_class} patients."
        )
    cost_optimal_threshold(cost_missed, cost_false_alarm)  # validates the costs
    X = dataset.X
    rows: list[FoldRow] = []
    test_rows: list[tuple[int, ...]] = []
    test_risks: list[Mapping[str, np.ndarray]] = []
    total = folds * repeats
    start = time.perf_counter()
    stacked: dict[str, list[tuple[np.ndarray, float, str]]] = {}
    stacked_runs: dict[tuple[int, int], int] = {}  # (repeat, fold) → its place in ``stacked``'s lists
    every_fold = list(fold_indices(y, folds, repeats))
    # The stacked networks take their rows from one array (the 13 features in the schema's order): a
    # DataFrame's rows cost ~0.2 ms to take per fold, more than preparing a network's inputs.
    values = X.to_numpy(dtype=float) if tuple(X.columns) == FEATURE_NAMES else None
    # One BLAS thread for the whole run (threads.py): set once, restored when the iteration ends.
    with one_blas_thread_if_small(len(y)):
        for repeat, fold, train, test in every_fold:
            if fold == 0 and stack and (repeat, 0) not in stacked_runs:
                # The networks of all the folds of this shuffle and the next few, trained at once (each
                # exactly as alone).
                block = _stacked_block(every_fold, repeat)
                parts = [(_rows(X, values, tr), y[tr], _rows(X, values, te)) for _, _, tr, te in block]
                stacked_runs = {(r, f): k for k, (r, f, _, _) in enumerate(block)}
                stacked = {}
                for method in chosen:
                    if method.settings is not None:
                        trained = _networks_stacked(method.settings, parts, should_stop)
                        if trained is None:
                            return
                        stacked[method.name] = trained
            fold_rows = []
            fold_risks: dict[str, np.ndarray] = {}
            # The fold's rows as DataFrames, made for the first method that needs them (not the networks).
            frames: tuple[pd.DataFrame, pd.DataFrame] | None = None
            for method in chosen:
                if method.name in stacked:
                    risk, seconds, note = stacked[method.name][stacked_runs[repeat, fold]]
                    scores = _scored(risk, y[test], seconds, note, cost_missed, cost_false_alarm)
                else:
                    if frames is None:
                        frames = X.iloc[train].reset_index(drop=True), X.iloc[test].reset_index(drop=True)
                    X_train, X_test = frames
                    scores, risk = _score(
                        method, X_train, y[train], X_test, y[test], cost_missed, cost_false_alarm, features
                    )
                fold_risks[method.name] = risk
                fold_rows.append(
                    FoldRow(method.name, len(train), len(test), **vars(scores), repeat=repeat, fold=fold)
                )
            rows.extend(fold_rows)
            test_rows.append(tuple(int(i) for i in test))
            test_risks.append(fold_risks)
            result = CrossValResult(
                rows=tuple(rows),
                methods=tuple(m.name for m in chosen),
                folds=folds,
                repeats=repeats,
                complete=len(test_rows) == total,
                test_rows=tuple(test_rows),
                cost_missed=float(cost_missed),
                cost_false_alarm=float(cost_false_alarm),
                n_patients=len(y),
                data_sha256=dataset.provenance.sha256,
                test_risks=tuple(test_risks),
            )
            yield FoldReport(
                repeat, fold, len(test_rows), total, tuple(fold_rows), time.perf_counter() - start, result
            )


#: Shuffles are stacked together while their networks train on at most this many rows in all (a network's
#: training rows, summed over the networks): on heart.dat all 45 networks of 9 folds × 5 shuffles (10,800
#: rows) train as one stack, in 300 stacked epochs instead of 5 × 300 of 9 networks each, which saves
#: most of the per-epoch overhead (issue 13). A larger file is stacked one shuffle at a time (or a few),
#: so that the fold reports — the window's progress — keep coming.
STACK_ROWS = 12_000


def _stacked_block(
    every_fold: Sequence[tuple[int, int, np.ndarray, np.ndarray]], first: int
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """The folds of shuffle ``first`` and of the shuffles after it that fit in :data:`STACK_ROWS`."""
    block: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    repeat = first
    while True:
        shuffle = [run for run in every_fold if run[0] == repeat]
        rows = sum(len(run[2]) for run in block + shuffle)
        if not shuffle or (block and rows > STACK_ROWS):
            return block
        block.extend(shuffle)
        repeat += 1


def _rows(X: pd.DataFrame, values: np.ndarray | None, rows: np.ndarray) -> pd.DataFrame | np.ndarray:
    """Rows of the features for a network: from the array when there is one, else from the DataFrame."""
    return values[rows] if values is not None else X.iloc[rows].reset_index(drop=True)


def cross_validate(
    dataset: Dataset,
    *,
    folds: int = 9,
    repeats: int = 5,
    methods: Iterable[Method | TrainingSettings] | None = None,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
    progress: Callable[[FoldReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stack: bool = True,
) -> CrossValResult:
    """Run :func:`iter_cross_validate` to the end, or until ``should_stop()`` (asked before each fold)
    returns true; the result then has ``complete == False``. ``progress`` is called after each fold."""
    chosen = _methods(methods)
    result = CrossValResult(
        rows=(),
        methods=tuple(m.name for m in chosen),
        folds=folds,
        repeats=repeats,
        complete=False,
        test_rows=(),
        cost_missed=float(cost_missed),
        cost_false_alarm=float(cost_false_alarm),
        n_patients=dataset.n_rows,
        data_sha256=dataset.provenance.sha256,
    )
    reports = iter_cross_validate(
        dataset,
        folds=folds,
        repeats=repeats,
        methods=chosen,
        cost_missed=cost_missed,
        cost_false_alarm=cost_false_alarm,
        stack=stack,
        should_stop=should_stop,
    )
    while not (should_stop is not None and should_stop()):
        report = next(reports, None)
        if report is None:
            break
        result = report.result
        if progress is not None:
            progress(report)
    reports.close()
    return result


def out_of_fold_clinical(
    result: CrossValResult, y: np.ndarray, threshold: float
) -> dict[str, dict[str, Any]]:
    """Calibration and decision curve of each method from its out-of-fold risks.

    Each complete shuffle gives every patient one risk, from the fold that tested it; the calibration
    intercept and slope (:func:`heartgui.core.clinical.calibration_fit`) and the net benefit at 1–60 %
    (:func:`heartgui.core.clinical.decision_curve`) are computed on those pooled risks, then averaged
    over the shuffles (``*_sd``: their spread, nan with one shuffle). ``threshold`` is where the net
    benefit is also given alone (``net_benefit_at_threshold``).
    """
    from heartgui.core.clinical import calibration_fit, decision_curve

    y = np.asarray(y)
    thresholds = np.array(sorted({*np.round(np.arange(1, 61) / 100.0, 2).tolist(), float(threshold)}))
    out: dict[str, dict[str, Any]] = {}
    for method in result.methods:
        pooled = result.out_of_fold_risks(method)
        if not pooled:
            continue
        # A risk that is not a number (an absurd network) has no place in a fit: those patients are left out.
        kept = [np.isfinite(risk) for risk in pooled]
        fits = [calibration_fit(y[k], np.clip(r[k], 0.0, 1.0)) for r, k in zip(pooled, kept)]
        curves = [decision_curve(y[k], np.clip(r[k], 0.0, 1.0), thresholds) for r, k in zip(pooled, kept)]
        intercepts = np.array([f.intercept for f in fits])
        slopes = np.array([f.slope for f in fits])
        model_nb = np.mean([c.model for c in curves], axis=0)
        at = int(np.flatnonzero(thresholds == threshold)[0])
        spread = len(pooled) > 1
        out[method] = {
            "shuffles": len(pooled),
            "calibration_intercept": float(np.mean(intercepts)),
            "calibration_intercept_sd": float(np.std(intercepts, ddof=1)) if spread else float("nan"),
            "calibration_slope": float(np.mean(slopes)),
            "calibration_slope_sd": float(np.std(slopes, ddof=1)) if spread else float("nan"),
            "net_benefit_threshold": float(threshold),
            "net_benefit_at_threshold": float(model_nb[at]),
            "treat_all_at_threshold": float(curves[0].treat_all[at]),
            "net_benefit": [
                {"threshold": float(t), "model": float(m), "treat_all": float(a)}
                for t, m, a in zip(thresholds, model_nb, curves[0].treat_all)
            ],
        }
    return out


# --------------------------------------------------------------------------------------------------
# The same methods on one train/test split (the Results page)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SplitComparison:
    rows: tuple[SplitRow, ...]
    cost_missed: float
    cost_false_alarm: float

    def to_frame(self) -> pd.DataFrame:
        columns = [f.name for f in fields(SplitRow)]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.rows], columns=columns)


def baselines_on_split(
    split: Split,
    *,
    methods: Sequence[Method | TrainingSettings] | None = None,
    cost_missed: float = STATLOG_COST_MISSED,
    cost_false_alarm: float = STATLOG_COST_FALSE_ALARM,
    features: Sequence[str] | None = None,
) -> SplitComparison:
    """Train each method once on ``split``'s training patients and score it on its test patients.

    ``features``: the findings the methods use (those of the network trained on ``split``; all 13 by
    default).

    By default the baselines only (:data:`BASELINE_METHODS`): the window shows them next to the network
    the student trained on the same split. Takes well under a second on heart.dat.
    """
    chosen, used = _with_features(BASELINE_METHODS if methods is None else _methods(methods), features)
    rows = []
    with one_blas_thread_if_small(len(split.y_train)):
        for method in chosen:
            scores, _ = _score(
                method,
                split.X_train,
                split.y_train,
                split.X_test,
                split.y_test,
                cost_missed,
                cost_false_alarm,
                used,
            )
            rows.append(SplitRow(method.name, len(split.y_train), len(split.y_test), **vars(scores)))
    return SplitComparison(tuple(rows), float(cost_missed), float(cost_false_alarm))
