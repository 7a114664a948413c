"""A read-only table of methods and their figures, with a "Save as CSV…" button.

The table shows rounded text; the CSV holds the full-precision numbers of the same table (a pandas
``DataFrame`` given with the rows), so a student can open it in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ComparisonTable", "TextTableModel"]

_Index = QModelIndex | QPersistentModelIndex


class TextTableModel(QAbstractTableModel):
    """Rows of display strings under headers (each header with a tooltip); row ``bold_row`` in bold."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.header_tips: list[str] = []
        self.rows: list[list[str]] = []
        self.row_tips: list[str] = []
        self.bold_row: int | None = None

    def set_rows(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        header_tips: Sequence[str] = (),
        row_tips: Sequence[str] = (),
        bold_row: int | None = None,
    ) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.header_tips = list(header_tips) or [""] * len(self.headers)
        self.rows = [list(r) for r in rows]
        self.row_tips = list(row_tips) or [""] * len(self.rows)
        self.bold_row = bold_row
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.row_tips[index.row()] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == self.bold_row:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips[section] or None
        return None


class ComparisonTable(QWidget):
    """A table view over a :class:`TextTableModel` and a button that saves its numbers as CSV."""

    saved = Signal(str)  # path written

    def __init__(self, name: str, csv_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.csv_name = csv_name
        self.frame: Any = None  # pandas DataFrame written by save_csv
        self.model = TextTableModel(self)
        self.view = QTableView()
        self.view.setObjectName(f"{name}_view")
        self.view.setModel(self.model)
        self.view.setAccessibleName(name.replace("_", " "))
        self.view.setToolTip("Hover a column heading to see what it measures.")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.save_button = QPushButton("Save table as CSV…")
        self.save_button.setObjectName(f"{name}_save")
        self.save_button.setEnabled(False)
        self.save_button.setToolTip("Save the table's numbers (not rounded) as a CSV file for a spreadsheet.")
        self.save_button.clicked.connect(self.save_dialog)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        self.buttons = buttons  # a user of the table may put its own buttons on this row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

    def set_table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        frame: Any,
        *,
        header_tips: Sequence[str] = (),
        row_tips: Sequence[str] = (),
        bold_row: int | None = None,
    ) -> None:
        """Show ``rows`` under ``headers``; ``frame`` (a DataFrame) is what :meth:`save_csv` writes."""
        self.model.set_rows(headers, rows, header_tips=header_tips, row_tips=row_tips, bold_row=bold_row)
        if headers:  # the method names take the spare width; the figures stay next to each other
            self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.frame = frame
        self.save_button.setEnabled(frame is not None and len(rows) > 0)
        self.setVisible(len(rows) > 0)
        self._fit_height()

    def clear(self) -> None:
        self.model.set_rows([], [])
        self.frame = None
        self.save_button.setEnabled(False)
        self.setVisible(False)
        self._fit_height()

    def _fit_height(self) -> None:
        # Tall enough for every row: the page scrolls, the table does not.
        self.view.resizeRowsToContents()
        rows = self.model.rowCount()
        height = self.view.horizontalHeader().sizeHint().height() + 2 * self.view.frameWidth()
        height += sum(self.view.rowHeight(r) for r in range(rows)) if rows else 30
        self.view.setFixedHeight(height + 2)

    def save_csv(self, path: str) -> None:
        """Write the table's numbers to ``path`` (UTF-8 CSV)."""
        if self.frame is None:
            raise ValueError("There is no table to save yet.")
        self.frame.to_csv(path, encoding="utf-8")
        self.saved.emit(path)

    @Slot()
    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save table as CSV", self.csv_name, "CSV files (*.csv)")
        if not path:
            return
        from heartgui.gui.save_guard import CSV_TABLE, confirm_save

        if not confirm_save(self, path, CSV_TABLE):  # never over the data file in use, say
            return
        try:
            self.save_csv(path)
        except OSError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Cannot save the table", f"The table could not be saved:\n{exc}")
