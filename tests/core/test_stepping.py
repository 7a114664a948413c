"""A training session one epoch at a time: Step equals the core's own training bit for bit, Step back
restores the weights before the last epoch exactly, from a bounded history; the test patients' loss per
epoch equals an independent computation."""

from __future__ import annotations

import numpy as np
import pytest

from heartgui.core.network import cross_entropy
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import HISTORY_EPOCHS, TrainingSession, history_length, split_dataset, train


def fitted(dataset, settings, epochs):
    split = split_dataset(dataset, settings.test_size, settings.split_seed)
    return settings.replace(epochs=epochs).model().fit(split.X_train, split.y_train), split


def weights(model):
    net = model.network_
    return [w.copy() for w in net.coefs_] + [b.copy() for b in net.intercepts_]


def assert_equal_weights(a, b):
    for x, y in zip(weights(a), weights(b), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "settings",
    [TUTORIAL, RECOMMENDED, RECOMMENDED.replace(validation_fraction=0.2, patience=3, epochs=60)],
    ids=["tutorial", "recommended", "early-stopping"],
)
def test_steps_and_steps_back_equal_the_cores_training(heart, settings):
    session = TrainingSession(heart, settings)
    kept = []
    for epoch in range(1, 6):
        report = session.step()
        assert report is not None and report.epoch == epoch
        kept.append(weights(session.model))
    assert_equal_weights(session.model, fitted(heart, settings, 5)[0])
    frozen = session.finish().model
    for epoch in (4, 3):
        report = session.step_back()
        assert report is not None and report.epoch == epoch == session.epochs_run
        for x, y in zip(weights(session.model), kept[epoch - 1], strict=True):
            np.testing.assert_array_equal(x, y)
        assert len(session.model.network_.loss_curve_) == epoch
    assert_equal_weights(frozen, fitted(heart, settings, 5)[0])  # a result's model does not move
    while session.step() is not None:  # on to the end: the same as a whole run
        pass
    whole = train(heart, settings)
    assert session.epochs_run == whole.epochs_run
    assert_equal_weights(session.model, whole.model)
    assert tuple(session.model.network_.loss_curve_) == whole.loss_curve
    assert session.over and session.step() is None


def test_step_back_is_bounded_and_says_when_exhausted(heart):
    session = TrainingSession(heart, RECOMMENDED)
    assert session.step_back() is None  # nothing ran yet
    for _ in range(HISTORY_EPOCHS + 5):
        session.step()
    assert session.steps_back == HISTORY_EPOCHS
    for _ in range(HISTORY_EPOCHS):
        assert session.step_back() is not None
    assert session.steps_back == 0 and session.epochs_run == 5
    assert session.step_back() is None  # exhausted: nothing changes
    assert session.epochs_run == 5
    assert_equal_weights(session.model, fitted(heart, RECOMMENDED, 5)[0])
    # A large network keeps fewer weight vectors (at most about 50 MB of them).
    assert history_length(1_000_000) == 6 and history_length(121) == HISTORY_EPOCHS


def test_test_patients_loss_per_epoch_equals_an_independent_computation(heart):
    result = train(heart, TUTORIAL)
    assert len(result.test_loss_curve) == 100
    for epoch in (2, 10, 50, 100):  # epoch k: the weights after k - 1 updates
        model, split = fitted(heart, TUTORIAL, epoch - 1)
        risk = model.predict_risk(split.X_test).reshape(-1, 1)
        expected = cross_entropy(split.y_test.reshape(-1, 1).astype(float), risk, 1e-10)
        assert result.test_loss_curve[epoch - 1] == pytest.approx(expected, rel=1e-12)
    with_validation = train(heart, RECOMMENDED.replace(validation_fraction=0.2, epochs=20))
    assert with_validation.test_loss_curve == () and len(with_validation.validation_loss_curve) == 20
