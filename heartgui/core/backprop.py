"""One step of learning, every number shown: the backward pass and the update, in the tutorial's names.

The tutorial the app comes from spends most of its words on ``back_propagation``::

    dl_wrt_yhat = (1 - y) / (1 - ŷ) - y / ŷ        (both denominators clipped at 1e-10)
    dl_wrt_sig  = ŷ (1 - ŷ)                         σ'(Z2), written with ŷ
    dl_wrt_z2   = dl_wrt_yhat · dl_wrt_sig          = ŷ - y while no clipping is active
    dl_wrt_A1   = dl_wrt_z2 · W2ᵀ
    dl_wrt_w2   = A1ᵀ · dl_wrt_z2                   dl_wrt_b2 = Σ_patients dl_wrt_z2
    dl_wrt_z1   = dl_wrt_A1 · ReLU'(Z1)             the ReLU gate: 1 where Z1 > 0, else 0
    dl_wrt_w1   = Xᵀ · dl_wrt_z1                    dl_wrt_b1 = Σ_patients dl_wrt_z1
    W ← W - learning_rate · dl_wrt_w,  b ← b - learning_rate · dl_wrt_b

:func:`backward_pass` computes exactly these, for any depth (a deeper network continues the numbering:
``W3``, ``dl_wrt_z3``, …), at a network's current weights, for the whole training batch or for one
patient's share of it. It is written out separately from the training loop (which folds biases into its
weight matrices and uses ``ŷ - y`` directly, for speed), so that each checks the other. For the
"recommended" settings each gradient is multiplied by ``scale`` (1/n when the gradients are averaged)
and gets the L2 term ``l2 · W`` added, as the training loop does.

:func:`step_at_epoch` replays a training run to the start of epoch N and returns that epoch's step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from heartgui.core.network import MLP, TrainingDiverged, cross_entropy, sigmoid

if TYPE_CHECKING:
    from heartgui.core.dataset import Dataset
    from heartgui.core.presets import TrainingSettings

__all__ = ["BackwardPass", "backward_pass", "describe", "step_at_epoch", "step_of_run"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class BackwardPass:
    """The numbers of one gradient-descent step, keyed by the tutorial's variable names.

    Attributes
    ----------
    values : ``W1, b1, …`` (the weights the step starts from), the forward pass ``Z1, A1, …, yhat``, the
        backward pass ``dl_wrt_yhat, dl_wrt_sig, dl_wrt_z2, …`` and the updated weights ``W1_next, …``, in
        that order. Per-patient arrays have one row per patient (for ``patient=K``: that patient's row
        only); the gradients ``dl_wrt_w*`` / ``dl_wrt_b*`` are the batch's (or, for one patient, that
        patient's share of it, without the L2 term).
    loss, loss_after : the training loss (mean cross-entropy over the batch) before and after the step.
    scale : what each patient's share is multiplied by: 1 (summed, the tutorial's) or 1/n (averaged).
    l2 : the weight-decay factor; the batch gradient of each weight matrix includes ``l2 · W``.
    learning_rate : the step size of the update.
    clipping_active : true when some ŷ or 1 - ŷ is below the clip, so that dl_wrt_z2 ≠ ŷ - y there.
    n_patients : patients in the batch; ``patient`` the one shown alone, or ``None`` for all.
    epoch : the 1-based epoch this step is, when known.
    """

    values: Mapping[str, Array]
    loss: float
    loss_after: float
    scale: float
    l2: float
    learning_rate: float
    clipping_active: bool
    n_patients: int
    n_layers: int
    patient: int | None = None
    epoch: int | None = None
    l2_terms: Mapping[str, Array] = field(default_factory=dict)
    y: Array = field(default_factory=lambda: np.empty(0))

    def __getitem__(self, name: str) -> Array:
        return self.values[name]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON types: every array as nested lists in its own shape."""
        out: dict[str, Any] = {name: np.asarray(v).tolist() for name, v in self.values.items()}
        out.update(
            loss=self.loss,
            loss_after=self.loss_after,
            scale=self.scale,
            l2=self.l2,
            learning_rate=self.learning_rate,
            clipping_active=self.clipping_active,
            n_patients=self.n_patients,
            patient=self.patient,
            epoch=self.epoch,
            y=self.y.tolist(),
        )
        out.update({name: np.asarray(v).tolist() for name, v in self.l2_terms.items()})
        return out


