"""Table models that show a dataset the way a clinician reads it.

:class:`DatasetTableModel` shows one row per patient with the schema's clinical labels as column headers,
coded values as words ("asymptomatic") and the raw value in a tooltip; the row header is the file line.
:class:`SummaryTableModel` shows the minimum, median and maximum of each measurement and the patients per
category of each coded feature.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from heartgui.core import schema
from heartgui.core.dataset import DataFileError, Dataset, dataset_from_frame
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural

__all__ = [
    "RARE_CATEGORY_PATIENTS",
    "CategoryCount",
    "DatasetFacts",
    "DatasetTableModel",
    "SummaryTableModel",
    "category_counts",
    "column_title",
    "dataset_facts",
    "how_many",
    "rare_categories",
    "rare_words",
    "widest_values",
]

_Index = QModelIndex | QPersistentModelIndex


def column_title(feature: schema.Feature) -> str:
    """``"Resting blood pressure (mm Hg)"``; coded features have no unit."""
    return f"{feature.label} ({feature.unit})" if feature.unit and not feature.is_coded else feature.label


def _number(feature: schema.Feature, value: float) -> str:
    return f"{value:.{feature.decimals}f}"


_CELL_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.UserRole,
    }
)


def widest_values() -> Dataset | None:
    """Made-up patients with every category of each coded feature and the limits of each measurement:
    every text a column can show, to size the columns once instead of measuring each file's rows.

    ``None`` if the schema's own limits do not pass its checks (then the caller measures the rows).
    """
    import pandas as pd

    rows = 20  # dataset_from_frame wants at least MIN_ROWS patients of both classes
    columns = {}
    for feature in schema.FEATURES:
        if feature.codes is not None:
            choices = [float(c) for c in feature.codes]
        else:
            assert feature.limits is not None
            choices = [float(v) for v in feature.limits]
        columns[feature.name] = [choices[i % len(choices)] for i in range(rows)]
    try:
        return dataset_from_frame(pd.DataFrame(columns), [i % 2 for i in range(rows)], name="column widths")
    except DataFileError:
        return None


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
        # The view asks each visible cell for some ten roles, most of which this model leaves to Qt:
        # answer those at once (measuring the columns of a large file asks thousands of times).
        if role not in _CELL_ROLES or not index.isValid():
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
        if value != value:  # NaN: the file has no value here ('?', or 0 for a cholesterol)
            if role == Qt.ItemDataRole.DisplayRole:
                return "not recorded"
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"{feature.label}: not recorded in the file. A model that uses it leaves this "
                    "patient out; a model that does not keeps them."
                )
            if role == Qt.ItemDataRole.UserRole:
                return value
            return None
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


#: A category seen in fewer patients than this is flagged: the model can learn little about it.
RARE_CATEGORY_PATIENTS = 10


@dataclass(frozen=True)
class CategoryCount:
    """How many patients of a dataset have one category of a coded feature."""

    feature: schema.Feature
    code: int
    word: str
    count: int
    total: int
    #: The patients of ``total`` whose file records this feature at all (the others are "not recorded").
    recorded: int

    @property
    def rare(self) -> bool:
        return self.count < RARE_CATEGORY_PATIENTS

    def describe(self) -> str:
        """``"male 183 (67.8 %)"``; a rare one adds ``"— only 2, too few to learn from"``."""
        text = f"{self.word} {self.count} ({percent(self.count / self.total) if self.total else UNDEFINED})"
        if self.count == 0:
            text += " — none in this file"
        elif self.rare:
            text += f" — only {self.count}, too few to learn from"
        return text


def how_many(count: CategoryCount) -> str:
    """``"Only 2 of 270 patients"``, ``"No patient"``; where the file leaves the feature unrecorded for
    some, counted among those who have it: ``"Only 7 of the 28 patients with it recorded"``."""
    if count.recorded < count.total:
        if count.count == 0:
            return f"No patient of the {count.recorded} with it recorded"
        return f"Only {count.count} of the {plural(count.recorded, 'patient')} with it recorded"
    if count.count == 0:
        return "No patient"
    return f"Only {count.count} of {plural(count.total, 'patient')}"


def rare_words(rare: Sequence[CategoryCount]) -> list[str]:
    """The rare categories in a sentence each, for the Data page's line. A feature recorded for fewer
    patients than :data:`RARE_CATEGORY_PATIENTS` is named once, as unrecorded: its categories are not
    rare among patients, the feature is missing (Hungary, Switzerland and VA measured the vessels on
    fluoroscopy for 2-5 patients of 123-294)."""
    words: list[str] = []
    seen: set[str] = set()
    for c in rare:
        if c.recorded < RARE_CATEGORY_PATIENTS:
            if c.feature.name not in seen:
                seen.add(c.feature.name)
                how = (
                    "not recorded for any patient"
                    if c.recorded == 0
                    else (f"recorded for only {c.recorded} of {plural(c.total, 'patient')}")
                )
                words.append(f"{c.feature.label}: {how}, too few for the model to learn from")
            continue
        words.append(
            f"{c.word} ({c.feature.label}): {how_many(c).lower()}, too few for the model to learn from"
        )
    return words


def category_counts(dataset: Dataset, feature: schema.Feature) -> list[CategoryCount]:
    """Every documented category of a coded ``feature`` with its number of patients (0 included)."""
    assert feature.codes is not None
    column = dataset.X[feature.name]
    counts = column.value_counts()
    total = dataset.n_rows
    recorded = int(column.notna().sum())
    return [
        CategoryCount(feature, code, word, int(counts.get(float(code), 0)), total, recorded)
        for code, word in feature.codes.items()
    ]


def rare_categories(dataset: Dataset) -> list[CategoryCount]:
    """The categories of all coded features seen in fewer than :data:`RARE_CATEGORY_PATIENTS` patients."""
    return list(dataset_facts(dataset).rare)


@dataclass(frozen=True, eq=False)
class DatasetFacts:
    """What the Data page shows of a dataset besides its rows, computed once per dataset.

    On a 200,000-row file the medians and category counts take a few hundred milliseconds: the loader
    worker computes them (:func:`dataset_facts` caches them), so the window does not stop while it shows
    the file.
    """

    #: (13, 3): the minimum, median and maximum of each feature, in schema order.
    summary: np.ndarray
    #: The category counts of each coded feature, by its row (schema position).
    counts: dict[int, list[CategoryCount]]
    #: The categories seen in fewer than :data:`RARE_CATEGORY_PATIENTS` patients.
    rare: tuple[CategoryCount, ...]
    #: (13,): per feature, the patients without a value ("not recorded").
    not_recorded: np.ndarray


_FACTS: weakref.WeakKeyDictionary[Dataset, DatasetFacts] = weakref.WeakKeyDictionary()
_FACTS_LOCK = threading.Lock()  # the loader worker fills the cache, the window reads it


def dataset_facts(dataset: Dataset) -> DatasetFacts:
    """The :class:`DatasetFacts` of ``dataset``, computed on the first call (from any thread) and kept
    as long as the dataset lives."""
    with _FACTS_LOCK:
        facts = _FACTS.get(dataset)
    if facts is not None:
        return facts
    summary = dataset.summary()[["min", "median", "max"]].to_numpy(dtype=np.float64)
    counts = {row: category_counts(dataset, f) for row, f in enumerate(schema.FEATURES) if f.is_coded}
    rare = tuple(c for row in sorted(counts) for c in counts[row] if c.rare)
    not_recorded = dataset.X.isna().sum().to_numpy(dtype=np.int64)
    facts = DatasetFacts(summary=summary, counts=counts, rare=rare, not_recorded=not_recorded)
    with _FACTS_LOCK:
        return _FACTS.setdefault(dataset, facts)


class SummaryTableModel(QAbstractTableModel):
    """One row per feature: minimum, median and maximum of a measurement, or, for a coded feature
    (sex, chest pain type, …), how many patients had each category, with the rare ones flagged.

    A median of a code ("median sex: male") would be a wrong lesson, so coded rows show counts only.
    """

    _COLUMNS = ("Minimum", "Median", "Maximum", "Patients per category")
    COUNTS = 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._values = np.empty((0, 3))
        self._counts: dict[int, list[CategoryCount]] = {}
        self._not_recorded = np.zeros(0, dtype=np.int64)  # per feature: patients without a value

    def set_dataset(self, dataset: Dataset | None) -> None:
        self.beginResetModel()
        if dataset is None:
            self._values = np.empty((0, 3))
            self._counts = {}
            self._not_recorded = np.zeros(0, dtype=np.int64)
        else:
            facts = dataset_facts(dataset)
            self._values = facts.summary
            self._not_recorded = facts.not_recorded
            self._counts = facts.counts
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._values)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._COLUMNS)

    def counts(self, row: int) -> list[CategoryCount]:
        """The category counts of row ``row`` (empty for a measurement)."""
        return self._counts.get(row, [])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        feature = schema.FEATURES[row]
        if feature.is_coded:
            return self._coded_data(row, column, role)
        missing = int(self._not_recorded[row]) if len(self._not_recorded) else 0
        if column == self.COUNTS:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"— (a measurement; not recorded for {missing})" if missing else "— (a measurement)"
            return None
        value = float(self._values[row, column])
        if value != value:  # NaN: no patient of the file has this measurement
            if role == Qt.ItemDataRole.DisplayRole:
                return "not recorded"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{feature.label}: not recorded for any patient of this file."
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{value:.{max(feature.decimals, 0 if value == round(value) else 1)}f} {feature.unit}".strip()
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{feature.label}, {self._COLUMNS[column].lower()}: {value:g}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _coded_data(self, row: int, column: int, role: int) -> Any:
        counts = self._counts.get(row, [])
        if column != self.COUNTS:
            if role == Qt.ItemDataRole.DisplayRole:
                return UNDEFINED
            if role == Qt.ItemDataRole.ToolTipRole:
                return "A coded finding: see the patients per category (a median of codes means little)."
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            missing = int(self._not_recorded[row]) if len(self._not_recorded) else 0
            lines = [c.describe() for c in counts] + ([f"not recorded: {missing}"] if missing else [])
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ToolTipRole:
            rare = [c for c in counts if c.rare]
            if not rare:
                return f"{schema.FEATURES[row].label}: patients per category in this file."
            return " ".join(
                f"{how_many(c)} had “{c.word}”: too few for the model to learn what it means, so a "
                "prediction for such a patient rests on very little."
                for c in rare
            )
        if role == Qt.ItemDataRole.BackgroundRole and any(c.rare for c in counts):
            from PySide6.QtGui import QBrush

            from heartgui.gui.widgets.card import CAUTION

            return QBrush(CAUTION)  # the same caution tint as a false alarm on the Results page
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            if section == self.COUNTS:
                return (
                    "For coded findings: how many patients had each category, and their share. "
                    f"Categories seen in fewer than {RARE_CATEGORY_PATIENTS} patients are flagged."
                )
            return "For measurements only."
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._COLUMNS[section]
        return schema.FEATURES[section].label
