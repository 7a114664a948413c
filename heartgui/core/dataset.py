"""Load a heart-disease data file into a validated :class:`Dataset`, or explain exactly what is wrong.

The one idea of this module: *a file either becomes a clean, checked table of the 13 features of*
:mod:`heartgui.core.schema` *plus a 0/1 target, or it is rejected with a* :class:`DataFileError`
*that tells a student which line and which column to fix.* No other exception leaves
:func:`load_dataset`.

Formats read
------------
``statlog``
    UCI Statlog ``heart.dat``: no header, 14 fields separated by runs of spaces or tabs, class 1/2.
``cleveland``
    UCI ``processed.cleveland.data``: no header, 14 comma-separated fields, ``?`` for missing,
    class 0–4 (anything above 0 is disease).
``csv``
    A header row naming the columns with canonical names or aliases (see
    :func:`heartgui.core.schema.canonical_name`), in any order, delimited by comma, semicolon, tab or
    spaces; LF or CRLF line ends; UTF-8 with or without a byte-order mark. A headerless file delimited
    by semicolons is also read (columns in the UCI order) and reported as ``csv``.

The diagnosis coding comes from the format, never from the values present: ``statlog`` is 1/2,
``cleveland`` is 0–4, so Cleveland patients who happen to have only 1s and 2s are all diseased. A
header file's target is read by its values (0/1, 1/2 Statlog, 0–4 Cleveland; a column named ``num``
as Cleveland's) and the coding read is shown in :attr:`Provenance.target_coding`; 1s and 2s only,
where both codings are possible (a ``num`` column, a headerless semicolon file), are refused (see
:func:`_decode_target`).

:func:`load_patients` reads a CSV of patients to predict the same way (a header is required, the target
column is optional) but sets a bad row aside with its problems instead of rejecting the file.

Values ``?``, an empty field, ``NA``, ``NaN`` and ``-9`` (UCI's missing marker) are missing, and so is
a 0 in cholesterol or resting blood pressure (the UCI sites wrote 0 where nothing was measured:
:attr:`heartgui.core.schema.Feature.zero_means_missing`). A row that lacks a finding is *kept*, with NaN
for what was not recorded, and listed in :attr:`Provenance.incomplete`: it is left out only of a model
that uses that finding (:meth:`Dataset.complete`, which lists it in :attr:`Provenance.dropped` with the
reason, e.g. ``"cholesterol not recorded (0)"``). A row without a diagnosis is dropped at once. With
``drop_missing=False`` every missing value is a problem instead. Every value is checked with
:meth:`heartgui.core.schema.Feature.check`, so a file that re-codes a feature (chest pain 0–3 instead
of 1–4) is rejected, never silently misread.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from heartgui.core import schema
from heartgui.core.safe_io import FileRefused, read_regular_file

__all__ = [
    "MAX_FILE_BYTES",
    "MIN_ROWS",
    "DataFileError",
    "Dataset",
    "DroppedRow",
    "PatientsFile",
    "Problem",
    "Provenance",
    "RejectedRow",
    "dataset_from_frame",
    "load_dataset",
    "load_patients",
]

#: Files larger than this are refused before a single byte is read.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Fewer usable rows than this cannot train or evaluate anything.
MIN_ROWS = 20

#: How many problems :class:`DataFileError` prints; the rest are counted.
SHOWN_PROBLEMS = 10
#: How many problems are kept in :attr:`DataFileError.problems`; the rest are only counted.
KEPT_PROBLEMS = 1000

_T = TypeVar("_T")

_COLUMNS: tuple[str, ...] = (*schema.FEATURE_NAMES, schema.TARGET_NAME)
_N_FEATURES = len(schema.FEATURE_NAMES)
_MISSING_TEXT = frozenset({"", "?", "na", "nan"})
_MISSING_NUMBER = -9.0
_DELIMITERS = (",", ";", "\t")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LETTER = re.compile(r"[^\W\d_]")

#: Rows read, parsed and freed per step. One pandas or NumPy call on a whole 200,000-row file held the
#: interpreter 100-200 ms (as long again to free its cells), and a window waiting for it to show a
#: progress or a heartbeat stood still meanwhile; on blocks of this size each call takes a few ms.
_BLOCK_ROWS = 8192

_CODING_01 = "0/1"
_CODING_STATLOG = "1/2 (Statlog)"
_CODING_CLEVELAND = "0-4 (Cleveland num)"

# How a file's format says the diagnosis is coded (see _decode_target).
_RULE_STATLOG = "statlog"
_RULE_CLEVELAND = "cleveland"
_RULE_HEADER = "header"
_RULE_NUM = "num"  # a header naming the target "num", Cleveland's name for it
_RULE_UNNAMED = "unnamed"

_ADVICE_ROWS = (
    "Correct the listed lines in a text editor or spreadsheet (or choose another file) and load it again."
)
_ADVICE_HEADER = (
    "Rename the columns in the first line to the names heartgui knows (listed above), remove "
    "columns it does not need, and load the file again."
)
_ADVICE_FILE = "Choose a UTF-8 text file with the heart data (as described in heart.doc) and try again."


# ----------------------------------------------------------------------------------------------------
# Problems and the error
# ----------------------------------------------------------------------------------------------------


def _label_words(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence, keeping acronyms ("ST ...")."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _column_words(column: str) -> str:
    """Name a column for a student: ``"chest pain type (cp)"``, ``"column 'xyz'"``."""
    if column in schema.BY_NAME:
        label = _label_words(schema.BY_NAME[column].label)
    elif column == schema.TARGET_NAME:
        label = _label_words(schema.TARGET_LABEL)
    else:
        return f"column '{column}'"
    return label if label == column else f"{label} ({column})"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file.

    Parameters
    ----------
    line : int or None
        1-based line number in the file; ``None`` for a problem of the whole file.
    column : str or None
        Canonical feature name or ``"target"``; the header text for an unknown column; ``None``
        when no single column is concerned.
    message : str
        What is wrong, in words a student understands.
    """

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(_column_words(self.column))
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DataFileError(ValueError):
    """The one exception :func:`load_dataset` raises: the file cannot be used, and why.

    Parameters
    ----------
    path : str
        The file that was read (or the name of an in-memory table).
    problems : sequence of Problem
        What is wrong, whole-file problems first, then by line. At most :data:`KEPT_PROBLEMS`.
    advice : str, optional
        One sentence telling the student what to do.
    total : int, optional
        How many problems were found in all, when more were found than kept.

    Attributes
    ----------
    path, problems, advice, total
    """

    def __init__(
        self,
        path: str,
        problems: Sequence[Problem],
        advice: str = _ADVICE_ROWS,
        total: int | None = None,
    ) -> None:
        self.path = str(path)
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.advice = advice
        self.total = max(total if total is not None else 0, len(self.problems))
        super().__init__(self.path, self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problems, self.advice, self.total))

    def __str__(self) -> str:
        name = os.path.basename(self.path) or self.path
        count = "1 problem" if self.total == 1 else f"{self.total} problems"
        lines = [f"Cannot load '{name}': {count} found.", f"  file: {self.path}"]
        lines += [f"  - {problem}" for problem in self.problems[:SHOWN_PROBLEMS]]
        more = self.total - min(len(self.problems), SHOWN_PROBLEMS)
        if more > 0:
            lines.append(f"  ... and {more} more problem{'s' if more != 1 else ''}")
        lines.append(self.advice)
        return "\n".join(lines)


