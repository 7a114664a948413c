"""The Data page: open a heart-data file and see what is in it before training on it."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.core.dataset import Dataset
from heartgui.gui.widgets.dataset_table import (
    RARE_CATEGORY_PATIENTS,
    DatasetTableModel,
    SummaryTableModel,
    rare_categories,
    rare_words,
    widest_values,
)
from heartgui.gui.widgets.wording import percent

__all__ = ["BAD_FILE_LINE", "DataPage", "bad_file_message"]

#: The plain first line of every "cannot open the data file" message, before the details.
BAD_FILE_LINE = "This file could not be read as heart data."


def bad_file_message(details: str, still_open: str | None = None) -> str:
    """The message shown for a file that could not be loaded: one plain line, then the details
    (file, line, field, what to do), then which data set is still open, if any."""
    text = f"{BAD_FILE_LINE}\n\n{details}"
    if still_open:
        text += f"\n\n{still_open} is still open."
    return text


_FORMAT_WORDS = {
    "statlog": "UCI Statlog (heart.dat)",
    "cleveland": "UCI Cleveland (processed.cleveland.data)",
    "csv": "CSV with a header row",
    "frame": "table in memory",
}


class DataPage(QWidget):
    """Shows the loaded dataset: preview, class balance, feature ranges, provenance, dropped rows.

    Signals
    -------
    open_requested : the student wants to choose a file.
    sample_requested : the student wants the bundled UCI sample.
    """

    open_requested = Signal()
    sample_requested = Signal()

    def __init__(self, sample_available: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Data page")
        self.dataset: Dataset | None = None
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._build_empty(sample_available))
        self._stack.addWidget(self._build_loaded())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    # ----------------------------------------------------------------------------------------------
    def _build_empty(self, sample_available: bool) -> QWidget:
        page = QWidget(self)
        title = QLabel("<h2>Start with the patients</h2>", page)
        text = QLabel(
            "Open a heart-disease data file: the UCI Statlog <i>heart.dat</i>, the UCI Cleveland "
            "<i>processed.cleveland.data</i>, or a CSV file with a header row. You can also drop a file "
            "onto this window.",
            page,
        )
        text.setWordWrap(True)
        text.setMaximumWidth(560)
        style = self.style()
        self.open_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Open a data file…"
        )
        self.open_button.setAccessibleName("Open a data file")
        self.open_button.setToolTip("Choose a heart-data file on this computer (Ctrl+O).")
        self.open_button.clicked.connect(self.open_requested)
        self.sample_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "Open the UCI sample (heart.dat)"
        )
        self.sample_button.setAccessibleName("Open the UCI sample")
        self.sample_button.setToolTip("Open the UCI Statlog heart data that came with the app: 270 patients.")
        self.sample_button.clicked.connect(self.sample_requested)
        self.sample_button.setVisible(sample_available)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch()

        # Centred by stretches on either side, not by an alignment flag: a label placed with AlignHCenter
        # gets its narrow size hint as its width but the height its text needs at the column's full width,
        # so its second and later lines were cut off. The stretches leave it the width it is measured at.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(text, 100)
        centred.addStretch(1)

        layout = QVBoxLayout(page)
        layout.addStretch()
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(centred)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _build_loaded(self) -> QWidget:
        page = QWidget(self)
        self.title_label = QLabel(page)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        facts = QFormLayout()
        facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows_label = QLabel(page)
        self.balance_label = QLabel(page)
        self.format_label = QLabel(page)
        self.path_label = QLabel(page)
        self.sha_label = QLabel(page)
        self.rare_label = QLabel(page)
        self.rare_label.setObjectName("rare_categories")
        # Plain text: the categories' words carry signs ("> 120 mg/dl") that are not markup.
        self.rare_label.setTextFormat(Qt.TextFormat.PlainText)
        for label, name, tip in (
            (
                self.rows_label,
                "Patients",
                "Patients (rows) that will be used; rows with missing values are left out.",
            ),
            (self.balance_label, "Diagnosis", "How many patients have heart disease and how many do not."),
            (self.format_label, "Format", "How the file was read."),
            (self.path_label, "File", "Where the file is on this computer."),
            (
                self.sha_label,
                "SHA-256",
                "A fingerprint of the file's bytes: the same number means the same file.",
            ),
            (
                self.rare_label,
                "Rare categories",
                f"Categories of a coded finding seen in fewer than {RARE_CATEGORY_PATIENTS} patients: the "
                "model can learn little about them.",
            ),
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(name)
            label.setToolTip(tip)
            label.setWordWrap(True)
            facts.addRow(f"<b>{name}:</b>", label)
        self._facts = facts

        self.preview = QTableView(page)
        self.preview_model = DatasetTableModel(parent=self)
        self.preview.setModel(self.preview_model)
        # Column widths from the first 50 rows, not Qt's default 1000: the widths are the same for these
        # data, and a 200,000-row file no longer holds the window while it measures (bench_large_input).
        self.preview.horizontalHeader().setResizeContentsPrecision(50)
        self.preview.setAccessibleName("Patients in the file")
        self.preview.setToolTip("Every patient in the file; the row number is the line in the file.")
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview.setAlternatingRowColors(True)
        self.preview.setWordWrap(False)
        self.preview.horizontalHeader().setDefaultSectionSize(120)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        # Each column wide enough for its clinical header ("Resting blood pressure (mm Hg)") and every
        # value it can show, measured once on made-up rows: measured on each file's rows, with the rest
        # of show_dataset, it held the window when a 200,000-row file arrived (bench_large_input).
        sample = widest_values()
        self._columns_sized = sample is not None
        if sample is not None:
            self.preview_model.set_dataset(sample)
            self.preview.resizeColumnsToContents()
            self.preview_model.set_dataset(None)

        self.summary = QTableView(page)
        self.summary_model = SummaryTableModel(self)
        self.summary.setModel(self.summary_model)
        self.summary.setAccessibleName("Features")
        self.summary.setToolTip(
            "For each measurement its smallest, middle (median) and largest value in this file; for each "
            "coded finding how many patients had each category."
        )
        self.summary.setWordWrap(False)  # one category per line: nothing to wrap
        header = self.summary.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SummaryTableModel.COUNTS, QHeaderView.ResizeMode.Stretch)
        self.summary.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.dropped = QListWidget(page)
        self.dropped.setAccessibleName("Rows left out")
        self.dropped.setToolTip("Rows of the file left out, or lacking a finding, and why.")

        self.tabs = QTabWidget(page)
        self.tabs.setAccessibleName("Dataset details")
        self.tabs.addTab(self.preview, "Patients")
        self.tabs.addTab(self.summary, "Features")
        self.tabs.addTab(self.dropped, "Rows left out")

        layout = QVBoxLayout(page)
        layout.addWidget(self.title_label)
        layout.addLayout(facts)
        layout.addWidget(self.tabs, 1)
        return page

    # ----------------------------------------------------------------------------------------------
    def set_sample_available(self, available: bool) -> None:
        self.sample_button.setVisible(available)

    def show_dataset(self, dataset: Dataset) -> None:
        """Show ``dataset`` (replacing what was shown)."""
        self.dataset = dataset
        prov = dataset.provenance
        self.title_label.setText(f"<h2>{html.escape(prov.file_name)}</h2>")
        n = dataset.n_rows
        dropped = len(prov.dropped)
        lacking = len(prov.incomplete)
        if lacking:
            # Which rows a model keeps depends on the findings it uses: say it for the two usual choices.
            rows = (
                f"{n} patients; {dataset.n_complete()} have all 13 findings, "
                f"{dataset.n_complete(schema.ALL_SITES_FEATURES)} the 8 measured at all four sites"
            )
        else:
            rows = f"{n} patients with 13 features each"
        if dropped:
            rows += f" ({prov.rows_read} rows read, {dropped} left out: no diagnosis)"
        self.rows_label.setText(rows)
        counts = dataset.class_counts
        self.balance_label.setText(
            f"heart disease {schema.CLASS_WORDS[1]} in {counts[1]} ({percent(counts[1] / n, 0)}), "
            f"{schema.CLASS_WORDS[0]} in {counts[0]} ({percent(counts[0] / n, 0)})"
        )
        self.format_label.setText(
            f"{_FORMAT_WORDS.get(prov.format, prov.format)}; diagnosis coded {prov.target_coding}"
        )
        self.path_label.setText(html.escape(str(Path(prov.path))))
        self.sha_label.setText(f"<code>{prov.sha256}</code>")
        self.preview_model.set_dataset(dataset)
        if not self._columns_sized:  # (see _build_loaded) in an event of its own
            QTimer.singleShot(0, self, self.preview.resizeColumnsToContents)
        self.summary_model.set_dataset(dataset)
        rare = rare_categories(dataset)
        self.rare_label.setText("; ".join(rare_words(rare)))
        self._facts.setRowVisible(self.rare_label, bool(rare))
        self.dropped.clear()
        # One call for each list of rows: a large file can leave out thousands.
        self.dropped.addItems(
            [f"Line {row.line}: {row.reason}: left out of every model" for row in prov.dropped]
        )
        if lacking:
            self.dropped.addItem(
                f"{lacking} row{'s' if lacking != 1 else ''} lack a finding: each is left out only of a "
                "model that uses a finding it lacks (choose the findings on the Train page)."
            )
        self.dropped.addItems([f"Line {row.line}: {row.reason}" for row in prov.incomplete])
        if not prov.dropped and not lacking:
            self.dropped.addItem("None: every row of the file is used.")
        self.tabs.setTabText(
            2,
            f"Rows left out ({dropped})" if not lacking else f"Rows lacking a finding ({lacking + dropped})",
        )
        self._stack.setCurrentIndex(1)
