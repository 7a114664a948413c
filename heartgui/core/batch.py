"""Predict every patient of a :class:`~heartgui.core.dataset.PatientsFile` and export the table.

The one idea of this module: *one table with a row per line of the patients file* — the values, the
risk, the decision at a threshold and the features outside the training range for the rows that could
be predicted; the reason for the rows that could not. Nothing is dropped silently.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartgui.core import schema
from heartgui.core.dataset import PatientsFile, Provenance
from heartgui.core.model import HeartModel
from heartgui.core.safe_io import atomic_write

__all__ = [
    "COLUMNS_AFTER_FEATURES",
    "NOT_COMPUTABLE",
    "BatchPrediction",
    "predict_patients",
    "write_csv_atomic",
]

#: The problem of a row whose risk the model could not compute (not a finite number).
NOT_COMPUTABLE = (
    "the model could not compute a risk for this patient (its arithmetic overflowed: its weights are "
    "far too large for these values)"
)

#: Columns that follow the 13 features, in order (``known_outcome`` only when the file had one).
COLUMNS_AFTER_FEATURES = ("known_outcome", "risk", "decision", "out_of_range", "problem")


@dataclass(frozen=True, eq=False)
class BatchPrediction:
    """The predictions for a patients file.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per data line of the file, sorted by ``line``. Columns: ``line``, the 13 features
        (NaN for a rejected row), ``known_outcome`` ("present"/"absent"/"", only when the file has a
        readable target column), ``risk`` (probability 0–1, NaN for a rejected row), ``decision``
        ("flagged"/"not flagged" for further testing, "" for a rejected row), ``out_of_range``
        (comma-separated feature names outside the training range, "" when none) and ``problem`` (why a
        row was rejected, "" otherwise).
    threshold : float
        The risk at or above which ``decision`` is "flagged".
    provenance : Provenance
        The patients file.
    """

    table: pd.DataFrame
    threshold: float
    provenance: Provenance

    @property
    def n_predicted(self) -> int:
        return int(self.table["risk"].notna().sum())

    @property
    def n_rejected(self) -> int:
        return int((self.table["problem"] != "").sum())

    @property
    def n_flagged(self) -> int:
        return int((self.table["decision"] == schema.DECISION_WORDS[1]).sum())

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the table as comma-separated UTF-8, atomically (a half-written file never replaces one).

        Raises
        ------
        OSError
            When the folder cannot be written; ``path`` is then left as it was.
        """
        write_csv_atomic(self.table, path)


def predict_patients(
    model: HeartModel, patients: PatientsFile, threshold: float | None = None
) -> BatchPrediction:
    """Risk and decision for each valid row of ``patients``; the rejected rows with their reasons.

    Parameters
    ----------
    model : HeartModel
        A fitted model.
    patients : PatientsFile
        From :func:`heartgui.core.dataset.load_patients`.
    threshold : float, optional
        Decision threshold; default: the model's own.
    """
    threshold = float(model.threshold if threshold is None else threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    X = patients.X
    valid = pd.DataFrame({"line": np.asarray(patients.lines, dtype=np.int64)})
    valid[list(schema.FEATURE_NAMES)] = X.to_numpy()
    if patients.outcome is not None:
        valid["known_outcome"] = _outcome_words(patients.outcome)
    if len(X):
        inputs = model.transform(X)
        # A risk that is not a number (the arithmetic overflowed) is that patient's problem, never a
        # decision: NaN >= threshold is False, and rounding NaN gives an arbitrary integer.
        with np.errstate(over="ignore", invalid="ignore"):
            risk = model.network_.predict_proba(inputs)[:, 1]
            computed = np.isfinite(risk)
            risk = np.where(computed, risk, np.nan)
            present = np.zeros(len(risk), dtype=bool)
            if computed.any():
                present[computed] = model.network_.predict(inputs[computed], threshold).astype(bool)
    else:
        risk = np.zeros(0)
        computed = present = np.zeros(0, dtype=bool)
    valid["risk"] = risk
    # Word columns as object arrays of a few shared strings: np.where on strings makes a fixed-width
    # unicode array that pandas then converts string by string, holding the interpreter (and so the
    # window) for a tenth of a second on 100,000 rows.
    decision = np.full(len(risk), "", dtype=object)
    decision[computed & present] = schema.DECISION_WORDS[1]
    decision[computed & ~present] = schema.DECISION_WORDS[0]
    problem = np.full(len(risk), "", dtype=object)
    problem[~computed] = NOT_COMPUTABLE
    valid["decision"] = decision
    valid["out_of_range"] = _out_of_range_names(model, X)
    valid["problem"] = problem

    rejected = pd.DataFrame(
        {
            "line": np.array([r.line for r in patients.rejected], dtype=np.int64),
            "problem": [r.reason for r in patients.rejected],
        }
    )
    table = pd.concat([valid, rejected], ignore_index=True) if len(rejected) else valid
    for column in ("known_outcome", "decision", "out_of_range", "problem"):
        if column in table:
            table[column] = table[column].astype(object).fillna("").astype(str)
    table["line"] = table["line"].astype(np.int64)
    table = table.sort_values("line", kind="stable").reset_index(drop=True)
    return BatchPrediction(table=table, threshold=threshold, provenance=patients.provenance)


def _outcome_words(outcome: np.ndarray) -> np.ndarray:
    words = np.full(len(outcome), "", dtype=object)
    words[outcome == 1.0] = schema.CLASS_WORDS[1]
    words[outcome == 0.0] = schema.CLASS_WORDS[0]
    return words


def _out_of_range_names(model: HeartModel, X: pd.DataFrame) -> list[str]:
    """Per row, the features outside the training range (as :meth:`HeartModel.out_of_range` decides)."""
    names = list(model.training_ranges_)
    low = np.array([model.training_ranges_[n][0] for n in names])
    high = np.array([model.training_ranges_[n][1] for n in names])
    values = X[names].to_numpy()
    outside = ~((values >= low) & (values <= high))
    return [", ".join(n for n, out in zip(names, row) if out) for row in outside]


def write_csv_atomic(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``table`` as comma-separated UTF-8 to a temporary file beside ``path``, then rename it.

    Raises
    ------
    OSError
        A :class:`~heartgui.core.safe_io.WriteError` when it cannot be written; ``path`` is unchanged.
    """
    with atomic_write(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        table.to_csv(text, index=False, lineterminator="\n")
        text.flush()
        text.detach()  # the handle stays open: atomic_write syncs and renames it