class _Collector:
    """Gather problems, keeping the first :data:`KEPT_PROBLEMS` and counting all."""

    def __init__(self) -> None:
        self.general: list[Problem] = []
        self.rows: list[Problem] = []
        self.total = 0

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        bucket = self.general if line is None else self.rows
        if len(bucket) < KEPT_PROBLEMS:
            bucket.append(Problem(line, column, message))

    def __bool__(self) -> bool:
        return self.total > 0

    def error(self, path: str, advice: str = _ADVICE_ROWS) -> DataFileError:
        rows = sorted(self.rows, key=lambda p: (p.line or 0, _column_order(p.column)))
        kept = (self.general + rows)[:KEPT_PROBLEMS]
        return DataFileError(path, kept, advice, self.total)


def _column_order(column: str | None) -> int:
    return _COLUMNS.index(column) if column in _COLUMNS else -1


def _fail(path: str, message: str, advice: str = _ADVICE_FILE, column: str | None = None) -> DataFileError:
    return DataFileError(path, (Problem(None, column, message),), advice)


# ----------------------------------------------------------------------------------------------------
# The dataset
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DroppedRow:
    """A data row left out (or, in :attr:`Provenance.incomplete`, kept) because it lacks values.

    Parameters
    ----------
    line : int
        1-based line number in the file.
    reason : str
        Why, e.g. ``"ca, thal missing"`` or ``"cholesterol not recorded (0)"``.
    """

    line: int
    reason: str


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from, so a model file and a report can name it.

    Parameters
    ----------
    path : str
        Absolute path of the file (or the name of an in-memory table).
    file_name : str
        Base name of the file.
    sha256 : str
        Hex SHA-256 of the file's bytes (of the table's values for an in-memory table).
    format : str
        ``"statlog"``, ``"cleveland"`` or ``"csv"`` (``"frame"`` for :func:`dataset_from_frame`).
    target_coding : str
        ``"1/2 (Statlog)"``, ``"0-4 (Cleveland num)"`` or ``"0/1"``.
    rows_read : int
        Data rows in the file, dropped rows included, header and blank lines excluded.
    dropped : tuple of DroppedRow
        Rows left out of this dataset: without a diagnosis, or (after :meth:`Dataset.complete`) lacking
        a finding the model uses; in file order.
    incomplete : tuple of DroppedRow
        Rows kept that lack a finding (NaN in ``X``), with what they lack: a model using that finding
        leaves them out.
    features : tuple of str
        The findings every row of this dataset has (all 13 unless :meth:`Dataset.complete` chose some).
    """

    path: str
    file_name: str
    sha256: str
    format: str
    target_coding: str
    rows_read: int
    dropped: tuple[DroppedRow, ...]
    incomplete: tuple[DroppedRow, ...] = ()
    features: tuple[str, ...] = schema.FEATURE_NAMES


@dataclass(frozen=True, eq=False)
class Dataset:
    """The validated heart data: 13 features, a 0/1 target and where each row came from.

    Parameters
    ----------
    X : pandas.DataFrame
        Columns exactly :data:`heartgui.core.schema.FEATURE_NAMES` in that order, float64,
        RangeIndex; every value passes :meth:`~heartgui.core.schema.Feature.check` or is NaN, "not
        recorded" (never in ``provenance.features``; see :meth:`complete`).
    y : numpy.ndarray
        int64, 1 = heart disease present, 0 = absent (read-only).
    lines : numpy.ndarray
        int64, the 1-based file line of each row (read-only).
    provenance : Provenance
        The file, its hash, its format, the rows that were dropped and those that lack a finding.
    zero : numpy.ndarray or None
        bool (n, 13): where a NaN of ``X`` was a 0 in the file ("not recorded (0)") rather than a
        missing marker; ``None`` = nowhere.
    """

    X: pd.DataFrame
    y: np.ndarray
    lines: np.ndarray
    provenance: Provenance
    zero: np.ndarray | None = None

    def __post_init__(self) -> None:
        if tuple(self.X.columns) != schema.FEATURE_NAMES:
            raise ValueError("Dataset.X must have the columns of schema.FEATURE_NAMES, in order")
        if not (len(self.X) == len(self.y) == len(self.lines)):
            raise ValueError("Dataset.X, y and lines must have the same length")
        if self.zero is not None and self.zero.shape != self.X.shape:
            raise ValueError("Dataset.zero must have the shape of X")

    @property
    def n_rows(self) -> int:
        """Number of rows (patients)."""
        return len(self.y)

    @property
    def class_counts(self) -> dict[int, int]:
        """Rows per class: ``{0: n_absent, 1: n_present}``."""
        return {0: int(np.sum(self.y == 0)), 1: int(np.sum(self.y == 1))}

    def summary(self) -> pd.DataFrame:
        """Return the minimum, median and maximum of each feature.

        Returns
        -------
        pandas.DataFrame
            Index: the feature names; columns ``min``, ``median``, ``max``.
        """
        return pd.DataFrame(
            {"min": self.X.min(), "median": self.X.median(), "max": self.X.max()},
            index=pd.Index(schema.FEATURE_NAMES),
        )

    def row(self, i: int) -> dict[str, float]:
        """Return row ``i`` (0-based position, not file line) as ``{feature name: value}``.

        Raises
        ------
        IndexError
            When ``i`` is outside the dataset.
        """
        values = self.X.iloc[int(i)]
        return {name: float(values[name]) for name in schema.FEATURE_NAMES}

    @property
    def is_complete(self) -> bool:
        """Whether every row has all 13 findings."""
        return not self.provenance.incomplete

    def lacking(self, features: Sequence[str] | None = None) -> np.ndarray:
        """bool per row: the row lacks one of ``features`` (default all 13)."""
        names = list(schema.FEATURE_NAMES if features is None else features)
        return np.asarray(self.X[names].isna().any(axis=1), dtype=bool)

    def n_complete(self, features: Sequence[str] | None = None) -> int:
        """How many rows have every one of ``features`` (default all 13): the rows a model on them uses."""
        return int(np.count_nonzero(~self.lacking(features)))

    def left_out(self, features: Sequence[str] | None = None) -> tuple[DroppedRow, ...]:
        """The rows a model on ``features`` (default all 13) leaves out, each with what it lacks."""
        names = tuple(schema.FEATURE_NAMES if features is None else features)
        return self._reasons(np.flatnonzero(self.lacking(names)), names)

    def _reasons(self, rows: np.ndarray, names: Sequence[str]) -> tuple[DroppedRow, ...]:
        missing = self.X.isna().to_numpy()
        zero = self.zero if self.zero is not None else np.zeros(missing.shape, dtype=bool)
        keep = np.array([n in names for n in schema.FEATURE_NAMES])
        return tuple(
            DroppedRow(int(self.lines[i]), _lacking_reason(missing[i] & keep, zero[i] & keep)) for i in rows
        )

    def complete(self, features: Sequence[str] | None = None) -> Dataset:
        """The rows a model on ``features`` (default all 13) uses: those that have every one of them.

        The rows left out join ``provenance.dropped`` with what they lack ("cholesterol not recorded
        (0)", "thal missing"); rows that lack only other findings stay (in ``provenance.incomplete``).

        Raises
        ------
        ValueError
            When fewer than :data:`MIN_ROWS` rows remain, or they are of one class: said in words, with
            the findings that cost the rows.
        """
        names = schema.check_features(schema.FEATURE_NAMES if features is None else features)
        lacking = self.lacking(names)
        kept_rows = np.flatnonzero(~lacking)
        n_keep = len(kept_rows)
        if n_keep < MIN_ROWS or len(np.unique(self.y[kept_rows])) < 2:
            counts = self.X[list(names)].isna().sum()
            costly = ", ".join(f"{n} for {int(c)}" for n, c in counts.items() if int(c) > 0)
            why = f" (not recorded: {costly})" if costly else ""
            which = (
                "all 13 findings"
                if names == schema.FEATURE_NAMES
                else f"the {len(names)} findings the model uses"
            )
            if n_keep < MIN_ROWS:
                has = "has" if n_keep == 1 else "have"
                raise ValueError(
                    f"only {n_keep} of the {self.n_rows} patients of {self.provenance.file_name} {has} "
                    f"{which}{why}; heartgui needs at least {MIN_ROWS}: leave out the findings few "
                    "patients have"
                )
            only = schema.CLASS_WORDS[int(self.y[kept_rows][0])]
            raise ValueError(
                f"every patient of {self.provenance.file_name} with {which}{why} has heart disease "
                f"{only}: a model needs both classes"
            )
        if not lacking.any() and self.provenance.features == names:
            return self
        dropped = sorted(self.provenance.dropped + self.left_out(names), key=lambda d: d.line)
        still = self.lacking() & ~lacking
        provenance = dataclasses.replace(
            self.provenance,
            dropped=tuple(dropped),
            incomplete=self._reasons(np.flatnonzero(still), schema.FEATURE_NAMES),
            features=names,
        )
        zero = None if self.zero is None else self.zero[kept_rows]
        return _make_dataset(
            self.X.to_numpy()[kept_rows], self.y[kept_rows], self.lines[kept_rows], provenance, zero
        )


def _missing_word(name: str) -> str:
    """How a row left out for ``name`` names the finding: ``"cholesterol"``, ``"thal"``."""
    return schema.BY_NAME[name].missing_word or name


def _lacking_reason(missing: np.ndarray, zero: np.ndarray) -> str:
    """``"cholesterol not recorded (0); ca, thal missing"`` for a row's masks over the 13 features."""
    parts = [
        f"{_missing_word(schema.FEATURE_NAMES[j])} not recorded (0)" for j in np.flatnonzero(missing & zero)
    ]
    marked = [schema.FEATURE_NAMES[j] for j in np.flatnonzero(missing & ~zero)]
    if marked:
        parts.append(f"{', '.join(marked)} missing")
    return "; ".join(parts)


# ----------------------------------------------------------------------------------------------------
# Reading the file
# ----------------------------------------------------------------------------------------------------


def load_dataset(path: str | os.PathLike[str], *, drop_missing: bool = True) -> Dataset:
    """Read a Statlog, Cleveland or CSV heart-data file and validate every value.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    drop_missing : bool, default True
        Drop rows with missing values (recorded in ``provenance.dropped``); when ``False`` each
        such row is a problem.

    Returns
    -------
    Dataset
        At least :data:`MIN_ROWS` rows, both classes present.

    Raises
    ------
    DataFileError
        For anything wrong with the file — and for nothing else: no other exception escapes.
    """
    return _guarded(path, lambda shown: _load(shown, drop_missing))


def _guarded(path: Any, read: Callable[[str], _T]) -> _T:
    """Run ``read(path as text)`` so that only :class:`DataFileError` can leave it."""
    try:
        shown = os.fspath(path)
    except TypeError:
        shown = repr(path)
        raise _fail(shown, f"{shown} is not a file path") from None
    if isinstance(shown, bytes):
        shown = os.fsdecode(shown)
    try:
        return read(shown)
    except DataFileError:
        raise
    except Exception as exc:  # the contract: only DataFileError leaves the loaders
        raise _fail(
            shown,
            f"unexpected error while reading the file ({type(exc).__name__}: {exc}); "
            "this is a bug in heartgui, please report it",
        ) from exc


@dataclass(frozen=True, eq=False)
class _Table:
    """A data file split into text cells: the shared first stage of both loaders.

    ``cells`` has the columns of ``_COLUMNS`` (the target column is empty text when the file has none);
    ``lines`` are the file lines of its rows. Rows that could not be split into the expected number of
    fields are not in ``cells``; they were passed to the ``row_problem`` callback. ``text`` is the
    array of cells behind ``cells``: :meth:`release` frees them a block at a time.
    """

    data: bytes
    format: str
    has_target: bool
    cells: pd.DataFrame
    lines: np.ndarray
    rows_read: int
    decimal_comma: bool
    #: How the diagnosis is coded, from the format (see :func:`_decode_target`).
    target_rule: str
    text: np.ndarray

    def release(self) -> None:
        """Free the text cells, a block of rows at a time; ``cells`` is not to be used afterwards.

        Freed at once, the 2.8 million strings of a 200,000-row file held the interpreter (and so a
        window waiting for it) for 100 ms and more; between two blocks other threads can run.
        """
        for start in range(0, len(self.text), _BLOCK_ROWS):
            self.text[start : start + _BLOCK_ROWS] = None


def _read_table(
    path: str,
    row_problem: Callable[[int, str | None, str], None],
    *,
    require_header: bool = False,
    require_target: bool = True,
    required: Sequence[str] = schema.FEATURE_NAMES,
) -> _Table:
    """Read, decode and split ``path``; raise :class:`DataFileError` for problems of the whole file.

    A header may leave out the columns of features not in ``required`` (read as not recorded)."""
    data = _read_bytes(path)
    text = _decode(path, data)
    lines = _split_lines(text)
    # The numbers of the lines that are not blank (not (number, line) pairs: 200,000 tuples made the
    # garbage collector's passes, which the window runs, long while the file was read).
    numbered = [i for i, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise _fail(path, "the file is empty: it has no data lines")

    first_no = numbered[0]
    first = lines[first_no - 1]
    delimiter = _detect_delimiter(first)
    header_problems = _Collector()
    first_fields = _split(first, delimiter, header_problems, first_no)
    if first_fields is None:
        raise header_problems.error(path)
    if _is_header(first_fields):
        order = _header_order(
            first_fields, first_no, header_problems, require_target=require_target, required=required
        )
        if header_problems:
            raise header_problems.error(path, _ADVICE_HEADER)
        fmt = "csv"
        body = numbered[1:]
        width = len(first_fields)
        target_field = order[-1]
        named_num = target_field is not None and (
            schema.normalise_column_name(first_fields[target_field]) == "num"
        )
        rule = _RULE_NUM if named_num else _RULE_HEADER
        if not body:
            raise _fail(path, "the file has a header line but no data rows")
    elif require_header:
        raise _fail(
            path,
            "the file has no header line: its first line must name the columns ("
            + ", ".join(schema.FEATURE_NAMES)
            + "), in any order",
            _ADVICE_HEADER,
        )
    else:
        order = list(range(len(_COLUMNS)))
        width = len(_COLUMNS)
        if delimiter == "\t":  # Statlog style: any run of spaces and tabs separates fields
            delimiter = None
        fmt = {None: "statlog", ",": "cleveland"}.get(delimiter, "csv")
        rule = {"statlog": _RULE_STATLOG, "cleveland": _RULE_CLEVELAND}.get(fmt, _RULE_UNNAMED)
        body = numbered

    split_problems = _Collector()
    # The rows go into one object array, _BLOCK_ROWS rows at a time: a list of lists of the whole file
    # was turned into a table by a single call holding the interpreter for ~170 ms at 200,000 rows.
    grid = np.empty((len(body), len(_COLUMNS)), dtype=object)
    filled = 0
    cells: list[list[str]] = []
    line_numbers: list[int] = []
    wrong_widths: set[int] = set()
    for number in body:
        line = lines[number - 1]
        fields = _split(line, delimiter, split_problems, number)
        if fields is None:
            continue
        if len(fields) != width:
            wrong_widths.add(len(fields))
            row_problem(
                number,
                None,
                f"has {len(fields)} fields where {width} are expected ({_describe_delimiter(delimiter)})",
            )
            continue
        cells.append([fields[j] if j is not None else "" for j in order])
        line_numbers.append(number)
        if len(cells) == _BLOCK_ROWS:
            grid[filled : filled + len(cells)] = cells
            filled, cells = filled + len(cells), []
    if cells:
        grid[filled : filled + len(cells)] = cells
        filled += len(cells)
    if not filled and wrong_widths:
        # Not one line has the expected columns: that is the file's problem, to be said first (and
        # alone), not as one problem per line followed by "the target is not two classes".
        headerless = body is numbered
        raise _fail(path, _columns_not_found(sorted(wrong_widths), width, delimiter, headerless))
    for problem in split_problems.rows:
        assert problem.line is not None
        row_problem(problem.line, problem.column, problem.message)

    grid = grid[:filled]
    return _Table(
        data=data,
        format=fmt,
        has_target=order[-1] is not None,
        # copy=False: the table shares ``grid``, so that release() frees its cells.
        cells=pd.DataFrame(grid, columns=list(_COLUMNS), dtype=object, copy=False),
        lines=np.asarray(line_numbers, dtype=np.int64),
        rows_read=len(body),
        decimal_comma=delimiter == ";",
        target_rule=rule,
        text=grid,
    )


def _split_lines(text: str, chunk: int = 1 << 19) -> list[str]:
    """``_LINE_BREAK.split(text)``, done on pieces of about ``chunk`` characters that each end with a
    line break: one split of a 12 MB file held the interpreter for ~100 ms."""
    lines: list[str] = []
    start = 0
    while len(text) - start > chunk:
        end = text.find("\n", start + chunk)
        if end < 0:
            break
        # The piece ends with "\n" (its "\r\n" included): its split ends with an empty string, the
        # start of the next line, which is the next piece's first line.
        lines.extend(_LINE_BREAK.split(text[start : end + 1])[:-1])
        start = end + 1
    lines.extend(_LINE_BREAK.split(text[start:]))
    return lines


def _columns_not_found(widths: Sequence[int], width: int, delimiter: str | None, headerless: bool) -> str:
    """Why no line could be split into the expected columns, with the counts found and expected."""
    found = (
        f"every line has {widths[0]}" if len(widths) == 1 else f"the lines have {widths[0]} to {widths[-1]}"
    )
    which = (
        "the 13 findings then the diagnosis, in heart.doc's order"
        if headerless
        else "one per column of the header line"
    )
    if widths == [width - 1]:
        why = "; a column is missing"
    elif widths == [width + 1]:
        why = "; there is a column too many"
    elif widths[-1] < 3:
        why = "; the fields may be separated by another character"
    else:
        why = ""
    return (
        f"the columns could not be found: {found} fields where {width} are expected "
        f"({_describe_delimiter(delimiter)}; {which}){why}"
    )


def _load(path: str, drop_missing: bool) -> Dataset:
    problems = _Collector()
    table = _read_table(path, problems.add)
    values, missing, text_bad, zero = _parse_in_blocks(table.cells, decimal_comma=table.decimal_comma)
    dataset = _validate(
        values,
        missing,
        text_bad,
        table.lines,
        problems,
        drop_missing=drop_missing,
        raw=table.cells,
        target_rule=table.target_rule,
        zero=zero,
    )
    table.release()
    if problems:
        raise problems.error(path)
    X, y, kept_lines, coding, dropped, incomplete, kept_zero = dataset
    features = tuple(n for j, n in enumerate(schema.FEATURE_NAMES) if not np.isnan(X[:, j]).any())
    absolute = os.path.abspath(path)
    provenance = Provenance(
        path=absolute,
        file_name=os.path.basename(absolute),
        sha256=hashlib.sha256(table.data).hexdigest(),
        format=table.format,
        target_coding=coding,
        rows_read=table.rows_read,
        dropped=dropped,
        incomplete=incomplete,
        features=features,
    )
    return _make_dataset(X, y, kept_lines, provenance, kept_zero)


def _read_bytes(path: str) -> bytes:
    """Read the whole file after checking it is a regular, not too large file (never a pipe or device)."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES, "data file (the heart data sets are a few kilobytes)")
    except FileRefused as exc:
        problem = exc.problem
        if problem.startswith("this is a folder"):
            problem = "this is a folder, not a data file"
        raise _fail(path, problem) from None
    except FileNotFoundError:
        raise _fail(
            path, "the file does not exist", "Check the file name and folder and try again."
        ) from None
    except IsADirectoryError:
        raise _fail(path, "this is a folder, not a data file") from None
    except PermissionError:
        raise _fail(
            path,
            "permission denied: heartgui may not read this file",
            "Copy the file somewhere you may read it, or change its permissions, and try again.",
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: e.g. a NUL byte in the path
        raise _fail(path, f"the file cannot be read ({exc})") from None


def _decode(path: str, data: bytes) -> str:
    """Decode UTF-8 (with or without BOM); refuse binary files with the line of the bad byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _fail(path, 'the file is UTF-16 text; save it as UTF-8 ("CSV UTF-8" in a spreadsheet)')
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DataFileError(
            path,
            (Problem(line, None, "contains a NUL byte: this is a binary file, not text"),),
            _ADVICE_FILE,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            path,
            (
                Problem(
                    line,
                    None,
                    f"byte 0x{data[exc.start]:02x} is not UTF-8 text; this is a binary "
                    "file or text in another encoding",
                ),
            ),
            'Save the file as UTF-8 text ("CSV UTF-8" in a spreadsheet) and try again.',
        ) from None


def _detect_delimiter(line: str) -> str | None:
    """Pick comma, semicolon or tab by counting them in the first line; ``None`` means spaces."""
    counts = {d: line.count(d) for d in _DELIMITERS}
    if counts[";"] and counts[";"] >= counts["\t"]:
        # Commas beside semicolons are decimal commas (a spreadsheet in a European language).
        return ";"
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else None


def _describe_delimiter(delimiter: str | None) -> str:
    return {",": "separated by commas", ";": "separated by semicolons", "\t": "separated by tabs"}.get(
        delimiter or "", "separated by spaces"
    )


def _split(line: str, delimiter: str | None, problems: _Collector, number: int) -> list[str] | None:
    """Split one line into stripped fields; record a problem and return ``None`` if impossible."""
    if delimiter is None:
        return line.split()
    try:
        rows = list(csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True))
    except csv.Error as exc:
        problems.add(number, None, f"cannot be split into fields ({exc})")
        return None
    fields = rows[0] if rows else []
    return [field.strip() for field in fields]


def _is_missing_text(field: str) -> bool:
    return field.strip().lower() in _MISSING_TEXT


def _is_header(fields: Sequence[str]) -> bool:
    """Whether the first line is a header.

    A header has fields with letters that are neither numbers (``1e3``) nor missing markers, and
    more of them than numbers, so that a first data row with one typo (``abc`` for a cholesterol)
    is reported as a bad value, not as fourteen unknown column names.
    """
    numbers = pd.to_numeric(pd.Series(list(fields), dtype=object), errors="coerce").notna()
    words = sum(
        1
        for field, is_number in zip(fields, numbers)
        if not is_number and not _is_missing_text(field) and _LETTER.search(field)
    )
    return words > 0 and words >= int(numbers.sum())


def _header_order(
    fields: Sequence[str],
    line: int,
    problems: _Collector,
    *,
    require_target: bool = True,
    required: Sequence[str] = schema.FEATURE_NAMES,
) -> list[int | None]:
    """Map header cells to canonical columns; return, per canonical column, the field index.

    Without ``require_target`` a file without a target column is fine: its index is ``None``. A
    feature not in ``required`` may be absent too (its index ``None``: every value "not recorded").
    """
    found: dict[str, int] = {}
    for index, cell in enumerate(fields):
        name = schema.canonical_name(cell)
        if name is None:
            guess = difflib.get_close_matches(schema.normalise_column_name(cell), schema.ALIASES, n=1)
            hint = f"; did you mean '{schema.ALIASES[guess[0]]}'?" if guess else ""
            shown = cell if cell else f"(empty, field {index + 1})"
            problems.add(line, shown, f"unknown column{hint}")
        elif name in found:
            problems.add(
                line,
                cell,
                f"is a second column for {_column_words(name)} (field {index + 1}; the first is "
                f"field {found[name] + 1} '{fields[found[name]]}')",
            )
        else:
            found[name] = index
    absent = [
        name for name in _COLUMNS if name not in found and (name in required or name == schema.TARGET_NAME)
    ]
    if not require_target and schema.TARGET_NAME in absent:
        absent.remove(schema.TARGET_NAME)
    if absent:
        if schema.TARGET_NAME in absent:
            problems.add(
                None,
                schema.TARGET_NAME,
                "the file has no target column (heart disease); name it one of: "
                + ", ".join(schema.TARGET_ALIASES),
            )
        features = [n for n in absent if n != schema.TARGET_NAME]
        if features:
            problems.add(
                None,
                None,
                "missing columns: "
                + ", ".join(_column_words(n) for n in features)
                + "; heartgui knows the columns "
                + ", ".join(_COLUMNS),
            )
    return [found.get(name) for name in _COLUMNS]


# ----------------------------------------------------------------------------------------------------
# Numbers and validation (shared by files and in-memory frames)
# ----------------------------------------------------------------------------------------------------


def _parse_in_blocks(
    table: pd.DataFrame, *, decimal_comma: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_parse_numbers` on blocks of :data:`_BLOCK_ROWS` rows (the same result), so that no
    single pandas call holds the interpreter for long on a large file."""
    if len(table) <= _BLOCK_ROWS:
        return _parse_numbers(table, decimal_comma=decimal_comma)
    parts = [
        _parse_numbers(table.iloc[start : start + _BLOCK_ROWS], decimal_comma=decimal_comma)
        for start in range(0, len(table), _BLOCK_ROWS)
    ]
    values, missing, text_bad, zero = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    return values, missing, text_bad, zero


def _parse_numbers(
    table: pd.DataFrame, *, decimal_comma: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Turn a table of text cells into floats.

    Returns
    -------
    values : ndarray (n, 14)
        Floats, NaN where missing or not a number.
    missing : ndarray of bool (n, 14)
        ``?``, empty, ``NA``, ``NaN`` or ``-9``, and a 0 where it means "not recorded".
    text_bad : ndarray of bool (n, 14)
        Text where a number belongs.
    zero : ndarray of bool (n, 14)
        Where a 0 was read as "not recorded" (cholesterol, resting blood pressure).
    """
    n = len(table)
    values = np.full((n, len(_COLUMNS)), np.nan)
    missing = np.zeros((n, len(_COLUMNS)), dtype=bool)
    zero = np.zeros((n, len(_COLUMNS)), dtype=bool)
    for j, name in enumerate(_COLUMNS):
        cells = table[name].astype(str).str.strip()
        if decimal_comma:
            cells = cells.str.replace(",", ".", regex=False)
        marker = np.array(cells.str.lower().isin(_MISSING_TEXT), dtype=bool)
        numbers = pd.to_numeric(cells.where(~marker, None), errors="coerce")
        column = np.array(numbers, dtype=np.float64)
        marker |= column == _MISSING_NUMBER
        if j < _N_FEATURES and schema.FEATURES[j].zero_means_missing:
            zero[:, j] = column == 0.0
            marker |= zero[:, j]
        column[marker] = np.nan
        values[:, j] = column
        missing[:, j] = marker
    text_bad = np.isnan(values) & ~missing
    return values, missing, text_bad, zero


def _valid_mask(values: np.ndarray) -> np.ndarray:
    """Where each feature value passes :meth:`Feature.check` (vectorised, same rule)."""
    ok = np.zeros(values.shape, dtype=bool)
    for j, feature in enumerate(schema.FEATURES):
        column = values[:, j]
        if feature.codes is not None:
            ok[:, j] = np.isin(column, np.array(list(feature.codes), dtype=np.float64))
        else:
            assert feature.limits is not None
            low, high = feature.limits
            ok[:, j] = (column >= low) & (column <= high)
    return ok


def _shown_values(found: np.ndarray, values: np.ndarray, lines: np.ndarray) -> str:
    """``"0 (first on line 3), 5 (first on line 9)"``: at most 12 values, each with its first line."""
    present = ~np.isnan(values)
    shown = []
    for v in found[:12]:
        first = int(lines[present][values[present] == v][0])
        shown.append(f"{v:g} (first on line {first})")
    more = f" and {len(found) - 12} other values" if len(found) > 12 else ""
    return ", ".join(shown) + more


def _decode_target(values: np.ndarray, lines: np.ndarray, rule: str = _RULE_HEADER) -> tuple[str | None, str]:
    """How the diagnosis is coded; return ``(coding, "")`` or ``(None, why not)``.

    The coding comes from the file's format (``rule``), never from the values that happen to be there:
    a Statlog file (14 fields separated by spaces) codes 1 = absent, 2 = present; a Cleveland file (14
    fields separated by commas) codes 0 = absent, 1–4 = present, so a Cleveland file whose patients
    happen to have 1s and 2s only is all disease, not half healthy. A file with a header names its
    columns but not the coding: 0 and 1 are read as 0/1 (1 = disease), 1 and 2 as Statlog's, 0–4 (with
    a 0 and a 2, 3 or 4) as Cleveland's, and the coding read is shown to the user
    (``Provenance.target_coding``); a column named ``num`` (Cleveland's name) is read as Cleveland's.
    Where the two codings are both possible and disagree — 1s and 2s only, in a column named ``num``
    or in a file without header or format (semicolons) — the file is refused, never guessed.
    """
    present = ~np.isnan(values)
    found = np.unique(values[present])
    classes = {float(v) for v in found}
    if not classes:
        return None, "target is not two classes: no row has a target value"
    ambiguous = classes <= {1.0, 2.0} and len(classes) == 2
    if rule == _RULE_NUM and ambiguous:
        return None, (
            "cannot tell how the diagnosis is coded: the column is named num, Cleveland's name (0 = "
            "absent, 1–4 = present), but holds only 1 and 2, Statlog's codes for absent and present; "
            "rename the column 'class' if 1 means absent, or check the file"
        )
    if rule == _RULE_NUM:
        rule = _RULE_CLEVELAND
    if rule in (_RULE_STATLOG, _RULE_CLEVELAND):
        statlog = rule == _RULE_STATLOG
        allowed = {1.0, 2.0} if statlog else {0.0, 1.0, 2.0, 3.0, 4.0}
        bad = np.array([v for v in found if float(v) not in allowed])
        if not len(bad):
            return (_CODING_STATLOG if statlog else _CODING_CLEVELAND), ""
        what = (
            "a Statlog file (14 fields separated by spaces, as heart.dat) codes the diagnosis "
            "1 = absent, 2 = present"
            if statlog
            else "a Cleveland file (fields separated by commas without a header, as "
            "processed.cleveland.data, or a column named num) codes the diagnosis 0 = absent, "
            "1–4 = present"
        )
        return None, f"{what}; found {_shown_values(bad, values, lines)}"
    if classes <= {0.0, 1.0} and len(classes) == 2:
        return _CODING_01, ""
    if ambiguous:
        if rule == _RULE_UNNAMED:
            return None, (
                "cannot tell how the diagnosis is coded: the values are 1 and 2, which mean absent and "
                "present in Statlog's coding but both mean disease in Cleveland's; add a header line "
                "naming the columns, with the diagnosis column named 'class' for Statlog's 1/2 or "
                "'num' for Cleveland's 0–4"
            )
        return _CODING_STATLOG, ""
    if classes <= {0.0, 1.0, 2.0, 3.0, 4.0} and (
        3.0 in classes or 4.0 in classes or classes == {0.0, 1.0, 2.0}
    ):
        return _CODING_CLEVELAND, ""
    return None, (
        "target is not two classes: found the values "
        + _shown_values(found, values, lines)
        + "; heartgui reads 0/1 (1 = disease), 1/2 (Statlog, 2 = disease) or 0–4 "
        "(Cleveland, above 0 = disease)"
    )


def _to_binary(values: np.ndarray, coding: str) -> np.ndarray:
    if coding == _CODING_STATLOG:
        return (values == 2.0).astype(np.int64)
    return (values > 0.0).astype(np.int64)


def _recoding_hint(feature: schema.Feature, observed: np.ndarray) -> str | None:
    """Explain a whole column that uses other codes than heart.doc (cp 0–3 instead of 1–4)."""
    assert feature.codes is not None
    codes = sorted(feature.codes)
    seen = {float(v) for v in observed}
    label = _label_words(feature.label)
    contiguous = codes == list(range(codes[0], codes[-1] + 1))
    if contiguous and seen <= {c - 1.0 for c in codes} and codes[0] - 1.0 in seen:
        return (
            f"this file seems to code {label} {codes[0] - 1}–{codes[-1] - 1}; heartgui expects "
            f"{codes[0]}–{codes[-1]} as in heart.doc ("
            + ", ".join(f"{c} = {m}" for c, m in feature.codes.items())
            + ")"
        )
    if not contiguous and seen <= {float(c) for c in range(len(codes) + 1)}:
        meanings = ", ".join(f"{c} = {m}" for c, m in feature.codes.items())
        return (
            f"this file seems to code {label} 0–{len(codes)} (as some copies of the data do); "
            f"heartgui expects {meanings} as in heart.doc"
        )
    return None


def _invalid_values(values: np.ndarray, missing: np.ndarray, text_bad: np.ndarray) -> np.ndarray:
    """Where a feature value was read as a number but :meth:`Feature.check` refuses it (n, 14)."""
    invalid = np.zeros(values.shape, dtype=bool)
    unreadable = missing[:, :_N_FEATURES] | text_bad[:, :_N_FEATURES]
    invalid[:, :_N_FEATURES] = ~_valid_mask(values[:, :_N_FEATURES]) & ~unreadable
    return invalid


def _row_problems(
    i: int, values: np.ndarray, text_bad: np.ndarray, invalid: np.ndarray, raw: pd.DataFrame | None
) -> Iterator[tuple[str, str]]:
    """``(column, message)`` for each unreadable or impossible value of row ``i``."""
    for j in map(int, np.flatnonzero(text_bad[i] | invalid[i])):
        name = _COLUMNS[j]
        if text_bad[i, j]:
            cell = str(raw.iat[i, j]).strip() if raw is not None else "?"
            yield name, f"'{_shorten(cell)}' is not a number"
        else:
            message = schema.FEATURES[j].check(float(values[i, j]))
            yield name, message or "is not an allowed value"


def _missing_problem(missing_row: np.ndarray, zero_row: np.ndarray | None = None) -> tuple[str, str]:
    """``(first column, "missing value in ca, thal")`` for a row's missing-value mask; a 0 read as
    "not recorded" is said so (``"cholesterol not recorded (0)"``)."""
    zero = np.zeros(missing_row.shape, dtype=bool) if zero_row is None else zero_row
    cols = [_COLUMNS[j] for j in np.flatnonzero(missing_row & ~zero)]
    zeros = [_COLUMNS[j] for j in np.flatnonzero(missing_row & zero)]
    parts = [f"{_missing_word(c)} not recorded (0)" for c in zeros]
    if cols:
        parts.insert(0, f"missing value in {', '.join(cols)}")
    first = min(cols + zeros, key=_column_order)
    return first, "; ".join(parts)


def _validate(
    values: np.ndarray,
    missing: np.ndarray,
    text_bad: np.ndarray,
    lines: np.ndarray,
    problems: _Collector,
    *,
    drop_missing: bool,
    raw: pd.DataFrame | None = None,
    target_rule: str = "header",
    zero: np.ndarray | None = None,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, str, tuple[DroppedRow, ...], tuple[DroppedRow, ...], np.ndarray
]:
    """Check every value; record problems.

    Returns ``(X, y, lines, target coding, dropped rows, incomplete rows, zero mask of X)``: with
    ``drop_missing`` a row without a diagnosis is dropped and a row lacking a finding is kept (NaN) and
    listed as incomplete; without it, every missing value is a problem.
    """
    if zero is None:
        zero = np.zeros(values.shape, dtype=bool)
    n = len(lines)
    features = values[:, :_N_FEATURES]
    target = values[:, _N_FEATURES]
    invalid = _invalid_values(values, missing, text_bad)

    # Whole-column hints go first: one sentence explains hundreds of rows.
    for j, feature in enumerate(schema.FEATURES):
        if feature.codes is not None and invalid[:, j].any():
            column = features[:, j]
            hint = _recoding_hint(feature, column[~np.isnan(column)])
            if hint:
                problems.add(None, feature.name, hint)

    coding, why = _decode_target(target, lines, target_rule)
    if coding is None:
        problems.add(None, schema.TARGET_NAME, why)

    has_missing = missing.any(axis=1)
    lacks_target = missing[:, _N_FEATURES]
    lacks_feature = np.asarray(missing[:, :_N_FEATURES].any(axis=1), dtype=bool)
    has_problem = text_bad.any(axis=1) | invalid.any(axis=1)
    report_missing = np.asarray(has_missing & ~has_problem) if not drop_missing else np.zeros(n, dtype=bool)

    bad_rows = np.flatnonzero(has_problem | report_missing)
    for i in bad_rows:
        if problems.total >= KEPT_PROBLEMS * 2:  # count the rest without building messages
            problems.total += int(text_bad[i].sum() + invalid[i].sum() + report_missing[i])
            continue
        line = int(lines[i])
        for name, message in _row_problems(int(i), values, text_bad, invalid, raw):
            problems.add(line, name, message)
        if report_missing[i]:
            problems.add(line, *_missing_problem(missing[i], zero[i]))

    if drop_missing:
        # A row without a diagnosis cannot teach or test anything; a row lacking a finding is kept for
        # the models that do not use it (Dataset.complete leaves it out of those that do).
        dropped_mask = np.asarray(lacks_target & ~has_problem, dtype=bool)
        keep = np.asarray(~(lacks_target | has_problem), dtype=bool)
    else:
        dropped_mask = np.zeros(n, dtype=bool)
        keep = np.asarray(~(has_missing | has_problem), dtype=bool)
    dropped = tuple(
        DroppedRow(
            int(lines[i]),
            "diagnosis missing"
            + (
                f"; {_lacking_reason(missing[i, :_N_FEATURES], zero[i, :_N_FEATURES])}"
                if lacks_feature[i]
                else ""
            ),
        )
        for i in np.flatnonzero(dropped_mask)
    )
    incomplete = tuple(
        DroppedRow(int(lines[i]), _lacking_reason(missing[i, :_N_FEATURES], zero[i, :_N_FEATURES]))
        for i in np.flatnonzero(keep & lacks_feature)
    )
    kept_zero = zero[keep, :_N_FEATURES]
    if problems or coding is None:
        return features[:0], np.zeros(0, np.int64), lines[:0], "", dropped, (), kept_zero[:0]

    y = _to_binary(target[keep], coding)
    n_keep = int(keep.sum())
    after = " after dropping rows without a diagnosis" if dropped else ""
    if n_keep and len(np.unique(y)) < 2:
        only = schema.CLASS_WORDS[int(y[0])]
        problems.add(
            None,
            schema.TARGET_NAME,
            f"target is not two classes: every usable row{after} has heart disease {only}",
        )
    if n_keep < MIN_ROWS:
        problems.add(
            None,
            None,
            f"only {n_keep} usable row{'s' if n_keep != 1 else ''}{after}; heartgui needs at least "
            f"{MIN_ROWS}",
        )
    return features[keep], y, lines[keep], coding, dropped, incomplete, kept_zero


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _make_dataset(
    X: np.ndarray, y: np.ndarray, lines: np.ndarray, provenance: Provenance, zero: np.ndarray | None = None
) -> Dataset:
    frame = pd.DataFrame(np.array(X, dtype=np.float64), columns=list(schema.FEATURE_NAMES))
    y = np.array(y, dtype=np.int64)
    lines = np.array(lines, dtype=np.int64)
    y.flags.writeable = False
    lines.flags.writeable = False
    if zero is not None:
        zero = np.array(zero, dtype=bool)
        zero.flags.writeable = False
        if not zero.any():
            zero = None
    return Dataset(X=frame, y=y, lines=lines, provenance=provenance, zero=zero)


# ----------------------------------------------------------------------------------------------------
# In-memory tables
# ----------------------------------------------------------------------------------------------------


def dataset_from_frame(
    X: pd.DataFrame, y: Any, *, name: str = "in-memory", allow_missing: bool = False
) -> Dataset:
    """Validate a table with the canonical feature columns and a target, as :func:`load_dataset` does.

    Parameters
    ----------
    X : pandas.DataFrame
        Exactly the 13 canonical feature columns, in any order; numbers (or numeric text).
    y : array-like
        One target per row, coded 0/1, 1/2 (Statlog) or 0–4 (Cleveland).
    name : str, default "in-memory"
        What error messages and the provenance call the table.
    allow_missing : bool, default False
        Keep a missing (NaN) feature value as "not recorded", as :func:`load_dataset` does, instead of
        reporting it as a problem (the patients of a model that does not use that feature).

    Returns
    -------
    Dataset
        With ``lines`` = 1…n (row positions) and provenance format ``"frame"``.

    Raises
    ------
    DataFileError
        With problems naming row (as ``line``, 1-based position) and column. Missing values are
        problems here, not dropped.
    """
    if not isinstance(X, pd.DataFrame):
        raise _fail(name, "X must be a pandas DataFrame with the 13 feature columns")
    problems = _Collector()
    columns = [str(c) for c in X.columns]
    unknown = [c for c in columns if c not in schema.FEATURE_NAMES]
    absent = [c for c in schema.FEATURE_NAMES if c not in columns]
    for c in unknown:
        problems.add(None, c, "unknown column; X must use the canonical feature names")
    if absent:
        problems.add(None, None, "missing columns: " + ", ".join(absent))
    if len(set(columns)) != len(columns):
        problems.add(None, None, "duplicate column names")
    y_array = np.asarray(y).reshape(-1) if np.ndim(y) else np.asarray([y])
    if len(y_array) != len(X):
        problems.add(None, schema.TARGET_NAME, f"y has {len(y_array)} values for {len(X)} rows of X")
    if problems:
        raise problems.error(name, "Pass X with the canonical columns and one y per row.")

    table = X.loc[:, list(schema.FEATURE_NAMES)].reset_index(drop=True).copy()
    table[schema.TARGET_NAME] = y_array
    table = table.astype(object).where(table.notna(), "")
    values, missing, text_bad, zero = _parse_in_blocks(table)
    lines = np.arange(1, len(table) + 1, dtype=np.int64)
    X_ok, y_ok, lines_ok, coding, _, incomplete, kept_zero = _validate(
        values, missing, text_bad, lines, problems, drop_missing=allow_missing, raw=table, zero=zero
    )
    if problems:
        raise problems.error(name, "Correct the listed rows (line = 1-based row position).")
    digest = hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()
    provenance = Provenance(
        path=name,
        file_name=name,
        sha256=digest,
        format="frame",
        target_coding=coding,
        rows_read=len(table),
        dropped=(),
        incomplete=incomplete,
        features=tuple(n for j, n in enumerate(schema.FEATURE_NAMES) if not np.isnan(X_ok[:, j]).any()),
    )
    return _make_dataset(X_ok, y_ok, lines_ok, provenance, kept_zero)


# ----------------------------------------------------------------------------------------------------
# Many patients to predict (no target needed; a bad row is set aside, not fatal)
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    """A row of a patients file that cannot be predicted, and why.

    Parameters
    ----------
    line : int
        1-based line number in the file.
    problems : tuple of Problem
        Everything wrong with the row, in column order (same wording as :class:`DataFileError`).
    """

    line: int
    problems: tuple[Problem, ...]

    @property
    def reason(self) -> str:
        """The problems in one line, e.g. ``"serum cholesterol (chol): 'abc' is not a number"``."""
        return "; ".join(
            f"{_column_words(p.column)}: {p.message}" if p.column else p.message for p in self.problems
        )


@dataclass(frozen=True, eq=False)
class PatientsFile:
    """The patients of a file to predict: the valid rows, and the rejected rows with their problems.

    Parameters
    ----------
    X : pandas.DataFrame
        The valid rows: columns :data:`~heartgui.core.schema.FEATURE_NAMES` in order, float64,
        RangeIndex; every value passes :meth:`~heartgui.core.schema.Feature.check`.
    lines : numpy.ndarray
        int64, the 1-based file line of each valid row (read-only).
    outcome : numpy.ndarray or None
        The known outcome of each valid row when the file has a target column whose coding is clear:
        float64, 1.0 = disease present, 0.0 = absent, NaN = not given (read-only). ``None`` when the
        file has no target column, or its values are not a clear two-class coding (see
        ``provenance.target_coding``).
    rejected : tuple of RejectedRow
        Rows that cannot be predicted, in file order.
    provenance : Provenance
        The file and its hash; ``dropped`` is empty (rejected rows are in ``rejected``);
        ``target_coding`` is empty, or says why a target column was not read.
    """

    X: pd.DataFrame
    lines: np.ndarray
    outcome: np.ndarray | None
    rejected: tuple[RejectedRow, ...]
    provenance: Provenance

    def __post_init__(self) -> None:
        if tuple(self.X.columns) != schema.FEATURE_NAMES:
            raise ValueError("PatientsFile.X must have the columns of schema.FEATURE_NAMES, in order")
        if len(self.X) != len(self.lines) or (self.outcome is not None and len(self.outcome) != len(self.X)):
            raise ValueError("PatientsFile.X, lines and outcome must have the same length")

    @property
    def n_valid(self) -> int:
        """Number of rows that can be predicted."""
        return len(self.X)

    @property
    def n_rejected(self) -> int:
        """Number of rows set aside."""
        return len(self.rejected)

    def row(self, i: int) -> dict[str, float]:
        """Valid row ``i`` (0-based position, not file line) as ``{feature name: value}``."""
        values = self.X.iloc[int(i)]
        return {name: float(values[name]) for name in schema.FEATURE_NAMES}


def load_patients(path: str | os.PathLike[str], features: Sequence[str] | None = None) -> PatientsFile:
    """Read a CSV of patients to predict: a header row naming the features (a target is optional).

    The file is read as :func:`load_dataset` reads a CSV (same delimiters, encodings, column names and
    checks), but a bad row does not reject the file: it is listed in :attr:`PatientsFile.rejected`
    with its line, column and what is wrong. A row with a missing value of one of ``features`` (those
    the model uses; default all 13) is rejected too (never guessed); a missing value of another finding
    is kept as NaN ("not recorded"): the model never reads it, and its column may be absent.

    Raises
    ------
    DataFileError
        Only for the whole file: not found, empty, binary, too big, no header line, unknown or
        missing columns. No other exception escapes.
    """
    used = schema.check_features(schema.FEATURE_NAMES if features is None else features)
    return _guarded(path, lambda shown: _load_patients(shown, used))


def _load_patients(path: str, used: Sequence[str] = schema.FEATURE_NAMES) -> PatientsFile:
    row_problems: dict[int, list[Problem]] = {}

    def add(line: int, column: str | None, message: str) -> None:
        row_problems.setdefault(line, []).append(Problem(line, column, message))

    # The columns of findings the model does not use may be absent (a file from a site that never
    # recorded them, for a model trained without them).
    table = _read_table(path, add, require_header=True, require_target=False, required=used)
    values, missing, text_bad, zero = _parse_in_blocks(table.cells, decimal_comma=table.decimal_comma)
    # The target is not needed to predict: only the 13 features decide whether a row is usable.
    features_only = np.zeros(values.shape, dtype=bool)
    features_only[:, :_N_FEATURES] = True
    text_bad_features = text_bad & features_only
    used_only = np.zeros(values.shape, dtype=bool)
    used_only[:, [schema.FEATURE_NAMES.index(n) for n in used]] = True
    missing_features = missing & used_only
    invalid = _invalid_values(values, missing, text_bad)
    bad = (text_bad_features | invalid).any(axis=1) | missing_features.any(axis=1)
    for i in np.flatnonzero(bad):
        line = int(table.lines[i])
        for column, message in _row_problems(int(i), values, text_bad_features, invalid, table.cells):
            add(line, column, message)
        if missing_features[i].any():
            add(line, *_missing_problem(missing_features[i], zero[i]))
    table.release()
    rejected = tuple(
        RejectedRow(line, tuple(sorted(problems, key=lambda p: _column_order(p.column))))
        for line, problems in sorted(row_problems.items())
    )

    good = ~bad
    outcome, coding = None, ""
    if table.has_target:
        target = values[good, _N_FEATURES]
        coding_found, why = _decode_target(target, table.lines[good], table.target_rule)
        if coding_found is None:
            coding = f"not read: {why}"
        else:
            coding = coding_found
            outcome = np.where(np.isnan(target), np.nan, _to_binary(target, coding_found).astype(np.float64))
            outcome.flags.writeable = False

    absolute = os.path.abspath(path)
    provenance = Provenance(
        path=absolute,
        file_name=os.path.basename(absolute),
        sha256=hashlib.sha256(table.data).hexdigest(),
        format=table.format,
        target_coding=coding,
        rows_read=table.rows_read,
        dropped=(),
    )
    X = pd.DataFrame(
        np.array(values[good, :_N_FEATURES], dtype=np.float64), columns=list(schema.FEATURE_NAMES)
    )
    lines = np.array(table.lines[good], dtype=np.int64)
    lines.flags.writeable = False
    return PatientsFile(X=X, lines=lines, outcome=outcome, rejected=rejected, provenance=provenance)
