"""Which patients two files share: the leakage trap of "validating" a model on patients it learned from.

The UCI Statlog file (heart.dat) is a strict subset of the Cleveland file: all 270 of its patients are
among Cleveland's 297 complete rows, with the same diagnosis. Training on one and testing on the other
scores a model on the patients it learned from, which flatters it.

A patient is recognised by a *fingerprint*: a SHA-256 of its feature values written in a fixed, canonical
form. A model file can keep the fingerprints of its training patients instead of the patients
themselves. (With 13 coarse clinical values a fingerprint can be matched against a guessed patient, so it
hides the data from a casual reader, not from a determined one: a teaching safeguard, not anonymisation.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heartgui.core.schema import FEATURE_NAMES

__all__ = ["Overlap", "fingerprints", "overlap"]


def _canonical(value: float) -> str:
    """One spelling per number: 63 and 63.0 (and 2.30) are the same value."""
    number = float(value)
    if number == 0.0:
        number = 0.0  # -0.0 and 0.0 are the same measurement
    return repr(round(number, 6))


def fingerprints(patients: pd.DataFrame, features: Sequence[str] = FEATURE_NAMES) -> list[str]:
    """The fingerprint of each row of ``patients`` over ``features`` (hex SHA-256, one per row)."""
    missing = [name for name in features if name not in patients]
    if missing:
        raise ValueError(f"the patients lack the columns {', '.join(missing)}")
    values = patients[list(features)].to_numpy(dtype=np.float64)
    out = []
    for row in values:
        text = ";".join(f"{name}={_canonical(v)}" for name, v in zip(features, row))
        out.append(hashlib.sha256(text.encode("ascii")).hexdigest())
    return out


@dataclass(frozen=True)
class Overlap:
    """How many patients of a file also appear in a reference set (e.g. a model's training patients)."""

    n: int
    shared: np.ndarray  # bool, one per row of the file: also in the reference set

    @property
    def n_shared(self) -> int:
        return int(self.shared.sum())

    @property
    def n_unseen(self) -> int:
        return self.n - self.n_shared

    def warning(self, what: str = "the training patients") -> str:
        """A plain sentence for the student, or "" when nothing is shared."""
        if not self.n_shared:
            return ""
        everyone = self.n_shared == self.n
        share = "All" if everyone else f"{self.n_shared} of the {self.n}"
        return (
            f"{share} patients of this file are among {what}. A model scored on patients it learned from "
            "looks better than it is: only unseen patients tell how it will do on new ones."
        )


def overlap(
    patients: pd.DataFrame, reference: Iterable[str], features: Sequence[str] = FEATURE_NAMES
) -> Overlap:
    """Which rows of ``patients`` have a fingerprint in ``reference`` (fingerprints over ``features``)."""
    known = set(reference)
    prints = fingerprints(patients, features)
    return Overlap(len(prints), np.array([p in known for p in prints], dtype=bool))
