"""load_patients: a CSV of patients to predict; bad rows are set aside with their line, column and reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heartgui.core import schema
from heartgui.core.dataset import DataFileError, Problem, load_dataset, load_patients

#: Column names as a spreadsheet might have them: aliases, mixed case, in the schema order.
ALIAS_HEADER = (
    "Age,gender,Chest Pain Type,resting_bp,cholesterol,fbs,resting_ecg,max_hr,exercise_angina,"
    "st_depression,st_slope,vessels,thal"
)


def heart_rows(heart_dat: Path, n: int) -> list[list[str]]:
    """The first ``n`` rows of heart.dat as lists of 14 text fields."""
    lines = heart_dat.read_text().splitlines()
    return [line.split() for line in lines[:n]]


def write_patients(
    path: Path, rows: list[list[str]], *, header: str = ALIAS_HEADER + ",class", sep=","
) -> Path:
    path.write_text(
        "\n".join([header.replace(",", sep), *(sep.join(r) for r in rows)]) + "\n", encoding="utf-8"
    )
    return path


def with_value(row: list[str], name: str, text: str) -> list[str]:
    changed = list(row)
    changed[schema.FEATURE_NAMES.index(name)] = text
    return changed


@pytest.fixture
def mixed_csv(tmp_path: Path, heart_dat: Path) -> tuple[Path, dict[int, tuple[str | None, str]]]:
    """30 good heart.dat rows, then five broken ones; returns the file and {line: (column, message start)}."""
    rows = heart_rows(heart_dat, 35)
    good, spare = rows[:30], rows[30:]
    broken = [
        with_value(spare[0], "chol", "abc"),
        with_value(spare[1], "cp", "0"),
        with_value(spare[2], "age", "400"),
        with_value(spare[3], "ca", "?"),
        spare[4][:12],  # 12 fields
    ]
    # Interleave: broken rows on lines 3, 10, 20, 30, 36 (line 1 is the header).
    body = list(good)
    for index, row in zip((1, 8, 18, 28, 34), broken):
        body.insert(index, row)
    expected = {
        3: ("chol", "'abc' is not a number"),
        10: ("cp", "has code 0, which is not one of the documented codes"),
        20: ("age", "is 400 years, outside the possible range 1–120 years"),
        30: ("ca", "missing value in ca"),
        36: (None, "has 12 fields where 14 are expected (separated by commas)"),
    }
    return write_patients(tmp_path / "patients.csv", body), expected


def test_good_rows_are_read_and_broken_rows_listed(mixed_csv, heart):
    path, expected = mixed_csv
    patients = load_patients(path)

    assert patients.n_valid == 30
    np.testing.assert_array_equal(patients.X.to_numpy(), heart.X.iloc[:30].to_numpy())
    assert list(patients.X.columns) == list(schema.FEATURE_NAMES)
    assert sorted(set(patients.lines) | set(expected)) == list(range(2, 37))
    assert not set(patients.lines) & set(expected)

    assert [r.line for r in patients.rejected] == sorted(expected)
    for row in patients.rejected:
        column, message = expected[row.line]
        assert len(row.problems) == 1
        (problem,) = row.problems
        assert (problem.line, problem.column) == (row.line, column)
        assert problem.message.startswith(message)
    assert patients.rejected[0].reason == "serum cholesterol (chol): 'abc' is not a number"


def test_row_problems_are_worded_as_the_loader_words_them(mixed_csv):
    path, expected = mixed_csv
    with pytest.raises(DataFileError) as caught:
        load_dataset(path, drop_missing=False)
    loader = {p.line: p for p in caught.value.problems if p.line in expected}
    patients = load_patients(path)
    assert {r.line: r.problems[0] for r in patients.rejected} == loader


def test_known_outcome_is_kept_apart(mixed_csv, heart):
    patients = load_patients(mixed_csv[0])
    assert patients.outcome is not None
    np.testing.assert_array_equal(patients.outcome, heart.y[:30].astype(float))
    assert patients.provenance.target_coding == "1/2 (Statlog)"
    assert patients.provenance.file_name == "patients.csv"
    assert patients.provenance.rows_read == 35
    assert len(patients.provenance.sha256) == 64


def test_target_column_is_not_required_and_tabs_work(tmp_path, heart_dat, heart):
    rows = [r[:13] for r in heart_rows(heart_dat, 5)]
    path = write_patients(tmp_path / "p.tsv", rows, header=ALIAS_HEADER, sep="\t")
    patients = load_patients(path)
    assert patients.outcome is None
    assert patients.rejected == ()
    np.testing.assert_array_equal(patients.X.to_numpy(), heart.X.iloc[:5].to_numpy())
    np.testing.assert_array_equal(patients.lines, [2, 3, 4, 5, 6])


def test_semicolons_with_decimal_commas_and_a_bom(tmp_path, heart_dat, heart):
    rows = [[f.replace(".", ",") for f in r[:13]] for r in heart_rows(heart_dat, 3)]
    path = tmp_path / "excel.csv"
    text = ";".join(ALIAS_HEADER.split(",")) + "\r\n" + "\r\n".join(";".join(r) for r in rows) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    patients = load_patients(path)
    np.testing.assert_array_equal(patients.X.to_numpy(), heart.X.iloc[:3].to_numpy())


def test_a_bad_target_value_does_not_reject_the_patient(tmp_path, heart_dat):
    rows = heart_rows(heart_dat, 4)
    rows[1][13] = "maybe"
    patients = load_patients(write_patients(tmp_path / "p.csv", rows))
    assert patients.n_valid == 4 and patients.rejected == ()
    assert patients.outcome is not None and np.isnan(patients.outcome[1])


def test_an_unclear_target_coding_is_not_guessed(tmp_path, heart_dat):
    rows = [with_value(r, "age", r[0])[:13] + ["1"] for r in heart_rows(heart_dat, 4)]
    patients = load_patients(write_patients(tmp_path / "p.csv", rows))
    # "1" for everyone is "all present" in 0/1 coding and "all absent" in Statlog coding.
    assert patients.outcome is None
    assert patients.provenance.target_coding.startswith("not read: target is not two classes")


def test_a_file_of_only_bad_rows_is_still_a_patients_file(tmp_path, heart_dat):
    rows = [with_value(r, "thal", "5") for r in heart_rows(heart_dat, 3)]
    patients = load_patients(write_patients(tmp_path / "p.csv", rows))
    assert patients.n_valid == 0 and patients.n_rejected == 3
    assert all(r.problems[0].column == "thal" for r in patients.rejected)


def test_several_problems_in_one_row_are_all_listed(tmp_path, heart_dat):
    row = with_value(with_value(with_value(heart_rows(heart_dat, 1)[0], "thal", ""), "chol", "x"), "sex", "2")
    (rejected,) = load_patients(write_patients(tmp_path / "p.csv", [row])).rejected
    assert [p.column for p in rejected.problems] == ["sex", "chol", "thal"]
    assert rejected.problems[-1] == Problem(2, "thal", "missing value in thal")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "does not exist"),
        (b"", "the file is empty"),
        (b"\x00\x01binary", "NUL byte"),
        (b"age,sex\n", "missing columns"),
        ((ALIAS_HEADER + ",colour\n1,2\n").encode(), "unknown column"),
        ((ALIAS_HEADER + "\n").encode(), "header line but no data rows"),
        (b"63 1 4 145 233 1 2 150 0 2.3 3 0 6\n", "no header line"),
    ],
)
def test_file_level_problems_reject_the_file(tmp_path, content, words):
    path = tmp_path / "p.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError) as caught:
        load_patients(path)
    assert words in str(caught.value)


def test_heart_dat_itself_is_refused_for_want_of_a_header(heart_dat):
    with pytest.raises(DataFileError, match="no header line"):
        load_patients(heart_dat)


def test_only_data_file_error_escapes(tmp_path):
    with pytest.raises(DataFileError, match="not a file path"):
        load_patients(12)  # type: ignore[arg-type]
    with pytest.raises(DataFileError, match="folder"):
        load_patients(tmp_path)


def test_patients_frame_is_float_with_a_range_index(mixed_csv):
    X = load_patients(mixed_csv[0]).X
    assert (X.dtypes == np.float64).all()
    pd.testing.assert_index_equal(X.index, pd.RangeIndex(30))
