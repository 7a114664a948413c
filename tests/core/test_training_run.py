"""TrainingSession: a network that cannot even start says why, without blaming the learning rate."""

from __future__ import annotations

import pickle

import pytest

from heartgui.core.network import TrainingDiverged
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import DivergedAtStart, TrainingSession, train


def test_a_network_saturated_by_its_initial_weights_is_not_blamed_on_the_learning_rate(heart):
    settings = TUTORIAL.replace(hidden_layers=(5000,), epochs=3)
    session = TrainingSession(heart, settings)
    with pytest.raises(DivergedAtStart) as caught:
        for _ in session.epochs():
            pass
    error = caught.value
    assert isinstance(error, TrainingDiverged) and error.epoch == 1  # the window's handling still applies
    assert "before any learning step" in str(error) and "The learning rate is not the cause" in str(error)
    assert "N(0, 1)" in str(error) and "He initialisation" in str(error)
    assert session.model.network_.n_epochs_ == 0 and session.model.network_.loss_curve_ == []
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.hidden_layers == (5000,)


def test_a_later_divergence_still_names_the_learning_rate(heart):
    with pytest.raises(TrainingDiverged) as caught:
        train(heart, RECOMMENDED.replace(learning_rate=50.0))
    assert not isinstance(caught.value, DivergedAtStart)
    assert caught.value.epoch > 1 and "learning rate (50) is too high" in str(caught.value)
