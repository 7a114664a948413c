"""Three lessons that need many networks: how much of a result is luck, would more patients help, and
what chance alone reaches.

* **Seed lottery** — the same settings, cross-validated on the same folds, from 50 different random
  initial weights: the spread of the cost and AUC is what the random start alone does. A difference
  between two settings smaller than that spread is not a finding.
* **Learning curve** — cross-validated AUC and cost when each training fold keeps only 25 %, 50 %,
  75 % or all of its patients (always tested on the whole test fold), for the network and for logistic
  regression: if the curve still climbs at 100 %, more patients would help.
* **Label-permutation test** — networks trained on diagnoses shuffled among the patients learn nothing
  real; their cross-validated AUCs are what chance reaches with this network and these patients. The
  real AUC beside that distribution, with the permutation p-value ``(1 + #{AUC_perm ≥ AUC}) / (n + 1)``.

Each is a generator of immutable progress reports (one per seed, per fold, per shuffle), so a worker
can show progress; its ``should_stop`` is asked after every stacked epoch (the one place
:func:`heartgui.core.stacked.fit_stacked` asks it), so a Cancel need not wait for a whole seed or fold, and
a window may block in it to pause the work while it draws. Each has a plain function that runs it to the
end. All use the folds of :func:`heartgui.core.crossval.fold_indices` (the Statlog protocol's stratified 9
folds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np

from heartgui.core.crossval import (
    BASELINE_METHODS,
    _networks_stacked,
    fold_indices,
    iter_cross_validate,
    network_method,
)
from heartgui.core.dataset import Dataset
from heartgui.core.evaluation import cost_optimal_threshold, rank_auc, statlog_cost
from heartgui.core.network import TrainingDiverged
from heartgui.core.presets import TrainingSettings
from heartgui.core.threads import one_blas_thread_if_small

__all__ = [
    "LearningCurve",
    "PermutationTest",
    "SeedLottery",
    "iter_learning_curve",
    "iter_permutation_test",
    "iter_seed_lottery",
    "learning_curve",
    "permutation_test",
    "seed_lottery",
]

T = TypeVar("T")


class _Stopped(Exception):
    """``should_stop`` said stop in the middle of a seed, fold or shuffle: no report for it."""


def _network_cv(
    dataset: Dataset,
    settings: TrainingSettings,
    folds: int,
    repeats: int,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[float, float]:
    """(mean cost at the cost-optimal threshold, mean ROC AUC) of the network over the folds.

    ``should_stop`` is asked after every stacked epoch; raises :class:`_Stopped` when it says stop."""
    reports = list(
        iter_cross_validate(
            dataset,
            folds=folds,
            repeats=repeats,
            methods=[network_method(settings, "net")],
            should_stop=should_stop,
        )
    )
    if not reports or not reports[-1].result.complete:
        raise _Stopped
    rows = [row for row in reports[-1].result.rows if row.method == "net"]
    return float(np.mean([r.cost_at_optimal for r in rows])), float(np.mean([r.roc_auc for r in rows]))


def _last(reports: Generator[T, None, None], should_stop: Callable[[], bool] | None = None) -> T:
    last = None
    for report in reports:
        last = report
        if should_stop is not None and should_stop():
            break
    if last is None:  # pragma: no cover - every generator here yields at least once
        raise ValueError("nothing was computed")
    return last


# --------------------------------------------------------------------------------------------------
# Seed lottery
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SeedLottery:
    """Cross-validated cost and AUC of one setting from each initial-weight seed (so far)."""

    settings: TrainingSettings
    folds: int
    repeats: int
    seeds: tuple[int, ...]
    costs: tuple[float, ...]
    aucs: tuple[float, ...]
    planned: int

    @property
    def complete(self) -> bool:
        return len(self.seeds) == self.planned

    @property
    def chosen_seed(self) -> int:
        return int(self.settings.seed)

    def of(self, seed: int) -> tuple[float, float] | None:
        """(cost, AUC) of ``seed``, if it was run."""
        if seed not in self.seeds:
            return None
        i = self.seeds.index(seed)
        return self.costs[i], self.aucs[i]

    def words(self) -> str:
        """What the spread means, in a sentence or three."""
        n = len(self.seeds)
        if n == 0:
            return "No seed has been run yet."
        cost, auc = np.asarray(self.costs), np.asarray(self.aucs)
        text = (
            f"Over {n} random starts of the same network on the same folds, the cross-validated cost ran "
            f"from {np.nanmin(cost):.3f} to {np.nanmax(cost):.3f} (median {np.nanmedian(cost):.3f}) and "
            f"the AUC from {np.nanmin(auc):.3f} to {np.nanmax(auc):.3f}: that spread is luck alone."
        )
        mine = self.of(self.chosen_seed)
        if mine is not None:
            rank = int(np.sum(cost < mine[0])) + 1
            text += (
                f" Your seed {self.chosen_seed} gave cost {mine[0]:.3f} and AUC {mine[1]:.3f} "
                f"({_ordinal(rank)} lowest cost of {n})."
            )
        return text + " Two settings whose difference is smaller than this spread have not been told apart."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def iter_seed_lottery(
    dataset: Dataset,
    settings: TrainingSettings,
    seeds: Sequence[int] = tuple(range(1, 51)),
    *,
    folds: int = 9,
    repeats: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[SeedLottery, None, None]:
    """Cross-validate ``settings`` from each seed in turn; yields the lottery so far after each seed.

    ``should_stop`` is asked after every stacked epoch (it may block: a window pauses the work so);
    when it says stop, the iteration ends without the seed that was running."""
    seeds = tuple(int(s) for s in seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct and at least one")
    done_seeds: list[int] = []
    costs: list[float] = []
    aucs: list[float] = []
    for seed in seeds:
        try:
            cost, auc = _network_cv(dataset, settings.replace(seed=seed), folds, repeats, should_stop)
        except _Stopped:
            return
        done_seeds.append(seed)
        costs.append(cost)
        aucs.append(auc)
        yield SeedLottery(settings, folds, repeats, tuple(done_seeds), tuple(costs), tuple(aucs), len(seeds))


def seed_lottery(
    dataset: Dataset,
    settings: TrainingSettings,
    seeds: Sequence[int] = tuple(range(1, 51)),
    *,
    folds: int = 9,
    repeats: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> SeedLottery:
    """:func:`iter_seed_lottery` to the end, or until ``should_stop()`` (asked after each seed)."""
    return _last(iter_seed_lottery(dataset, settings, seeds, folds=folds, repeats=repeats), should_stop)


# --------------------------------------------------------------------------------------------------
# Learning curve
# --------------------------------------------------------------------------------------------------
#: The two methods of the learning curve: the network (its settings) and logistic regression.
LOGISTIC = next(m for m in BASELINE_METHODS if m.name == "Logistic regression")


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """Per method and training fraction: the mean cross-validated AUC and cost over the folds done."""

    fractions: tuple[float, ...]
    methods: tuple[str, ...]
    folds: int
    repeats: int
    n_train: dict[float, float]  # mean training patients kept at each fraction
    auc: dict[str, tuple[float, ...]]  # method → one mean per fraction
    cost: dict[str, tuple[float, ...]]
    folds_done: int
    planned: int

    @property
    def complete(self) -> bool:
        return self.folds_done == self.planned

    def words(self) -> str:
        if not self.folds_done:
            return "No fold has been run yet."
        parts = []
        for method in self.methods:
            aucs = self.auc[method]
            gain = aucs[-1] - aucs[-2] if len(aucs) > 1 else math.nan
            if gain > 0.01:
                trend = (
                    f"still rising at the end ({gain:+.3f} for the last step): more patients may well help"
                )
            elif gain > 0.003:
                trend = f"rising a little at the end ({gain:+.3f} for the last step): more may help a little"
            else:
                trend = (
                    f"about level at the end ({gain:+.3f} for the last step): more patients would help little"
                )
            parts.append(
                f"{method}: AUC {aucs[0]:.3f} with {self.n_train[self.fractions[0]]:.0f} training patients, "
                f"{aucs[-1]:.3f} with {self.n_train[self.fractions[-1]]:.0f} — {trend}"
            )
        return "; ".join(parts) + (
            ". Each point is tested on the whole test folds. The curves come from one random start and one "
            "shuffle of the folds: a step smaller than the seed lottery's spread may be luck."
        )


def _scored(risk: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:
    """(AUC, Statlog cost at the cost-optimal threshold) of test risks (NaN for risks not finite)."""
    risk = np.asarray(risk, dtype=np.float64)
    if not np.all(np.isfinite(risk)):
        return math.nan, math.nan
    called = (risk >= cost_optimal_threshold()).astype(int)
    return rank_auc(y_test, risk), statlog_cost(y_test, called)


def _fit_and_score(
    method: Any, X_fit: Any, y_fit: np.ndarray, X_test: Any, y_test: np.ndarray
) -> tuple[float, float]:
    """(AUC, Statlog cost at the cost-optimal threshold) of ``method`` trained on the fit rows."""
    try:
        model = method.build().fit(X_fit, y_fit)
    except TrainingDiverged:
        return math.nan, math.nan
    return _scored(model.predict_risk(X_test), y_test)


def _subsample(train: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A stratified share of the training rows (the same rows for a given fold, fraction and seed)."""
    if fraction >= 1.0:
        return train
    rng = np.random.default_rng(seed)
    kept = []
    for label in (0, 1):
        rows = train[y[train] == label]
        k = max(2, int(round(fraction * len(rows))))
        kept.append(rng.permutation(rows)[:k])
    return np.sort(np.concatenate(kept))


