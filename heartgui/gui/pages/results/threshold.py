"""The Threshold & costs tab: the slider and costs, the confusion grid in words, the live figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from heartgui.gui.pages.results.common import fixed, page_column, scaled_font, section_title, wrapping
from heartgui.gui.widgets.card import CAUTION, GOOD, WARM, WARM_BORDER, Card
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural, threshold_percent

if TYPE_CHECKING:
    import numpy as np

    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult

__all__ = ["CELL_WORDS", "MAX_LISTED", "ConfusionCell", "ThresholdView", "cell_mask", "key_findings"]

#: Patients listed under the grid at most (the CSV holds them all): a large file's cell can hold thousands.
MAX_LISTED = 200
#: The findings shown for each listed patient, in this order (those the file has).
KEY_FINDINGS = ("age", "sex", "cp", "thalach", "exang", "oldpeak", "ca", "thal")
CELL_WORDS = {
    "tp": "caught (had heart disease, flagged)",
    "fn": "missed (had heart disease, not flagged)",
    "fp": "flagged without heart disease (false alarms)",
    "tn": "correctly reassured (no heart disease, not flagged)",
}

_CELL_LOOKS = {
    "good": {"tint": GOOD},
    "false_alarm": {"tint": CAUTION},
    "missed": {"tint": WARM, "border": WARM_BORDER, "border_width": 2.0},
}


class ConfusionCell(Card):
    """One cell of the confusion grid: a count (objectName ``cm_<key>_count``), a word, a description.

    ``look`` is ``"good"``, ``"false_alarm"`` or ``"missed"`` (warm, with a stronger border). A click (or
    Space / Enter when it has the focus) emits :attr:`clicked` with the key: the page lists those patients.
    """

    clicked = Signal(str)

    def __init__(self, key: str, word: str, description: str, look: str) -> None:
        super().__init__(radius=6.0, **_CELL_LOOKS[look])  # type: ignore[arg-type]
        self.key = key
        self.setProperty("cell", look)
        self.setToolTip(f"{description} Click to list these patients.")
        self.setAccessibleName(f"{word}: list these patients")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
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

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.clicked.emit(self.key)
            return
        super().keyPressEvent(event)


class ThresholdView(QWidget):
    """The tab "Where to draw the line": the threshold panel (the page connects its signals), the grid.

    Signals
    -------
    patient_requested(int, object) : open a listed patient in Predict: the file line and the patient's
        findings (a dict), from a double-click on the row or the "Open in Predict" button.
    """

    patient_requested = Signal(int, object)

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
        column.addWidget(self._build_patient_list())
        column.addStretch(1)
        self._result: TrainingResult | None = None
        self.selected_cell: str | None = None

    def _build_patient_list(self) -> QWidget:
        from heartgui.gui.widgets.comparison_table import ComparisonTable

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.patients_title = section_title(self, "")
        self.patients_title.setObjectName("cell_patients_title")
        layout.addWidget(self.patients_title)
        self.patients_hint = wrapping(
            "Click a cell of the grid to list its test patients: the line of each in the data file, the "
            "risk the model gave and the findings that weigh most.",
            "cell_patients_hint",
        )
        layout.addWidget(self.patients_hint)
        self.patients_table = ComparisonTable("cell_patients_table", "heartgui-patients.csv")
        self.patients_table.view.setToolTip("Double-click a patient to open them on the Predict page.")
        self.patients_table.view.doubleClicked.connect(lambda index: self.request_patient(index.row()))
        self.open_patient = QPushButton("Open the selected patient in Predict")
        self.open_patient.setObjectName("cell_patients_open")
        self.open_patient.setToolTip("Fill the Predict page's form with this patient's findings.")
        self.open_patient.clicked.connect(self._open_selected)
        self.patients_table.buttons.insertWidget(0, self.open_patient)
        self.patients_table.clear()
        layout.addWidget(self.patients_table)
        self.patients_title.setVisible(False)
        for cell in self.cells.values():
            cell.clicked.connect(self.select_cell)
        return box

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
    def set_result(self, result: TrainingResult | None) -> None:
        """The patients the grid counts (a new result forgets the listed cell)."""
        self._result = result
        self.selected_cell = None
        self.patients_table.clear()
        self.patients_title.setVisible(False)
        self.patients_hint.setVisible(True)

    def show_figures(self, m: Metrics) -> None:
        """The grid and the live figures at ``m.threshold`` with the panel's costs."""
        self._show_confusion(m)
        self._show_live(m)
        self._threshold = m.threshold
        if self.selected_cell is not None:
            self._list_patients()

    _threshold = 0.5

    def select_cell(self, key: str) -> None:
        """List the test patients of cell ``key`` (``"tp"``, ``"fn"``, ``"fp"`` or ``"tn"``)."""
        if key not in self.cells:
            raise ValueError(f"no confusion cell {key!r}")
        if self._result is None:
            return
        self.selected_cell = key
        for k, cell in self.cells.items():
            cell.border_width = 3.0 if k == key else (2.0 if k == "fn" else 1.0)
            cell.update()
        self._list_patients()

    def _list_patients(self) -> None:
        result, key = self._result, self.selected_cell
        if result is None or key is None:
            return
        split = result.split
        mask = cell_mask(split.y_test, result.test_risk, self._threshold, key)
        import numpy as np

        chosen = np.flatnonzero(mask)
        chosen = chosen[np.argsort(split.lines_test[chosen], kind="stable")]
        patients = split.X_test.iloc[chosen]
        # Words only for the rows shown (a large file's cell can hold thousands; the CSV has them all).
        rows = [
            [str(int(split.lines_test[i])), percent(float(result.test_risk[i])), key_findings(row)]
            for i, (_, row) in zip(chosen[:MAX_LISTED], patients.iloc[:MAX_LISTED].iterrows(), strict=True)
        ]
        total = len(chosen)
        frame = patients.copy()
        frame.insert(0, "risk", result.test_risk[chosen])
        frame.insert(0, "line", split.lines_test[chosen])
        frame["heart_disease"] = split.y_test[chosen]
        frame = frame.set_index("line")
        shown = rows
        more = f" (the first {MAX_LISTED} shown; the CSV holds all)" if total > MAX_LISTED else ""
        self.patients_title.setText(
            f"{plural(total, 'test patient')} {CELL_WORDS[key]} at a threshold of "
            f"{threshold_percent(self._threshold)}{more}"
        )
        self.patients_title.setVisible(True)
        self.patients_hint.setVisible(not rows)
        if not rows:
            self.patients_hint.setText("No test patient is in this cell at this threshold.")
        headers = ["File line", "Risk", "Key findings"]
        tips = [
            "The patient's line in the data file (the number a text editor shows for it).",
            "The risk the model gave the patient.",
            "Age, sex, chest pain, maximum heart rate, exercise angina, ST depression, vessels, thallium.",
        ]
        self.patients_table.set_table(headers, shown, frame, header_tips=tips)
        if shown:  # the file line column, not the findings, keeps its natural width
            from PySide6.QtWidgets import QHeaderView

            header = self.patients_table.view.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def request_patient(self, row: int) -> None:
        """Ask for listed patient ``row`` (0-based, as shown) to be opened in Predict."""
        frame = self.patients_table.frame
        if frame is None or not 0 <= row < len(self.patients_table.model.rows):
            return
        from heartgui.core.schema import FEATURE_NAMES

        line = int(frame.index[row])
        findings = {name: float(frame.iloc[row][name]) for name in FEATURE_NAMES if name in frame}
        self.patient_requested.emit(line, findings)

    @Slot()
    def _open_selected(self) -> None:
        rows = self.patients_table.view.selectionModel().selectedRows()
        self.request_patient(rows[0].row() if rows else 0)

    def listed_lines(self) -> list[int]:
        """The file lines listed under the grid now (all of them, also past :data:`MAX_LISTED`)."""
        frame = self.patients_table.frame
        return [] if frame is None or not self.patients_title.isVisible() else [int(v) for v in frame.index]

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


def cell_mask(y: np.ndarray, risk: np.ndarray, threshold: float, key: str) -> np.ndarray:
    """Which patients fall in cell ``key`` when "flagged" means ``risk >= threshold`` (as evaluate counts)."""
    import numpy as np

    flagged = np.asarray(risk) >= threshold
    ill = np.asarray(y) == 1
    return {"tp": ill & flagged, "fn": ill & ~flagged, "fp": ~ill & flagged, "tn": ~ill & ~flagged}[key]


def key_findings(row: object) -> str:
    """One patient's main findings in words: ``"63 years, male, chest pain typical angina, …"``."""
    from heartgui.core.schema import FEATURES

    by_name = {f.name: f for f in FEATURES}
    short = {
        "cp": "chest pain",
        "thalach": "max heart rate",
        "exang": "exercise angina",
        "oldpeak": "ST depression",
        "thal": "thallium",
    }
    words = []
    for name in KEY_FINDINGS:
        try:
            value = float(row[name])  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            continue
        if value != value:
            continue
        text = by_name[name].describe_value(value)
        if name == "ca":
            text = f"{text} on fluoroscopy"
        words.append(f"{short[name]} {text}" if name in short else text)
    return ", ".join(words)
