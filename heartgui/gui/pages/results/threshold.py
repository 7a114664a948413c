"""The Threshold & costs tab: the slider and costs, the confusion grid in words, the live figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from heartgui.gui.pages.results.common import fixed, page_column, scaled_font, section_title, wrapping
from heartgui.gui.widgets.card import CAUTION, GOOD, WARM, WARM_BORDER, Card
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics

__all__ = ["ConfusionCell", "ThresholdView"]

_CELL_LOOKS = {
    "good": {"tint": GOOD},
    "false_alarm": {"tint": CAUTION},
    "missed": {"tint": WARM, "border": WARM_BORDER, "border_width": 2.0},
}


class ConfusionCell(Card):
    """One cell of the confusion grid: a count (objectName ``cm_<key>_count``), a word, a description.

    ``look`` is ``"good"``, ``"false_alarm"`` or ``"missed"`` (warm, with a stronger border).
    """

    def __init__(self, key: str, word: str, description: str, look: str) -> None:
        super().__init__(radius=6.0, **_CELL_LOOKS[look])  # type: ignore[arg-type]
        self.key = key
        self.setProperty("cell", look)
        self.setToolTip(description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(2)
        self.count = QLabel(UNDEFINED)
        self.count.setObjectName(f"cm_{key}_count")
        self.count.setFont(scaled_font(self, 2.0, bold=True))
        self.word = QLabel(word)
        self.word.setObjectName(f"cm_{key}_word")
        self.word.setFont(scaled_font(self, 1.15, bold=True))
        # Normal text colour: a soft grey is hard to read on the tinted background.
        self.description = wrapping(description, f"cm_{key}_description")
        for widget in (self.count, self.word, self.description):
            layout.addWidget(widget)
        layout.addStretch(1)


class ThresholdView(QWidget):
    """ "Where to draw the line": the threshold panel (its signals are the page's to connect), the grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.threshold_panel import ThresholdPanel

        column = page_column(self, "Where to draw the line")
        column.addWidget(
            wrapping(
                "The model gives each patient a risk between 0 and 100 %. Above the decision threshold it "
                "says “disease”. A lower threshold catches more patients with heart disease but raises "
                "more false alarms; a higher one the opposite. Everything on this tab follows the slider."
            )
        )
        box = Card()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(14, 10, 14, 12)
        self.threshold_panel = ThresholdPanel()
        box_layout.addWidget(self.threshold_panel)
        column.addWidget(box)

        row = QHBoxLayout()
        row.setSpacing(16)
        grid_box = QVBoxLayout()
        grid_box.addWidget(section_title(self, "Who the model got right and wrong (test patients)"))
        grid_box.addLayout(self._build_confusion_grid())
        row.addLayout(grid_box, 3)
        figures_box = QVBoxLayout()
        figures_box.addWidget(section_title(self, "At this threshold"))
        figures_box.addWidget(self._build_live_figures())
        figures_box.addStretch(1)
        row.addLayout(figures_box, 2)
        column.addLayout(row)
        self.confusion_sentence = wrapping(name="confusion_sentence")
        column.addWidget(self.confusion_sentence)
        column.addStretch(1)

    def _build_live_figures(self) -> QFrame:
        card = Card()
        form = QFormLayout(card)
        form.setContentsMargins(14, 10, 14, 12)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(8)
        rows = (
            ("sensitivity", "Sensitivity", "caught ÷ all with disease"),
            ("specificity", "Specificity", "correctly reassured ÷ all without"),
            ("ppv", "PPV", "of those flagged, how many were ill"),
            ("npv", "NPV", "of those reassured, how many were healthy"),
            (
                "cost",
                "Expected cost per patient",
                "(cost of a miss × missed + cost of a false alarm × false alarms) ÷ patients",
            ),
        )
        self.live: dict[str, QLabel] = {}
        for key, name, words in rows:
            value = QLabel(UNDEFINED)
            value.setObjectName(f"live_{key}")
            value.setFont(scaled_font(self, 1.15, bold=True))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(f"{name}<br><small>{words}</small>")
            caption.setWordWrap(True)
            caption.setMinimumWidth(150)
            form.addRow(caption, value)
            self.live[key] = value
        return card

    def _build_confusion_grid(self) -> QGridLayout:
        self.cells = {
            "tp": ConfusionCell("tp", "caught", "Had heart disease and the model flagged it.", "good"),
            "fn": ConfusionCell(
                "fn",
                "missed",
                "Had heart disease but the model said no disease: the costly mistake.",
                "missed",
            ),
            "fp": ConfusionCell(
                "fp", "false alarm", "Did not have heart disease but the model flagged it.", "false_alarm"
            ),
            "tn": ConfusionCell(
                "tn", "correctly reassured", "Did not have heart disease and the model said so.", "good"
            ),
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)
        self.col_said_disease = self._heading("Model said disease", "cm_col_disease")
        self.col_said_none = self._heading("Model said no disease", "cm_col_none")
        self.row_had = self._heading("Had heart disease", "cm_row_had")
        self.row_did_not = self._heading("Did not", "cm_row_did_not")
        grid.addWidget(self.col_said_disease, 0, 1)
        grid.addWidget(self.col_said_none, 0, 2)
        grid.addWidget(self.row_had, 1, 0)
        grid.addWidget(self.row_did_not, 2, 0)
        grid.addWidget(self.cells["tp"], 1, 1)
        grid.addWidget(self.cells["fn"], 1, 2)
        grid.addWidget(self.cells["fp"], 2, 1)
        grid.addWidget(self.cells["tn"], 2, 2)
        grid.setColumnStretch(0, 0)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _heading(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setFont(scaled_font(self, 1.0, bold=True))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    # ----------------------------------------------------------------------------------------------
    def show_figures(self, m: Metrics) -> None:
        """The grid and the live figures at ``m.threshold`` with the panel's costs."""
        self._show_confusion(m)
        self._show_live(m)

    def _show_confusion(self, m: Metrics) -> None:
        for key in ("tp", "fn", "fp", "tn"):
            self.cells[key].count.setText(str(getattr(m, key)))
        sick, healthy = m.tp + m.fn, m.fp + m.tn
        self.row_had.setText(f"Had heart disease\n({plural(sick, 'patient')})")
        self.row_did_not.setText(f"Did not\n({plural(healthy, 'patient')})")
        self.col_said_disease.setText(f"Model said disease\n({m.tp + m.fp})")
        self.col_said_none.setText(f"Model said no disease\n({m.fn + m.tn})")
        self.confusion_sentence.setText(
            f"At a threshold of {threshold_percent(m.threshold)}: of the {plural(sick, 'test patient')} with "
            f"heart disease the model caught {m.tp} and missed {m.fn}; of the {healthy} without, it "
            f"correctly reassured {m.tn} and raised {plural(m.fp, 'false alarm')}."
        )

    def _show_live(self, m: Metrics) -> None:
        self.live["sensitivity"].setText(percent(m.sensitivity))
        self.live["specificity"].setText(percent(m.specificity))
        self.live["ppv"].setText(percent(m.ppv))
        self.live["npv"].setText(percent(m.npv))
        self.live["cost"].setText(fixed(m.statlog_cost, 2))
