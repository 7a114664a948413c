"""The shipped files are recognised by their SHA-256 (core/sites.py), and what is said about them is true
of the files."""

from __future__ import annotations

import hashlib

import numpy as np

from heartgui.core.dataset import load_dataset
from heartgui.core.overlap import fingerprints, overlap
from heartgui.core.sites import KNOWN_FILES, known_file


def test_every_known_hash_is_the_file_in_data(shared_data):
    for sha, entry in KNOWN_FILES.items():
        assert hashlib.sha256((shared_data / entry.file_name).read_bytes()).hexdigest() == sha, (
            entry.file_name
        )
    assert known_file("0" * 64) is None
    assert known_file(next(iter(KNOWN_FILES)).upper()) is not None


def test_what_the_table_says_of_heart_dat_is_true(shared_data, heart):
    cleveland = load_dataset(shared_data / "processed.cleveland.data")
    found = overlap(heart.X, fingerprints(cleveland.X))
    note = known_file(heart.provenance.sha256).note
    assert f"All {len(heart.y)} of its patients are also in the Cleveland" in note
    assert found.n_shared == len(heart.y)
    # "with the same diagnosis": the Cleveland row with the same fingerprint has the same class.
    diagnosis = dict(zip(fingerprints(cleveland.X), np.asarray(cleveland.y), strict=True))
    assert all(diagnosis[f] == y for f, y in zip(fingerprints(heart.X), np.asarray(heart.y), strict=True))


def test_what_the_table_says_of_the_swiss_and_va_files_is_true(shared_data):
    import pandas as pd

    def raw(name: str) -> pd.DataFrame:  # read as the UCI files are written, without heartgui's reader
        return pd.read_csv(shared_data / name, header=None, na_values="?")

    swiss, va = raw("processed.switzerland.data"), raw("processed.va.data")
    chol, num = 4, 13  # column positions of cholesterol and the diagnosis in the UCI files
    assert (swiss[chol] == 0).all()
    assert (
        f"{100 * (swiss[num] > 0).mean():.1f} % have the disease"
        in known_file(
            hashlib.sha256((shared_data / "processed.switzerland.data").read_bytes()).hexdigest()
        ).note
    )
    va_note = known_file(hashlib.sha256((shared_data / "processed.va.data").read_bytes()).hexdigest()).note
    assert f"0 (not recorded) for {int((va[chol] == 0).sum())} patients" in va_note
    assert f"{100 * (va[num] > 0).mean():.1f} % have the disease" in va_note