def iter_learning_curve(
    dataset: Dataset,
    settings: TrainingSettings,
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    *,
    folds: int = 9,
    repeats: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[LearningCurve, None, None]:
    """One report per fold: each fraction of its training rows trains the network and logistic
    regression, which are scored on the whole test fold.

    ``should_stop`` is asked after every stacked epoch of the fold's networks and after each logistic
    regression; when it says stop, the iteration ends without the fold that was running."""
    fractions = tuple(sorted(float(f) for f in fractions))
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        raise ValueError("fractions must lie in (0, 1]")
    methods = (network_method(settings, "Neural network"), LOGISTIC)
    y = np.asarray(dataset.y)
    X = dataset.X
    scores: dict[tuple[str, float], list[tuple[float, float]]] = {
        (m.name, f): [] for m in methods for f in fractions
    }
    kept: dict[float, list[int]] = {f: [] for f in fractions}
    planned = folds * repeats
    network, logistic = methods
    for done, (repeat, fold, train, test) in enumerate(fold_indices(y, folds, repeats), start=1):
        X_test = X.iloc[test].reset_index(drop=True)
        chosen = [_subsample(train, y, fraction, seed=1000 * repeat + fold) for fraction in fractions]
        parts = [(X.iloc[rows].reset_index(drop=True), y[rows], X_test) for rows in chosen]
        with one_blas_thread_if_small(len(y)):
            # The fold's networks (one per fraction) as one stacked computation, each exactly as trained
            # alone; should_stop is asked after every stacked epoch, so a Cancel does not wait for them.
            trained = _networks_stacked(settings, parts, should_stop)
            if trained is None:
                return
            fold_scores = []
            for (X_fit, y_fit, _), (risk, _seconds, note) in zip(parts, trained, strict=True):
                # A network that diverged counts as not scored (as when trained alone), not by its last
                # good weights.
                net = (math.nan, math.nan) if note else _scored(risk, y[test])
                fold_scores.append((net, _fit_and_score(logistic, X_fit, y_fit, X_test, y[test])))
                if should_stop is not None and should_stop():
                    return
        for fraction, rows, (net, lr) in zip(fractions, chosen, fold_scores, strict=True):
            kept[fraction].append(len(rows))
            scores[(network.name, fraction)].append(net)
            scores[(logistic.name, fraction)].append(lr)
        yield LearningCurve(
            fractions=fractions,
            methods=tuple(m.name for m in methods),
            folds=folds,
            repeats=repeats,
            n_train={f: float(np.mean(kept[f])) for f in fractions},
            auc={
                m.name: tuple(float(np.nanmean([s[0] for s in scores[(m.name, f)]])) for f in fractions)
                for m in methods
            },
            cost={
                m.name: tuple(float(np.nanmean([s[1] for s in scores[(m.name, f)]])) for f in fractions)
                for m in methods
            },
            folds_done=done,
            planned=planned,
        )


def learning_curve(
    dataset: Dataset,
    settings: TrainingSettings,
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    *,
    folds: int = 9,
    repeats: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> LearningCurve:
    """:func:`iter_learning_curve` to the end, or until ``should_stop()`` (asked after each fold)."""
    return _last(iter_learning_curve(dataset, settings, fractions, folds=folds, repeats=repeats), should_stop)


# --------------------------------------------------------------------------------------------------
# Label-permutation test
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PermutationTest:
    """The real cross-validated AUC and the AUCs of the same network on shuffled diagnoses (so far)."""

    settings: TrainingSettings
    folds: int
    repeats: int
    real_auc: float
    shuffled_aucs: tuple[float, ...]
    planned: int

    @property
    def complete(self) -> bool:
        return len(self.shuffled_aucs) == self.planned

    @property
    def p_value(self) -> float:
        """``(1 + #{shuffled ≥ real}) / (n + 1)``: the smallest it can be is 1 / (n + 1)."""
        n = len(self.shuffled_aucs)
        if n == 0:
            return math.nan
        beaten = int(np.sum(np.asarray(self.shuffled_aucs) >= self.real_auc))
        return (1 + beaten) / (n + 1)

    def words(self) -> str:
        n = len(self.shuffled_aucs)
        if n == 0:
            return f"The network's cross-validated AUC on the real diagnoses is {self.real_auc:.3f}."
        shuffled = np.asarray(self.shuffled_aucs)
        return (
            f"On {n} shuffles of the diagnoses (the findings kept, who has the disease drawn at random), the "
            f"same network reached AUC {np.nanmin(shuffled):.3f} to {np.nanmax(shuffled):.3f} (median "
            f"{np.nanmedian(shuffled):.3f}): that is what chance alone gives with these "
            f"{self.n_patients} patients. "
            f"On the real diagnoses: {self.real_auc:.3f}. p = {self.p_value:.3g} (the smallest {n} shuffles "
            f"can show is {1 / (n + 1):.3g})."
        )

    n_patients: int = 0


def iter_permutation_test(
    dataset: Dataset,
    settings: TrainingSettings,
    n_permutations: int = 20,
    *,
    folds: int = 9,
    repeats: int = 1,
    random_state: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[PermutationTest, None, None]:
    """First the real AUC, then one report per shuffle of the diagnoses (``random_state`` fixes them).

    ``should_stop``: as in :func:`iter_seed_lottery` (the running shuffle gives no report)."""
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    try:
        _cost, real = _network_cv(dataset, settings, folds, repeats, should_stop)
    except _Stopped:
        return
    rng = np.random.default_rng(random_state)
    aucs: list[float] = []

    def report() -> PermutationTest:
        return PermutationTest(settings, folds, repeats, real, tuple(aucs), n_permutations, dataset.n_rows)

    yield report()
    for _ in range(n_permutations):
        shuffled = replace(dataset, y=rng.permutation(np.asarray(dataset.y)))
        try:
            aucs.append(_network_cv(shuffled, settings, folds, repeats, should_stop)[1])
        except _Stopped:
            return
        yield report()


def permutation_test(
    dataset: Dataset,
    settings: TrainingSettings,
    n_permutations: int = 20,
    *,
    folds: int = 9,
    repeats: int = 1,
    random_state: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> PermutationTest:
    """:func:`iter_permutation_test` to the end, or until ``should_stop()`` (asked after each report)."""
    reports = iter_permutation_test(
        dataset,
        settings,
        n_permutations,
        folds=folds,
        repeats=repeats,
        random_state=random_state,
    )
    return _last(reports, should_stop)
