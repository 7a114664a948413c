"""The backward pass walked through: the tutorial's numbers, the network's gradients, finite differences."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from heartgui.core.backprop import backward_pass, step_at_epoch
from heartgui.core.network import MLP
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import split_dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from tutorial_loop import tutorial_backprop, tutorial_fit

TUTORIAL_NAMES = [
    "W1", "b1", "W2", "b2", "Z1", "A1", "Z2", "yhat", "dl_wrt_yhat", "dl_wrt_sig", "dl_wrt_z2",
    "dl_wrt_A1", "dl_wrt_w2", "dl_wrt_b2", "dl_wrt_z1", "dl_wrt_w1", "dl_wrt_b1",
    "W1_next", "b1_next", "W2_next", "b2_next",
]  # fmt: skip


@pytest.fixture(scope="module")
def tutorial_batch(heart):
    """The tutorial's training rows, scaled as the notebook scales them."""
    split = split_dataset(heart, 0.2, 2)
    X = StandardScaler().fit(split.X_train).transform(split.X_train)
    return X, split.y_train.astype(float)


@pytest.mark.parametrize("epoch", [1, 2, 37, 100])
def test_the_tutorial_step_equals_the_notebook_s_own_code(tutorial_batch, epoch):
    X, y = tutorial_batch
    step = step_at_epoch(TUTORIAL.model()._network(), X, y, epoch)
    params = tutorial_fit(X, y.reshape(-1, 1), iterations=epoch - 1)[0] if epoch > 1 else None
    if params is None:
        np.random.seed(1)
        params = {
            "W1": np.random.randn(13, 8),
            "b1": np.random.randn(8),
            "W2": np.random.randn(8, 1),
            "b2": np.random.randn(1),
        }
    reference = tutorial_backprop(params, X, y.reshape(-1, 1))
    assert list(step.values) == TUTORIAL_NAMES
    for name in TUTORIAL_NAMES:
        mine, theirs = np.asarray(step[name]), np.asarray(reference[name])
        assert mine.size == theirs.size, name
        # 1e-9, or 12 digits of the few huge dl_wrt_yhat of patients the network is nearly sure about
        np.testing.assert_allclose(mine.ravel(), theirs.ravel(), rtol=1e-12, atol=1e-9, err_msg=name)
    assert step["dl_wrt_w1"].shape == (13, 8) and step["dl_wrt_b1"].shape == (1, 8)
    assert step["Z1"].shape == (216, 8) and step["yhat"].shape == (216, 1)
    assert step.loss == pytest.approx(float(reference["loss"]), abs=1e-12)
    assert step.scale == 1.0 and step.l2 == 0.0 and not step.clipping_active


def test_the_step_s_update_is_the_training_loop_s_next_epoch(tutorial_batch):
    """W_next after epoch N's step equals the weights training reaches after N epochs; loss_after too."""
    X, y = tutorial_batch
    step = step_at_epoch(TUTORIAL.model()._network(), X, y, 10)
    trained = MLP(**{**TUTORIAL.model()._network().get_params(), "epochs": 11}).fit(X, y)
    ten = MLP(**{**TUTORIAL.model()._network().get_params(), "epochs": 10}).fit(X, y)
    for k in (1, 2):
        np.testing.assert_allclose(step[f"W{k}_next"], ten.coefs_[k - 1], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(step[f"b{k}_next"], ten.intercepts_[k - 1], rtol=1e-12, atol=1e-13)
    assert step.loss == pytest.approx(ten.loss_curve_[9], rel=1e-12)
    assert step.loss_after == pytest.approx(trained.loss_curve_[10], rel=1e-12)
    assert step.loss_after < step.loss


@pytest.mark.parametrize(
    "layers, gradient, l2",
    [((8,), "sum", 0.0), ((8,), "mean", 0.02), ((6, 4), "mean", 0.1), ((5, 4, 3), "sum", 0.0)],
)
def test_every_gradient_equals_the_training_gradient_and_finite_differences(heart, layers, gradient, l2):
    rows = np.random.RandomState(0).choice(heart.n_rows, 40, replace=False)
    X = StandardScaler().fit_transform(heart.X.to_numpy()[rows])
    y = np.asarray(heart.y)[rows].astype(float)
    net = MLP(layers, learning_rate=0.05, epochs=3, gradient=gradient, l2=l2, init="he").fit(X, y)
    step = backward_pass(net, X, y)
    dW, db = net.gradients(X, y)
    assert step.n_layers == len(layers) + 1
    for k in range(1, step.n_layers + 1):
        np.testing.assert_allclose(step[f"dl_wrt_w{k}"], dW[k - 1], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(step[f"dl_wrt_b{k}"].ravel(), db[k - 1], rtol=1e-9, atol=1e-12)
    # Central differences of what gradient descent minimises, for a few weights of each layer.
    eps = 1e-6
    for k in range(step.n_layers):
        for index in [(0, 0), (-1, -1)]:
            w = net.coefs_[k]
            old = w[index]
            w[index] = old + eps
            up = net.objective(X, y)
            w[index] = old - eps
            down = net.objective(X, y)
            w[index] = old
            numeric = (up - down) / (2 * eps)
            assert step[f"dl_wrt_w{k + 1}"][index] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_the_patients_shares_add_up_to_the_batch_gradient(heart):
    """Recommended preset (averaged, L2): Σ shares + l2·W = the batch gradient; one patient's rows match."""
    model = RECOMMENDED.replace(epochs=5).model()
    split = split_dataset(heart, 0.2, 2)
    model.fit(split.X_train, split.y_train)
    X = model.transform(split.X_train)
    y = split.y_train.astype(float)
    batch = backward_pass(model.network_, X, y)
    assert batch.scale == pytest.approx(1 / len(X)) and batch.l2 == RECOMMENDED.l2
    total = {
        name: np.zeros_like(batch[name]) for name in ("dl_wrt_w1", "dl_wrt_b1", "dl_wrt_w2", "dl_wrt_b2")
    }
    for k in range(len(X)):
        one = backward_pass(model.network_, X, y, patient=k)
        for name in total:
            total[name] = total[name] + one[name]
    for name in total:
        layer = name[-1]
        expected = (
            batch[name] - batch.l2_terms.get(f"l2_wrt_w{layer}", 0)
            if name.startswith("dl_wrt_w")
            else batch[name]
        )
        np.testing.assert_allclose(total[name], expected, rtol=1e-9, atol=1e-14)
    seven = backward_pass(model.network_, X, y, patient=7)
    np.testing.assert_array_equal(seven["Z1"], batch["Z1"][7:8])
    np.testing.assert_allclose(seven["dl_wrt_w1"], batch.scale * np.outer(X[7], batch["dl_wrt_z1"][7]))
    np.testing.assert_array_equal(seven["W1_next"], batch["W1_next"])  # the update is the batch's


def test_dl_wrt_z2_is_yhat_minus_y_until_clipping_engages():
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, 0.0])
    gentle = MLP.from_weights([np.array([[1.0]]), np.array([[2.0]])], [np.zeros(1), np.zeros(1)])
    step = backward_pass(gentle, X, y)
    np.testing.assert_allclose(step["dl_wrt_z2"], step["yhat"] - y.reshape(-1, 1), rtol=1e-12)
    assert not step.clipping_active
    wrong = MLP.from_weights([np.array([[1.0]]), np.array([[-60.0]])], [np.zeros(1), np.zeros(1)])
    step = backward_pass(wrong, X, y)  # patient 0 is certain to be healthy and is ill: ŷ < 1e-10
    assert step.clipping_active
    assert abs(step["dl_wrt_z2"][0, 0] - (step["yhat"][0, 0] - 1.0)) > 0.5


