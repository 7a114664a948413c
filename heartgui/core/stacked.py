"""Many networks trained as one stacked NumPy computation, with the same numbers as one by one.

Cross-validation (45 folds), a seed ensemble (How sure: 10 networks) or a seed study trains many small
networks that share a shape. One epoch of one 13-8-1 network is about 20 NumPy calls on tiny arrays, so
its time is mostly the calls' overhead, not arithmetic. Stacking K networks along a first axis — weights
(K, fan_in + 1, fan_out), inputs (K, features + 1, patients) — makes each of those calls do K networks'
work: ``np.matmul`` on stacked arrays runs the same BLAS product on each slice, and every other step is
elementwise, so each network gets **bit for bit** the weights, losses and curves
:meth:`MLP.iter_fit <heartgui.core.network.MLP.iter_fit>` gives it alone (tested).

Networks are grouped by everything the stacked arithmetic shares: layer sizes, number of training (and
validation) rows, learning rate, L2, clipping, gradient scaling, epochs and patience. Groups are trained
one after the other; nothing is padded. A network that diverges or stops early leaves its group at that
epoch with exactly the state it would have alone; the others go on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from heartgui.core.network import MLP, TrainingDiverged, _Network, _predict, cross_entropy

__all__ = ["Job", "Outcome", "fit_stacked", "iter_fit_stacked"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class Job:
    """One network to train and its data (inputs already scaled, labels 0/1)."""

    network: MLP
    X: Array
    y: Array
    X_val: Array | None = None
    y_val: Array | None = None


@dataclass(frozen=True, eq=False)
class Outcome:
    """A trained network, or the divergence that ended it (its weights are then the last good ones)."""

    network: MLP
    diverged: TrainingDiverged | None = None


@dataclass(frozen=True)
class Progress:
    """Where stacked training is: group ``group`` of ``n_groups`` (``size`` networks), epoch ``epoch``."""

    group: int
    n_groups: int
    size: int
    epoch: int
    n_epochs: int
    finished: int


class _Member:
    """One network's own state inside a group: what MLP.iter_fit keeps in its local variables."""

    def __init__(self, index: int, job: Job, has_val: bool) -> None:
        self.index = index
        self.job = job
        self.model = job.network
        self.X_val = np.ascontiguousarray(job.X_val, dtype=np.float64) if has_val else None
        self.y_val = np.asarray(job.y_val, dtype=np.float64).reshape(-1, 1) if has_val else None
        self.best_val = math.inf
        self.best_layers: list[Array] | None = None


