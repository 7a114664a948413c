"""The network drawn: input, hidden and output units, and one line per weight.

Painted with ``QPainter`` on a plain widget (a few hundred lines, well under a millisecond of work
per frame). Each connection is coloured by the sign of its weight — orange for a positive weight (it
pushes the next unit up), blue for a negative one (it pushes it down), the Okabe–Ito pair that
colour-blind readers tell apart, in a lighter shade on dark themes — and is as thick as its |weight|
relative to the largest weight of its layer. Hovering a node or a line shows its numbers.

:meth:`NetworkView.set_weights` stores the weights at once but repaints at most
:data:`REPAINT_INTERVAL_MS` apart, so it can be fed every training progress batch without slowing the
window. :meth:`NetworkView.set_activations` shades the units for one patient; hidden units whose ReLU
output is 0 are drawn grey and dashed, marked "off", and their outgoing lines fade.

With :meth:`NetworkView.set_gradients` and :meth:`NetworkView.set_show_gradients` the lines show each
weight's gradient (dL/dw of the training batch) instead: the same colours for its sign, the thickness for
its size relative to the largest gradient of its layer. A click on a line or a unit selects that weight
or bias and emits :attr:`NetworkView.element_clicked`; the selection is drawn outlined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from heartgui.core.schema import BY_NAME, FEATURE_NAMES, NOMINAL_NAMES

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "REPAINT_INTERVAL_MS",
    "Edge",
    "Element",
    "NetworkView",
    "Node",
    "default_input_names",
    "weight_colour",
]

#: A weight ``("w", layer, source, target)`` or a bias ``("b", layer, unit)``; layers are 1-based.
Element = tuple[Any, ...]

#: Milliseconds between two repaints while new weights arrive (~12 per second).
REPAINT_INTERVAL_MS = 80

#: Okabe–Ito vermillion/orange (positive) and blue (negative); lighter variants for dark backgrounds.
POSITIVE_LIGHT_THEME = QColor(213, 94, 0)
NEGATIVE_LIGHT_THEME = QColor(0, 114, 178)
POSITIVE_DARK_THEME = QColor(240, 160, 60)
NEGATIVE_DARK_THEME = QColor(86, 180, 233)

NODE_RADIUS = 11.0
#: Line thicknesses are drawn in this many steps of |weight| / largest |weight| of the layer.
EDGE_LEVELS = 16
#: How close (pixels) the mouse must be to a line for its tooltip.
EDGE_HIT_DISTANCE = 4.0


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def weight_colour(weight: float, palette: QPalette) -> QColor:
    """Orange for a positive weight, blue for a negative one, in the shade that reads on ``palette``."""
    dark = is_dark(palette)
    if weight >= 0:
        return QColor(POSITIVE_DARK_THEME if dark else POSITIVE_LIGHT_THEME)
    return QColor(NEGATIVE_DARK_THEME if dark else NEGATIVE_LIGHT_THEME)


def default_input_names(n_inputs: int) -> tuple[str, ...]:
    """The network's input columns for ``n_inputs`` inputs: the 13 features, or with one-hot parts."""
    if n_inputs == len(FEATURE_NAMES):
        return tuple(FEATURE_NAMES)
    names = [n for n in FEATURE_NAMES if n not in NOMINAL_NAMES]
    for name in NOMINAL_NAMES:
        names.extend(f"{name}={code}" for code in sorted(BY_NAME[name].codes or {}))
    if len(names) == n_inputs:
        return tuple(names)
    return tuple(f"input {i + 1}" for i in range(n_inputs))


def column_label(column: str) -> str:
    """The clinical label of a network input column (``"cp=4"`` → ``"Chest pain type: asymptomatic"``)."""
    from heartgui.core.preprocessing import Preprocessor

    try:
        return Preprocessor().label(column)
    except (KeyError, ValueError):
        return column


def number(x: float) -> str:
    """Three decimals with a real minus sign (tables and tooltips use the same writing)."""
    return f"{x:.3f}".replace("-", "−")


@dataclass(frozen=True)
class Node:
    """One unit: ``layer`` 0 is the input layer; the last layer is the output."""

    layer: int
    index: int  # 0-based within its layer
    position: QPointF
    label: str


