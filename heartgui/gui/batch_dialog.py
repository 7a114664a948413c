"""“Predict many patients…”: open a CSV of patients, see every risk, export the table with the risks.

The file is read and predicted in a :class:`~heartgui.gui.workers.Job` (a large file takes seconds), so
the dialog never freezes. Rows that cannot be predicted are listed apart with their line and reason;
nothing is dropped silently.

Usage (from the main window)::

    BatchDialog(model, threshold, parent=window).exec()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.gui.widgets.dataset_table import column_title
from heartgui.gui.widgets.wording import percent, plural, threshold_percent
from heartgui.gui.workers import Job, Worker

__all__ = ["PATIENTS_FILTER", "BatchDialog", "BatchTableModel"]

PATIENTS_FILTER = "Patient tables (*.csv *.tsv *.txt);;All files (*)"
_CSV_FILTER = "CSV files (*.csv);;All files (*)"
_Index = QModelIndex | QPersistentModelIndex

#: Jobs still running when their dialog closed: kept alive here until their thread ends.
_ORPHANED_JOBS: set[Job] = set()


class BatchTableModel(QAbstractTableModel):
    """The predicted patients: line, risk, decision, out-of-range features, (known outcome), the values.

    ``Qt.UserRole`` gives a sortable value (numbers as numbers) for :class:`QSortFilterProxyModel`.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._table: Any = None  # the predicted rows of BatchPrediction.table
        self._columns: list[str] = []

    def set_prediction(self, prediction: Any | None) -> None:
        self.beginResetModel()
        if prediction is None:
            self._table, self._columns = None, []
        else:
            table = prediction.table
            self._table = table[table["problem"] == ""].reset_index(drop=True)
            outcome = ["known_outcome"] if "known_outcome" in table else []
            self._columns = ["line", "risk", "decision", "out_of_range", *outcome, *schema.FEATURE_NAMES]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self._table is None else len(self._table)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def column_name(self, column: int) -> str:
        return self._columns[column]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        name = self._columns[index.column()]
        value = self._table.at[index.row(), name]
        if role == Qt.ItemDataRole.UserRole:
            return float(value) if name in ("line", "risk", *schema.FEATURE_NAMES) else str(value)
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "line":
                return str(int(value))
            if name == "risk":
                return percent(float(value))
            if name == "out_of_range":
                return ", ".join(schema.BY_NAME[n].label for n in value.split(", ") if n)
            if name in schema.BY_NAME:
                return schema.BY_NAME[name].describe_value(float(value))
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if name in schema.BY_NAME:
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
        if role == Qt.ItemDataRole.FontRole and name == "decision" and value == schema.CLASS_WORDS[1]:
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
        titles = {
            "line": "Line",
            "risk": "Risk",
            "decision": "Decision",
            "out_of_range": "Outside training range",
            "known_outcome": "Known outcome",
        }
        return titles.get(name) or column_title(schema.BY_NAME[name])


