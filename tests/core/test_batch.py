"""predict_patients and its export, on a model trained on heart.dat and a CSV with broken rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heartgui.core import schema
from heartgui.core.batch import BatchPrediction, predict_patients
from heartgui.core.dataset import DataFileError, load_patients
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train

HEADER = (
    "age,sex,chest_pain,resting_bp,cholesterol,fbs,restecg,max_hr,exang,oldpeak,slope,"
    "num_major_vessels,thal,class"
)
FEATURE_COUNT = len(schema.FEATURE_NAMES)


@pytest.fixture(scope="module")
def model(heart):
    return train(heart, RECOMMENDED).model


@pytest.fixture
def patients_csv(tmp_path: Path, heart_dat: Path) -> Path:
    """Lines 2–41: 40 heart.dat rows; lines 42–46 broken; line 47 a patient with cholesterol 600."""
    rows = [line.split() for line in heart_dat.read_text().splitlines()[:40]]
    high_chol = list(rows[0])
    high_chol[4] = "600"  # possible (limit 1000) but above anything in heart.dat (max 564)
    broken = [
        rows[1][:4] + ["abc"] + rows[1][5:],  # text in chol
        rows[2][:2] + ["0"] + rows[2][3:],  # cp 0
        ["400"] + rows[3][1:],  # age 400
        rows[4][:11] + ["?"] + rows[4][12:],  # missing ca
        rows[5][:10],  # wrong field count
    ]
    lines = [HEADER, *(",".join(r) for r in [*rows, *broken, high_chol])]
    path = tmp_path / "ward.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_risks_are_the_models_risks(model, patients_csv):
    patients = load_patients(patients_csv)
    batch = predict_patients(model, patients)
    predicted = batch.table[batch.table["problem"] == ""]
    np.testing.assert_array_equal(predicted["line"], patients.lines)
    np.testing.assert_allclose(predicted["risk"], model.predict_risk(patients.X), rtol=0, atol=1e-15)
    expected = np.where(model.predict(patients.X) == 1, "flagged", "not flagged")
    np.testing.assert_array_equal(predicted["decision"], expected)
    np.testing.assert_array_equal(predicted[list(schema.FEATURE_NAMES)], patients.X.to_numpy())
    assert batch.threshold == model.threshold == 0.5
    assert batch.n_predicted == 41 and batch.n_rejected == 5
    assert batch.n_flagged == int((expected == "flagged").sum())


def test_rejected_rows_keep_their_line_and_reason(model, patients_csv):
    table = predict_patients(model, load_patients(patients_csv)).table
    assert list(table["line"]) == list(range(2, 48))
    rejected = table[table["problem"] != ""].set_index("line")
    assert list(rejected.index) == [42, 43, 44, 45, 46]
    assert rejected.loc[42, "problem"] == "serum cholesterol (chol): 'abc' is not a number"
    assert rejected.loc[43, "problem"].startswith("chest pain type (cp): has code 0")
    assert rejected.loc[44, "problem"] == "age: is 400 years, outside the possible range 1–120 years"
    assert rejected.loc[45, "problem"] == "major vessels coloured by fluoroscopy (ca): missing value in ca"
    assert rejected.loc[46, "problem"] == "has 10 fields where 14 are expected (separated by commas)"
    assert rejected["risk"].isna().all()
    assert (rejected["decision"] == "").all()
    assert rejected[list(schema.FEATURE_NAMES)].isna().all().all()


def test_out_of_range_and_known_outcome(model, patients_csv, heart):
    table = predict_patients(model, load_patients(patients_csv)).table.set_index("line")
    assert table.loc[47, "out_of_range"] == "chol"
    assert model.out_of_range(dict(table.loc[47, list(schema.FEATURE_NAMES)])) == {
        "chol": model.training_ranges_["chol"]
    }
    assert table.loc[2:41, "known_outcome"].tolist() == [schema.CLASS_WORDS[int(v)] for v in heart.y[:40]]
    assert table.loc[42, "known_outcome"] == ""


def test_threshold_changes_decisions_only(model, patients_csv):
    patients = load_patients(patients_csv)
    at_half = predict_patients(model, patients).table
    at_sixth = predict_patients(model, patients, threshold=1 / 6).table
    pd.testing.assert_series_equal(at_half["risk"], at_sixth["risk"])
    risk = at_sixth["risk"].to_numpy()
    predicted = ~np.isnan(risk)
    expected = np.where(risk[predicted] >= 1 / 6, "flagged", "not flagged")
    np.testing.assert_array_equal(at_sixth["decision"].to_numpy()[predicted], expected)
    assert (at_sixth["decision"] == "flagged").sum() > (at_half["decision"] == "flagged").sum()
    with pytest.raises(ValueError, match="between 0 and 1"):
        predict_patients(model, patients, threshold=1.5)


def test_export_round_trips_with_pandas(model, patients_csv, tmp_path):
    batch = predict_patients(model, load_patients(patients_csv))
    out = tmp_path / "ward-predictions.csv"
    out.write_text("old content")
    batch.to_csv(out)
    read = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(read.columns) == list(batch.table.columns)
    assert list(read.columns)[-5:] == ["known_outcome", "risk", "decision", "out_of_range", "problem"]
    np.testing.assert_array_equal(read["line"], batch.table["line"])
    np.testing.assert_array_equal(read["risk"], batch.table["risk"])  # exact: floats are written in full
    for column in ("decision", "out_of_range", "problem", "known_outcome"):
        assert read[column].fillna("").tolist() == batch.table[column].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ward-predictions.csv", "ward.csv"]  # no temp file


def test_export_to_a_missing_folder_fails_cleanly(model, patients_csv, tmp_path):
    batch = predict_patients(model, load_patients(patients_csv))
    with pytest.raises(OSError):
        batch.to_csv(tmp_path / "nowhere" / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ward.csv"]


def test_a_file_without_target_or_valid_rows(model, tmp_path, heart_dat):
    rows = [line.split()[:FEATURE_COUNT] for line in heart_dat.read_text().splitlines()[:3]]
    for row in rows:
        row[12] = "4"  # thal 4 is not a code
    path = tmp_path / "bad.csv"
    path.write_text(",".join(schema.FEATURE_NAMES) + "\n" + "\n".join(",".join(r) for r in rows))
    batch = predict_patients(model, load_patients(path))
    assert isinstance(batch, BatchPrediction)
    assert "known_outcome" not in batch.table
    assert batch.n_predicted == 0 and batch.n_rejected == 3
    assert batch.table["risk"].isna().all()


def test_file_level_errors_raise(tmp_path):
    with pytest.raises(DataFileError, match="does not exist"):
        load_patients(tmp_path / "missing.csv")
    (tmp_path / "cols.csv").write_text("age,sex,cp\n63,1,4\n")
    with pytest.raises(DataFileError, match="missing columns"):
        load_patients(tmp_path / "cols.csv")


def test_a_risk_that_is_not_a_number_is_a_problem_never_a_decision(heart, patients_csv):
    from heartgui.core.model import RiskNotComputable
    from heartgui.core.presets import TUTORIAL

    model = train(heart, TUTORIAL).model
    for w in model.network_.coefs_:
        w *= 1e300  # in place: finite weights whose products overflow for many patients
    patients = load_patients(patients_csv)
    batch = predict_patients(model, patients)  # warnings are errors in the tests: none may escape
    table = batch.table
    unknown = table["problem"].str.contains("could not compute a risk")
    assert 0 < unknown.sum() < patients.n_valid  # some patients overflow, some do not
    assert table.loc[unknown, "risk"].isna().all() and (table.loc[unknown, "decision"] == "").all()
    decided = table["decision"] != ""
    assert np.isfinite(table.loc[decided, "risk"]).all()
    assert batch.n_predicted == int(decided.sum()) == patients.n_valid - int(unknown.sum())
    assert batch.n_flagged <= batch.n_predicted
    assert batch.n_rejected == patients.n_rejected + int(unknown.sum())
    with pytest.raises(RiskNotComputable, match="arithmetic overflowed"):
        model.predict(patients.X)


def test_a_model_on_fewer_findings_reads_a_file_without_the_others(heart, shared_data, tmp_path):
    """A model on the eight findings measured at all four sites predicts a VA Long Beach file that has
    only those columns: a many-patients file had to name all 13 (ca, thal, … are mostly not recorded
    there), so such a model could not be used where it was meant for."""
    from heartgui.core.dataset import load_dataset

    few = train(heart, RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES)).model
    va = load_dataset(shared_data / "processed.va.data")
    columns = list(schema.ALL_SITES_FEATURES)
    path = tmp_path / "va-eight.csv"
    va.X[columns].assign(num=va.y).to_csv(path, index=False)
    assert "ca" not in path.read_text().splitlines()[0]

    patients = load_patients(path, few.used_features)
    lacking = va.lacking(few.used_features)  # e.g. no maximum heart rate recorded: rejected, with why
    assert 0 < lacking.sum() < va.n_rows // 2
    assert len(patients.X) == va.n_rows - lacking.sum() and len(patients.rejected) == lacking.sum()
    assert patients.X[["ca", "thal", "slope"]].isna().all().all()  # not in the file: not recorded
    table = predict_patients(few, patients).table
    predicted = table[table["problem"] == ""]
    np.testing.assert_array_equal(predicted["risk"].to_numpy(), few.predict_proba(va.X[~lacking])[:, 1])
    # A model on all 13 still needs them all, and says which are missing.
    with pytest.raises(DataFileError, match=r"missing columns: .*serum cholesterol \(chol\)"):
        load_patients(path)
