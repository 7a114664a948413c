"""One step of learning walked through: the backward pass and the update, as tables of real numbers.

:func:`backprop_steps` turns a :class:`~heartgui.core.backprop.BackwardPass` (computed by the core, never
re-derived here) into the same :class:`~heartgui.gui.widgets.walkthrough_view.Step` tables the forward
walk-through uses, so a :class:`~heartgui.gui.widgets.walkthrough_view.WalkthroughView` shows them: each
quantity with its formula, the tutorial's variable name (``dl_wrt_w2`` …) and its numbers, then the
update ``W ← W − learning_rate · dL/dW`` (old weight, gradient, new weight) and the loss before and
after the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from heartgui.gui.widgets.walkthrough_view import Step

__all__ = ["PATIENT_ROWS", "UPDATE_ROWS", "backprop_steps", "gradient_number", "precise_number"]

#: Rows of the per-patient arrays shown for the whole batch (the gradients use every patient).
PATIENT_ROWS = 8
#: The update table lists this many of the weights and biases the step moves most.
UPDATE_ROWS = 12


def gradient_number(x: float) -> str:
    """Four significant digits with a real minus sign (gradients range from 1e-5 to 1e3)."""
    return f"{x + 0.0:.4g}".replace("-", "−")  # + 0.0: no "−0" for a gradient the ReLU gate zeroed


def precise_number(x: float) -> str:
    """Six decimals: an old and a new weight differ by learning rate × gradient, often < 0.001."""
    return f"{x + 0.0:.6f}".replace("-", "−")


def _loss(loss: float) -> str:
    """A cross-entropy, never negative (a saturated risk can round it to −1e-16)."""
    return precise_number(max(float(loss), 0.0))


def _patient_labels(step: Any, patient_label: str) -> list[str]:
    n = len(np.asarray(step["yhat"]))
    if step.patient is not None or step.n_patients == 1:
        return [patient_label]
    return [f"patient {i + 1}" for i in range(min(n, PATIENT_ROWS))]


def _rows_note(step: Any) -> str:
    if step.patient is None and step.n_patients > PATIENT_ROWS:
        return (
            f" The table shows the first {PATIENT_ROWS} of the {step.n_patients} training patients (in the "
            "order of the training split); the gradients below use all of them."
        )
    return ""


def _unit_names(layer: int, size: int, n_layers: int, input_labels: Sequence[str]) -> list[str]:
    if layer == 0:
        return list(input_labels)
    if layer == n_layers:
        return ["output"]
    return [f"h{layer}.{j + 1}" for j in range(size)]


def _shares_sentence(step: Any, k: int) -> str:
    """How the patients' shares make up the gradient of W{k}."""
    below = "its input x" if k == 1 else f"its A{k - 1} row"
    if step.patient is not None or step.n_patients == 1:
        text = f"This patient's share is the outer product of {below} and its dL/dZ{k}."
        if step.n_patients == 1 and step.l2:
            text += f" With weight decay the L2 term {step.l2:g}·W{k} is added."
        return text
    text = f"Each patient's share is the outer product of {below} and its dL/dZ{k}; "
    text += f"the {step.n_patients} shares "
    if step.scale == 1.0:
        text += "are summed (as in the tutorial: the gradient grows with the number of patients)"
    else:
        text += f"are averaged (summed, then × 1/{step.n_patients}, as in the recommended settings)"
    if step.l2:
        text += f", plus the L2 term {step.l2:g}·W{k} (weight decay pulls every weight towards 0)"
    return text + "."


