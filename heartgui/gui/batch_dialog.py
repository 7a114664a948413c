"""“Predict many patients…”: open a CSV of patients, see every risk, export the table with the risks.

The file is read and predicted in a :class:`~heartgui.gui.workers.Job` (a large file takes seconds), so
the dialog never freezes. Rows that cannot be predicted are listed apart with their line and reason;
nothing is dropped silently.

Usage (from the main window)::

    BatchDialog(model, threshold, parent=window).exec()
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.gui.main_window import FRAME_ALLOWANCE
from heartgui.gui.widgets.dataset_table import column_title
from heartgui.gui.widgets.wording import percent, plural, threshold_percent
from heartgui.gui.workers import Cancelled, DialogJobs, Worker

__all__ = ["PATIENTS_FILTER", "BatchDialog", "BatchTableModel"]

PATIENTS_FILTER = "Patient tables (*.csv *.tsv *.txt);;All files (*)"
_CSV_FILTER = "CSV files (*.csv);;All files (*)"
_Index = QModelIndex | QPersistentModelIndex
_STEPS = 3  # read, predict, prepare the table

#: The rejected rows listed in the dialog at most (all of them are in the export, with their reasons).
MAX_LISTED_REJECTED = 500
_NUMERIC = ("line", "risk", *schema.FEATURE_NAMES)
_TITLES = {
    "line": "Line",
    "risk": "Risk",
    "decision": "Decision",
    "out_of_range": "Outside training range",
    "known_outcome": "Known outcome",
}


class BatchTable:
    """The predicted rows of a :class:`~heartgui.core.batch.BatchPrediction` as one NumPy array per
    column, with the sort keys and the list of rejected rows: built once, in the worker that predicted.

    The table model then does no per-row work on the UI thread: a cell is one array lookup and one
    format (only the visible cells are asked for), and sorting is one ``argsort`` of precomputed integer
    ranks (stable, so ties keep the file's order either way).

    Attributes
    ----------
    columns : list of str
        line, risk, decision, out_of_range, (known_outcome), the 13 features.
    values : dict
        Column → array (float for numbers, object array of str for words), in line order.
    ranks : dict
        Column → int64 array: equal values, equal rank; ascending order of the values.
    rejected : list of str
        "Line N: reason" for the first :data:`MAX_LISTED_REJECTED` rejected rows.
    """

    def __init__(self, prediction: Any) -> None:
        table = prediction.table
        predicted = table[table["problem"] == ""]
        outcome = ["known_outcome"] if "known_outcome" in table else []
        self.columns = ["line", "risk", "decision", "out_of_range", *outcome, *schema.FEATURE_NAMES]
        self.values: dict[str, np.ndarray] = {}
        self.ranks: dict[str, np.ndarray] = {}
        for name in self.columns:
            column = predicted[name].to_numpy()
            column = column.astype(np.float64) if name in _NUMERIC else column.astype(object)
            self.values[name] = column
            # Ranks by hashing (pandas' factorize, then its sorted uniques), not by sorting 100,000
            # Python strings: that would hold the interpreter, and so the window, for a tenth of a second.
            self.ranks[name] = pd.factorize(column, sort=True)[0].astype(np.int64)
        # Feature names → labels once per distinct value ("chol, age" → "Serum cholesterol, Age").
        words = {
            names: ", ".join(schema.BY_NAME[n].label for n in names.split(", ") if n)
            for names in set(self.values["out_of_range"])
        }
        self.out_of_range_words = np.array([words[v] for v in self.values["out_of_range"]], dtype=object)
        rejected = table[table["problem"] != ""]
        self.n_rejected = len(rejected)
        self.n_flagged = int(np.count_nonzero(self.values["decision"] == schema.DECISION_WORDS[1]))
        self.n_outside = int(np.count_nonzero(self.values["out_of_range"] != ""))
        head = rejected.head(MAX_LISTED_REJECTED)
        self.rejected = [
            f"Line {int(line)}: {problem}" for line, problem in zip(head["line"], head["problem"])
        ]

    def __len__(self) -> int:
        return len(self.values["line"])


class BatchTableModel(QAbstractTableModel):
    """The predicted patients: line, risk, decision, out-of-range features, (known outcome), the values.

    Backed by a :class:`BatchTable`; :meth:`sort` reorders rows by an ``argsort`` of its ranks.
    ``Qt.UserRole`` gives the raw value (numbers as numbers).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._data: BatchTable | None = None
        self._columns: list[str] = []
        self._order = np.zeros(0, dtype=np.int64)  # shown row → row of the table (line order)

    def set_prediction(self, prediction: Any | None, table: BatchTable | None = None) -> None:
        """Show ``prediction`` (``table`` if already built from it, else built here), in line order."""
        self.beginResetModel()
        if prediction is None:
            self._data, self._columns = None, []
            self._order = np.zeros(0, dtype=np.int64)
        else:
            self._data = table if table is not None else BatchTable(prediction)
            self._columns = list(self._data.columns)
            self._order = np.arange(len(self._data), dtype=np.int64)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self._data is None else len(self._order)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def column_name(self, column: int) -> str:
        return self._columns[column]

    @property
    def batch_table(self) -> BatchTable | None:
        return self._data

    def column_values(self, name: str) -> np.ndarray:
        """The values of column ``name`` in the order shown (a copy)."""
        if self._data is None:
            return np.zeros(0)
        return self._data.values[name][self._order]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by ``column`` (-1: back to line order); the view calls this on a header click."""
        if self._data is None:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(index, int(self._order[index.row()])) for index in persistent if index.isValid()]
        if column < 0 or column >= len(self._columns):
            new_order = np.arange(len(self._data), dtype=np.int64)
        else:
            ranks = self._data.ranks[self._columns[column]]
            descending = order == Qt.SortOrder.DescendingOrder
            new_order = np.argsort(-ranks if descending else ranks, kind="stable").astype(np.int64)
        self._order = new_order
        if held:  # the selection follows its patients
            where = np.empty_like(new_order)
            where[new_order] = np.arange(len(new_order))
            self.changePersistentIndexList(
                [index for index, _ in held],
                [self.index(int(where[row]), index.column()) for index, row in held],
            )
        self.layoutChanged.emit()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._data is None:
            return None
        name = self._columns[index.column()]
        row = int(self._order[index.row()])
        value = self._data.values[name][row]
        if role == Qt.ItemDataRole.UserRole:
            return float(value) if name in _NUMERIC else str(value)
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "line":
                return str(int(value))
            if name == "risk":
                return percent(float(value))
            if name == "out_of_range":
                return self._data.out_of_range_words[row]
            if name in schema.BY_NAME:
                if math.isnan(value):  # a finding the model does not use, absent or empty in the file
                    return "not recorded"
                return schema.BY_NAME[name].describe_value(float(value))
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if name in schema.BY_NAME:
                if math.isnan(value):
                    return f"{schema.BY_NAME[name].label}: not in the file (this model does not use it)"
                return f"{schema.BY_NAME[name].label}: value in the file {float(value):g}"
            if name == "out_of_range" and value:
                return (
                    "Outside the range of the patients the model learned from: the model is guessing there."
                )
            if name == "line":
                return f"Line {int(value)} of the file"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("line", "risk"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and name == "decision" and value == schema.DECISION_WORDS[1]:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical or role != Qt.ItemDataRole.DisplayRole:
            return None
        name = self._columns[section]
        return _TITLES.get(name) or column_title(schema.BY_NAME[name])


#: The dialog's first size when the screen has room for it.
PREFERRED_SIZE = QSize(980, 620)


class BatchDialog(QDialog):
    """Open a patients file, predict each patient with ``model`` at ``threshold``, export the table.

    Signals
    -------
    loaded(object) : the :class:`~heartgui.core.batch.BatchPrediction` now shown.
    load_failed(str) : the file could not be used; the message the student saw.
    load_cancelled() : the student stopped the reading (the table shown before stays).
    exported(str) : the path the table was written to.
    export_failed(str) : the message the student saw.
    """

    loaded = Signal(object)
    load_failed = Signal(str)
    load_cancelled = Signal()
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, model: Any, threshold: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Predict many patients")
        self.setAccessibleName("Predict many patients")
        self.model = model
        self.threshold = float(threshold)
        self.prediction: Any = None
        self._jobs = DialogJobs(self)
        self._load_run: int | None = None
        self._loading_path = ""
        self._build()
        # Room for the table, but never larger than the screen (a 1024 × 600 laptop has no 620 px).
        room = self.screen().availableGeometry().marginsRemoved(FRAME_ALLOWANCE).size()
        self.resize(PREFERRED_SIZE.boundedTo(room))

    # ----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        used = tuple(self.model.used_features)
        which = (
            "the 13 features"
            if len(used) == len(schema.FEATURE_NAMES)
            else f"the {len(used)} findings this model uses ({', '.join(used)}; others may be left out)"
        )
        intro = QLabel(
            f"Open a CSV file with one patient per line and a header row naming {which} (the same "
            "names as a data file; a diagnosis column is optional). Every patient gets a risk and a "
            f"decision at the threshold of {threshold_percent(self.threshold)}.",
            self,
        )
        intro.setWordWrap(True)
        self.open_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Open a patients file…", self
        )
        self.open_button.setToolTip("Choose a CSV file of patients on this computer.")
        self.open_button.clicked.connect(self.choose_file)
        self.status = QLabel("No file opened yet.", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.status, 1)

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Reading progress")
        self.progress.setRange(0, _STEPS)
        self.progress.setFormat("step %v of %m")
        self.progress.setMinimumWidth(180)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop reading this file; the table shown stays.")
        self.cancel_button.clicked.connect(self.cancel_loading)
        self.cancel_button.hide()
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.table_model = BatchTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.table_model)  # sorts itself (argsort), no proxy asking every row
        self.table.setAccessibleName("Predicted patients")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.rejected_title = QLabel(self)
        self.rejected_list = QListWidget(self)
        self.rejected_list.setAccessibleName("Rows not predicted")
        self.rejected_list.setWordWrap(True)
        rejected_box = QWidget(self)
        rejected_layout = QVBoxLayout(rejected_box)
        rejected_layout.setContentsMargins(0, 4, 0, 0)
        rejected_layout.addWidget(self.rejected_title)
        rejected_layout.addWidget(self.rejected_list)
        self.rejected_box = rejected_box
        rejected_box.hide()

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(rejected_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "Export with risks…", self
        )
        self.export_button.setToolTip("Save the table as CSV with the risk and decision of every patient.")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.choose_export)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    # ----------------------------------------------------------------------------------------------
    # jobs
    def _start(self, function: Any, finished: Any, failed: Any) -> int:
        return self._jobs.start(function, finished, failed).run_id

    def running_jobs(self) -> int:
        return self._jobs.running()

    def done(self, result: int) -> None:
        # A file being read cannot be interrupted; let its thread finish without this dialog.
        self._jobs.release()
        self._load_run = None
        super().done(result)

    # ----------------------------------------------------------------------------------------------
    # loading
    @Slot()
    def choose_file(self) -> None:
        folder = _last_folder(self)
        path, _ = QFileDialog.getOpenFileName(self, "Open a patients file", folder, PATIENTS_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Read and predict ``path`` in a worker; the table shown stays until the new one is ready.

        The worker reads the file, predicts every patient and builds the table's arrays
        (:class:`BatchTable`), reporting each step; :meth:`cancel_loading` abandons it.
        """
        source = self._loading_path = str(path)
        model, threshold = self.model, self.threshold

        def run(worker: Worker) -> Any:
            from heartgui.core.batch import predict_patients
            from heartgui.core.dataset import load_patients

            def step(number: int, text: str) -> None:
                if worker.stop_requested:
                    raise Cancelled
                worker.report((number, text))
                worker.flush()

            step(0, f"Reading {Path(source).name}…")
            patients = load_patients(source, model.used_features)  # a finding it does not use may lack
            step(1, f"Predicting {plural(len(patients.X), 'patient')}…")
            prediction = predict_patients(model, patients, threshold)
            step(2, "Preparing the table…")
            table = BatchTable(prediction)
            step(3, "Showing the table…")
            return prediction, table

        self._load_run = self._jobs.start(
            run,
            self._on_loaded,
            self._on_load_failed,
            progressed=self._on_load_progressed,
            cancelled=self._on_load_cancelled,
        ).run_id
        self.open_button.setEnabled(False)
        self.status.setText(f"Reading {Path(source).name}…")
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()

    @Slot()
    def cancel_loading(self) -> None:
        """Stop waiting for the file being read; the table shown stays (the worker ends on its own)."""
        job = self._jobs.get(self._load_run)
        if job is None:
            return
        job.request_stop()
        self._load_run = None
        self._loading_done()
        kept = f" {self.prediction.provenance.file_name} is still shown." if self.prediction else ""
        self.status.setText(f"Stopped reading {Path(self._loading_path).name}.{kept}")
        self.load_cancelled.emit()

    def _loading_done(self) -> None:
        self.open_button.setEnabled(True)
        self.progress.hide()
        self.cancel_button.hide()

    @Slot(int, object)
    def _on_load_progressed(self, run_id: int, steps: Any) -> None:
        if run_id != self._load_run or not steps:
            return
        number, text = steps[-1]
        self.progress.setValue(number)
        self.status.setText(text)

    @Slot(int)
    def _on_load_cancelled(self, run_id: int) -> None:
        pass  # already said by cancel_loading, which is the only way a load is cancelled

    @Slot(int, object)
    def _on_loaded(self, run_id: int, result: Any) -> None:
        if run_id != self._load_run:
            return
        self._load_run = None
        self._loading_done()
        prediction, table = result
        self.show_prediction(prediction, table)
        self.loaded.emit(prediction)

    @Slot(int, str)
    def _on_load_failed(self, run_id: int, message: str) -> None:
        if run_id != self._load_run:
            return
        self._load_run = None
        self._loading_done()
        name = Path(self._loading_path).name
        kept = (
            f" The table of {self.prediction.provenance.file_name} is still shown." if self.prediction else ""
        )
        self.status.setText(f"Could not use {name}.{kept}")
        QMessageBox.warning(self, "Cannot use this patients file", message)
        self.load_failed.emit(message)

    def show_prediction(self, prediction: Any, table: BatchTable | None = None) -> None:
        """Fill the table and the list of rows not predicted (``table``: built from ``prediction``
        already, in the worker; built here otherwise)."""
        self.prediction = prediction
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table_model.set_prediction(prediction, table)
        table = self.table_model.batch_table
        self._fit_columns()

        assert table is not None
        n, rejected, flagged = len(table), table.n_rejected, table.n_flagged
        name = prediction.provenance.file_name
        summary = (
            f"<b>{name}</b>: {plural(n, 'patient')} predicted — {flagged} flagged for further testing, "
            f"{n - flagged} not flagged, at {threshold_percent(prediction.threshold)}."
        )
        outside = table.n_outside
        if outside:
            summary += (
                f" {plural(outside, 'patient has', 'patients have')} values outside the training range."
            )
        if rejected:
            summary += f" <b>{plural(rejected, 'row')} could not be predicted</b> (listed below)."
        self.status.setText(summary)

        self.rejected_list.clear()
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for text in table.rejected:
            self.rejected_list.addItem(QListWidgetItem(warning, text))
        if rejected > len(table.rejected):
            self.rejected_list.addItem(
                f"… and {plural(rejected - len(table.rejected), 'more row')}: "
                "every row is in the export, with its reason."
            )
        self.rejected_title.setText(
            f"<b>Rows not predicted ({rejected})</b> — correct them in the file and open it again:"
        )
        self.rejected_box.setVisible(rejected > 0)
        self.export_button.setEnabled(True)

    def _fit_columns(self, sample: int = 40) -> None:
        """Width of each column from its title and its first ``sample`` rows (at most 260 px).

        ``resizeColumnsToContents`` would ask the model for every role of hundreds of rows per column
        (over a second for a large file, on the UI thread).
        """
        model, metrics = self.table_model, self.table.fontMetrics()
        bold = QFont(self.table.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        rows = min(sample, model.rowCount())
        for column in range(model.columnCount()):
            texts = [str(model.headerData(column, Qt.Orientation.Horizontal))]
            texts += [str(model.data(model.index(row, column)) or "") for row in range(rows)]
            width = max(max(metrics.horizontalAdvance(t) for t in texts[1:] or [""]), 0)
            title = bold_metrics.horizontalAdvance(texts[0]) + 28  # the header's font and sort arrow
            self.table.setColumnWidth(column, min(max(width + 16, title), 260))

    # ----------------------------------------------------------------------------------------------
    # export
    @Slot()
    def choose_export(self) -> None:
        if self.prediction is None:
            return
        source = Path(self.prediction.provenance.path)
        suggested = str(source.with_name(f"{source.stem}-predictions.csv"))
        path, _ = QFileDialog.getSaveFileName(self, "Export the predictions", suggested, _CSV_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".csv"
            from heartgui.gui.save_guard import CSV_TABLE, confirm_save

            if confirm_save(self, path, CSV_TABLE):
                self.export(path)

    def protected_files(self) -> list[tuple[str, str]]:
        """The patients file shown, which an export must not replace (see :mod:`heartgui.gui.save_guard`)."""
        if self.prediction is None:
            return []
        return [(self.prediction.provenance.path, "the patients file open in this dialog")]

    def export(self, path: str | Path) -> None:
        """Write the table with risks and decisions to ``path`` in a worker."""
        prediction, target = self.prediction, str(path)
        self._export_path = target
        self.export_button.setEnabled(False)
        self._start(lambda worker: prediction.to_csv(target), self._on_exported, self._on_export_failed)

    @Slot(int, object)
    def _on_exported(self, run_id: int, _: object) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(f"Saved the predictions to {self._export_path}.")
        self.exported.emit(self._export_path)

    @Slot(int, str)
    def _on_export_failed(self, run_id: int, message: str) -> None:
        self.export_button.setEnabled(True)
        text = f"The predictions were not saved to {self._export_path}.\n\n{message}"
        QMessageBox.warning(self, "Cannot export the predictions", text)
        self.export_failed.emit(message)


def _last_folder(widget: QWidget) -> str:
    """The main window's last folder when it has one, else the home folder."""
    last = getattr(widget.window().parentWidget() or widget, "last_folder", None)
    return str(last()) if callable(last) else str(Path.home())
