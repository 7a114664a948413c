"""Stacked training gives every network bit for bit what training it alone gives."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from heartgui.core.network import MLP, TrainingDiverged
from heartgui.core.preprocessing import Preprocessor
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.stacked import Job, fit_stacked, iter_fit_stacked


def _alone(network: MLP, job: Job) -> TrainingDiverged | None:
    try:
        network.fit(job.X, job.y, X_val=job.X_val, y_val=job.y_val)
    except TrainingDiverged as exc:
        return exc
    return None


def _assert_identical(stacked: MLP, alone: MLP) -> None:
    assert stacked.n_epochs_ == alone.n_epochs_ and stacked.best_epoch_ == alone.best_epoch_
    assert stacked.loss_curve_ == alone.loss_curve_  # floats compared exactly
    assert stacked.validation_loss_curve_ == alone.validation_loss_curve_
    for mine, theirs in zip(stacked.coefs_ + stacked.intercepts_, alone.coefs_ + alone.intercepts_):
        assert np.array_equal(mine, theirs)
    probe = np.zeros((1, alone.n_features_in_))
    assert np.array_equal(stacked.predict_proba(probe), alone.predict_proba(probe))


def _fold_jobs(heart, settings, *, folds=9, seed=0, validation=False):
    """One job per cross-validation fold of heart.dat, each with the fold's own scaling (like crossval)."""
    jobs = []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, _test in splitter.split(heart.X, heart.y):
        model = settings.model()
        X = heart.X.iloc[train]
        pre = Preprocessor(one_hot=settings.one_hot).fit(X)
        Z, y = pre.transform(X), np.asarray(heart.y)[train]
        if validation:
            jobs.append(Job(model._network(), Z[:200], y[:200], Z[200:], y[200:]))
        else:
            jobs.append(Job(model._network(), Z, y))
    return jobs


@pytest.mark.parametrize("settings", [TUTORIAL, RECOMMENDED], ids=["tutorial", "recommended"])
def test_nine_folds_stacked_equal_nine_folds_alone(heart, settings):
    jobs = _fold_jobs(heart, settings)
    outcomes = fit_stacked(jobs)
    assert len(outcomes) == 9
    for job, outcome in zip(jobs, outcomes):
        alone = MLP(**job.network.get_params())
        assert _alone(alone, job) is None and outcome.diverged is None
        assert outcome.network is job.network
        _assert_identical(outcome.network, alone)


def test_seeds_of_an_ensemble_on_the_same_patients(heart):
    base = _fold_jobs(heart, RECOMMENDED, folds=3)[0]
    jobs = [Job(MLP(**{**base.network.get_params(), "random_state": s}), base.X, base.y) for s in range(10)]
    for job, outcome in zip(jobs, fit_stacked(jobs)):
        alone = MLP(**job.network.get_params())
        _alone(alone, job)
        _assert_identical(outcome.network, alone)


def test_a_network_that_diverges_mid_batch_leaves_with_its_last_good_weights(heart):
    base = _fold_jobs(heart, TUTORIAL, folds=3)[0]
    params = {**base.network.get_params(), "learning_rate": 0.015, "epochs": 500, "init": "he"}
    jobs = [Job(MLP(**{**params, "random_state": s}), base.X, base.y) for s in range(1, 9)]
    # Seed 2 with the tutorial's N(0, 1) start is saturated before any step: it leaves at epoch 1.
    jobs.append(Job(MLP(**{**params, "init": "normal", "random_state": 2}), base.X, base.y))
    outcomes = fit_stacked(jobs)
    diverged = [o.diverged.epoch for o in outcomes if o.diverged is not None]
    assert 0 < len(diverged) < len(jobs), "the case needs some networks to diverge and some not"
    assert 1 in diverged and max(diverged) > 100, "one at once, one in the middle of the run"
    for job, outcome in zip(jobs, outcomes):
        alone = MLP(**job.network.get_params())
        error = _alone(alone, job)
        assert (error is None) == (outcome.diverged is None)
        if error is not None:
            assert outcome.diverged is not None and outcome.diverged.epoch == error.epoch
        _assert_identical(outcome.network, alone)


def test_early_stopping_per_network_restores_each_one_s_best_weights(heart):
    jobs = [
        Job(MLP(**{**j.network.get_params(), "patience": 20, "epochs": 2000}), j.X, j.y, j.X_val, j.y_val)
        for j in _fold_jobs(heart, RECOMMENDED, validation=True)
    ]
    outcomes = fit_stacked(jobs)
    stops = {o.network.n_epochs_ for o in outcomes}
    assert len(stops) > 1 and max(stops) < 2000, "the networks should stop early, at different epochs"
    for job, outcome in zip(jobs, outcomes):
        alone = MLP(**job.network.get_params())
        _alone(alone, job)
        assert alone.best_epoch_ < alone.n_epochs_
        _assert_identical(outcome.network, alone)


def test_shapes_that_differ_are_trained_in_separate_groups(heart):
    small = _fold_jobs(heart, TUTORIAL, folds=3)
    wide = [Job(MLP(**{**j.network.get_params(), "hidden_layers": (5, 3)}), j.X, j.y) for j in small]
    jobs = [small[0], wide[0], small[1], wide[1]]
    gen = iter_fit_stacked(jobs)
    seen = set()
    while True:
        try:
            progress = next(gen)
        except StopIteration as done:
            outcomes = done.value
            break
        seen.add((progress.group, progress.size))
    assert seen == {(0, 2), (1, 2)}
    for job, outcome in zip(jobs, outcomes):
        alone = MLP(**job.network.get_params())
        _alone(alone, job)
        _assert_identical(outcome.network, alone)


def test_stopping_midway_leaves_each_network_as_stopping_it_alone_does(heart):
    """Stopped after epoch 60 (some networks diverged before, the group shrank): every network holds
    what MLP.iter_fit stopped after 60 epochs holds — its layers follow the stacked weights in place."""
    settings = TUTORIAL.replace(learning_rate=0.014)
    jobs = _fold_jobs(heart, settings)
    gen = iter_fit_stacked(jobs)
    for progress in gen:
        if progress.epoch == 60:
            break
    gen.close()
    diverged = 0
    for job in jobs:
        alone = MLP(**job.network.get_params())
        steps = alone.iter_fit(job.X, job.y)
        try:
            for epoch, _ in enumerate(steps, start=1):
                if epoch == 60:
                    break
        except TrainingDiverged:
            diverged += 1
        steps.close()
        _assert_identical(job.network, alone)
    assert 0 < diverged < len(jobs), "the case needs some networks to diverge before epoch 60"
