"""One prediction walked through: every number between the patient's values and the risk.

The steps are the tutorial's formulas — standardise, Z1 = X·W1 + b1, A1 = ReLU(Z1), …, risk =
sigmoid(Z) — filled with one patient's numbers from :func:`heartgui.core.explain.walk_through`.
:func:`walkthrough_steps` turns them into plain tables (strings, the same writing as the network
view's tooltips), and :class:`WalkthroughView` shows them as rich text with monospace numbers, a
sentence per step, selectable and copyable.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from heartgui.core.schema import BY_NAME
from heartgui.gui.widgets.network_view import column_label, number

__all__ = ["Step", "WalkthroughView", "walkthrough_steps"]


@dataclass(frozen=True)
class Step:
    """One step: a heading, its formula (HTML), a sentence about this patient, and a table of strings."""

    key: str  # "raw", "scaled", "one_hot", "layer1", …, "output"
    title: str
    formula: str
    sentence: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def raw_number(name: str, value: float) -> str:
    """A raw value with its feature's decimals (``70`` years, ``2.4`` mm)."""
    return f"{value:.{BY_NAME[name].decimals}f}".replace("-", "−")


def _units(indices: tuple[int, ...]) -> str:
    if not indices:
        return "none"
    return ", ".join(str(i) for i in indices)


def walkthrough_steps(model: Any, walk: Any) -> list[Step]:
    """The steps of ``walk`` (a ``WalkThrough`` of ``model``) as tables of formatted strings."""
    steps: list[Step] = []
    raw_rows = []
    for name, value in walk.raw.items():
        feature = BY_NAME[name]
        raw_rows.append((feature.label, feature.describe_value(value), raw_number(name, value)))
    steps.append(
        Step(
            "raw",
            "Step 1 — The patient",
            "x = the values in the form",
            "These are the numbers the model receives (coded features as their codes).",
            ("Feature", "Value", "x"),
            tuple(raw_rows),
        )
    )
    scaled_rows = tuple(
        (BY_NAME[v.name].label, raw_number(v.name, v.raw), number(v.mean), number(v.sd), number(v.z))
        for v in walk.scaled
    )
    steps.append(
        Step(
            "scaled",
            "Step 2 — Standardise",
            "z = (x − mean) / sd",
            "Each measurement is compared with the training patients: z says how many standard "
            "deviations it lies above (+) or below (−) their mean, so that no feature counts more just "
            "because of its unit.",
            ("Feature", "x", "mean", "sd", "z"),
            scaled_rows,
        )
    )
    if walk.one_hot:
        one_hot_rows = tuple((column_label(name), f"{value:g}") for name, value in walk.one_hot.items())
        steps.append(
            Step(
                "one_hot",
                "Step 2b — One input per category (one-hot)",
                "1 for the patient's answer, 0 for the others",
                "Chest pain type, resting ECG and thallium scan are categories without an order, so each "
                "answer gets its own input.",
                ("Input", "value"),
                one_hot_rows,
            )
        )
    weights = model.network_.coefs_
    biases = model.network_.intercepts_
    labels = [column_label(n) for n in walk.input_names]
    previous = walk.inputs
    n_layers = len(walk.layers)
    for layer in walk.layers:
        k = layer.index
        w, b = weights[k - 1], biases[k - 1]
        source = "X" if k == 1 else f"A<sub>{k - 1}</sub>"
        if layer.activation == "relu":
            rows = []
            for j in range(len(layer.z)):
                terms = previous * w[:, j]
                biggest = int(abs(terms).argmax())
                who = labels[biggest] if k == 1 else f"unit {biggest + 1}"
                state = "switched off" if layer.a[j] <= 0 else "on"
                rows.append(
                    (
                        str(j + 1),
                        number(float(b[j])),
                        number(float(layer.z[j])),
                        number(float(layer.a[j])),
                        state,
                        f"{who} ({number(float(terms[biggest]))})",
                    )
                )
            off = layer.switched_off
            sentence = (
                f"Each of the {len(layer.z)} units adds up its inputs, each times its weight (the lines "
                f"of the drawing), plus its bias. ReLU keeps a positive Z and turns a negative one into 0: "
                f"switched off for this patient: {_units(off)}."
            )
            steps.append(
                Step(
                    f"layer{k}",
                    f"Step {k + 2} — Hidden layer {k}",
                    f"Z<sub>{k}</sub> = {source}·W<sub>{k}</sub> + b<sub>{k}</sub>, then "
                    f"A<sub>{k}</sub> = ReLU(Z<sub>{k}</sub>) = max(0, Z<sub>{k}</sub>)",
                    sentence,
                    ("Unit", f"b{k}", f"Z{k}", f"A{k}", "state", "largest push (input × weight)"),
                    tuple(rows),
                )
            )
        else:
            z = float(layer.z[0])
            risk = float(layer.a[0])
            sentence = (
                f"The output unit adds up the {len(previous)} hidden values times their weights, plus its "
                f"bias: Z = {number(z)} (the log-odds). The sigmoid squeezes it into 0–1: "
                f"risk = 1 / (1 + e<sup>−Z</sup>) = {number(risk)} = {risk * 100:.1f} %."
            )
            steps.append(
                Step(
                    "output",
                    f"Step {n_layers + 2} — Output",
                    f"Z<sub>{k}</sub> = {source}·W<sub>{k}</sub> + b<sub>{k}</sub>, then "
                    f"risk = sigmoid(Z<sub>{k}</sub>) = 1 / (1 + e<sup>−Z<sub>{k}</sub></sup>)",
                    sentence,
                    (f"b{k}", f"Z{k}", "risk", "risk %"),
                    ((number(float(b[0])), number(z), number(risk), f"{risk * 100:.1f} %"),),
                )
            )
        previous = layer.a
    return steps


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-").rstrip(" %"))
    except ValueError:
        return False
    return not math.isnan(float(text.replace("−", "-").rstrip(" %")))


