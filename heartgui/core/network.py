"""A multi-layer perceptron written from scratch in NumPy: nothing is hidden.

The network has ReLU hidden layers, one sigmoid output unit and binary cross-entropy loss, and learns by
full-batch gradient descent. Its arithmetic follows the tutorial a student has seen, step by step::

    Z1 = X·W1 + b1      A1 = ReLU(Z1)
    Z2 = A1·W2 + b2     ŷ  = sigmoid(Z2)
    L  = -1/n Σ [y log ŷ + (1 - y) log(1 - ŷ)]      (ŷ and 1 - ŷ clipped at ``clip``)

and backpropagation applies the chain rule in the same order the tutorial writes it. The estimator follows
scikit-learn's conventions: hyperparameters are stored in ``__init__``, fitted attributes end in ``_``,
``fit`` returns ``self``, and ``predict_proba`` raises :class:`NotFittedError` before fitting.

Training is also available as :meth:`MLP.iter_fit`, a generator that yields one immutable
:class:`EpochReport` per epoch so that a window can plot the loss live and stop between epochs.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Generator, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "DIVERGED_PREFIX",
    "MAX_PARAMETERS",
    "MAX_TRAINING_MB",
    "MLP",
    "STEP_BACK",
    "STOP_REASONS",
    "EpochReport",
    "TrainingDiverged",
    "check_architecture",
    "parameter_count",
    "relu",
    "sigmoid",
    "training_bytes",
]

#: The largest network heartgui trains, in weights and biases: far more than 13 findings need (the
#: presets have ~120), small enough to train in seconds and to draw on the Inside page.
MAX_PARAMETERS = 1_000_000
#: The most memory one training run may need (estimated by :func:`training_bytes`), in MB: a classroom
#: laptop runs the window, the Results page and the operating system besides.
MAX_TRAINING_MB = 500

Array = np.ndarray


def __getattr__(name: str) -> Any:
    # scikit-learn's NotFittedError, imported only when asked for: importing scikit-learn takes about a
    # second, and the window shows its Data and Train pages without it.
    if name == "NotFittedError":
        from sklearn.exceptions import NotFittedError

        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: How a training run ended, as ``MLP.stop_reason_`` records it: all planned epochs ran; early stopping
#: (no better validation loss for ``patience`` epochs); the caller stopped iterating (the student's Stop);
#: the loss stopped being finite.
STOP_REASONS = ("finished", "early-stopping", "stopped", "diverged")


#: Sent into :meth:`MLP.iter_fit`'s generator (``generator.send(STEP_BACK)``) to take back the last
#: update: the network returns to the weights it had before it, and the generator yields the report of
#: the epoch before (at epoch 0 a report with ``epoch`` 0 and a NaN loss: nothing has run). Needs
#: ``history > 0`` and a step to take back (``MLP.steps_back_``).
STEP_BACK = "step back"


#: How the message of :class:`TrainingDiverged` begins (a window tells divergence from other failures).
DIVERGED_PREFIX = "Training diverged at epoch"


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Weights and biases of a network with ``layer_sizes`` = [inputs, hidden…, outputs]."""
    sizes = [int(n) for n in layer_sizes]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


def training_bytes(layer_sizes: Sequence[int], n_rows: int) -> int:
    """An upper estimate of the memory (bytes) :meth:`MLP.iter_fit` needs on ``n_rows`` patients.

    Five copies of the parameter vector (parameters, gradient, the previous step's, the best weights
    kept for early stopping, a snapshot for the window) and, per patient, the buffers of one training
    pass (each layer's input with its column of ones, each hidden layer's δ and ReLU mask, the output's
    few rows, the scaled input) plus two rows of the widest layer for predicting afterwards.
    """
    sizes = [int(n) for n in layer_sizes]
    hidden = sizes[1:-1]
    floats_per_row = (
        sum(width + 1 for width in sizes[:-1]) + sum(hidden) + sizes[0] + 5 + 2 * max(hidden, default=0)
    )
    per_row = 8 * floats_per_row + sum(hidden)  # (the masks are one byte per unit)
    return 5 * 8 * parameter_count(sizes) + int(n_rows) * per_row