class _StackedPass:
    """:class:`heartgui.core.network._Pass` for K networks at once (see its comments for the algebra)."""

    def __init__(self, net: _Network, theta: Array, grad: Array, X: Array, y: Array) -> None:
        k, n = y.shape[0], y.shape[-1]
        self.layers = _views(net, theta)
        self.layers_T = [layer.transpose(0, 2, 1) for layer in self.layers]
        self.weights = [layer[:, :-1] for layer in self.layers]
        self.grads = _views(net, grad)
        self.grad_weights = [g[:, :-1] for g in self.grads]
        self.inputs = []
        for width in net.sizes[:-1]:
            buf = np.empty((k, width + 1, n))
            buf[:, -1] = 1.0
            self.inputs.append(buf)
        self.inputs[0][:, :-1] = X.transpose(0, 2, 1)
        self.activations = [buf[:, :-1] for buf in self.inputs]
        self.y = y.reshape(k, 1, n)
        is_1 = self.y > 0.5
        self.sign = np.where(is_1, 1.0, -1.0)
        self.offset = np.where(is_1, 0.0, 1.0)
        self.true_class_p = np.empty((k, 1, n))
        self.deltas = [np.empty((k, width, n)) for width in net.sizes[1:-1]]
        self.masks = [np.empty((k, width, n), dtype=bool) for width in net.sizes[1:-1]]

    def loss_and_gradient(self, clip: float, scale: float, l2: float) -> tuple[Array, Array]:
        """Each network's loss (``inf`` where saturated) and whether it saturated; gradients in place."""
        layers_T, inputs, activations = self.layers_T, self.inputs, self.activations
        last = len(layers_T) - 1
        for i in range(last):
            np.maximum(np.matmul(layers_T[i], inputs[i]), 0.0, out=activations[i + 1])
        z = np.matmul(layers_T[last], inputs[last])
        np.maximum(z, -700.0, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        np.add(z, 1.0, out=z)
        y_hat = np.reciprocal(z, out=z)

        p = self.true_class_p
        np.add(self.offset, np.multiply(self.sign, y_hat, out=p), out=p)
        saturated = p.min(axis=(1, 2)) <= clip
        n = self.y.shape[-1]
        sums = np.log(p, out=p).sum(axis=2)[:, 0]
        loss = -1.0 / n * sums  # (-1.0 / n) * s, each network's float arithmetic as alone
        loss[saturated] = math.inf

        delta = np.subtract(y_hat, self.y, out=y_hat)
        if scale != 1.0:
            delta *= scale
        for i in range(last, -1, -1):
            np.matmul(inputs[i], delta.transpose(0, 2, 1), out=self.grads[i])
            if l2:
                self.grad_weights[i] += l2 * self.weights[i]
            if i:
                w, previous = self.weights[i], self.deltas[i - 1]
                if delta.shape[1] == 1:
                    np.multiply(w, delta, out=previous)
                else:
                    np.matmul(w, delta, out=previous)
                np.multiply(previous, np.greater(activations[i], 0.0, out=self.masks[i - 1]), out=previous)
                delta = previous
        return loss, saturated


def _views(net: _Network, flat: Array) -> list[Array]:
    """Each layer's stacked augmented matrices (K, fan_in + 1, fan_out), views into ``flat`` (K, size)."""
    out = []
    offset = 0
    for rows, cols in net.shapes:
        out.append(flat[:, offset : offset + rows * cols].reshape(flat.shape[0], rows, cols))
        offset += rows * cols
    return out


class _GroupKey(NamedTuple):
    """What the networks of one stacked group must share."""

    n_features: int
    hidden: tuple[int, ...]
    n_rows: int
    n_val: int
    learning_rate: float
    l2: float
    clip: float
    gradient: str
    epochs: int
    patience: int | None


def _key(job: Job) -> _GroupKey:
    m = job.network
    has_val = job.X_val is not None and job.y_val is not None and len(job.X_val) > 0
    n_val = len(job.X_val) if has_val and job.X_val is not None else 0
    patience = None if (m.patience is None or not has_val) else int(m.patience)
    return _GroupKey(
        int(np.shape(job.X)[1]),
        tuple(int(h) for h in m.hidden_layers),
        len(job.X),
        n_val,
        float(m.learning_rate),
        float(m.l2),
        float(m.clip),
        m.gradient,
        int(m.epochs),
        patience,
    )


def iter_fit_stacked(jobs: Sequence[Job]) -> Generator[Progress, None, list[Outcome]]:
    """Train every job's network, yielding a :class:`Progress` after each stacked epoch.

    The generator's return value (``StopIteration.value``; :func:`fit_stacked` hands it back) is one
    :class:`Outcome` per job, in order. Stopping the iteration early leaves every network with the
    weights of its last finished epoch (as ``MLP.iter_fit`` does), but no outcomes are returned.
    """
    for job in jobs:
        job.network._check_params()
        X = np.asarray(job.X)
        if X.ndim != 2 or len(X) != len(np.asarray(job.y).ravel()) or len(X) == 0:
            raise ValueError(f"X must be 2-D with one row per label, got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains values that are not finite numbers")
    groups: dict[_GroupKey, list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault(_key(job), []).append(i)
    outcomes: list[Outcome | None] = [None] * len(jobs)
    for g, (key, members) in enumerate(groups.items()):
        yield from _fit_group(key, [jobs[i] for i in members], members, outcomes, g, len(groups))
    assert all(o is not None for o in outcomes)
    return [o for o in outcomes if o is not None]


def fit_stacked(jobs: Sequence[Job], should_stop: Callable[[], bool] | None = None) -> list[Outcome] | None:
    """Train every job's network (see :func:`iter_fit_stacked`); one :class:`Outcome` per job.

    ``should_stop`` is asked after every stacked epoch (a fraction of a millisecond), so a Cancel need
    not wait for all the networks: when it says stop, the training ends and ``None`` is returned.
    """
    gen = iter_fit_stacked(jobs)
    while True:
        try:
            next(gen)
        except StopIteration as done:
            return list(done.value)
        if should_stop is not None and should_stop():
            gen.close()
            return None


def _fit_group(
    key: _GroupKey,
    jobs: list[Job],
    indices: list[int],
    outcomes: list[Outcome | None],
    group: int,
    n_groups: int,
) -> Generator[Progress, None, None]:
    n_features, hidden, n_rows, n_val, lr, l2, clip, gradient, n_epochs, patience = key
    has_val = bool(n_val)
    net = _Network([n_features, *hidden, 1])
    members = [_Member(i, job, has_val) for i, job in zip(indices, jobs)]
    thetas = np.empty((len(jobs), net.size))
    for flat, job in zip(thetas, jobs):
        flat[:] = net.pack(*job.network.initial_parameters(n_features))
    X = np.stack([np.ascontiguousarray(job.X, dtype=np.float64) for job in jobs])
    y = np.stack([np.asarray(job.y, dtype=np.float64).ravel() for job in jobs])
    scale = 1.0 / n_rows if gradient == "mean" else 1.0
    for member in members:
        model = member.model
        model.n_features_in_ = n_features
        model.loss_curve_ = []
        model.validation_loss_curve_ = []
        model.best_epoch_ = 0
        model.n_epochs_ = 0

    # The training losses of every epoch, one row per epoch and one column per member (NaN once it has
    # left): a network's loss curve is written from its column when it leaves the group or the
    # iteration stops, not appended number by number every epoch (which cost more, for a 45-network
    # group, than the epoch's stacked arithmetic).
    history: list[Array] = []
    active = list(range(len(members)))  # positions in ``members`` still training
    columns = np.arange(len(members))  # the same, as an array
    theta, X_act, y_act = thetas, X, y
    grad = np.empty_like(theta)
    previous = theta.copy()
    stacked = _StackedPass(net, theta, grad, X_act, y_act)
    _bind(net, theta, members, active, patience)
    completed = 0  # epochs whose update every network still in the group has taken
    try:
        for epoch in range(1, n_epochs + 1):
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                losses, _ = stacked.loss_and_gradient(clip, scale, l2)  # inf where saturated
            if len(active) == len(members):
                history.append(losses)
            else:
                row_of_epoch = np.full(len(members), math.nan)
                row_of_epoch[columns] = losses
                history.append(row_of_epoch)
            keep = np.isfinite(losses)
            diverged = np.flatnonzero(~keep) if not keep.all() else ()
            for row in diverged:  # back to its last good weights, and out
                model = members[active[row]].model
                theta[row] = previous[row]
                model.n_epochs_ = epoch - 1
                if patience is None:
                    model.best_epoch_ = epoch - 1
                if patience is None or model.best_epoch_ == 0:  # else the best weights stay
                    model._set_layers(net.views(theta[row].copy()))
                model.loss_curve_ = _curve(history, active[row], epoch - 1)
                outcomes[members[active[row]].index] = Outcome(model, TrainingDiverged(epoch, lr))
            if has_val:
                for row in np.flatnonzero(keep):
                    member = members[active[row]]
                    model = member.model
                    assert member.X_val is not None and member.y_val is not None
                    layers = net.views(theta[row])
                    val_loss = cross_entropy(member.y_val, _predict(layers, member.X_val), clip)
                    model.validation_loss_curve_.append(val_loss)
                    if patience is not None and val_loss < member.best_val:
                        member.best_val = val_loss
                        model.best_epoch_ = epoch
                        model._set_layers(net.views(theta[row].copy()))
            np.copyto(previous, theta)
            np.multiply(grad, -lr, out=grad)
            np.add(theta, grad, out=theta)
            completed = epoch
            # Who is done after this epoch: all at the last one, or those whose patience ran out.
            if epoch == n_epochs:
                done = keep.copy()
            elif patience is not None:
                best = np.array([members[pos].model.best_epoch_ for pos in active])
                done = keep & (epoch - best >= patience)
            else:
                done = None
            if done is not None and done.any():
                table = np.array(history)
                for row in np.flatnonzero(done):
                    model = members[active[row]].model
                    model.n_epochs_ = epoch
                    if patience is None:
                        model.best_epoch_ = epoch
                        model._set_layers(net.views(theta[row].copy()))
                    model.loss_curve_ = table[:, active[row]].tolist()
                    outcomes[members[active[row]].index] = Outcome(model)
                keep &= ~done
            yield Progress(group, n_groups, len(members), epoch, n_epochs, len(members) - int(keep.sum()))
            if not keep.all():
                active = [pos for row, pos in enumerate(active) if keep[row]]
                if not active:
                    break
                columns = np.array(active)
                theta = theta[keep].copy()
                previous = previous[keep].copy()
                X_act, y_act = X_act[keep], y_act[keep]
                grad = np.empty_like(theta)
                stacked = _StackedPass(net, theta, grad, X_act, y_act)
                _bind(net, theta, members, active, patience)
    finally:
        # Stopped (or failed) midway: each network still training holds its last finished epoch, as
        # MLP.iter_fit leaves it (its layers follow theta already; see _bind).
        for pos in active:
            model = members[pos].model
            if outcomes[members[pos].index] is None:
                model.n_epochs_ = completed
                if patience is None:
                    model.best_epoch_ = completed
                model.loss_curve_ = _curve(history, pos, completed)


def _curve(history: list[Array], column: int, epochs: int) -> list[float]:
    """A network's training losses of its first ``epochs`` epochs, as ``MLP.iter_fit`` records them."""
    return np.array(history[:epochs])[:, column].tolist() if epochs else []


def _bind(
    net: _Network, theta: Array, members: list[_Member], active: list[int], patience: int | None
) -> None:
    """Without early stopping, each training network's layers are views into its row of ``theta``.

    ``theta`` is stepped in place, so a network always holds its last finished epoch's weights (as
    ``MLP.iter_fit`` does, if the iteration stops) without setting them every epoch: that cost more than
    the stacked arithmetic of a 9-network epoch. Called again whenever the group shrinks (a new theta).
    """
    if patience is None:
        for row, pos in enumerate(active):
            members[pos].model._set_layers(net.views(theta[row]))