class WalkthroughView(QTextBrowser):
    """The walk-through as rich text: a heading, a formula, a sentence and a table per step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Walk-through of one prediction")
        self.setOpenLinks(False)
        self.steps: list[Step] = []
        self.message = ""
        self._pending = False  # steps not laid out yet (they arrived while the view was hidden)

    def show_steps(self, steps: list[Step]) -> None:
        """Show ``steps`` (from :func:`walkthrough_steps`), keeping the scroll position.

        :attr:`steps` changes at once; while the view is hidden (e.g. behind another tab) the text is laid
        out only when it is shown (``setHtml`` of the tables takes ~20 ms).
        """
        self.steps = list(steps)
        self.message = ""
        if not self.isVisible():
            self._pending = True
            return
        self._render()

    def _render(self) -> None:
        self._pending = False
        position = self.verticalScrollBar().value()
        self.setHtml(self._html())
        self.verticalScrollBar().setValue(position)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._pending:
            self._render()

    def show_message(self, text: str) -> None:
        """Show ``text`` instead of the steps (no model, training in progress, …)."""
        self.steps = []
        self.message = text
        self._pending = False
        self.setHtml(f"<p>{html.escape(text)}</p>")

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    def _html(self) -> str:
        soft = self.palette().color(QPalette.ColorRole.Mid).name()
        parts = []
        for step in self.steps:
            parts.append(f"<h3 style='margin-bottom:2px'>{html.escape(step.title)}</h3>")
            parts.append(f"<p style='margin-top:0'><b><i>{step.formula}</i></b><br>{step.sentence}</p>")
            parts.append(
                f"<table cellspacing='0' cellpadding='3' border='1' "
                f"style='border-collapse: collapse; border-color: {soft}; border-style: solid'>"
            )
            parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in step.header) + "</tr>")
            for row in step.rows:
                cells = []
                for cell in row:
                    if _is_number(cell):
                        cells.append(f"<td align='right'><tt>{html.escape(cell)}</tt></td>")
                    else:
                        cells.append(f"<td>{html.escape(cell)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</table>")
        return "\n".join(parts)
