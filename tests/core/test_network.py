"""The from-scratch network: gradients, the tutorial's run, estimator conventions, divergence, stopping."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from heartgui.core.network import MLP, EpochReport, NotFittedError, TrainingDiverged
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import TrainingSession, split_dataset, train

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from tutorial_loop import tutorial_fit, tutorial_predict


def _finite_difference_gradients(model: MLP, X, y, eps: float = 1e-6):
    """Central differences of model.objective for every weight and bias."""
    grads = []
    for params in (model.coefs_, model.intercepts_):
        layer_grads = []
        for p in params:
            g = np.zeros_like(p)
            it = np.nditer(p, flags=["multi_index"])
            for _ in it:
                idx = it.multi_index
                old = p[idx]
                p[idx] = old + eps
                up = model.objective(X, y)
                p[idx] = old - eps
                down = model.objective(X, y)
                p[idx] = old
                g[idx] = (up - down) / (2 * eps)
            layer_grads.append(g)
        grads.append(layer_grads)
    return grads


@pytest.mark.parametrize(
    ("layers", "gradient", "l2", "init"),
    [
        ((8,), "sum", 0.0, "normal"),
        ((8,), "mean", 0.05, "he"),
        ((16, 8), "mean", 0.0, "he"),
        ((5, 4, 3), "sum", 0.1, "normal"),
    ],
)
def test_backpropagation_matches_finite_differences(heart, layers, gradient, l2, init):
    rng = np.random.default_rng(0)
    rows = rng.choice(heart.n_rows, 40, replace=False)
    X = StandardScaler().fit_transform(heart.X.to_numpy()[rows])
    y = heart.y[rows]
    # A few epochs so the weights are not the initial ones; small lr keeps ReLUs away from kinks.
    model = MLP(layers, learning_rate=1e-3, epochs=3, gradient=gradient, l2=l2, init=init).fit(X, y)
    grads_w, grads_b = model.gradients(X, y)
    numeric_w, numeric_b = _finite_difference_gradients(model, X, y)
    for analytic, numeric in zip([*grads_w, *grads_b], [*numeric_w, *numeric_b]):
        denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
        rel = np.max(np.abs(analytic - numeric) / denom)
        assert rel < 1e-6, rel


def test_gradient_check_detects_a_wrong_gradient(heart):
    """The check above can fail: a gradient scaled by 1.01 is caught."""
    X = StandardScaler().fit_transform(heart.X.to_numpy()[:30])
    y = heart.y[:30]
    model = MLP((4,), epochs=1).fit(X, y)
    grads_w, _ = model.gradients(X, y)
    numeric_w, _ = _finite_difference_gradients(model, X, y)
    wrong = grads_w[0] * 1.01
    assert np.max(np.abs(wrong - numeric_w[0]) / (np.abs(wrong) + np.abs(numeric_w[0]) + 1e-8)) > 1e-6


def test_tutorial_preset_reproduces_the_notebook(heart):
    """87 % / 75 % / 0.2783…, and the whole loss curve of an independent transcription of the notebook."""
    result = train(heart, TUTORIAL)
    assert int(result.train_metrics.accuracy * 100) == 87
    assert int(result.test_metrics.accuracy * 100) == 75
    assert result.final_train_loss == pytest.approx(0.2783107364, abs=1e-10)
    assert result.epochs_run == 100

    split = split_dataset(heart, 0.2, 2)
    scaler = StandardScaler().fit(split.X_train)
    X_train = scaler.transform(split.X_train)
    params, losses = tutorial_fit(X_train, split.y_train.reshape(-1, 1).astype(float))
    np.testing.assert_allclose(result.loss_curve, losses, rtol=1e-12, atol=0)
    reference_pred = tutorial_predict(params, scaler.transform(split.X_test)).ravel()
    np.testing.assert_array_equal(result.model.predict(split.X_test), reference_pred)
    np.testing.assert_allclose(result.model.network_.coefs_[0], params["W1"], rtol=1e-10)


def test_tutorial_initial_weights_are_numpy_seed_1():
    np.random.seed(1)
    expected = [np.random.randn(13, 8), np.random.randn(8), np.random.randn(8, 1), np.random.randn(1)]
    weights, biases = MLP((8,), random_state=1).initial_parameters(13)
    for got, want in zip([weights[0], biases[0], weights[1], biases[1]], expected):
        np.testing.assert_array_equal(got, want)


def test_recommended_beats_the_tutorial_on_its_split(heart):
    tutorial = train(heart, TUTORIAL)
    recommended = train(heart, RECOMMENDED)
    assert recommended.test_metrics.roc_auc > tutorial.test_metrics.roc_auc
    assert recommended.test_metrics.accuracy >= tutorial.test_metrics.accuracy
    assert recommended.final_train_loss < tutorial.final_train_loss


def test_estimator_conventions():
    model = MLP((4,), learning_rate=0.01, epochs=5, random_state=3)
    assert model.get_params()["hidden_layers"] == (4,)
    assert not hasattr(model, "coefs_")
    with pytest.raises(NotFittedError):
        model.predict_proba(np.zeros((1, 3)))
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    assert model.fit(X, y) is model
    proba = model.predict_proba(X)
    assert proba.shape == (30, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(np.unique(model.predict(X))) <= {0, 1}
    assert model.n_epochs_ == 5 and len(model.loss_curve_) == 5
    with pytest.raises(ValueError, match="learning_rate"):
        MLP(learning_rate=-1).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layers"):
        MLP(hidden_layers=(0,)).fit(X, y)


def test_iter_fit_yields_immutable_reports_and_can_stop(heart):
    session = TrainingSession(heart, RECOMMENDED)
    reports = []
    for report in session.epochs():
        reports.append(report)
        if report.epoch == 25:
            break
    assert [r.epoch for r in reports] == list(range(1, 26))
    assert all(isinstance(r, EpochReport) and r.n_epochs == RECOMMENDED.epochs for r in reports)
    with pytest.raises(AttributeError):
        reports[0].train_loss = 0.0  # type: ignore[misc]
    assert all(b.elapsed >= a.elapsed for a, b in zip(reports, reports[1:]))
    result = session.finish()
    assert result.epochs_run == 25 and result.stopped_early
    assert result.loss_curve == tuple(r.train_loss for r in reports)
    assert 0.0 <= result.test_metrics.accuracy <= 1.0


def test_validation_loss_and_early_stopping_restore_the_best_weights(heart):
    settings = RECOMMENDED.replace(
        validation_fraction=0.2, patience=20, epochs=3000, l2=0.0, learning_rate=1.0
    )
    session = TrainingSession(heart, settings)
    reports = list(session.epochs())
    assert all(r.validation_loss is not None for r in reports)
    network = session.model.network_
    best = int(np.argmin(network.validation_loss_curve_)) + 1
    assert network.best_epoch_ == best
    assert len(reports) == best + 20 < 3000  # stopped by patience
    # The kept weights are the best epoch's: their validation loss is the minimum recorded.
    split = session.split
    X_fit = session.model.preprocessor_.transform(split.X_train)
    assert np.isfinite(network.predict_proba(X_fit)).all()


EARLY_STOPPING = RECOMMENDED.replace(
    validation_fraction=0.2, patience=20, epochs=3000, l2=0.0, learning_rate=1.0
)


def test_early_stopping_keeps_exactly_the_best_epochs_weights(heart):
    result = train(heart, EARLY_STOPPING)
    best = int(np.argmin(result.validation_loss_curve)) + 1
    assert result.stop_reason == "early-stopping" and result.stopped_early
    assert result.kept_epoch == best and result.epochs_run == best + 20
    # The weights the best epoch's loss was measured on are those after best - 1 updates: a run of that
    # many epochs without early stopping (same validation split, same start) ends with them.
    plain = train(heart, EARLY_STOPPING.replace(patience=None, epochs=best - 1)).model
    X = heart.X
    np.testing.assert_array_equal(result.model.predict_risk(X), plain.predict_risk(X))
    # ... and they are not the last epoch's (what the model would hold without the restore).
    last = train(heart, EARLY_STOPPING.replace(patience=None, epochs=result.epochs_run)).model
    assert np.abs(result.model.predict_risk(X) - last.predict_risk(X)).max() > 1e-3


def test_every_run_records_how_it_ended_and_whose_weights_it_kept(heart):
    finished = train(heart, TUTORIAL)
    assert (finished.stop_reason, finished.kept_epoch, finished.stopped_early) == ("finished", 100, False)

    session = TrainingSession(heart, TUTORIAL)
    for report in session.epochs():
        if report.epoch == 25:
            break  # the student's Stop
    stopped = session.finish()
    assert (stopped.stop_reason, stopped.kept_epoch, stopped.epochs_run) == ("stopped", 25, 25)

    # A Stop under early stopping keeps the best epoch so far, not the last one.
    best = train(heart, EARLY_STOPPING).kept_epoch
    session = TrainingSession(heart, EARLY_STOPPING)
    for report in session.epochs():
        if report.epoch == best + 10:  # 10 epochs without a better validation loss: patience is 20
            break
    stopped = session.finish()
    assert stopped.stop_reason == "stopped" and stopped.epochs_run == best + 10
    assert stopped.kept_epoch == best == int(np.argmin(stopped.validation_loss_curve)) + 1

    session = TrainingSession(heart, TUTORIAL.replace(learning_rate=10.0))
    with pytest.raises(TrainingDiverged) as info:
        for _ in session.epochs():
            pass
    network = session.model.network_
    assert network.stop_reason_ == "diverged"
    assert network.best_epoch_ == network.n_epochs_ == info.value.epoch - 1 == len(network.loss_curve_)


@pytest.mark.parametrize("settings", [TUTORIAL, RECOMMENDED], ids=["tutorial", "recommended"])
def test_learning_rate_10_diverges_with_a_clear_error_and_keeps_finite_weights(heart, settings):
    session = TrainingSession(heart, settings.replace(learning_rate=10.0, epochs=500))
    seen = []
    with pytest.raises(TrainingDiverged, match="learning rate") as info:
        for report in session.epochs():
            seen.append(report)
    assert info.value.epoch == len(seen) + 1
    network = session.model.network_
    assert all(np.isfinite(w).all() for w in network.coefs_)
    risk = session.model.predict_risk(session.split.X_test)
    assert np.isfinite(risk).all()


def test_long_tutorial_training_does_not_falsely_diverge(heart):
    session = TrainingSession(heart, TUTORIAL.replace(epochs=20000))
    reports = list(session.epochs())
    assert len(reports) == 20000
    assert reports[-1].train_loss < reports[99].train_loss


# --------------------------------------------------------------------------------------------------
# the size of a network that can be trained


def test_check_architecture_accepts_the_presets_and_a_large_file():
    from heartgui.core.network import check_architecture

    check_architecture([13, 8, 1], 270)
    check_architecture([20, 8, 1], 200_000)  # the recommended preset on bench_large_input's file
    check_architecture([20, 300, 300, 1], 270)


def test_check_architecture_refuses_too_many_parameters_in_words():
    from heartgui.core.network import MAX_PARAMETERS, check_architecture, parameter_count

    sizes = [13, 9999, 9999, 9999, 9999, 9999, 1]
    assert parameter_count(sizes) == 14 * 9999 + 4 * 10000 * 9999 + 10000
    with pytest.raises(ValueError) as info:
        check_architecture(sizes, 270)
    message = str(info.value)
    assert f"{parameter_count(sizes):,}" in message and f"{MAX_PARAMETERS:,}" in message
    assert "smaller" in message


def test_check_architecture_refuses_what_would_not_fit_in_memory():
    from heartgui.core.network import MAX_PARAMETERS, MAX_TRAINING_MB, check_architecture, parameter_count

    sizes = [13, 2000, 1]  # few enough weights, but 200,000 patients × 2000 units of buffers
    assert parameter_count(sizes) < MAX_PARAMETERS
    with pytest.raises(ValueError, match=f"{MAX_TRAINING_MB} MB") as info:
        check_architecture(sizes, 200_000)
    assert "200,000 patients" in str(info.value)


@pytest.mark.parametrize("hidden", [(9999,) * 5, (100_000, 100_000)])
def test_fit_refuses_a_huge_network_before_allocating_it(heart, hidden):
    import tracemalloc

    split = split_dataset(heart, 0.2, 2)
    X = StandardScaler().fit_transform(split.X_train)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="weights and biases"):
            MLP(hidden_layers=hidden, epochs=1).fit(X, split.y_train)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20  # refused before the 3 GB of weights were asked for
