"""The tutorial's training loop, transcribed as the notebook writes it: the reference heartgui is measured
against (speed, in ``bench_speed.py``) and checked against (loss curve, in the tests).

It keeps the tutorial's arithmetic and order of operations; only its ``acc()`` is not copied (it fails on
NumPy 2) and the global ``np.random.seed(1)`` is kept, as the notebook has it.
"""

from __future__ import annotations

import numpy as np


def tutorial_fit(X: np.ndarray, y: np.ndarray, iterations: int = 100, learning_rate: float = 0.001):
    """Train the tutorial's 13-8-1 network; return (params, losses)."""
    layers = [X.shape[1], 8, 1]
    np.random.seed(1)
    params = {
        "W1": np.random.randn(layers[0], layers[1]),
        "b1": np.random.randn(layers[1]),
        "W2": np.random.randn(layers[1], layers[2]),
        "b2": np.random.randn(layers[2]),
    }

    def eta(x):
        return np.maximum(x, 0.0000000001)

    def relu(z):
        return np.maximum(0, z)

    def d_relu(x):
        x[x <= 0] = 0
        x[x > 0] = 1
        return x

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def entropy_loss(y, yhat):
        nsample = len(y)
        yhat_inv = 1.0 - yhat
        y_inv = 1.0 - y
        yhat = eta(yhat)
        yhat_inv = eta(yhat_inv)
        return -1 / nsample * (np.sum(np.multiply(np.log(yhat), y) + np.multiply(y_inv, np.log(yhat_inv))))

    losses = []
    for _ in range(iterations):
        Z1 = X.dot(params["W1"]) + params["b1"]
        A1 = relu(Z1)
        Z2 = A1.dot(params["W2"]) + params["b2"]
        yhat = sigmoid(Z2)
        loss = entropy_loss(y, yhat)
        y_inv = 1 - y
        yhat_inv = 1 - yhat
        dl_wrt_yhat = np.divide(y_inv, eta(yhat_inv)) - np.divide(y, eta(yhat))
        dl_wrt_sig = yhat * yhat_inv
        dl_wrt_z2 = dl_wrt_yhat * dl_wrt_sig
        dl_wrt_A1 = dl_wrt_z2.dot(params["W2"].T)
        dl_wrt_w2 = A1.T.dot(dl_wrt_z2)
        dl_wrt_b2 = np.sum(dl_wrt_z2, axis=0, keepdims=True)
        dl_wrt_z1 = dl_wrt_A1 * d_relu(Z1)
        dl_wrt_w1 = X.T.dot(dl_wrt_z1)
        dl_wrt_b1 = np.sum(dl_wrt_z1, axis=0, keepdims=True)
        params["W1"] = params["W1"] - learning_rate * dl_wrt_w1
        params["W2"] = params["W2"] - learning_rate * dl_wrt_w2
        params["b1"] = params["b1"] - learning_rate * dl_wrt_b1
        params["b2"] = params["b2"] - learning_rate * dl_wrt_b2
        losses.append(loss)
    return params, losses


def tutorial_predict(params: dict, X: np.ndarray) -> np.ndarray:
    Z1 = X.dot(params["W1"]) + params["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = A1.dot(params["W2"]) + params["b2"]
    return np.round(1 / (1 + np.exp(-Z2)))


def tutorial_backprop(params: dict, X: np.ndarray, y: np.ndarray, learning_rate: float = 0.001) -> dict:
    """One iteration of the notebook's loop from ``params``, returning every quantity by its name.

    The same lines as the body of :func:`tutorial_fit` (kept apart so the speed reference stays the bare
    loop): the reference the app's backward-pass walk-through is checked against.
    """
    out = {name: np.array(value) for name, value in params.items()}
    Z1 = X.dot(params["W1"]) + params["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = A1.dot(params["W2"]) + params["b2"]
    yhat = 1 / (1 + np.exp(-Z2))
    nsample = len(y)
    loss = (
        -1
        / nsample
        * (
            np.sum(
                np.multiply(np.log(np.maximum(yhat, 0.0000000001)), y)
                + np.multiply(1.0 - y, np.log(np.maximum(1.0 - yhat, 0.0000000001)))
            )
        )
    )
    y_inv = 1 - y
    yhat_inv = 1 - yhat
    dl_wrt_yhat = np.divide(y_inv, np.maximum(yhat_inv, 0.0000000001)) - np.divide(
        y, np.maximum(yhat, 0.0000000001)
    )
    dl_wrt_sig = yhat * yhat_inv
    dl_wrt_z2 = dl_wrt_yhat * dl_wrt_sig
    dl_wrt_A1 = dl_wrt_z2.dot(params["W2"].T)
    dl_wrt_w2 = A1.T.dot(dl_wrt_z2)
    dl_wrt_b2 = np.sum(dl_wrt_z2, axis=0, keepdims=True)
    d_relu = Z1.copy()
    d_relu[d_relu <= 0] = 0
    d_relu[d_relu > 0] = 1
    dl_wrt_z1 = dl_wrt_A1 * d_relu
    dl_wrt_w1 = X.T.dot(dl_wrt_z1)
    dl_wrt_b1 = np.sum(dl_wrt_z1, axis=0, keepdims=True)
    out.update(
        Z1=Z1, A1=A1, Z2=Z2, yhat=yhat, loss=loss, dl_wrt_yhat=dl_wrt_yhat, dl_wrt_sig=dl_wrt_sig,
        dl_wrt_z2=dl_wrt_z2, dl_wrt_A1=dl_wrt_A1, dl_wrt_w2=dl_wrt_w2, dl_wrt_b2=dl_wrt_b2,
        dl_wrt_z1=dl_wrt_z1, dl_wrt_w1=dl_wrt_w1, dl_wrt_b1=dl_wrt_b1,
        W1_next=params["W1"] - learning_rate * dl_wrt_w1, W2_next=params["W2"] - learning_rate * dl_wrt_w2,
        b1_next=params["b1"] - learning_rate * dl_wrt_b1, b2_next=params["b2"] - learning_rate * dl_wrt_b2,
    )  # fmt: skip
    return out