def backprop_steps(
    step: Any,
    input_labels: Sequence[str],
    *,
    patient_label: str = "this patient",
) -> list[Step]:
    """The backward pass and update of ``step`` (a ``BackwardPass``) as tables of formatted strings.

    ``input_labels`` name the network's inputs (the rows of dL/dW1); ``patient_label`` names the row of a
    one-patient step.
    """
    L = int(step.n_layers)
    sizes = [int(np.shape(step["W1"])[0]), *(int(np.shape(step[f"W{k}"])[1]) for k in range(1, L + 1))]
    labels = _patient_labels(step, patient_label)
    shown = len(labels)
    y = np.asarray(step.y, dtype=float).ravel()[:shown]
    yhat = np.asarray(step["yhat"], dtype=float).ravel()[:shown]
    d_yhat = np.asarray(step["dl_wrt_yhat"], dtype=float).ravel()[:shown]
    d_sig = np.asarray(step["dl_wrt_sig"], dtype=float).ravel()[:shown]
    d_z = np.asarray(step[f"dl_wrt_z{L}"], dtype=float).ravel()[:shown]
    steps: list[Step] = []
    n = 1

    # 1. The output's error, patient by patient.
    if step.clipping_active:
        why = (
            "Some ŷ here is within the clip (1e-10) of 0 or 1, where the tutorial's code clips the "
            f"denominators: for a patient whose risk is that close to the wrong answer, dl_wrt_z{L} is far "
            "smaller than ŷ − y (compare the last two columns)."
        )
    else:
        why = (
            "Multiplied, the fractions cancel: dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ)), times ŷ(1 − ŷ), leaves ŷ − y. "
            "That holds while no ŷ is within the clip (1e-10) of 0 or 1 — true here, so the last two "
            "columns agree."
        )
    rows = tuple(
        (
            labels[i],
            f"{y[i]:g}",
            gradient_number(yhat[i]),
            gradient_number(d_yhat[i]),
            gradient_number(d_sig[i]),
            gradient_number(d_z[i]),
            gradient_number(yhat[i] - y[i]),
        )
        for i in range(shown)
    )
    steps.append(
        Step(
            "output_error",
            f"Back {n} — How wrong is the risk? (loss L = {_loss(step.loss)})",
            "dl_wrt_yhat: dL/dŷ = (1 − y)/(1 − ŷ) − y/ŷ;  dl_wrt_sig: dŷ/dZ"
            f"<sub>{L}</sub> = σ'(Z<sub>{L}</sub>) = ŷ(1 − ŷ);  dl_wrt_z{L}: dL/dZ<sub>{L}</sub> = dL/dŷ · "
            f"dŷ/dZ<sub>{L}</sub>",
            "The loss is the cross-entropy: small when the risk ŷ is near the true diagnosis y (1 = disease "
            "present, 0 = absent). dL/dŷ says how the loss changes with the risk, dŷ/dZ how the sigmoid "
            f"passes a change of Z back. {why}{_rows_note(step)}",
            ("", "y", "ŷ (risk)", "dl_wrt_yhat", "dl_wrt_sig", f"dl_wrt_z{L}", "ŷ − y"),
            rows,
        )
    )
    n += 1

    for k in range(L, 0, -1):
        below = "X" if k == 1 else f"A<sub>{k - 1}</sub>"
        dw = np.asarray(step[f"dl_wrt_w{k}"], dtype=float)
        db = np.asarray(step[f"dl_wrt_b{k}"], dtype=float).ravel()
        sources = _unit_names(k - 1, sizes[k - 1], L, input_labels)
        targets = _unit_names(k, sizes[k], L, input_labels)
        rows_w = [(sources[i], *(gradient_number(v) for v in dw[i])) for i in range(dw.shape[0])]
        rows_w.append((f"bias b{k} (dl_wrt_b{k})", *(gradient_number(v) for v in db)))
        bias_words = "summed over the patients" if step.patient is None and step.n_patients > 1 else ""
        if bias_words and step.scale != 1.0:
            bias_words = "averaged over the patients"
        steps.append(
            Step(
                f"dl_wrt_w{k}",
                f"Back {n} — The gradient of W{k} and b{k}",
                f"dl_wrt_w{k}: dL/dW<sub>{k}</sub> = {below}ᵀ · dL/dZ<sub>{k}</sub>;  dl_wrt_b{k}: "
                f"dL/db<sub>{k}</sub> = dL/dZ<sub>{k}</sub>{' ' + bias_words if bias_words else ''}",
                "One number per weight: which way, and how strongly, the loss"
                + (" (with the L2 term)" if step.l2 else "")
                + " changes when that weight grows a little. A positive gradient means the step lowers the "
                "weight, a negative one raises it. " + _shares_sentence(step, k),
                ("from \\ to", *targets),
                tuple(rows_w),
            )
        )
        n += 1
        if k == 1:
            break
        h = k - 1
        units = _unit_names(h, sizes[h], L, input_labels)
        d_a = np.asarray(step[f"dl_wrt_A{h}"], dtype=float)[:shown]
        z = np.asarray(step[f"Z{h}"], dtype=float)
        d_zh = np.asarray(step[f"dl_wrt_z{h}"], dtype=float)[:shown]
        steps.append(
            Step(
                f"dl_wrt_A{h}",
                f"Back {n} — Back to hidden layer {h}: dL/dA{h}",
                f"dl_wrt_A{h}: dL/dA<sub>{h}</sub> = dL/dZ<sub>{k}</sub> · W<sub>{k}</sub>ᵀ",
                "Each hidden unit gets the error of the layer above, through the weights it sends there: "
                "a unit with a large weight to the layer above takes a large share of the blame."
                + _rows_note(step),
                ("", *units),
                tuple((labels[i], *(gradient_number(v) for v in d_a[i])) for i in range(shown)),
            )
        )
        n += 1
        passing = (z > 0).sum(axis=0)
        total = z.shape[0]
        gate_rows: tuple[tuple[str, ...], ...]
        if total == 1:
            gate_rows = tuple(
                (
                    units[j],
                    gradient_number(float(z[0, j])),
                    "1" if z[0, j] > 0 else "0",
                    "passes the gradient back" if z[0, j] > 0 else "off: passes nothing back",
                )
                for j in range(len(units))
            )
            header: tuple[str, ...] = ("Unit", f"Z{h}", "gate", "")
            off = [units[j] for j in range(len(units)) if z[0, j] <= 0]
            gate_sentence = (
                f"ReLU'(Z) is 1 where Z > 0 and 0 elsewhere: a unit that was switched off in the forward "
                "pass passes no gradient back, and its incoming weights get no share of this patient's "
                "error. "
                f"Off here: {', '.join(off) if off else 'none'}."
            )
        else:
            gate_rows = tuple(
                (
                    units[j],
                    f"{int(passing[j])} of {total}",
                    "off for every patient" if passing[j] == 0 else "passes back for these patients",
                )
                for j in range(len(units))
            )
            header = ("Unit", f"patients with Z{h} > 0", "")
            dead = [units[j] for j in range(len(units)) if passing[j] == 0]
            gate_sentence = (
                "ReLU'(Z) is 1 where Z > 0 and 0 elsewhere, patient by patient: a unit passes the gradient "
                "back only for the patients for whom it was on in the forward pass. "
                + (
                    f"Off for every patient: {', '.join(dead)} — its incoming weights get no gradient at "
                    "all (a 'dead' unit)."
                    if dead
                    else "No unit is off for every patient."
                )
            )
        steps.append(
            Step(
                f"relu_gate{h}",
                f"Back {n} — The ReLU gate of hidden layer {h}",
                f"ReLU'(Z<sub>{h}</sub>) = 1 where Z<sub>{h}</sub> &gt; 0, else 0 (the tutorial's d_relu)",
                gate_sentence,
                header,
                gate_rows,
            )
        )
        n += 1
        steps.append(
            Step(
                f"dl_wrt_z{h}",
                f"Back {n} — dL/dZ{h}: the error inside hidden layer {h}",
                f"dl_wrt_z{h}: dL/dZ<sub>{h}</sub> = dL/dA<sub>{h}</sub> · ReLU'(Z<sub>{h}</sub>)",
                f"dL/dA{h} where the gate is 1, and 0 where the unit was off.{_rows_note(step)}",
                ("", *units),
                tuple((labels[i], *(gradient_number(v) for v in d_zh[i])) for i in range(shown)),
            )
        )
        n += 1

    # The update: the weights and biases this step moves most, then the loss before and after.
    moves: list[tuple[float, str, float, float, float]] = []
    for k in range(1, L + 1):
        old_w = np.asarray(step[f"W{k}"], dtype=float)
        new_w = np.asarray(step[f"W{k}_next"], dtype=float)
        old_b = np.asarray(step[f"b{k}"], dtype=float).ravel()
        new_b = np.asarray(step[f"b{k}_next"], dtype=float).ravel()
        if step.patient is None:  # the gradient the update used (with its L2 term)
            grad_w = np.asarray(step[f"dl_wrt_w{k}"], dtype=float)
            grad_b = np.asarray(step[f"dl_wrt_b{k}"], dtype=float).ravel()
        else:  # one patient's share did not make the update: the batch gradient did
            rate = float(step.learning_rate) or 1.0
            grad_w, grad_b = (old_w - new_w) / rate, (old_b - new_b) / rate
        sources = _unit_names(k - 1, sizes[k - 1], L, input_labels)
        targets = _unit_names(k, sizes[k], L, input_labels)
        for i in range(old_w.shape[0]):
            for j in range(old_w.shape[1]):
                name = f"W{k}: {sources[i]} → {targets[j]}"
                moves.append((abs(new_w[i, j] - old_w[i, j]), name, old_w[i, j], grad_w[i, j], new_w[i, j]))
        for j in range(len(old_b)):
            name = f"b{k}: bias of {targets[j]}"
            moves.append((abs(new_b[j] - old_b[j]), name, old_b[j], grad_b[j], new_b[j]))
    moves.sort(key=lambda m: -m[0])
    rate_text = gradient_number(step.learning_rate)
    update_rows = tuple(
        (
            name,
            precise_number(old),
            gradient_number(gradient),
            precise_number(-step.learning_rate * gradient),
            precise_number(new),
        )
        for _, name, old, gradient, new in moves[:UPDATE_ROWS]
    )
    change = step.loss_after - step.loss
    saturated = (
        " Some risks are within the clip (1e-10) of 0 or 1: a patient whose risk is that close to the wrong "
        "answer gets a gradient far smaller than ŷ − y, and barely pulls on the weights."
        if step.clipping_active
        else ""
    )
    if abs(change) < 5e-7:
        verdict = "The loss hardly changed (by less than 0.000001)." + saturated
    elif change < 0:
        verdict = "The step lowered the loss: the network fits these patients a little better." + saturated
    elif step.clipping_active:
        verdict = "The step raised the loss." + saturated
    elif step.l2:
        verdict = (
            "The cross-entropy rose a little: gradient descent lowers the cross-entropy plus the L2 term, "
            "and weight decay's pull towards 0 can outweigh the gain in fit once the network fits well. A "
            "loss that rises step after step means the learning rate is too large."
        )
    else:
        verdict = (
            "The step raised the loss: the learning rate is too large here (the step overshoots the "
            "lowest point along its direction)."
        )
    whom = "the whole training batch" if step.patient is None and step.n_patients > 1 else patient_label
    steps.append(
        Step(
            "update",
            f"Back {n} — The update, with learning rate {rate_text}",
            "W ← W − learning_rate · dL/dW,  b ← b − learning_rate · dL/db",
            f"Every weight moves against its gradient, by learning rate × gradient. These are the "
            f"{min(UPDATE_ROWS, len(moves))} of the {len(moves)} weights and biases this step moves most"
            + (" (a weight's gradient includes its L2 term)." if step.l2 else "."),
            ("Weight", "old", "gradient", "− learning rate × gradient", "new"),
            update_rows,
        )
    )
    n += 1
    steps.append(
        Step(
            "loss",
            f"Back {n} — The loss before and after the step",
            "L = − mean[ y·log ŷ + (1 − y)·log(1 − ŷ) ]",
            f"The mean cross-entropy on {whom}, with the old weights and with the new ones. {verdict}",
            ("loss before", "loss after", "change"),
            ((_loss(step.loss), _loss(step.loss_after), precise_number(change)),),
        )
    )
    return steps
