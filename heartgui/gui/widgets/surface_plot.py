"""The decision surface: the network's risk over two findings, as a heat map on real patients.

The numbers are :func:`heartgui.core.surface.decision_surface`: the risk on a grid of two features with
every other finding held at the Predict page's patient's. Drawn here: the heat map (a colour bar in %),
the threshold as a dashed contour, the patient as a star, and the training patients whose other findings
resemble the patient's as dots (orange triangles: disease present; blue circles: absent). A coded
feature (chest pain type, thallium scan, …) takes one column or row per answer, labelled in words.

While the two features stay the same, a new surface (another model, patient or edited weight) updates
the artists in place (the mesh's colours, the star, the dots; the contour, which matplotlib cannot
update, is drawn again) and repaints with ``draw_idle``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from heartgui.core.schema import BY_NAME, FEATURES
from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.wording import threshold_percent

__all__ = ["DEFAULT_X", "DEFAULT_Y", "SurfacePlot"]

DEFAULT_X = "age"
DEFAULT_Y = "thalach"
#: Dots of a coded feature are spread this far (in columns) around their answer, so they don't pile up.
JITTER = 0.18
#: White (0 %) to dark grey (100 %), never black: the dots, the star and the dashed line stay readable.
GREY_DEPTH = 0.8


def _positions(name: str, values: np.ndarray) -> np.ndarray:
    """Where each grid value sits on its axis: the value, or 0, 1, … for the answers of a coded feature."""
    if BY_NAME[name].codes is not None:
        return np.arange(len(values), dtype=float)
    return np.asarray(values, dtype=float)


def _point_positions(name: str, grid: np.ndarray, values: np.ndarray, jitter: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if BY_NAME[name].codes is None:
        return values
    index = np.array([int(np.argmin(np.abs(grid - v))) for v in values], dtype=float)
    return index + jitter


class SurfacePlot(FigurePanel):
    """Two feature pickers and the risk over their grid, the patient and similar training patients on it.

    Signals
    -------
    features_changed(str, str) : the user picked another pair (x feature, y feature).
    """

    features_changed = Signal(str, str)
    _redraw_when_shown = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "The risk over two findings (decision surface)",
            "Decision surface",
            parent,
            toolbar=False,
            sentence=True,
            figsize=(6, 4),
            minimum_size=(320, 240),
            tick_size=8,
        )
        self.canvas.setToolTip(
            "The network's risk for a patient like this one if only these two findings changed. The star is "
            "the patient; the dots are training patients with similar other findings."
        )
        self.x_combo = QComboBox()
        self.x_combo.setObjectName("surface_x")
        self.x_combo.setAccessibleName("Feature across")
        self.y_combo = QComboBox()
        self.y_combo.setObjectName("surface_y")
        self.y_combo.setAccessibleName("Feature up")
        self.x_combo.setToolTip(
            "The finding along the horizontal axis, across its range in the training data."
        )
        self.y_combo.setToolTip("The finding along the vertical axis, across its range in the training data.")
        for combo, default in ((self.x_combo, DEFAULT_X), (self.y_combo, DEFAULT_Y)):
            for feature in FEATURES:
                combo.addItem(feature.label, feature.name)
            combo.setCurrentIndex(combo.findData(default))
            combo.currentIndexChanged.connect(self._on_combo)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Across:"))
        row.addWidget(self.x_combo)
        row.addSpacing(12)
        row.addWidget(QLabel("Up:"))
        row.addWidget(self.y_combo)
        row.addStretch(1)
        self.layout_.insertLayout(1, row)
        self.surface: Any = None
        self._blank_when_shown = False  # a message arrived while hidden: empty the axes when shown
        self.threshold = 0.5
        self.mesh: Any = None
        self.contour: Any = None
        self.star: Any = None
        self.dots: dict[int, Any] = {}  # outcome (0/1) -> the scatter of those patients
        self.colorbar: Any = None
        self._drawn_pair: tuple[str, str] | None = None
        self._redraw_when_shown = False
        self.draw_count = 0  # full redraws (a new pair of features or a new palette)
        self.update_count = 0  # in-place updates
        self.style_axes()

    # ----------------------------------------------------------------------------------------------
    @property
    def features(self) -> tuple[str, str]:
        """The chosen (x, y) features."""
        return str(self.x_combo.currentData()), str(self.y_combo.currentData())

    def set_features(self, x_feature: str, y_feature: str) -> None:
        for combo, name in ((self.x_combo, x_feature), (self.y_combo, y_feature)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(name))
            combo.blockSignals(False)
        self.features_changed.emit(*self.features)

    @Slot(int)
    def _on_combo(self, _index: int) -> None:
        self.features_changed.emit(*self.features)

    def show_message(self, text: str) -> None:
        """No surface: an empty plot and ``text`` under it (emptied when next shown, if hidden)."""
        self.surface = None
        self._forget_artists()
        if self.isVisible():
            self.blank()
        else:
            # Emptying the axes rebuilds their ticks (25-80 ms): not while the Inside page is hidden
            # and a training has just started (its first report brings this message).
            self._blank_when_shown = True
        self.sentence.setText(text)
        self.redraw()

    def showEvent(self, event: Any) -> None:
        if self._blank_when_shown and self.surface is None:
            self.blank()
        self._blank_when_shown = False
        super().showEvent(event)  # (draws what was left undrawn while hidden)

    def set_surface(self, surface: Any, threshold: float) -> None:
        """Show ``surface`` (a ``DecisionSurface``) with the decision ``threshold`` (0–1)."""
        self.surface = surface
        self.threshold = float(threshold)
        if self._drawn_pair == (surface.x_feature, surface.y_feature) and self.mesh is not None:
            self._update()
        else:
            self._draw()

    def apply_palette(self) -> None:
        if self.surface is None:
            super().apply_palette()
        else:
            self._draw()

    # ----------------------------------------------------------------------------------------------
    def _forget_artists(self) -> None:
        if self.colorbar is not None:
            self.colorbar.remove()
        self.mesh = self.contour = self.star = self.colorbar = None
        self.dots = {}
        self._drawn_pair = None

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.surface
        return _positions(s.x_feature, s.x_values), _positions(s.y_feature, s.y_values)

    def _dot_positions(self) -> dict[int, np.ndarray]:
        s = self.surface
        similar = s.similar
        out: dict[int, np.ndarray] = {}
        if similar is None or not len(similar):
            return {0: np.empty((0, 2)), 1: np.empty((0, 2))}
        # A fixed spread (the same for the same rows): dots of a coded answer side by side, never random.
        spread = ((np.arange(len(similar)) * 0.618) % 1.0 - 0.5) * 2 * JITTER
        xs = _point_positions(s.x_feature, s.x_values, similar[s.x_feature].to_numpy(), spread)
        ys = _point_positions(s.y_feature, s.y_values, similar[s.y_feature].to_numpy(), spread[::-1])
        outcome = similar["outcome"].to_numpy()
        for value in (0, 1):
            keep = outcome == value
            out[value] = np.column_stack([xs[keep], ys[keep]])
        return out

    def _patient_position(self) -> tuple[float, float]:
        s = self.surface
        gx, gy = self._grid()
        px = float(s.patient[s.x_feature])
        py = float(s.patient[s.y_feature])
        if BY_NAME[s.x_feature].codes is not None:
            px = float(gx[int(np.argmin(np.abs(s.x_values - px)))])
        if BY_NAME[s.y_feature].codes is not None:
            py = float(gy[int(np.argmin(np.abs(s.y_values - py)))])
        return px, py

    def _draw_contour(self, colours: dict[str, str]) -> None:
        s = self.surface
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        risk = np.asarray(s.risk) * 100
        level = self.threshold * 100
        if risk.min() < level < risk.max() and min(risk.shape) >= 2:
            gx, gy = self._grid()
            from matplotlib import patheffects

            self.contour = self.axes.contour(
                gx, gy, risk, levels=[level], colors=[colours["text"]], linestyles="dashed", linewidths=1.5
            )
            # A halo of the background colour: the dashes read on light and dark grey, in either theme.
            self.contour.set_path_effects(
                [patheffects.withStroke(linewidth=3.5, foreground=colours["background"])]
            )

    def _draw(self) -> None:
        self._blank_when_shown = False
        ax = self.axes
        self._forget_artists()
        c = self.blank()
        s = self.surface
        self.draw_count += 1
        gx, gy = self._grid()
        from matplotlib import colormaps
        from matplotlib.colors import ListedColormap

        greys = ListedColormap(colormaps["Greys"](np.linspace(0.0, GREY_DEPTH, 256)))
        self.mesh = ax.pcolormesh(
            gx, gy, np.asarray(s.risk) * 100, cmap=greys, vmin=0, vmax=100, shading="nearest"
        )
        self.colorbar = self.figure.colorbar(self.mesh, ax=ax)
        self.colorbar.set_label("Risk of coronary disease now (%)", color=c["text"], fontsize=8)
        self.colorbar.ax.tick_params(colors=c["text"], labelsize=8)
        self.colorbar.outline.set_edgecolor(c["soft"])
        self._draw_contour(c)
        dots = self._dot_positions()
        for value, marker, colour, words in (
            (0, "o", c["negative"], "similar training patient, no disease"),
            (1, "^", c["positive"], "similar training patient, disease present"),
        ):
            points = dots[value]
            self.dots[value] = ax.scatter(
                points[:, 0],
                points[:, 1],
                s=26,
                marker=marker,
                c=colour,
                edgecolors=c["background"],
                linewidths=0.6,
                label=words,
                zorder=3,
            )
        px, py = self._patient_position()
        (self.star,) = ax.plot(
            [px],
            [py],
            marker="*",
            markersize=17,
            linestyle="none",
            color=c["positive"],
            markeredgecolor=c["text"],
            markeredgewidth=1.2,
            label="this patient",
            zorder=5,
        )
        for axis, name, values, setter in (
            ("x", s.x_feature, s.x_values, ax.set_xlabel),
            ("y", s.y_feature, s.y_values, ax.set_ylabel),
        ):
            feature = BY_NAME[name]
            setter(f"{feature.label}" + (f" ({feature.unit})" if feature.unit else ""), fontsize=8)
            if feature.codes is not None:
                ticks = np.arange(len(values))
                answers = [feature.codes.get(int(v), f"{v:g}") for v in values]
                if axis == "x":
                    ax.set_xticks(ticks, answers, fontsize=7)
                else:
                    ax.set_yticks(ticks, answers, fontsize=7)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncols=3,
            fontsize=7,
            markerscale=0.8,
            frameon=False,
        )
        self.style_axes()
        self._drawn_pair = (s.x_feature, s.y_feature)
        self._write_sentence()
        self.redraw()

    def _update(self) -> None:
        """The same pair of features, new numbers: change the artists' data, not the artists."""
        s = self.surface
        self.update_count += 1
        self.mesh.set_array((np.asarray(s.risk) * 100).ravel())
        self._draw_contour(self.colours())
        dots = self._dot_positions()
        for value, scatter in self.dots.items():
            scatter.set_offsets(dots[value])
        px, py = self._patient_position()
        self.star.set_data([px], [py])
        self._write_sentence()
        self.redraw()

    def _write_sentence(self) -> None:
        s = self.surface
        x_label, y_label = BY_NAME[s.x_feature].label, BY_NAME[s.y_feature].label
        risk = np.asarray(s.risk) * 100
        n_similar = 0 if s.similar is None else len(s.similar)
        threshold = threshold_percent(self.threshold)
        if self.contour is not None:
            line = f"The dashed line is the threshold {threshold}: on its darker side the model says "
            line += "disease present."
        else:
            side = "above" if risk.min() >= self.threshold * 100 else "below"
            line = f"Over this whole grid the risk stays {side} the threshold {threshold}."
        dots = (
            f" Dots: the {n_similar} training patients most similar to this one in the other findings "
            "(orange triangles: disease present; blue circles: absent). Far from every dot the network "
            "extrapolates."
            if n_similar
            else ""
        )
        self.sentence.setText(
            f"The risk this network gives as only {x_label} (across) and {y_label} (up) change; every other "
            f"finding stays as for the Predict page's patient (the star, {s.patient_risk * 100:.1f}\u00a0%). "
            f"Across the grid it ranges from {risk.min():.1f}\u00a0% to {risk.max():.1f}\u00a0%. "
            f"{line}{dots} "
            "An association the network learnt, not what changing these findings would do to a patient."
        )