def backward_pass(
    network: MLP,
    X: Array,
    y: Array,
    *,
    patient: int | None = None,
    epoch: int | None = None,
) -> BackwardPass:
    """The step gradient descent takes from ``network``'s current weights on the batch ``X``, ``y``.

    Parameters
    ----------
    network : a fitted :class:`~heartgui.core.network.MLP`; its ``learning_rate``, ``gradient``, ``l2``
        and ``clip`` say how the step is taken.
    X, y : the training batch exactly as the network trains on it (scaled inputs; 0/1 labels).
    patient : show this training patient alone (0-based row of ``X``): its rows of the per-patient
        arrays and its share of each gradient. The shares of all patients, plus the L2 terms, add up to
        the batch gradient.
    """
    network._check_fitted()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    n = len(X)
    if X.ndim != 2 or n == 0 or len(y) != n:
        raise ValueError(f"X must be 2-D with one row per label, got {X.shape} and {y.shape}")
    if patient is not None and not 0 <= patient < n:
        raise ValueError(f"patient must be between 0 and {n - 1}, got {patient}")
    weights = [np.array(w, dtype=np.float64) for w in network.coefs_]
    biases = [np.array(b, dtype=np.float64) for b in network.intercepts_]
    n_layers = len(weights)
    clip = float(network.clip)
    scale = 1.0 / n if network.gradient == "mean" else 1.0
    l2 = float(network.l2)
    lr = float(network.learning_rate)

    values: dict[str, Array] = {}
    for k in range(1, n_layers + 1):
        values[f"W{k}"] = weights[k - 1]
        values[f"b{k}"] = biases[k - 1]

    # Forward pass, keeping every Z and A (A0 is X).
    activations = [X]
    pre_activations = []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, n_layers + 1):
            z = activations[-1].dot(weights[k - 1]) + biases[k - 1]
            pre_activations.append(z)
            activations.append(sigmoid(z) if k == n_layers else np.maximum(0, z))
    for k in range(1, n_layers + 1):
        values[f"Z{k}"] = pre_activations[k - 1]
        if k < n_layers:
            values[f"A{k}"] = activations[k]
    yhat = activations[-1]
    values["yhat"] = yhat
    loss = cross_entropy(y, yhat, clip)

    # Backward pass, term by term as the tutorial writes it.
    y_inv = 1 - y
    yhat_inv = 1 - yhat
    dl_wrt_yhat = np.divide(y_inv, np.maximum(yhat_inv, clip)) - np.divide(y, np.maximum(yhat, clip))
    dl_wrt_sig = yhat * yhat_inv
    dl_wrt_z = dl_wrt_yhat * dl_wrt_sig
    values["dl_wrt_yhat"] = dl_wrt_yhat
    values["dl_wrt_sig"] = dl_wrt_sig
    values[f"dl_wrt_z{n_layers}"] = dl_wrt_z
    gradients_w: list[Array] = [np.empty(0)] * n_layers
    gradients_b: list[Array] = [np.empty(0)] * n_layers
    l2_terms: dict[str, Array] = {}
    for k in range(n_layers, 0, -1):
        a_prev = activations[k - 1]
        if k > 1:
            dl_wrt_a = dl_wrt_z.dot(weights[k - 1].T)
            values[f"dl_wrt_A{k - 1}"] = dl_wrt_a
        if patient is None:
            dw = a_prev.T.dot(dl_wrt_z)
            db = np.sum(dl_wrt_z, axis=0, keepdims=True)
        else:  # this patient's share: the outer product of its input and its dl_wrt_z
            dw = np.outer(a_prev[patient], dl_wrt_z[patient])
            db = dl_wrt_z[patient : patient + 1]
        if scale != 1.0:
            dw = scale * dw
            db = scale * db
        if l2:
            l2_terms[f"l2_wrt_w{k}"] = l2 * weights[k - 1]
            if patient is None:
                dw = dw + l2_terms[f"l2_wrt_w{k}"]
        values[f"dl_wrt_w{k}"] = dw
        values[f"dl_wrt_b{k}"] = db
        gradients_w[k - 1], gradients_b[k - 1] = dw, db
        if k > 1:
            relu_gate = (pre_activations[k - 2] > 0).astype(np.float64)  # the tutorial's d_relu(Z)
            dl_wrt_z = dl_wrt_a * relu_gate
            values[f"dl_wrt_z{k - 1}"] = dl_wrt_z

    # The update, always with the batch gradient (one patient's share does not move the weights alone).
    if patient is not None:
        batch = backward_pass(network, X, y, epoch=epoch)
        gradients_w = [batch[f"dl_wrt_w{k}"] for k in range(1, n_layers + 1)]
        gradients_b = [batch[f"dl_wrt_b{k}"] for k in range(1, n_layers + 1)]
    next_w = [w - lr * g for w, g in zip(weights, gradients_w)]
    next_b = [b - lr * g.ravel() for b, g in zip(biases, gradients_b)]
    for k in range(1, n_layers + 1):
        values[f"W{k}_next"] = next_w[k - 1]
        values[f"b{k}_next"] = next_b[k - 1]
    after = MLP.from_weights(next_w, next_b, clip=clip)
    with np.errstate(over="ignore", invalid="ignore"):
        loss_after = cross_entropy(y, after.predict_proba(X)[:, 1:], clip)

    clipping_active = bool(np.any(yhat < clip) or np.any(yhat_inv < clip))
    if patient is not None:
        per_patient = [f"Z{k}" for k in range(1, n_layers + 1)] + [f"A{k}" for k in range(1, n_layers)]
        per_patient += ["yhat", "dl_wrt_yhat", "dl_wrt_sig"]
        per_patient += [f"dl_wrt_z{k}" for k in range(1, n_layers + 1)]
        per_patient += [f"dl_wrt_A{k}" for k in range(1, n_layers)]
        for name in per_patient:
            values[name] = values[name][patient : patient + 1]
    return BackwardPass(
        values=values,
        loss=loss,
        loss_after=loss_after,
        scale=scale,
        l2=l2,
        learning_rate=lr,
        clipping_active=clipping_active,
        n_patients=n,
        n_layers=n_layers,
        patient=patient,
        epoch=epoch,
        l2_terms=l2_terms,
        y=y.ravel() if patient is None else y.ravel()[patient : patient + 1],
    )