@dataclass(frozen=True)
class Edge:
    """One weight, from unit ``source`` of ``layer`` − 1 to unit ``target`` of ``layer`` (1-based)."""

    layer: int
    source: int
    target: int
    weight: float
    start: QPointF
    end: QPointF


class NetworkView(QWidget):
    """A drawing of the network with its current weights (and, optionally, one patient's activations).

    Signals
    -------
    element_clicked(tuple) : the user clicked a weight ``("w", layer, source, target)`` or a bias
        ``("b", layer, unit)`` (layers 1-based, units 0-based).
    """

    element_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Network drawing")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.weights: list[Any] = []  # numpy arrays (n_in, n_out) per layer
        self.biases: list[Any] = []
        self.input_names: tuple[str, ...] = ()
        self.input_labels: tuple[str, ...] = ()
        self.inputs: Any = None  # the patient's network input row, or None
        self.pre_activations: list[Any] = []  # Z per layer for the patient
        self.activations: list[Any] = []  # A per layer for the patient
        self.gradients: list[Any] | None = None  # dL/dW per layer (same shapes as weights), or None
        self.bias_gradients: list[Any] | None = None
        self.show_gradients = False
        self.selected: Element | None = None
        self.placeholder = "No network yet: train one on the Train page, or open a saved model."
        self.caption = ""
        self.paint_count = 0
        self._nodes: list[list[Node]] = []
        self._edges: list[Edge] = []
        self._geometry_size = QSize()
        self._hint_count = 1  # lines of the hint under the legend, when the nodes were placed
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(REPAINT_INTERVAL_MS)
        self._repaint.timeout.connect(self.update)

    # ----------------------------------------------------------------------------------------------
    # data
    @property
    def layer_sizes(self) -> tuple[int, ...]:
        if not self.weights:
            return ()
        return (int(self.weights[0].shape[0]), *(int(w.shape[1]) for w in self.weights))

    def set_weights(
        self, weights: Sequence[Any], biases: Sequence[Any], feature_names: Sequence[str] | None = None
    ) -> None:
        """Draw these weights (``weights[l]`` of shape (n_in, n_out)) and biases.

        ``feature_names`` are the network's input columns (``model.feature_names_out_``); when omitted
        they are inferred from the number of inputs. Activations of a different architecture are
        dropped. The repaint is throttled, so calling this for every training batch is cheap.
        """
        import numpy as np

        old_sizes = self.layer_sizes
        self.weights = [np.asarray(w, dtype=float) for w in weights]
        self.biases = [np.asarray(b, dtype=float).ravel() for b in biases]
        n_inputs = self.layer_sizes[0] if self.weights else 0
        names = tuple(feature_names) if feature_names is not None else self.input_names
        if len(names) != n_inputs:
            names = default_input_names(n_inputs)
        if names != self.input_names:
            self.input_names = names
            self.input_labels = tuple(column_label(n) for n in names)
        if self.layer_sizes != old_sizes:
            self.set_activations(None)
            self.gradients = self.bias_gradients = None
            self.selected = None
        self._geometry_size = QSize()  # positions and edges are rebuilt when next needed
        self.schedule_repaint()

    def set_gradients(self, weights: Sequence[Any] | None, biases: Sequence[Any] | None = None) -> None:
        """The gradient of each weight (``dl_wrt_w1``, … of the batch) and bias, or ``None`` (unknown).

        Drawn instead of the weights while :attr:`show_gradients` is on; gradients of another shape than
        the weights are ignored.
        """
        import numpy as np

        if weights is None:
            self.gradients = self.bias_gradients = None
        else:
            grads = [np.asarray(g, dtype=float) for g in weights]
            if [g.shape for g in grads] != [w.shape for w in self.weights]:
                self.gradients = self.bias_gradients = None
            else:
                self.gradients = grads
                self.bias_gradients = (
                    None if biases is None else [np.asarray(g, dtype=float).ravel() for g in biases]
                )
        self.schedule_repaint()

    def set_show_gradients(self, on: bool) -> None:
        """Draw the gradients (when known) instead of the weights."""
        self.show_gradients = bool(on)
        self.schedule_repaint()

    @property
    def drawing_gradients(self) -> bool:
        """True when the lines show gradients (asked for, and known for these weights)."""
        return self.show_gradients and self.gradients is not None

    def drawn_value(self, edge: Edge) -> float:
        """What the line of ``edge`` shows: its gradient while gradients are drawn, else its weight."""
        if self.drawing_gradients and self.gradients is not None:
            return float(self.gradients[edge.layer - 1][edge.source, edge.target])
        return edge.weight

    def set_selected(self, element: Element | None) -> None:
        """Outline this weight or bias (``None``: nothing)."""
        self.selected = None if element is None else tuple(element)
        self.schedule_repaint()

    def clear(self) -> None:
        """Draw nothing but the placeholder text."""
        self.weights, self.biases = [], []
        self.gradients = self.bias_gradients = None
        self.selected = None
        self.input_names, self.input_labels = (), ()
        self.set_activations(None)
        self._nodes, self._edges = [], []
        self.caption = ""
        self._geometry_size = QSize()
        self.update()

    def set_activations(
        self,
        inputs: np.ndarray | Sequence[float] | None,
        pre_activations: Sequence[Any] = (),
        activations: Sequence[Any] = (),
    ) -> None:
        """Shade the units for one patient: the input row, then Z and A of each layer (``None`` clears).

        Typically from :func:`heartgui.core.explain.walk_through`: ``inputs``, ``[l.z for l in layers]``,
        ``[l.a for l in layers]``.
        """
        import numpy as np

        if inputs is None:
            self.inputs, self.pre_activations, self.activations = None, [], []
        else:
            self.inputs = np.asarray(inputs, dtype=float).ravel()
            self.pre_activations = [np.asarray(z, dtype=float).ravel() for z in pre_activations]
            self.activations = [np.asarray(a, dtype=float).ravel() for a in activations]
        self.schedule_repaint()

    def set_caption(self, text: str) -> None:
        """A line of text under the drawing (e.g. "Weights after epoch 120")."""
        if bool(text) != bool(self.caption):
            self._geometry_size = QSize()  # the caption takes a line of the drawing's height
        self.caption = text
        self.schedule_repaint()

    def schedule_repaint(self) -> None:
        """Repaint soon: at once when idle, else when the throttling interval has passed."""
        if not self._repaint.isActive():
            self.update()
            self._repaint.start()  # further requests within the interval wait for its timeout

    # ----------------------------------------------------------------------------------------------
    # geometry
    @property
    def nodes(self) -> list[list[Node]]:
        """The units per layer (input layer first) at their current positions."""
        self._ensure_geometry()
        return self._nodes

    @property
    def edges(self) -> list[Edge]:
        """One :class:`Edge` per weight, at the current positions."""
        self._ensure_geometry()
        return self._edges

    def node_position(self, layer: int, index: int) -> QPointF:
        return self.nodes[layer][index].position

    def edge(self, layer: int, source: int, target: int) -> Edge:
        sizes = self.layer_sizes
        offset = sum(sizes[i] * sizes[i + 1] for i in range(layer - 1))
        return self.edges[offset + source * sizes[layer] + target]

    def _label_width(self) -> float:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(t) for t in self.input_labels), default=0)
        return min(widest + 8.0, max(self.width() * 0.42, 120.0))

    def input_label(self, label: str) -> str:
        """An input's label as drawn left of its circle: elided to the room there (right-aligned in it;
        elided to 2 px more, its first letter was cut off at the drawing's left edge)."""
        return self.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(self._label_width() - 6))

    def _ensure_geometry(self) -> None:
        if self._geometry_size != self.size() or self._hint_count != len(self.hint_lines()):
            self._relayout()

    def hint_lines(self) -> list[str]:
        """The hint under the legend, in lines that fit the width (elided to one line, a narrow window
        lost what the dashed grey units mean)."""
        hint = (
            "Thicker line = larger |gradient| in its layer: the weights this step moves most."
            if self.drawing_gradients
            else "Thicker line = larger |weight|."
        )
        hint += " Hover a line or a circle for its numbers; click one to change it."
        if self.activations:
            hint += " Dashed grey = switched off (ReLU gave 0)."
        metrics = _metrics(self, self.font())
        lines: list[str] = []
        line = ""
        for word in hint.split(" "):
            longer = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(longer) > self.width() - 8:
                lines.append(line)
                line = word
            else:
                line = longer
        return [*lines, line]

    def _relayout(self) -> None:
        self._geometry_size = self.size()
        self._hint_count = len(self.hint_lines())
        sizes = self.layer_sizes
        if not sizes:
            self._nodes, self._edges = [], []
            return
        metrics = self.fontMetrics()
        top = metrics.height() * 2.6 + NODE_RADIUS
        reserved = (3.8 if self.caption else 2.8) + self._hint_count - 1  # lines: legend, hint, caption
        bottom = self.height() - metrics.height() * reserved - NODE_RADIUS
        left = self._label_width() + NODE_RADIUS + 4
        right = self.width() - NODE_RADIUS - metrics.horizontalAdvance("100.0 %") - 12
        n_layers = len(sizes)
        nodes: list[list[Node]] = []
        for layer, size in enumerate(sizes):
            x = left + (right - left) * layer / max(n_layers - 1, 1)
            # Layers are spread over the same height, each centred, spaced at most 60 px apart.
            step = min((bottom - top) / max(size - 1, 1), 60.0)
            first = (top + bottom) / 2 - step * (size - 1) / 2
            layer_nodes = []
            for i in range(size):
                if layer == 0:
                    label = self.input_labels[i]
                elif layer == n_layers - 1:
                    label = "Risk"
                else:
                    label = f"h{layer}.{i + 1}"
                layer_nodes.append(Node(layer, i, QPointF(x, first + step * i), label))
            nodes.append(layer_nodes)
        edges = []
        for layer, w in enumerate(self.weights, start=1):
            for source in range(w.shape[0]):
                for target in range(w.shape[1]):
                    edges.append(
                        Edge(
                            layer,
                            source,
                            target,
                            float(w[source, target]),
                            nodes[layer - 1][source].position,
                            nodes[layer][target].position,
                        )
                    )
        self._nodes, self._edges = nodes, edges

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._geometry_size = QSize()

    def sizeHint(self) -> QSize:
        return QSize(640, 520)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, 300)

    # ----------------------------------------------------------------------------------------------
    # words
    def _unit_name(self, layer: int, index: int) -> str:
        n_layers = len(self.layer_sizes)
        if layer == 0:
            return self.input_labels[index]
        if layer == n_layers - 1:
            return "the output (risk)"
        return f"hidden unit {index + 1} of layer {layer}"

    def node_text(self, layer: int, index: int) -> str:
        """The tooltip of a unit: what it is, its bias, and this patient's numbers when shown."""
        n_layers = len(self.layer_sizes)
        lines: list[str] = []
        if layer == 0:
            name = self.input_names[index]
            kind = "one-hot part (1 if the patient has it, else 0)" if "=" in name else "standardised value"
            lines.append(f"Input {index + 1}: {self.input_labels[index]} — {kind}")
            if self.inputs is not None and index < len(self.inputs):
                lines.append(f"This patient: x = {number(self.inputs[index])}")
            return "\n".join(lines)
        bias = float(self.biases[layer - 1][index])
        if layer == n_layers - 1:
            lines.append("Output unit: Risk = sigmoid(Z)")
        else:
            lines.append(f"Hidden layer {layer}, unit {index + 1}: A = ReLU(Z)")
        lines.append(f"Bias b = {number(bias)}")
        if self.bias_gradients is not None:
            gradient = float(self.bias_gradients[layer - 1][index])
            lines.append(f"Gradient dL/db (training batch) = {_gradient_words(gradient)}")
        if self.activations and layer - 1 < len(self.activations):
            z = float(self.pre_activations[layer - 1][index])
            a = float(self.activations[layer - 1][index])
            if layer == n_layers - 1:
                lines.append(f"This patient: Z = {number(z)}, risk = sigmoid(Z) = {a * 100:.1f} %")
            elif a <= 0:
                lines.append(f"This patient: Z = {number(z)}, A = ReLU(Z) = 0 — switched off")
            else:
                lines.append(f"This patient: Z = {number(z)}, A = ReLU(Z) = {number(a)}")
        return "\n".join(lines)

    def edge_text(self, edge: Edge) -> str:
        """The tooltip of a connection: which two units it joins and its weight."""
        direction = "pushes it up" if edge.weight >= 0 else "pushes it down"
        text = (
            f"Weight from {self._unit_name(edge.layer - 1, edge.source)} to "
            f"{self._unit_name(edge.layer, edge.target)}: w = {number(edge.weight)} ({direction})"
        )
        if self.activations or self.inputs is not None:
            source = self.inputs if edge.layer == 1 else self.activations[edge.layer - 2]
            if source is not None and edge.source < len(source):
                term = float(source[edge.source]) * edge.weight
                text += f"\nFor this patient: input × weight = {number(term)}"
        if self.gradients is not None:
            gradient = float(self.gradients[edge.layer - 1][edge.source, edge.target])
            text += f"\nGradient dL/dw (training batch) = {_gradient_words(gradient)}"
        return text

    def element_at(self, pos: QPointF) -> Element | None:
        """The bias (a hidden or output unit) or weight (a line) at ``pos``, found as :meth:`tooltip_at`
        finds its text; ``None`` on an input unit (it has no bias) or on empty space."""
        for layer_nodes in self.nodes:
            for node in layer_nodes:
                delta = node.position - pos
                if math.hypot(delta.x(), delta.y()) <= NODE_RADIUS + 2:
                    return None if node.layer == 0 else ("b", node.layer, node.index)
        best, best_distance = None, EDGE_HIT_DISTANCE
        for edge in self.edges:
            distance = _distance_to_segment(pos, edge.start, edge.end)
            if distance <= best_distance:
                best, best_distance = edge, distance
        if best is None:
            return None
        return ("w", best.layer, best.source, best.target)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.weights:
            element = self.element_at(event.position())
            if element is not None:
                self.set_selected(element)
                self.element_clicked.emit(element)
                event.accept()
                return
        super().mousePressEvent(event)

    def tooltip_at(self, pos: QPointF) -> str:
        """The tooltip text at ``pos`` (widget coordinates): a unit first, then the nearest line."""
        for layer_nodes in self.nodes:
            for node in layer_nodes:
                delta = node.position - pos
                if math.hypot(delta.x(), delta.y()) <= NODE_RADIUS + 2:
                    return self.node_text(node.layer, node.index)
        best, best_distance = None, EDGE_HIT_DISTANCE
        for edge in self.edges:
            distance = _distance_to_segment(pos, edge.start, edge.end)
            if distance <= best_distance:
                best, best_distance = edge, distance
        if best is not None:
            return self.edge_text(best)
        # The input labels: the full label (it may be elided) and the value.
        if self.nodes and pos.x() < self.nodes[0][0].position.x():
            for node in self.nodes[0]:
                if abs(node.position.y() - pos.y()) <= self.fontMetrics().height() / 2:
                    return self.node_text(0, node.index)
        return ""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            help_event = QHelpEvent(event)  # type: ignore[call-overload]
            text = self.tooltip_at(QPointF(help_event.pos()))
            if text:
                QToolTip.showText(help_event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # ----------------------------------------------------------------------------------------------
    # painting
    def paintEvent(self, _event: QPaintEvent) -> None:
        self.paint_count += 1
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        soft = palette.color(QPalette.ColorRole.PlaceholderText)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.weights:
            painter.setPen(soft)
            painter.drawText(
                QRectF(self.rect()).adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
            painter.end()
            return
        self._ensure_geometry()
        self._paint_edges(painter, palette)
        self._paint_nodes(painter, palette, text_colour, soft)
        self._paint_titles(painter, text_colour, soft)
        painter.end()

    def _paint_edges(self, painter: QPainter, palette: QPalette) -> None:
        # Lines are drawn in groups of equal pen (sign × one of EDGE_LEVELS strengths × faded or not),
        # weakest first so strong lines lie on top: a few dozen drawLines calls instead of one per weight.
        groups: dict[tuple[int, bool, bool], list[QLineF]] = {}
        offset = 0
        sizes = self.layer_sizes
        drawn = self.gradients if self.drawing_gradients and self.gradients is not None else self.weights
        for layer, w in enumerate(drawn, start=1):
            count = sizes[layer - 1] * sizes[layer]
            largest = float(abs(w).max()) or 1.0
            off_sources: set[int] = set()
            # (The batch's gradients are not about the patient shown: no fading by the patient's off units.)
            if layer >= 2 and len(self.activations) >= layer - 1 and not self.drawing_gradients:
                off_sources = {int(i) for i, a in enumerate(self.activations[layer - 2]) if a <= 0}
            for edge in self._edges[offset : offset + count]:
                value = float(w[edge.source, edge.target])
                level = round(abs(value) / largest * EDGE_LEVELS)
                key = (level, value >= 0, edge.source in off_sources)
                groups.setdefault(key, []).append(QLineF(edge.start, edge.end))
            offset += count
        for (level, positive, faded), lines in sorted(groups.items()):
            strength = level / EDGE_LEVELS
            colour = weight_colour(1.0 if positive else -1.0, palette)
            colour.setAlpha(int((40 + 215 * strength) * (0.15 if faded else 1.0)))
            painter.setPen(QPen(colour, 0.6 + 4.4 * strength))
            painter.drawLines(lines)
        if self.selected is not None and self.selected[0] == "w":
            _, layer, source, target = self.selected
            if layer <= len(self.weights):
                edge = self.edge(layer, source, target)
                painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 2.0, Qt.PenStyle.DashLine))
                painter.drawLine(edge.start, edge.end)

    def _paint_nodes(self, painter: QPainter, palette: QPalette, text_colour: QColor, soft: QColor) -> None:
        n_layers = len(self._nodes)
        base = palette.color(QPalette.ColorRole.Base)
        window = palette.color(QPalette.ColorRole.Window)
        metrics = self.fontMetrics()
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() * 0.85, 6.5))
        small_metrics = _metrics(self, small)
        label_width = self._label_width()
        shaded = bool(self.activations)
        for layer, layer_nodes in enumerate(self._nodes):
            largest = 1.0
            if shaded and 0 < layer < n_layers - 1 and layer - 1 < len(self.activations):
                largest = float(max(self.activations[layer - 1].max(), 1e-12))
            for node in layer_nodes:
                fill = QColor(base)
                pen = QPen(soft, 1.2)
                value_text = ""
                if layer == 0 and self.inputs is not None and node.index < len(self.inputs):
                    x = float(self.inputs[node.index])
                    fill = _mix(base, weight_colour(x, palette), min(abs(x) / 2.5, 1.0) * 0.8)
                    value_text = number(x)
                elif layer > 0 and shaded and layer - 1 < len(self.activations):
                    a = float(self.activations[layer - 1][node.index])
                    if layer == n_layers - 1:
                        fill = _mix(base, weight_colour(1.0, palette), 0.15 + 0.85 * a)
                        value_text = f"{a * 100:.1f} %"
                    elif a <= 0:
                        fill = _mix(base, soft, 0.35)
                        pen = QPen(soft, 1.2, Qt.PenStyle.DashLine)
                        value_text = "off"
                    else:
                        fill = _mix(base, weight_colour(1.0, palette), 0.15 + 0.75 * a / largest)
                        value_text = number(a)
                if self.selected == ("b", layer, node.index):
                    pen = QPen(text_colour, 3.0)
                painter.setPen(pen)
                painter.setBrush(fill)
                painter.drawEllipse(node.position, NODE_RADIUS, NODE_RADIUS)
                painter.setPen(text_colour)
                if layer == 0:
                    label = self.input_label(node.label)
                    rect = QRectF(
                        0, node.position.y() - metrics.height() / 2, label_width - 6, metrics.height()
                    )
                    painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
                elif layer == n_layers - 1:
                    painter.drawText(
                        QPointF(node.position.x() + NODE_RADIUS + 5, node.position.y() - 3), node.label
                    )
                if value_text:
                    painter.setFont(small)
                    painter.setPen(text_colour)
                    if layer == n_layers - 1:
                        point = QPointF(
                            node.position.x() + NODE_RADIUS + 5, node.position.y() + metrics.ascent()
                        )
                        painter.drawText(point, value_text)
                    elif layer > 0:
                        # Above the unit, on a patch of the window colour so crossing lines don't hide it.
                        width = small_metrics.horizontalAdvance(value_text)
                        box = QRectF(
                            node.position.x() - width / 2 - 2,
                            node.position.y() - NODE_RADIUS - 2 - small_metrics.height(),
                            width + 4,
                            small_metrics.height(),
                        )
                        patch = QColor(window)
                        patch.setAlpha(210)
                        painter.fillRect(box, patch)
                        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, value_text)
                    painter.setFont(self.font())

    def _paint_titles(self, painter: QPainter, text_colour: QColor, soft: QColor) -> None:
        metrics = self.fontMetrics()
        sizes = self.layer_sizes
        bold = QFont(self.font())
        bold.setBold(True)
        bold_metrics = _metrics(self, bold)
        xs = [layer_nodes[0].position.x() for layer_nodes in self._nodes]
        previous_right = -math.inf
        for layer, x in enumerate(xs):
            titles: tuple[str, ...]  # longest first
            if layer == 0:
                titles = (f"Inputs ({sizes[0]})", "Inputs")
            elif layer == len(sizes) - 1:
                titles = ("Output (sigmoid)", "Output")
            else:
                titles = (
                    f"Hidden {layer} ({sizes[layer]}, ReLU)",
                    f"Hidden {layer} ({sizes[layer]})",
                    "Hidden",
                )
            # The longest title that fits between the neighbouring layers (narrow drawings, deep networks).
            gap = min(
                (abs(xs[j] - x) for j in (layer - 1, layer + 1) if 0 <= j < len(xs)), default=self.width()
            )
            title = next((t for t in titles if bold_metrics.horizontalAdvance(t) + 10 <= gap), titles[-1])
            width = bold_metrics.horizontalAdvance(title)
            left = min(max(x - width / 2, 2, previous_right + 8), self.width() - width - 2)
            previous_right = left + width
            painter.setFont(bold)
            painter.setPen(text_colour)
            painter.drawText(QPointF(left, metrics.ascent() + 2), title)
        painter.setFont(self.font())
        # The legend (two lines) and the caption along the bottom.
        palette = self.palette()
        line = metrics.height()
        hints = self.hint_lines()
        y = self.height() - metrics.descent() - 2 - line * len(hints)
        x = 4.0
        legend = (
            (
                (1.0, "orange: gradient > 0 (the weight goes down)"),
                (-1.0, "blue: < 0 (goes up)"),
            )
            if self.drawing_gradients
            else ((1.0, "orange: positive weight or value"), (-1.0, "blue: negative"))
        )
        for weight, words in legend:
            painter.setPen(QPen(weight_colour(weight, palette), 3))
            middle = y - metrics.ascent() / 2 + 1
            painter.drawLine(QPointF(x, middle), QPointF(x + 22, middle))
            painter.setPen(text_colour)
            painter.drawText(QPointF(x + 28, y), words)
            x += 28 + metrics.horizontalAdvance(words) + 18
        painter.setPen(soft)
        for index, hint in enumerate(hints):
            painter.drawText(
                QRectF(4, y + metrics.descent() + 1 + index * line, self.width() - 8, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                hint,
            )
        if self.caption:
            painter.setPen(text_colour)
            painter.drawText(QPointF(4, y - line - 2), self.caption)


def _gradient_words(gradient: float) -> str:
    way = "the step lowers it" if gradient > 0 else "the step raises it" if gradient < 0 else "no change"
    return f"{gradient + 0.0:.4g} ({way})".replace("-", "−")


def _metrics(widget: QWidget, font: QFont) -> Any:
    from PySide6.QtGui import QFontMetricsF

    return QFontMetricsF(font, widget)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(
        int(a.red() + (b.red() - a.red()) * t),
        int(a.green() + (b.green() - a.green()) * t),
        int(a.blue() + (b.blue() - a.blue()) * t),
    )


def _distance_to_segment(p: QPointF, a: QPointF, b: QPointF) -> float:
    dx, dy = b.x() - a.x(), b.y() - a.y()
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / length2))
    return math.hypot(p.x() - (a.x() + t * dx), p.y() - (a.y() + t * dy))
