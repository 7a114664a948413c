"""Table models that show a dataset the way a clinician reads it.

:class:`DatasetTableModel` shows one row per patient with the schema's clinical labels as column headers,
coded values as words ("asymptomatic") and the raw value in a tooltip; the row header is the file line.
:class:`SummaryTableModel` shows the minimum, median and maximum of each feature.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from heartgui.core import schema
from heartgui.core.dataset import Dataset

__all__ = ["DatasetTableModel", "SummaryTableModel", "column_title"]

_Index = QModelIndex | QPersistentModelIndex


def column_title(feature: schema.Feature) -> str:
    """``"Resting blood pressure (mm Hg)"``; coded features have no unit."""
    return f"{feature.label} ({feature.unit})" if feature.unit and not feature.is_coded else feature.label


def _number(feature: schema.Feature, value: float) -> str:
    return f"{value:.{feature.decimals}f}"


class DatasetTableModel(QAbstractTableModel):
    """Read-only view of a :class:`Dataset`: the 13 features, then the diagnosis."""

    def __init__(self, dataset: Dataset | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._values = np.empty((0, len(schema.FEATURES)))
        self._y = np.empty(0, dtype=np.int64)
        self._lines = np.empty(0, dtype=np.int64)
        if dataset is not None:
            self.set_dataset(dataset)

    def set_dataset(self, dataset: Dataset | None) -> None:
        self.beginResetModel()
        if dataset is None:
            self._values = np.empty((0, len(schema.FEATURES)))
            self._y = np.empty(0, dtype=np.int64)
            self._lines = np.empty(0, dtype=np.int64)
        else:
            self._values = dataset.X.to_numpy(dtype=np.float64)
            self._y = np.asarray(dataset.y)
            self._lines = np.asarray(dataset.lines)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._y)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(schema.FEATURES) + 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column == len(schema.FEATURES):
            target = int(self._y[row])
            if role == Qt.ItemDataRole.DisplayRole:
                return schema.CLASS_WORDS[target]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{schema.TARGET_LABEL}: {schema.CLASS_WORDS[target]} (stored as {target})"
            return None
        feature = schema.FEATURES[column]
        value = float(self._values[row, column])
        if role == Qt.ItemDataRole.DisplayRole:
            return feature.describe_value(value) if feature.is_coded else _number(feature, value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{feature.label}: {feature.describe_value(value)} (value in the file: {value:g})"
        if role == Qt.ItemDataRole.TextAlignmentRole and not feature.is_coded:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(int(self._lines[section]))
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Line {int(self._lines[section])} of the file"
            return None
        if section == len(schema.FEATURES):
            if role == Qt.ItemDataRole.DisplayRole:
                return schema.TARGET_LABEL
            if role == Qt.ItemDataRole.ToolTipRole:
                return "The diagnosis recorded in the file: heart disease absent or present."
            return None
        feature = schema.FEATURES[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column_title(feature)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{feature.help} (column '{feature.name}')"
        return None


class SummaryTableModel(QAbstractTableModel):
    """Minimum, median and maximum of each feature (rows) of a dataset."""

    _COLUMNS = ("Minimum", "Median", "Maximum")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._values = np.empty((0, 3))

    def set_dataset(self, dataset: Dataset | None) -> None:
        self.beginResetModel()
        if dataset is None:
            self._values = np.empty((0, 3))
        else:
            self._values = dataset.summary()[["min", "median", "max"]].to_numpy(dtype=np.float64)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._values)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        feature = schema.FEATURES[index.row()]
        value = float(self._values[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            if feature.is_coded and value == round(value) and int(value) in (feature.codes or {}):
                return feature.describe_value(value)
            return (
                f"{value:.{max(feature.decimals, 0 if value == round(value) else 1)}f} {feature.unit}".strip()
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{feature.label}, {self._COLUMNS[index.column()].lower()}: {value:g}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._COLUMNS[section]
        return schema.FEATURES[section].label