def step_at_epoch(
    network: MLP,
    X: Array,
    y: Array,
    epoch: int,
    *,
    patient: int | None = None,
) -> BackwardPass:
    """Epoch ``epoch`` (1-based) of training an unfitted ``network`` on ``X``, ``y``: the weights after
    ``epoch - 1`` updates, and the update of epoch ``epoch``.

    Early stopping plays no part (it changes which weights are kept, not the steps taken). Raises
    ``ValueError`` when training diverged before that epoch.
    """
    if int(epoch) < 1:
        raise ValueError(f"epoch must be at least 1, got {epoch}")
    epoch = int(epoch)
    params: dict[str, Any] = {**network.get_params(), "patience": None}
    if epoch == 1:
        start = MLP(**params)
        weights, biases = start.initial_parameters(np.shape(X)[1])
        replayed = MLP.from_weights(weights, biases, **params)
    else:
        params.update(epochs=epoch - 1)
        replayed = MLP(**params)
        try:
            replayed.fit(X, y)
        except TrainingDiverged as exc:
            raise ValueError(
                f"This run diverged at epoch {exc.epoch}, before epoch {epoch}: there is no step {epoch} "
                "to show."
            ) from exc
    return backward_pass(replayed, X, y, patient=patient, epoch=epoch)


def step_of_run(
    dataset: Dataset, settings: TrainingSettings, epoch: int, *, patient: int | None = None
) -> BackwardPass:
    """Epoch ``epoch`` of training ``settings`` on ``dataset``, on the same training rows ``train`` uses
    (the split, any validation hold-out and the preprocessing as :class:`TrainingSession` makes them).

    ``patient`` is 0-based in the order of those training rows.
    """
    from heartgui.core.training import split_dataset

    if not 1 <= int(epoch) <= int(settings.epochs):
        raise ValueError(f"the run has epochs 1 to {settings.epochs}; epoch {epoch} is not one of them")
    split = split_dataset(dataset.complete(settings.used_features), settings.test_size, settings.split_seed)
    model = settings.model()
    Z, y, _, _ = model.prepare(split.X_train, split.y_train)
    return step_at_epoch(model._network(), Z, y, epoch, patient=patient)


def _array(value: np.ndarray, rows: int = 5) -> str:
    """A compact printout of an array: all of a weight-sized one, the first rows of one row per patient."""
    a = np.asarray(value, dtype=np.float64)

    def text(x: np.ndarray) -> str:
        return np.array2string(x, max_line_width=100, formatter={"float_kind": lambda v: f"{v:.4g}"})

    if a.ndim == 2 and a.shape[0] > 16:
        return f"{text(a[:rows])}\n    … {a.shape[0] - rows} more rows (shape {a.shape[0]} × {a.shape[1]})"
    return text(a)