def test_an_epoch_after_divergence_is_refused_in_words(tutorial_batch):
    X, y = tutorial_batch
    net = TUTORIAL.replace(learning_rate=10.0).model()._network()
    with pytest.raises(ValueError, match="diverged at epoch"):
        step_at_epoch(net, X, y, 50)


def test_as_json_is_plain_and_complete(tutorial_batch):
    import json

    X, y = tutorial_batch
    data = json.loads(json.dumps(step_at_epoch(TUTORIAL.model()._network(), X, y, 3, patient=4).as_json()))
    assert set(TUTORIAL_NAMES) <= set(data)
    assert data["epoch"] == 3 and data["patient"] == 4 and data["n_patients"] == 216
    assert np.shape(data["Z1"]) == (1, 8) and np.shape(data["dl_wrt_w1"]) == (13, 8)


def test_the_walk_through_in_words_names_every_quantity_and_its_numbers(tutorial_batch, heart):
    from heartgui.core.backprop import describe

    X, y = tutorial_batch
    step = step_at_epoch(TUTORIAL.model()._network(), X, y, 3, patient=4)
    text = describe(step)
    for name in TUTORIAL_NAMES[4:17]:
        assert f"  {name} = " in text or f"  {name[0]}{name[1:]}" in text, name
    assert f"{step.loss:.6f}" in text and f"{step.loss_after:.6f}" in text
    assert "= ŷ − y (no ŷ is within the clip" in text
    assert "patient 4 (0-based) of 216" in text and "summed, as in the tutorial" in text
    assert f"{step['yhat'][0, 0]:.4g}" in text and f"{int(step.y[0])}" in text
    model = RECOMMENDED.replace(epochs=3).model()
    split = split_dataset(heart, 0.2, 2)
    model.fit(split.X_train, split.y_train)
    words = describe(backward_pass(model.network_, model.transform(split.X_train), split.y_train, epoch=4))
    assert "averaged (× 1/n), plus the L2 term 0.02·W" in words
    assert "Epoch 4" in words and "whole training batch of 216 patients" in words


def test_fit_part_is_the_rows_the_network_learnt_from_with_a_validation_split(heart):
    """With a validation split the network learns from the fit part only: replaying its training on
    ``fit_part`` gives its weights exactly, and the step walked through is on those rows."""
    split = split_dataset(heart, 0.2, 2)
    settings = RECOMMENDED.replace(validation_fraction=0.25, patience=None, epochs=30)
    model = settings.model().fit(split.X_train, split.y_train)
    X_fit, y_fit = model.fit_part(split.X_train, split.y_train)
    assert len(X_fit) == len(split.X_train) - round(0.25 * len(split.X_train))
    assert set(X_fit.index) < set(range(len(split.X_train)))
    replay = model._network().fit(model.transform(X_fit), y_fit)
    for mine, theirs in zip(replay.coefs_, model.network_.coefs_):
        np.testing.assert_array_equal(mine, theirs)
    step = backward_pass(replay, model.transform(X_fit), y_fit)
    assert step.n_patients == len(X_fit)
    # Without a validation split the fit part is every training row, in order.
    plain = RECOMMENDED.replace(epochs=2).model().fit(split.X_train, split.y_train)
    X_all, y_all = plain.fit_part(split.X_train, split.y_train)
    assert list(X_all.index) == list(range(len(split.X_train)))
    np.testing.assert_array_equal(y_all, split.y_train)