class BatchDialog(QDialog):
    """Open a patients file, predict each patient with ``model`` at ``threshold``, export the table.

    Signals
    -------
    loaded(object) : the :class:`~heartgui.core.batch.BatchPrediction` now shown.
    load_failed(str) : the file could not be used; the message the student saw.
    exported(str) : the path the table was written to.
    export_failed(str) : the message the student saw.
    """

    loaded = Signal(object)
    load_failed = Signal(str)
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, model: Any, threshold: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Predict many patients")
        self.setAccessibleName("Predict many patients")
        self.model = model
        self.threshold = float(threshold)
        self.prediction: Any = None
        self._jobs: dict[int, Job] = {}
        self._next_run = 0
        self._load_run: int | None = None
        self._loading_path = ""
        self._build()
        self.resize(980, 620)

    # ----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        intro = QLabel(
            "Open a CSV file with one patient per line and a header row naming the 13 features (the same "
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

        self.table_model = BatchTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
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
        self._next_run += 1
        job = Job(self._next_run, function, self)
        job.worker.finished.connect(finished)
        job.worker.failed.connect(failed)
        job.done.connect(self._on_job_done)
        self._jobs[job.run_id] = job
        job.start()
        return job.run_id

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            _dispose(job)

    def running_jobs(self) -> int:
        return sum(1 for job in self._jobs.values() if job.is_running())

    def done(self, result: int) -> None:
        # A file being read cannot be interrupted; let its thread finish without this dialog.
        for job in self._jobs.values():
            job.done.disconnect(self._on_job_done)
            job.setParent(QCoreApplication.instance())
            _ORPHANED_JOBS.add(job)
            job.done.connect(lambda _run, job=job: _dispose(job))
        self._jobs.clear()
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
        """Read and predict ``path`` in a worker; the table shown stays until the new one is ready."""
        source = self._loading_path = str(path)
        model, threshold = self.model, self.threshold

        def run(worker: Worker) -> Any:
            from heartgui.core.batch import predict_patients
            from heartgui.core.dataset import load_patients

            return predict_patients(model, load_patients(source), threshold)

        self._load_run = self._start(run, self._on_loaded, self._on_load_failed)
        self.open_button.setEnabled(False)
        self.status.setText(f"Reading {Path(source).name}…")

    @Slot(int, object)
    def _on_loaded(self, run_id: int, prediction: Any) -> None:
        if run_id != self._load_run:
            return
        self._load_run = None
        self.open_button.setEnabled(True)
        self.show_prediction(prediction)
        self.loaded.emit(prediction)

    @Slot(int, str)
    def _on_load_failed(self, run_id: int, message: str) -> None:
        if run_id != self._load_run:
            return
        self._load_run = None
        self.open_button.setEnabled(True)
        name = Path(self._loading_path).name
        kept = (
            f" The table of {self.prediction.provenance.file_name} is still shown." if self.prediction else ""
        )
        self.status.setText(f"Could not use {name}.{kept}")
        QMessageBox.warning(self, "Cannot use this patients file", message)
        self.load_failed.emit(message)

    def show_prediction(self, prediction: Any) -> None:
        """Fill the table and the list of rows not predicted."""
        self.prediction = prediction
        self.table_model.set_prediction(prediction)
        self.proxy.sort(-1)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        for column in range(self.table_model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))

        n, rejected, present = prediction.n_predicted, prediction.n_rejected, prediction.n_present
        name = prediction.provenance.file_name
        summary = (
            f"<b>{name}</b>: {plural(n, 'patient')} predicted — {present} “present”, {n - present} “absent” "
            f"at {threshold_percent(prediction.threshold)}."
        )
        outside = int((prediction.table["out_of_range"] != "").sum())
        if outside:
            summary += (
                f" {plural(outside, 'patient has', 'patients have')} values outside the training range."
            )
        if rejected:
            summary += f" <b>{plural(rejected, 'row')} could not be predicted</b> (listed below)."
        self.status.setText(summary)

        self.rejected_list.clear()
        table = prediction.table
        for line, problem in zip(table["line"], table["problem"]):
            if problem:
                self.rejected_list.addItem(f"Line {int(line)}: {problem}")
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for i in range(self.rejected_list.count()):
            self.rejected_list.item(i).setIcon(warning)
        self.rejected_title.setText(
            f"<b>Rows not predicted ({rejected})</b> — correct them in the file and open it again:"
        )
        self.rejected_box.setVisible(rejected > 0)
        self.export_button.setEnabled(True)

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


def stop_orphaned_jobs() -> None:
    """Stop and join the jobs of dialogs closed while they were still loading or exporting."""
    for job in list(_ORPHANED_JOBS):
        job.stop_and_wait()


def _dispose(job: Job) -> None:
    _ORPHANED_JOBS.discard(job)
    job.qthread.wait()
    job.worker.deleteLater()
    job.qthread.deleteLater()
    job.deleteLater()


def _last_folder(widget: QWidget) -> str:
    """The main window's last folder when it has one, else the home folder."""
    last = getattr(widget.window().parentWidget() or widget, "last_folder", None)
    return str(last()) if callable(last) else str(Path.home())