def describe(step: BackwardPass) -> str:
    """The step walked through in words and numbers, as ``heartgui-cli backprop`` prints it."""
    L = step.n_layers
    who = (
        f"training patient {step.patient} (0-based) of {step.n_patients}: its rows, and its share of each "
        "gradient"
        if step.patient is not None
        else f"the whole training batch of {step.n_patients} patients"
    )
    if step.patient is not None:
        who += " (a gradient below is this patient's share alone)"
    lines = [f"Epoch {step.epoch}: one step of gradient descent, for {who}." if step.epoch else who, ""]
    lines.append("Forward pass")
    for k in range(1, L + 1):
        prev = "X" if k == 1 else f"A{k - 1}"
        lines.append(f"  Z{k} = {prev}·W{k} + b{k}")
        lines.append("    " + _array(step[f"Z{k}"]).replace("\n", "\n    "))
        if k < L:
            off = np.flatnonzero(~(np.asarray(step[f"Z{k}"]) > 0).any(axis=0))
            note = (
                f" (units off for every patient shown: {', '.join(str(u + 1) for u in off)})"
                if len(off)
                else ""
            )
            lines.append(f"  A{k} = ReLU(Z{k}): negative values become 0{note}")
    lines.append(f"  yhat = ŷ = sigmoid(Z{L}): the predicted risk")
    lines.append("    " + _array(step["yhat"]).replace("\n", "\n    "))
    lines.append("  y = the true diagnosis (1 = disease present, 0 = absent)")
    lines.append("    " + _array(step.y.reshape(-1, 1)).replace("\n", "\n    "))
    lines.append(f"  loss L (mean cross-entropy over the batch, before the step) = {step.loss:.6f}")
    lines += ["", "Backward pass: the chain rule, from the loss back to every weight"]
    exact = (
        " — here not ŷ − y: some ŷ is within the clip of 0 or 1"
        if step.clipping_active
        else " = ŷ − y (no ŷ is within the clip of 0 or 1, so the fractions cancel)"
    )
    rows = [
        ("dl_wrt_yhat", "dL/dŷ = (1 − y)/(1 − ŷ) − y/ŷ"),
        ("dl_wrt_sig", f"dŷ/dZ{L} = σ'(Z{L}) = ŷ(1 − ŷ)"),
        (f"dl_wrt_z{L}", f"dL/dZ{L} = dL/dŷ · dŷ/dZ{L}{exact}"),
    ]
    for k in range(L, 0, -1):
        below = "X" if k == 1 else f"A{k - 1}"
        if k > 1:
            rows.append((f"dl_wrt_A{k - 1}", f"dL/dA{k - 1} = dL/dZ{k} · W{k}ᵀ"))
        rows.append((f"dl_wrt_w{k}", f"dL/dW{k} = {below}ᵀ · dL/dZ{k}"))
        rows.append((f"dl_wrt_b{k}", f"dL/db{k} = dL/dZ{k} summed over the patients"))
        if k > 1:
            rows.append(
                (
                    f"dl_wrt_z{k - 1}",
                    f"dL/dZ{k - 1} = dL/dA{k - 1} · ReLU'(Z{k - 1}) (1 where Z{k - 1} > 0, else 0)",
                )
            )
    for name, formula in rows:
        lines.append(f"  {name} = {formula}")
        lines.append("    " + _array(step[name]).replace("\n", "\n    "))
    if step.scale != 1.0 or step.l2:
        share = "averaged (× 1/n)" if step.scale != 1.0 else "summed"
        lines.append(
            f"  (gradients of the weights are the patients' shares {share}"
            + (f", plus the L2 term {step.l2:g}·W" if step.l2 else "")
            + ")"
        )
    else:
        lines.append("  (the batch gradient is the patients' shares summed, as in the tutorial)")
    lines += ["", f"Update: W ← W − learning_rate · dL/dW, with learning rate {step.learning_rate:g}"]
    for k in range(1, L + 1):
        change = np.abs(np.asarray(step[f"W{k}_next"]) - np.asarray(step[f"W{k}"]))
        i, j = np.unravel_index(int(np.argmax(change)), change.shape)
        lines.append(
            f"  W{k}: the largest change is W{k}[{i + 1},{j + 1}]: {step[f'W{k}'][i, j]:.6f} → "
            f"{step[f'W{k}_next'][i, j]:.6f}"
        )
    lines.append(
        f"  loss before {step.loss:.6f}, after {step.loss_after:.6f} ({step.loss_after - step.loss:+.6f})"
    )
    return "\n".join(lines)