def check_architecture(layer_sizes: Sequence[int], n_rows: int) -> None:
    """Raise ValueError, in a sentence for a student, when the network is too large to train here.

    Parameters
    ----------
    layer_sizes : sequence of int
        [inputs, hidden…, outputs], e.g. ``[13, 8, 1]``.
    n_rows : int
        The patients it would be trained on (validation patients included).

    Raises
    ------
    ValueError
        Above :data:`MAX_PARAMETERS` weights and biases, or above :data:`MAX_TRAINING_MB` of estimated
        training memory (:func:`training_bytes`). Nothing is allocated to find out.
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or any(n < 1 for n in sizes):
        raise ValueError(f"layer sizes must be positive whole numbers, got {list(layer_sizes)!r}")
    hidden = ", ".join(str(n) for n in sizes[1:-1]) or "none"
    count = parameter_count(sizes)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"Hidden layers {hidden} give the network {count:,} weights and biases; heartgui trains "
            f"networks of at most {MAX_PARAMETERS:,} (five layers of 400 neurons have about 650,000). "
            "Choose smaller or fewer layers."
        )
    megabytes = training_bytes(sizes, n_rows) / 2**20
    if megabytes > MAX_TRAINING_MB:
        raise ValueError(
            f"Training hidden layers {hidden} on {int(n_rows):,} patients would need about "
            f"{megabytes:,.0f} MB of memory; heartgui allows at most {MAX_TRAINING_MB} MB. "
            "Choose smaller layers, or a smaller file."
        )


class TrainingDiverged(ArithmeticError):
    """The loss stopped being a finite number: the learning rate is too high.

    The network keeps the weights of the last epoch whose loss was finite.
    """

    def __init__(self, epoch: int, learning_rate: float) -> None:
        self.epoch = epoch
        self.learning_rate = learning_rate
        super().__init__(
            f"{DIVERGED_PREFIX} {epoch}: the loss is no longer a finite number. "
            f"The learning rate ({learning_rate:g}) is too high — try a value 10 times smaller."
        )


class EpochReport(NamedTuple):
    """What one epoch of training produced (immutable, safe to send to another thread).

    Attributes
    ----------
    epoch : 1-based epoch number.
    n_epochs : the number of epochs planned.
    train_loss : mean cross-entropy on the training rows, before this epoch's update (as the tutorial
        records it).
    validation_loss : mean cross-entropy on the validation rows, or ``None`` without a validation set.
    elapsed : seconds since training started.
    best_epoch : the epoch whose weights would be kept by early stopping (the current one otherwise).
    test_loss : mean cross-entropy on the test patients given to ``iter_fit`` (watched, never learnt
        from), of the same weights, or ``None``.
    """

    epoch: int
    n_epochs: int
    train_loss: float
    validation_loss: float | None
    elapsed: float
    best_epoch: int
    test_loss: float | None = None


class _Saved(NamedTuple):
    """What :meth:`MLP.iter_fit` needs to go back to the start of one epoch (see :data:`STEP_BACK`)."""

    theta: Array
    layers: list[Array]  # the network's kept layers then (the best epoch's copy under early stopping)
    best_val: float
    best_epoch: int
    stop_reason: str
    report: EpochReport  # the report of the epoch before (epoch 0: none has run)


def relu(z: Array) -> Array:
    return np.maximum(0.0, z)


def sigmoid(z: Array) -> Array:
    # exp(-z) overflows to inf for very negative z, which correctly gives 0; the formula stays the
    # tutorial's so that the "tutorial" preset reproduces it bit for bit.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


class _Network:
    """The parameters of one network in a flat vector, and the buffers one training pass writes into.

    Each layer's weights W (fan_in × fan_out) and bias b (fan_out) are stored stacked as one augmented
    matrix ``[W; b]``, and each layer's input gets a column of ones, so that ``[A, 1] · [W; b]`` is
    ``A·W + b`` in one matrix product and ``[A, 1]ᵀ · δ`` gives both gradients at once. All parameters
    live in one vector, so a gradient-descent step is two in-place NumPy operations. This is what makes
    an epoch at least twice as fast as the tutorial's loop (``bench/bench_speed.py``).
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = [int(s) for s in sizes]
        self.shapes = [(fan_in + 1, fan_out) for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.size = sum(r * c for r, c in self.shapes)

    def views(self, flat: Array) -> list[Array]:
        """The augmented matrices ``[W; b]`` of every layer, as views into ``flat``."""
        out = []
        offset = 0
        for rows, cols in self.shapes:
            out.append(flat[offset : offset + rows * cols].reshape(rows, cols))
            offset += rows * cols
        return out

    def pack(self, weights: Sequence[Array], biases: Sequence[Array]) -> Array:
        theta = np.empty(self.size)
        for layer, w, b in zip(self.views(theta), weights, biases):
            layer[:-1] = w
            layer[-1] = b
        return theta

    def buffers(self, X: Array) -> list[Array]:
        """Each layer's input, transposed (features × patients), with a trailing row of ones.

        Patients run along the rows' contiguous axis, so every slice the training pass reads or
        writes (``buf[:-1]``) is one contiguous block.
        """
        inputs = []
        for width in self.sizes[:-1]:
            buf = np.empty((width + 1, len(X)))
            buf[-1] = 1.0
            inputs.append(buf)
        inputs[0][:-1] = X.T
        return inputs


class _Pass:
    """One forward and backward pass over a fixed training set, with every view and buffer it needs made
    once: an epoch then makes no array views and few temporaries (at ~30 µs an epoch, each NumPy call
    and each view counts).

    ``theta`` and ``grad`` are flat parameter and gradient vectors of ``net``; the pass reads the first
    and writes the second in place. ``y`` holds the 0/1 labels.
    """

    def __init__(self, net: _Network, theta: Array, grad: Array, X: Array, y: Array) -> None:
        self.layers = net.views(theta)
        self.layers_T = [layer.T for layer in self.layers]  # [W; b]ᵀ, for Zᵀ = [W; b]ᵀ · [A, 1]ᵀ
        self.weights = [layer[:-1] for layer in self.layers]
        self.grads = net.views(grad)
        self.grad_weights = [g[:-1] for g in self.grads]
        self.inputs = net.buffers(X)  # [A, 1]ᵀ of every layer
        self.activations = [buf[:-1] for buf in self.inputs]  # Aᵀ, written in place
        self.y = np.asarray(y, dtype=np.float64).reshape(1, -1)
        n = self.y.shape[1]
        is_1 = self.y > 0.5
        # The probability of the true class is ŷ for y = 1 and 1 - ŷ for y = 0: offset + sign · ŷ, exact
        # in floating point either way (0 + ŷ, 1 + (-ŷ)).
        self.sign = np.where(is_1, 1.0, -1.0)
        self.offset = np.where(is_1, 0.0, 1.0)
        self.true_class_p = np.empty((1, n))
        # δ of each hidden layer (units × patients), and the ReLU masks.
        self.deltas = [np.empty((width, n)) for width in net.sizes[1:-1]]
        self.masks = [np.empty((width, n), dtype=bool) for width in net.sizes[1:-1]]

    def loss_and_gradient(self, clip: float, scale: float, l2: float) -> tuple[float, bool]:
        """The training loss, and the gradients written into ``grad``.

        Returns ``(loss, saturated)``; ``saturated`` is true when some patient's true class got a
        probability at or below ``clip``: the model is certain and wrong there, the clipped loss hides an
        infinite one and that patient's gradient has vanished, so training has diverged.

        The loss is the tutorial's ``-1/n Σ [y log ŷ + (1 - y) log(1 - ŷ)]`` with ŷ and 1 - ŷ clipped at
        ``clip``. Because y is 0 or 1, each term is the log of the probability given to the true class,
        which is how it is computed here. Backpropagation starts from
        dL/dZ = dL/dŷ · dŷ/dZ = [(1 - y)/(1 - ŷ) - y/ŷ] · ŷ(1 - ŷ) = ŷ - y (exact while no clipping is
        active) and carries it back through each layer's weights and ReLU.
        """
        layers_T, inputs, activations = self.layers_T, self.inputs, self.activations
        last = len(layers_T) - 1
        for i in range(last):
            # Aᵀ = ReLU(Zᵀ), Zᵀ = [W; b]ᵀ · [A_prev, 1]ᵀ
            np.maximum(layers_T[i] @ inputs[i], 0.0, out=activations[i + 1])
        z = layers_T[last] @ inputs[last]
        # ŷ = 1 / (1 + exp(-z)), in place; below z = -700 exp(-z) would overflow and ŷ is 0 either way.
        np.maximum(z, -700.0, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        np.add(z, 1.0, out=z)
        y_hat = np.reciprocal(z, out=z)

        p = self.true_class_p
        np.add(self.offset, np.multiply(self.sign, y_hat, out=p), out=p)
        if p.min() <= clip:
            # The tutorial's clip would engage: report divergence rather than a loss that hides it.
            return math.inf, True
        # No clipping is active here, so this is exactly the tutorial's clipped loss.
        loss = -1.0 / self.y.shape[1] * float(np.log(p, out=p).sum())

        delta = np.subtract(y_hat, self.y, out=y_hat)  # dL/dZ of the output layer, one column per patient
        if scale != 1.0:
            delta *= scale
        for i in range(last, -1, -1):
            np.matmul(inputs[i], delta.T, out=self.grads[i])  # [dW; db] = [A, 1]ᵀ · δ
            if l2:
                self.grad_weights[i] += l2 * self.weights[i]
            if i:
                w, previous = self.weights[i], self.deltas[i - 1]
                # δ_prev = W · δ, an outer product when the layer has one output (broadcasting gives
                # the same numbers without a matrix-multiply call) ...
                if delta.shape[0] == 1:
                    np.multiply(w, delta, out=previous)
                else:
                    np.matmul(w, delta, out=previous)
                # ... passed back only where the ReLU was active
                np.multiply(previous, np.greater(activations[i], 0.0, out=self.masks[i - 1]), out=previous)
                delta = previous
        return loss, False


def _predict(layers: Sequence[Array], X: Array) -> Array:
    """ŷ for every row of ``X`` (no buffers kept)."""
    a = X
    for layer in layers[:-1]:
        a = np.maximum(a @ layer[:-1] + layer[-1], 0.0)
    return sigmoid(a @ layers[-1][:-1] + layers[-1][-1])


def cross_entropy(y: Array, y_hat: Array, clip: float) -> float:
    """Mean binary cross-entropy with ``y_hat`` and ``1 - y_hat`` clipped from below at ``clip``."""
    total = np.sum(np.log(np.maximum(y_hat, clip)) * y + (1.0 - y) * np.log(np.maximum(1.0 - y_hat, clip)))
    return float(-1.0 / len(y) * total)  # -1/n · Σ, in the tutorial's order of operations


class MLP:
    """A fully connected network with ReLU hidden layers and a sigmoid output, trained by gradient descent.

    Parameters
    ----------
    hidden_layers : sizes of the hidden layers, e.g. ``(8,)`` or ``(16, 8)``.
    learning_rate : step size of gradient descent.
    epochs : the number of full-batch updates (at most, with early stopping).
    init : ``"normal"`` draws every weight and bias from N(0, 1) in the order W1, b1, W2, b2, …
        (the tutorial's); ``"he"`` scales weights by sqrt(2 / fan_in) and starts biases at 0.
    gradient : ``"sum"`` adds the gradients of all rows (the tutorial's); ``"mean"`` averages them, so the
        learning rate does not depend on the number of rows.
    l2 : weight decay; adds ``l2 / 2 · Σ W²`` (weights, not biases) to the objective. The reported loss
        is the cross-entropy alone, so curves stay comparable.
    patience : with validation data, stop after this many epochs without a better validation loss and
        restore the best weights; ``None`` trains for all epochs and keeps the last weights.

    After (or during) :meth:`iter_fit`, ``stop_reason_`` says how training ended (see :data:`STOP_REASONS`)
    and ``best_epoch_`` which epoch's weights the network holds.
    clip : lower bound for ŷ and 1 - ŷ inside the logarithm and its derivative.
    random_state : seed of the initial weights.
    """

    def __init__(
        self,
        hidden_layers: Sequence[int] = (8,),
        *,
        learning_rate: float = 0.001,
        epochs: int = 100,
        init: str = "normal",
        gradient: str = "sum",
        l2: float = 0.0,
        patience: int | None = None,
        clip: float = 1e-10,
        random_state: int | None = 1,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.init = init
        self.gradient = gradient
        self.l2 = l2
        self.patience = patience
        self.clip = clip
        self.random_state = random_state

    # ----------------------------------------------------------------------------------------------
    # scikit-learn protocol
    def get_params(self, deep: bool = True) -> dict[str, object]:
        return {
            "hidden_layers": tuple(self.hidden_layers),
            "learning_rate": self.learning_rate,
            "epochs": self.epochs,
            "init": self.init,
            "gradient": self.gradient,
            "l2": self.l2,
            "patience": self.patience,
            "clip": self.clip,
            "random_state": self.random_state,
        }

    def set_params(self, **params: object) -> MLP:
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"MLP has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def _check_params(self) -> None:
        if not self.hidden_layers or any(int(h) < 1 for h in self.hidden_layers):
            raise ValueError(f"hidden_layers must be positive sizes, got {self.hidden_layers!r}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning_rate must be a positive number, got {self.learning_rate!r}")
        if int(self.epochs) < 1:
            raise ValueError(f"epochs must be at least 1, got {self.epochs!r}")
        if self.init not in ("normal", "he"):
            raise ValueError(f"init must be 'normal' or 'he', got {self.init!r}")
        if self.gradient not in ("sum", "mean"):
            raise ValueError(f"gradient must be 'sum' or 'mean', got {self.gradient!r}")
        if self.l2 < 0:
            raise ValueError(f"l2 must not be negative, got {self.l2!r}")
        if self.patience is not None and int(self.patience) < 1:
            raise ValueError(f"patience must be at least 1 or None, got {self.patience!r}")

    # ----------------------------------------------------------------------------------------------
    def initial_parameters(self, n_features: int) -> tuple[list[Array], list[Array]]:
        """Draw the starting weights and biases, in the tutorial's order W1, b1, W2, b2, …"""
        # RandomState(seed).randn gives the same numbers as np.random.seed(seed); np.random.randn,
        # without touching NumPy's global generator.
        rng = np.random.RandomState(self.random_state)
        sizes = [n_features, *[int(h) for h in self.hidden_layers], 1]
        weights: list[Array] = []
        biases: list[Array] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = rng.randn(fan_in, fan_out)
            b = rng.randn(fan_out)
            if self.init == "he":
                w *= math.sqrt(2.0 / fan_in)
                b[:] = 0.0
            weights.append(w)
            biases.append(b)
        return weights, biases

    def fit(self, X: Array, y: Array, *, X_val: Array | None = None, y_val: Array | None = None) -> MLP:
        """Train on ``X`` (n × features, already scaled) and ``y`` (0/1); return ``self``."""
        for _ in self.iter_fit(X, y, X_val=X_val, y_val=y_val):
            pass
        return self

    def iter_fit(
        self,
        X: Array,
        y: Array,
        *,
        X_val: Array | None = None,
        y_val: Array | None = None,
        X_test: Array | None = None,
        y_test: Array | None = None,
        history: int = 0,
    ) -> Generator[EpochReport, str | None, None]:
        """Train, yielding one :class:`EpochReport` per epoch.

        The caller may stop iterating at any time: the network then keeps the weights reached so far
        (or, with early stopping, the best ones seen so far). Fitted attributes are valid after every
        yield. Raises :class:`TrainingDiverged` when the loss becomes non-finite.

        ``X_test``, ``y_test``: patients whose loss is recorded each epoch (``EpochReport.test_loss``,
        ``test_loss_curve_``) and never learnt from. ``history``: how many of the last epochs can be taken
        back by sending :data:`STEP_BACK` (a copy of the weights is kept for each).
        """
        self._check_params()
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
        if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
            raise ValueError(f"X must be 2-D with one row per label, got {X.shape} and {y.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains values that are not finite numbers")
        has_val = X_val is not None and y_val is not None and len(X_val) > 0
        n_val = len(X_val) if has_val and X_val is not None else 0
        has_test = X_test is not None and y_test is not None and len(X_test) > 0
        n_test = len(X_test) if has_test and X_test is not None else 0
        # Before anything is allocated: 5 × 9999 hidden units would ask for 3 GB and end in MemoryError.
        check_architecture([X.shape[1], *[int(h) for h in self.hidden_layers], 1], len(X) + n_val + n_test)
        if has_val:
            X_val = np.ascontiguousarray(X_val, dtype=np.float64)
            y_val = np.asarray(y_val, dtype=np.float64).reshape(-1, 1)
        if has_test:
            X_test = np.ascontiguousarray(X_test, dtype=np.float64)
            y_test = np.asarray(y_test, dtype=np.float64).reshape(-1, 1)

        net = _Network([X.shape[1], *[int(h) for h in self.hidden_layers], 1])
        theta = net.pack(*self.initial_parameters(X.shape[1]))
        grad = np.empty(net.size)
        training_pass = _Pass(net, theta, grad, X, y)
        layers = training_pass.layers
        previous = theta.copy()
        saved: deque[_Saved] = deque(maxlen=max(int(history), 0))

        self.n_features_in_ = X.shape[1]
        self._set_layers(layers)
        self.loss_curve_: list[float] = []
        self.validation_loss_curve_: list[float] = []
        self.test_loss_curve_: list[float] = []
        self.best_epoch_ = 0
        self.n_epochs_ = 0
        self.stop_reason_ = "stopped"
        self.steps_back_ = 0

        n_epochs = int(self.epochs)
        lr = float(self.learning_rate)
        clip = float(self.clip)
        l2 = float(self.l2)
        scale = 1.0 / len(X) if self.gradient == "mean" else 1.0
        patience = None if (self.patience is None or not has_val) else int(self.patience)
        best_val = math.inf
        start = time.perf_counter()
        report = EpochReport(0, n_epochs, math.nan, None, 0.0, 0)  # before the first epoch

        epoch = 0
        while epoch < n_epochs:
            epoch += 1
            if saved.maxlen:
                saved.append(
                    _Saved(theta.copy(), self._layers, best_val, self.best_epoch_, self.stop_reason_, report)
                )
            loss, saturated = training_pass.loss_and_gradient(clip, scale, l2)
            if saturated or not math.isfinite(loss):
                theta[:] = previous  # back to the weights of the last epoch that trained normally
                if patience is None:
                    self.n_epochs_ = epoch - 1
                self.stop_reason_ = "diverged"
                raise TrainingDiverged(epoch, lr)

            val_loss: float | None = None
            if has_val:
                # Validation loss of the same weights the training loss describes.
                assert X_val is not None and y_val is not None
                val_loss = cross_entropy(y_val, _predict(layers, X_val), clip)
                self.validation_loss_curve_.append(val_loss)
                if patience is not None and val_loss < best_val:
                    best_val = val_loss
                    self.best_epoch_ = epoch
                    self._set_layers(net.views(theta.copy()))
            test_loss: float | None = None
            if has_test:
                assert X_test is not None and y_test is not None
                test_loss = cross_entropy(y_test, _predict(layers, X_test), clip)
                self.test_loss_curve_.append(test_loss)
            self.loss_curve_.append(loss)

            np.copyto(previous, theta)
            np.multiply(grad, -lr, out=grad)
            np.add(theta, grad, out=theta)  # gradient descent: θ ← θ - lr · ∇L, in place
            self.n_epochs_ = epoch
            if patience is None:
                self.best_epoch_ = epoch
            # How training ends if it ends here (the caller may stop iterating at this yield).
            patience_spent = patience is not None and epoch - self.best_epoch_ >= patience
            if patience_spent:
                self.stop_reason_ = "early-stopping"
            else:
                self.stop_reason_ = "finished" if epoch == n_epochs else "stopped"
            self.steps_back_ = len(saved)
            report = EpochReport(
                epoch, n_epochs, loss, val_loss, time.perf_counter() - start, self.best_epoch_, test_loss
            )
            command = yield report
            while command == STEP_BACK:
                if not saved:  # nothing (more) to take back: the same state again
                    command = yield report
                    continue
                # Back to the start of this epoch: its weights, its kept layers, its curves.
                back = saved.pop()
                theta[:] = back.theta
                np.copyto(previous, saved[-1].theta if saved else back.theta)
                self._set_layers(layers if back.layers is layers else back.layers)
                best_val, self.best_epoch_, self.stop_reason_ = (
                    back.best_val,
                    back.best_epoch,
                    back.stop_reason,
                )
                epoch -= 1
                for curve in (self.loss_curve_, self.validation_loss_curve_, self.test_loss_curve_):
                    del curve[epoch:]
                self.n_epochs_ = epoch
                self.steps_back_ = len(saved)
                report = back.report
                patience_spent = False
                command = yield report
            if patience_spent:
                break

    @classmethod
    def from_weights(cls, weights: Sequence[Array], biases: Sequence[Array], **params: Any) -> MLP:
        """A fitted network with the given weights (from a model file); shapes are checked."""
        if len(weights) != len(biases) or not weights:
            raise ValueError("need one bias vector per weight matrix")
        sizes = [int(np.shape(weights[0])[0])]
        for w, b in zip(weights, biases):
            w = np.asarray(w)
            if w.ndim != 2 or w.shape[0] != sizes[-1] or np.shape(b) != (w.shape[1],):
                raise ValueError(f"layer shapes do not chain: {w.shape} after width {sizes[-1]}")
            sizes.append(w.shape[1])
        if sizes[-1] != 1:
            raise ValueError("the output layer must have one unit")
        params.setdefault("hidden_layers", tuple(sizes[1:-1]))
        model = cls(**params)
        net = _Network(sizes)
        model._set_layers(
            net.views(
                net.pack([np.asarray(w, float) for w in weights], [np.asarray(b, float) for b in biases])
            )
        )
        model.n_features_in_ = sizes[0]
        model.loss_curve_, model.validation_loss_curve_, model.test_loss_curve_ = [], [], []
        model.n_epochs_ = model.best_epoch_ = model.steps_back_ = 0
        model.stop_reason_ = "finished"
        return model

    def frozen(self) -> MLP:
        """A copy of this fitted network, weights and curves, that a training run still going on in
        :meth:`iter_fit` (whose weights change in place) no longer changes."""
        weights, biases = self.snapshot()
        copy = MLP.from_weights(weights, biases, **self.get_params())
        copy.loss_curve_ = list(self.loss_curve_)
        copy.validation_loss_curve_ = list(self.validation_loss_curve_)
        copy.test_loss_curve_ = list(getattr(self, "test_loss_curve_", ()))
        copy.n_epochs_, copy.best_epoch_ = self.n_epochs_, self.best_epoch_
        copy.stop_reason_ = self.stop_reason_
        return copy

    def _set_layers(self, layers: list[Array]) -> None:
        self._layers = layers
        self.coefs_ = [layer[:-1] for layer in layers]
        self.intercepts_ = [layer[-1] for layer in layers]

    # ----------------------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "_layers"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This MLP is not fitted yet: call fit() first.")

    def forward_steps(self, X: Array) -> list[tuple[Array, Array]]:
        """Return ``(Z, A)`` for every layer: the numbers a walk-through of one prediction shows."""
        self._check_fitted()
        a = np.asarray(X, dtype=np.float64)
        steps = []
        for i, (w, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            z = a @ w + b
            a = sigmoid(z) if i == len(self.coefs_) - 1 else np.maximum(z, 0.0)
            steps.append((z, a))
        return steps

    def decision_function(self, X: Array) -> Array:
        """The output logit Z of the last layer, before the sigmoid."""
        return self.forward_steps(X)[-1][0].ravel()

    def predict_proba(self, X: Array) -> Array:
        """Probabilities of (absent, present), one row per patient."""
        self._check_fitted()
        p = _predict(self._layers, np.asarray(X, dtype=np.float64)).ravel()
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Array, threshold: float = 0.5) -> Array:
        """1 where the risk reaches ``threshold``; 0.5 rounds as the tutorial's ``np.round`` does."""
        p = self.predict_proba(X)[:, 1]
        if threshold == 0.5:
            return np.round(p).astype(np.int64)
        return (p >= threshold).astype(np.int64)

    def snapshot(self) -> tuple[list[Array], list[Array]]:
        """Copies of the current weights and biases (during training the live ones keep changing)."""
        self._check_fitted()
        return [w.copy() for w in self.coefs_], [b.copy() for b in self.intercepts_]

    def gradients(self, X: Array, y: Array) -> tuple[list[Array], list[Array]]:
        """Gradients of :meth:`objective` at the current weights, by backpropagation.

        Runs the very function the training loop runs, so the finite-difference check tests it.
        """
        self._check_fitted()
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
        net = _Network([X.shape[1], *[w.shape[1] for w in self.coefs_]])
        grad = np.empty(net.size)
        training_pass = _Pass(net, net.pack(self.coefs_, self.intercepts_), grad, X, y)
        scale = 1.0 / len(X) if self.gradient == "mean" else 1.0
        training_pass.loss_and_gradient(self.clip, scale, self.l2)
        return [g[:-1] for g in training_pass.grads], [g[-1] for g in training_pass.grads]

    def objective(self, X: Array, y: Array) -> float:
        """What gradient descent minimises: mean (or, for ``gradient="sum"``, summed) cross-entropy
        plus ``l2 / 2 · Σ W²``. Written directly from the formula, independently of the training loop.
        """
        self._check_fitted()
        y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
        y_hat = self.forward_steps(np.asarray(X, dtype=np.float64))[-1][1]
        loss = cross_entropy(y, y_hat, self.clip)
        if self.gradient == "sum":
            loss *= len(y)
        return loss + 0.5 * self.l2 * sum(float(np.sum(w * w)) for w in self.coefs_)
