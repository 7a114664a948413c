"""heart.dat is a subset of the Cleveland file: the overlap check finds all 270 patients, and no others."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heartgui.core.dataset import load_dataset
from heartgui.core.overlap import fingerprints, overlap


def test_every_statlog_patient_is_found_in_the_cleveland_file_with_the_same_diagnosis(heart, shared_data):
    cleveland = load_dataset(shared_data / "processed.cleveland.data")
    found = overlap(heart.X, fingerprints(cleveland.X))
    assert found.n == 270 and found.n_shared == 270 and found.n_unseen == 0
    assert found.warning().startswith("All patients of this file are among the training patients")
    # Matched row by row, the diagnoses agree (Statlog 2 = Cleveland num > 0).
    where = {p: i for i, p in enumerate(fingerprints(cleveland.X))}
    rows = [where[p] for p in fingerprints(heart.X)]
    np.testing.assert_array_equal(cleveland.y[rows], heart.y)
    back = overlap(cleveland.X, fingerprints(heart.X))
    assert back.n_shared == 270 and back.n == cleveland.n_rows
    assert back.warning().startswith(f"270 of the {cleveland.n_rows} patients")


def test_other_sites_share_no_patient_with_cleveland(shared_data):
    cleveland = load_dataset(shared_data / "processed.cleveland.data")
    features = ["age", "sex", "cp", "trestbps", "restecg", "thalach", "exang", "oldpeak"]
    # The other sites' files have gaps in other columns; compare on what every site measured.
    hungary = pd.read_csv(shared_data / "processed.hungarian.data", header=None, na_values="?")
    hungary.columns = [*cleveland.X.columns, "num"]
    complete = hungary.dropna(subset=features)
    assert overlap(complete, fingerprints(cleveland.X, features), features).n_shared == 0
    assert overlap(complete, fingerprints(cleveland.X, features), features).warning() == ""


def test_a_fingerprint_depends_on_the_values_not_their_spelling(heart):
    one = heart.X.iloc[[0]].copy()
    same = one.astype(float) + 0.0
    assert fingerprints(one) == fingerprints(same)
    other = one.copy()
    other.loc[other.index[0], "chol"] += 1
    assert fingerprints(one) != fingerprints(other)
    assert len(set(fingerprints(heart.X))) == 270  # no two Statlog patients look alike
