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


@pytest.mark.parametrize("random_state", [2, 0, 7, 12345])
@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.1, 1 / 3, 0.5])
def test_the_train_test_split_is_scikit_learns(heart, test_size, random_state):
    """split_dataset picks, in order, the rows train_test_split picks (the tutorial's split for
    random_state=2), without importing scikit-learn itself."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from heartgui.core.training import shuffled_split, split_dataset

    for n in (heart.n_rows, 7, 303):
        rows = np.arange(n)
        expected_train, expected_test = train_test_split(rows, test_size=test_size, random_state=random_state)
        train_rows, test_rows = shuffled_split(n, test_size, random_state)
        assert np.array_equal(train_rows, expected_train) and np.array_equal(test_rows, expected_test)
    split = split_dataset(heart, test_size, random_state)
    X_tr, X_te, y_tr, y_te, l_tr, l_te = train_test_split(
        heart.X, np.asarray(heart.y), np.asarray(heart.lines), test_size=test_size, random_state=random_state
    )
    assert split.X_train.equals(X_tr.reset_index(drop=True)) and split.X_test.equals(
        X_te.reset_index(drop=True)
    )
    assert np.array_equal(split.y_train, y_tr) and np.array_equal(split.y_test, y_te)
    assert np.array_equal(split.lines_train, l_tr) and np.array_equal(split.lines_test, l_te)


def test_heart_model_keeps_the_scikit_learn_estimator_protocol():
    from sklearn.base import clone

    model = RECOMMENDED.model()
    params = model.get_params()
    assert list(params) == sorted(params)  # as BaseEstimator listed them
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    assert model.set_params(threshold=0.3) is model and model.threshold == 0.3
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(bogus=1)
    assert "learning_rate=0.2" in repr(model)
