"""The three lessons of many networks, checked against networks trained one by one on the same folds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from heartgui.core import lessons
from heartgui.core.crossval import fold_indices
from heartgui.core.preprocessing import Preprocessor
from heartgui.core.presets import RECOMMENDED

SMALL = RECOMMENDED.replace(epochs=15)


def _by_hand(dataset, settings, y, folds=3):
    """Mean ROC AUC over the folds, each network trained alone (the lessons' folds, not their code)."""
    aucs = []
    for _r, _f, train, test in fold_indices(y, folds, 1):
        model = settings.model().fit(dataset.X.iloc[train].reset_index(drop=True), y[train])
        aucs.append(roc_auc_score(y[test], model.predict_risk(dataset.X.iloc[test].reset_index(drop=True))))
    return float(np.mean(aucs))


def test_the_seed_lottery_is_each_seed_trained_alone(heart):
    lottery = lessons.seed_lottery(heart, SMALL, seeds=[1, 4, 7], folds=3)
    assert lottery.complete and lottery.seeds == (1, 4, 7)
    y = np.asarray(heart.y)
    for seed, auc in zip(lottery.seeds, lottery.aucs, strict=True):
        assert auc == pytest.approx(_by_hand(heart, SMALL.replace(seed=seed), y), abs=1e-12)
    assert len(set(lottery.aucs)) == 3  # the start matters
    rank = 1 + sum(c < lottery.costs[0] for c in lottery.costs)
    assert f"Your seed 1 gave cost {lottery.costs[0]:.3f}" in lottery.words()
    assert ("1st", "2nd", "3rd")[rank - 1] + " lowest cost of 3" in lottery.words()


def test_should_stop_is_asked_after_every_epoch_and_changes_nothing(heart):
    calls: list[int] = []

    def asked() -> bool:  # a window blocks here to pause the work; it must not change the figures
        calls.append(1)
        return False

    asked_lottery = list(lessons.iter_seed_lottery(heart, SMALL, [1, 2], folds=3, should_stop=asked))[-1]
    plain = lessons.seed_lottery(heart, SMALL, seeds=[1, 2], folds=3)
    assert len(calls) >= 2 * SMALL.epochs  # after every stacked epoch of each seed
    assert asked_lottery.costs == plain.costs and asked_lottery.aucs == plain.aucs
    calls.clear()
    shuffled = list(lessons.iter_permutation_test(heart, SMALL, 1, folds=3, should_stop=asked))[-1]
    assert len(calls) >= 2 * SMALL.epochs
    assert shuffled.shuffled_aucs == lessons.permutation_test(heart, SMALL, 1, folds=3).shuffled_aucs
    calls.clear()
    curve = list(lessons.iter_learning_curve(heart, SMALL, (0.5, 1.0), folds=3, should_stop=asked))[-1]
    assert len(calls) >= 3 * SMALL.epochs  # every fold's networks, epoch by epoch
    plain_curve = lessons.learning_curve(heart, SMALL, (0.5, 1.0), folds=3)
    assert curve.auc == plain_curve.auc and curve.cost == plain_curve.cost


@pytest.mark.parametrize("lesson", ["lottery", "curve", "chance"])
def test_a_stop_inside_the_first_seed_fold_or_shuffle_ends_it_without_a_report(heart, lesson):
    """Cancel must not wait for a whole seed or fold (the learning curve's Cancel took 1.5 s): the stop
    is seen a few epochs into the first one, and the iteration ends with nothing half-done reported."""
    calls: list[int] = []

    def stop_at_the_fifth_question() -> bool:
        calls.append(1)
        return len(calls) >= 5

    every = {"folds": 3, "should_stop": stop_at_the_fifth_question}
    reports = {
        "lottery": lambda: lessons.iter_seed_lottery(heart, SMALL, [1, 2], **every),
        "curve": lambda: lessons.iter_learning_curve(heart, SMALL, (0.5, 1.0), **every),
        "chance": lambda: lessons.iter_permutation_test(heart, SMALL, 2, **every),
    }[lesson]()
    assert list(reports) == [] and len(calls) == 5


def test_the_seed_lottery_stops_between_seeds(heart):
    lottery = lessons.seed_lottery(heart, SMALL, seeds=[1, 2, 3], folds=3, should_stop=lambda: True)
    assert lottery.seeds == (1,) and not lottery.complete


def test_the_learning_curve_trains_on_stratified_shares_and_tests_on_whole_folds(heart):
    y = np.asarray(heart.y)
    curve = lessons.learning_curve(heart, SMALL, fractions=(0.5, 1.0), folds=3)
    assert curve.complete and curve.methods == ("Neural network", "Logistic regression")
    # At 100 % it is the ordinary cross-validation.
    assert curve.auc["Neural network"][-1] == pytest.approx(_by_hand(heart, SMALL, y), abs=1e-12)
    # At 50 %: the rows kept are a stratified half, and logistic regression on them is sklearn's own.
    aucs, sizes = [], []
    for repeat, fold, train, test in fold_indices(y, 3, 1):
        rows = lessons._subsample(train, y, 0.5, seed=1000 * repeat + fold)
        assert set(rows) <= set(train)
        for label in (0, 1):
            share = np.sum(y[rows] == label) / np.sum(y[train] == label)
            assert share == pytest.approx(0.5, abs=0.02)
        sizes.append(len(rows))
        prep = Preprocessor(one_hot=True).fit(heart.X.iloc[rows])
        fitted = LogisticRegression(max_iter=1000).fit(prep.transform(heart.X.iloc[rows]), y[rows])
        risk = fitted.predict_proba(prep.transform(heart.X.iloc[test]))[:, 1]
        aucs.append(roc_auc_score(y[test], risk))
    assert curve.auc["Logistic regression"][0] == pytest.approx(np.mean(aucs), abs=1e-9)
    assert curve.n_train[0.5] == pytest.approx(np.mean(sizes))
    assert "Each point is tested on the whole test folds" in curve.words()


def test_the_permutation_test_shuffles_the_diagnoses_and_counts_the_p_value(heart):
    y = np.asarray(heart.y)
    test = lessons.permutation_test(heart, SMALL, 3, folds=3, random_state=5)
    assert test.real_auc == pytest.approx(_by_hand(heart, SMALL, y), abs=1e-12)
    rng = np.random.default_rng(5)
    first = rng.permutation(y)
    from dataclasses import replace

    assert test.shuffled_aucs[0] == pytest.approx(_by_hand(replace(heart, y=first), SMALL, first), abs=1e-12)
    assert max(test.shuffled_aucs) < test.real_auc  # shuffled diagnoses carry no signal here
    beaten = sum(a >= test.real_auc for a in test.shuffled_aucs)
    assert test.p_value == (1 + beaten) / 4
    assert f"p = {test.p_value:.3g}" in test.words() and "270 patients" in test.words()


def test_the_cli_prints_each_lesson(capsys, heart_dat, heart):
    import json

    from heartgui.cli import main

    assert main(["evaluate", str(heart_dat), "--folds", "3", "--seeds", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    lottery = lessons.seed_lottery(heart, RECOMMENDED, seeds=[1, 2], folds=3)
    assert out["lesson"] == "seed lottery" and out["repeats"] == 1 and out["chosen_seed"] == 1
    assert [s["auc"] for s in out["seeds"]] == list(lottery.aucs)
    assert out["words"] == lottery.words()
    assert main(["evaluate", str(heart_dat), "--folds", "3", "--permutations", "1"]) == 0
    assert "what chance alone gives" in capsys.readouterr().out
    # One lesson at a time: argparse says so in one line, exit 2.
    assert main(["evaluate", str(heart_dat), "--seeds", "2", "--permutations", "2"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
