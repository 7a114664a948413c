"""Tests of heartgui.core.dataset on the real UCI files and on hand-made broken files."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartgui.core import dataset as ds_module
from heartgui.core import schema
from heartgui.core.dataset import (
    MAX_FILE_BYTES,
    MIN_ROWS,
    DataFileError,
    Dataset,
    DroppedRow,
    Problem,
    dataset_from_frame,
    load_dataset,
)

CLEVELAND_MISSING_LINES = (88, 167, 193, 267, 288, 303)


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def heart_rows(shared_data: Path) -> list[list[str]]:
    """heart.dat split into fields, as text, read independently of the loader."""
    text = (shared_data / "heart.dat").read_text()
    return [line.split() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def heart(shared_data: Path) -> Dataset:
    return load_dataset(shared_data / "heart.dat")


def write(
    path: Path,
    rows: list[list[str]],
    sep: str = " ",
    header: list[str] | None = None,
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    lines = ([sep.join(header)] if header else []) + [sep.join(r) for r in rows]
    text = newline.join(lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def load_error(path: Path, **kwargs: bool) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        load_dataset(path, **kwargs)
    message = str(info.value)
    assert path.name in message.splitlines()[0]
    assert str(path) in message
    return info.value


def assert_valid(data: Dataset) -> None:
    """Everything a Dataset promises."""
    assert list(data.X.columns) == list(schema.FEATURE_NAMES)
    assert all(dtype == np.float64 for dtype in data.X.dtypes)
    assert isinstance(data.X.index, pd.RangeIndex)
    for feature in schema.FEATURES:
        for value in data.X[feature.name]:
            if value != value:  # NaN: not recorded, never in a feature every row has
                assert feature.name not in data.provenance.features
                continue
            assert feature.check(value) is None, (feature.name, value)
    assert data.y.dtype == np.int64 and set(np.unique(data.y)) == {0, 1}
    assert data.lines.dtype == np.int64
    assert len(data.lines) == len(data.y) == len(data.X) == data.n_rows >= MIN_ROWS
    assert np.all(np.diff(data.lines) > 0)


# ----------------------------------------------------------------------------------------------------
# the real files
# ----------------------------------------------------------------------------------------------------


def test_heart_dat_is_read_completely(heart: Dataset, heart_rows: list[list[str]]) -> None:
    assert_valid(heart)
    assert heart.n_rows == 270
    assert heart.class_counts == {0: 150, 1: 120}
    p = heart.provenance
    assert p.format == "statlog"
    assert p.target_coding == "1/2 (Statlog)"
    assert p.sha256.startswith("f5f3b4204c285baf") and len(p.sha256) == 64
    assert p.file_name == "heart.dat" and os.path.isabs(p.path)
    assert p.rows_read == 270 and p.dropped == ()
    assert heart.lines.tolist() == list(range(1, 271))


def test_heart_dat_values_equal_the_file(heart: Dataset, heart_rows: list[list[str]]) -> None:
    first = heart_rows[0]
    assert heart.row(0) == dict(zip(schema.FEATURE_NAMES, map(float, first[:13])))
    expected = np.array([[float(v) for v in r[:13]] for r in heart_rows])
    np.testing.assert_array_equal(heart.X.to_numpy(), expected)
    np.testing.assert_array_equal(heart.y, [1 if r[13] == "2" else 0 for r in heart_rows])


def test_summary_and_row(heart: Dataset) -> None:
    summary = heart.summary()
    assert list(summary.index) == list(schema.FEATURE_NAMES)
    assert list(summary.columns) == ["min", "median", "max"]
    assert summary.loc["age", "min"] == heart.X["age"].min()
    assert summary.loc["chol", "max"] == heart.X["chol"].max()
    assert summary.loc["thalach", "median"] == heart.X["thalach"].median()
    assert heart.row(-1) == {k: float(v) for k, v in heart.X.iloc[-1].items()}
    with pytest.raises(IndexError):
        heart.row(270)


def test_dataset_arrays_are_read_only(heart: Dataset) -> None:
    with pytest.raises(ValueError):
        heart.y[0] = 5


def test_cleveland_keeps_the_six_rows_with_question_marks_for_models_that_do_not_need_them(
    shared_data: Path,
) -> None:
    path = shared_data / "processed.cleveland.data"
    raw = [line.split(",") for line in path.read_text().splitlines()]
    with_missing = [i for i, r in enumerate(raw, start=1) if "?" in r]
    assert tuple(with_missing) == CLEVELAND_MISSING_LINES  # checked against the file itself
    absent_dropped = sum(1 for i in with_missing if raw[i - 1][13].strip() == "0")
    absent = sum(1 for r in raw if r[13].strip() == "0")
    assert absent == 164

    loaded = load_dataset(path)
    assert_valid(loaded)
    assert loaded.n_rows == 303 and loaded.provenance.dropped == ()
    assert tuple(d.line for d in loaded.provenance.incomplete) == CLEVELAND_MISSING_LINES
    assert loaded.provenance.features == tuple(n for n in schema.FEATURE_NAMES if n not in ("ca", "thal"))
    # a model on all 13 findings leaves the six out, each with what it lacks
    data = loaded.complete()
    assert_valid(data)
    assert data.n_rows == 297 and data.provenance.features == schema.FEATURE_NAMES
    assert data.class_counts == {0: absent - absent_dropped, 1: 297 - (absent - absent_dropped)}
    p = data.provenance
    assert p.format == "cleveland" and p.target_coding == "0-4 (Cleveland num)"
    assert p.rows_read == 303 and p.incomplete == ()
    assert tuple(d.line for d in p.dropped) == CLEVELAND_MISSING_LINES
    assert p.dropped[0] == DroppedRow(88, "thal missing")
    assert p.dropped[1] == DroppedRow(167, "ca missing")
    assert not set(CLEVELAND_MISSING_LINES) & set(data.lines.tolist())
    # a model without ca and thal keeps every row
    assert loaded.complete([n for n in schema.FEATURE_NAMES if n not in ("ca", "thal")]).n_rows == 303
    # a row's line points at that row in the file
    row = data.lines.tolist().index(200)
    assert list(data.X.iloc[row]) == [float(v) for v in raw[199][:13]]


def test_cleveland_without_dropping_lists_each_row(shared_data: Path) -> None:
    error = load_error(shared_data / "processed.cleveland.data", drop_missing=False)
    assert [p.line for p in error.problems] == list(CLEVELAND_MISSING_LINES)
    assert error.problems[0].column == "thal"
    assert "line 88, thallium stress test (thal): missing value in thal" in str(error)


# ----------------------------------------------------------------------------------------------------
# CSV variants made from heart.dat
# ----------------------------------------------------------------------------------------------------

ALIAS_HEADER = [
    "Age",
    "Sex",
    "chest_pain_type",
    "resting_blood_pressure",
    "cholesterol",
    "fasting_blood_sugar",
    "resting_ecg",
    "max_heart_rate",
    "exercise_angina",
    "ST depression",
    "st_slope",
    "ca",
    "thalassemia",
    "class",
]


def test_csv_with_aliases_semicolons_crlf_bom(
    tmp_path: Path, heart: Dataset, heart_rows: list[list[str]]
) -> None:
    path = write(
        tmp_path / "students.csv", heart_rows, sep=";", header=ALIAS_HEADER, newline="\r\n", bom=True
    )
    data = load_dataset(path)
    pd.testing.assert_frame_equal(data.X, heart.X)
    np.testing.assert_array_equal(data.y, heart.y)
    assert data.lines.tolist() == list(range(2, 272))
    assert data.provenance.format == "csv"


@pytest.mark.parametrize("sep", [",", "\t", " "])
def test_csv_with_shuffled_columns_and_01_target(
    tmp_path: Path, heart: Dataset, heart_rows: list[list[str]], sep: str
) -> None:
    rng = np.random.default_rng(7)
    order = rng.permutation(14)
    header = [
        [
            "age",
            "sex",
            "cp",
            "trestbps",
            "chol",
            "fbs",
            "restecg",
            "thalach",
            "exang",
            "oldpeak",
            "slope",
            "ca",
            "thal",
            "target",
        ][j]
        for j in order
    ]
    rows = [[(r[:13] + [str(int(r[13]) - 1)])[j] for j in order] for r in heart_rows]
    data = load_dataset(write(tmp_path / "shuffled.tsv", rows, sep=sep, header=header))
    pd.testing.assert_frame_equal(data.X, heart.X)
    np.testing.assert_array_equal(data.y, heart.y)
    assert data.provenance.target_coding == "0/1"


def test_statlog_with_runs_of_tabs_and_spaces(
    tmp_path: Path, heart: Dataset, heart_rows: list[list[str]]
) -> None:
    path = write(tmp_path / "tabs.dat", heart_rows, sep="\t \t")
    data = load_dataset(path)
    pd.testing.assert_frame_equal(data.X, heart.X)
    assert data.provenance.format == "statlog"


def test_semicolons_with_decimal_commas(tmp_path: Path, heart: Dataset, heart_rows: list[list[str]]) -> None:
    rows = [[v.replace(".", ",") for v in r] for r in heart_rows]
    data = load_dataset(write(tmp_path / "excel.csv", rows, sep=";", header=ALIAS_HEADER))
    pd.testing.assert_frame_equal(data.X, heart.X)


def test_missing_markers_leave_the_row_out_of_models_that_use_the_feature(
    tmp_path: Path, heart_rows: list[list[str]]
) -> None:
    rows = [r[:] for r in heart_rows[:40]]
    markers = {3: "?", 5: "NA", 7: "NaN", 9: "-9", 11: "-9.0", 13: ""}
    for i, marker in markers.items():
        rows[i][11] = marker
    path = write(tmp_path / "gaps.csv", rows, sep=",", header=list(schema.FEATURE_NAMES) + ["target"])
    loaded = load_dataset(path)
    assert loaded.n_rows == 40 and int(loaded.X["ca"].isna().sum()) == len(markers)
    data = loaded.complete()
    assert data.n_rows == 40 - len(markers)
    assert [d.line for d in data.provenance.dropped] == [i + 2 for i in markers]
    assert all(d.reason == "ca missing" for d in data.provenance.dropped)
    assert loaded.complete([n for n in schema.FEATURE_NAMES if n != "ca"]).n_rows == 40


# ----------------------------------------------------------------------------------------------------
# broken files: every error names the file, the line and the column
# ----------------------------------------------------------------------------------------------------


def broken(tmp_path: Path, rows: list[list[str]], name: str = "broken.dat") -> DataFileError:
    return load_error(write(tmp_path / name, rows))


def test_wrong_number_of_fields(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows]
    del rows[4][6]
    rows[9].append("1")
    error = broken(tmp_path, rows)
    assert [p.line for p in error.problems] == [5, 10]
    assert "line 5: has 13 fields where 14 are expected" in str(error)
    assert "line 10: has 15 fields" in str(error)


def test_text_where_a_number_belongs(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows]
    rows[6][4] = "abc"
    error = broken(tmp_path, rows)
    assert error.problems == (Problem(7, "chol", "'abc' is not a number"),)
    assert "line 7, serum cholesterol (chol): 'abc' is not a number" in str(error)


def test_typo_in_the_first_row_is_not_taken_for_a_header(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows]
    rows[0][4] = "abc"
    error = broken(tmp_path, rows)
    assert error.problems == (Problem(1, "chol", "'abc' is not a number"),)


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        (2, "0", "chest pain type (cp): has code 0, which is not one of the documented codes"),
        (12, "2", "thallium stress test (thal): has code 2"),
        (0, "0", "age: is 0 years, outside the possible range 1–120 years"),
        (0, "400", "age: is 400 years, outside"),
        (4, "20", "serum cholesterol (chol): is 20 mg/dl, outside"),
        (3, "30", "resting blood pressure (trestbps): is 30 mm Hg, outside"),
        (9, "-6", "ST depression on exercise (oldpeak): is -6 mm, outside the possible range -5–10 mm"),
    ],
)
def test_impossible_values(
    tmp_path: Path, heart_rows: list[list[str]], column: int, value: str, words: str
) -> None:
    rows = [r[:] for r in heart_rows]
    rows[11][column] = value
    error = broken(tmp_path, rows)
    assert [(p.line, p.column) for p in error.problems] == [(12, schema.FEATURE_NAMES[column])]
    assert f"line 12, {words}" in str(error)


def test_recoded_chest_pain_is_rejected_with_a_hint(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:2] + [str(int(float(r[2])) - 1)] + r[3:] for r in heart_rows]
    error = broken(tmp_path, rows)
    first = error.problems[0]
    assert first.line is None and first.column == "cp"
    assert "seems to code chest pain type 0–3; heartgui expects 1–4 as in heart.doc" in first.message
    assert error.problems[1].line is not None and error.problems[1].column == "cp"
    zeros = sum(1 for r in heart_rows if r[2] == "1.0")
    assert error.total == 1 + zeros


def test_recoded_thal_is_rejected_with_a_hint(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    kaggle = {"3.0": "2", "6.0": "1", "7.0": "3"}
    rows = [r[:12] + [kaggle[r[12]], r[13]] for r in heart_rows]
    error = broken(tmp_path, rows)
    assert error.problems[0].column == "thal"
    assert "3 = normal, 6 = fixed defect, 7 = reversible defect" in error.problems[0].message


@pytest.mark.parametrize(("targets", "found"), [({"2"}, None), ({"0", "5"}, "0 (first on line 1), 5")])
def test_target_not_two_classes(
    tmp_path: Path, heart_rows: list[list[str]], targets: set[str], found: str | None
) -> None:
    values = sorted(targets)
    rows = [r[:13] + [values[i % len(values)]] for i, r in enumerate(heart_rows)]
    error = broken(tmp_path, rows)
    assert error.problems[0].column == "target"
    assert "heart disease (target)" in str(error)
    if found:  # a Statlog file (spaces) says which values its format allows
        assert "codes the diagnosis 1 = absent, 2 = present; found " + found in str(error)
    else:
        assert "target is not two classes" in str(error)


def test_too_few_rows(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    error = broken(tmp_path, heart_rows[: MIN_ROWS - 1])
    assert f"only {MIN_ROWS - 1} usable rows; heartgui needs at least {MIN_ROWS}" in str(error)
    assert len(load_dataset(write(tmp_path / "enough.dat", heart_rows[:MIN_ROWS])).y) == MIN_ROWS


def test_too_few_rows_after_dropping(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows[:25]]
    for r in rows[:10]:
        r[13] = "?"
    error = broken(tmp_path, rows)
    assert "only 15 usable rows after dropping rows without a diagnosis" in str(error)


def test_too_few_rows_with_the_chosen_features(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows[:25]]
    for r in rows[:10]:
        r[12] = "?"
    loaded = load_dataset(write(tmp_path / "gaps.dat", rows))
    assert loaded.n_rows == 25  # the file loads: a model without thal can use every row
    assert loaded.complete([n for n in schema.FEATURE_NAMES if n != "thal"]).n_rows == 25
    with pytest.raises(ValueError, match=r"only 15 of the 25 patients .* have all 13 findings"):
        loaded.complete()


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "the file is empty" in str(load_error(path))


def test_header_without_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "head.csv", [], sep=",", header=list(schema.FEATURE_NAMES) + ["num"])
    assert "header line but no data rows" in str(load_error(path))


def test_binary_file(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    path = write(tmp_path / "picture.png", heart_rows)
    path.write_bytes(path.read_bytes() + b"\x89PNG\x00\x01\x02")
    error = load_error(path)
    assert error.problems[0].line == 271 and "binary" in str(error)


def test_text_that_is_not_utf8(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    path = write(tmp_path / "latin1.csv", heart_rows)
    path.write_bytes(path.read_bytes().replace(b"322.0", "32é".encode("latin-1"), 1))
    error = load_error(path)
    assert error.problems[0].line == 1 and "not UTF-8" in str(error)


def test_utf16_file(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    path = tmp_path / "excel.txt"
    path.write_text("\n".join(" ".join(r) for r in heart_rows), encoding="utf-16")
    assert "UTF-16" in str(load_error(path))


def test_file_over_the_limit_is_refused_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space

    def must_not_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loader opened a file that is too large")

    monkeypatch.setattr(ds_module, "open", must_not_open, raising=False)
    error = load_error(path)
    assert "more than the 50 MB" in str(error)


def test_file_not_found(tmp_path: Path) -> None:
    error = load_error(tmp_path / "nowhere.dat")
    assert "does not exist" in str(error)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "folder" in str(load_error(folder))


def test_permission_denied(
    tmp_path: Path, heart_rows: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "secret.dat", heart_rows)
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root: permissions do not apply, simulate them

        def denied(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(ds_module, "read_regular_file", denied)
    try:
        assert "permission denied" in str(load_error(path))
    finally:
        path.chmod(0o644)


def test_unknown_and_missing_columns(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    header = list(schema.FEATURE_NAMES) + ["target"]
    header[4] = "colesterol"
    header[2] = "patient_id"
    error = load_error(write(tmp_path / "renamed.csv", heart_rows, sep=",", header=header))
    message = str(error)
    assert "line 1, column 'colesterol': unknown column; did you mean 'chol'?" in message
    assert "line 1, column 'patient_id': unknown column" in message
    assert "missing columns: chest pain type (cp), serum cholesterol (chol)" in message
    assert "Rename the columns" in message.splitlines()[-1]


def test_missing_target_column_is_named(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    error = load_error(
        write(
            tmp_path / "notarget.csv",
            [r[:13] for r in heart_rows],
            sep=",",
            header=list(schema.FEATURE_NAMES),
        )
    )
    assert error.problems[0].column == "target"
    assert "no target column" in str(error)


def test_duplicate_column(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    header = list(schema.FEATURE_NAMES) + ["cholesterol", "target"]
    rows = [r[:13] + [r[4], r[13]] for r in heart_rows]
    error = load_error(write(tmp_path / "twice.csv", rows, sep=",", header=header))
    assert "line 1, column 'cholesterol': is a second column for serum cholesterol (chol)" in str(error)


def test_at_most_ten_problems_are_listed(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows]
    for r in rows[:30]:
        r[4] = "10"
    error = broken(tmp_path, rows, name="many.dat")
    assert len(error.problems) == 30 and error.total == 30
    listed = [line for line in str(error).splitlines() if line.startswith("  - ")]
    assert len(listed) == 10
    assert listed[0].startswith("  - line 1, serum cholesterol (chol)")
    assert "  ... and 20 more problems" in str(error)
    assert str(error).splitlines()[-1].startswith("Correct the listed lines")


# ----------------------------------------------------------------------------------------------------
# the types themselves
# ----------------------------------------------------------------------------------------------------


def test_problem_and_error_types() -> None:
    assert str(Problem(5, "cp", "has code 0")) == "line 5, chest pain type (cp): has code 0"
    assert str(Problem(None, None, "the file is empty")) == "the file is empty"
    assert str(Problem(3, "restecg", "x")) == "line 3, resting ECG (restecg): x"
    error = DataFileError("/tmp/x.csv", [Problem(1, None, "bad")])
    assert isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.problems == error.problems


def test_dataset_from_frame_round_trip(heart: Dataset) -> None:
    again = dataset_from_frame(heart.X, heart.y)
    pd.testing.assert_frame_equal(again.X, heart.X)
    np.testing.assert_array_equal(again.y, heart.y)
    assert again.provenance.format == "frame" and again.provenance.target_coding == "0/1"
    shuffled = heart.X[list(reversed(schema.FEATURE_NAMES))].set_index(heart.X.index + 100)
    pd.testing.assert_frame_equal(dataset_from_frame(shuffled, list(heart.y)).X, heart.X)


def test_dataset_from_frame_rejects_bad_tables(heart: Dataset) -> None:
    X = heart.X.copy()
    X.loc[3, "cp"] = 0.0
    X.loc[5, "age"] = np.nan
    with pytest.raises(DataFileError) as info:
        dataset_from_frame(X, heart.y, name="table")
    assert [(p.line, p.column) for p in info.value.problems] == [(4, "cp"), (6, "age")]
    with pytest.raises(DataFileError, match="missing columns: thal"):
        dataset_from_frame(heart.X.drop(columns="thal"), heart.y)
    with pytest.raises(DataFileError, match="y has 3 values"):
        dataset_from_frame(heart.X, [0, 1, 0])


# ----------------------------------------------------------------------------------------------------
# fuzzing: a valid Dataset or a DataFileError, nothing else
# ----------------------------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_outcome(path: Path, **kwargs: bool) -> None:
    try:
        data = load_dataset(path, **kwargs)
    except DataFileError as error:
        message = str(error)
        assert message.strip() and path.name in message
        assert "bug in heartgui" not in message, message
        assert error.problems
    else:
        assert_valid(data)


@FUZZ
@given(content=st.binary(max_size=2000))
def test_fuzz_random_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.bin"
    path.write_bytes(content)
    check_outcome(path)


TEXT_ALPHABET = st.sampled_from(list("0123456789.,;\t \n\r-?abcNA\ufeffé")) | st.characters()


@FUZZ
@given(content=st.text(alphabet=TEXT_ALPHABET, max_size=2000), drop=st.booleans())
def test_fuzz_random_text(tmp_path: Path, content: str, drop: bool) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    check_outcome(path, drop_missing=drop)


JUNK = st.sampled_from(
    [
        "abc",
        "?",
        "",
        "NA",
        "-9",
        "0",
        "1e999",
        "nan",
        "inf",
        "-1",
        "5",
        "1,5",
        '"',
        "target",
        "age",
        "\x00",
        "\ufeff",
        "7",
        "3.0",
        "１",
    ]
)


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_heart_dat(tmp_path: Path, heart_rows: list[list[str]], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, 250))
    stop = data.draw(st.integers(start, 270))
    rows = [r[:] for r in heart_rows[start:stop]]
    seps = [" "] * len(rows)
    for _ in range(data.draw(st.integers(0, 6))):
        if not rows:
            break
        i = data.draw(st.integers(0, len(rows) - 1))
        row = rows[i]
        action = data.draw(
            st.sampled_from(["swap", "insert", "delete", "delimiter", "replace", "duplicate", "header"])
        )
        if action == "swap" and len(row) > 1:
            a, b = data.draw(st.integers(0, len(row) - 1)), data.draw(st.integers(0, len(row) - 1))
            row[a], row[b] = row[b], row[a]
        elif action == "insert":
            row.insert(data.draw(st.integers(0, len(row))), data.draw(JUNK))
        elif action == "delete" and row:
            del row[data.draw(st.integers(0, len(row) - 1))]
        elif action == "delimiter":
            seps[i] = data.draw(st.sampled_from([",", ";", "\t", "  ", ", "]))
        elif action == "replace" and row:
            row[data.draw(st.integers(0, len(row) - 1))] = data.draw(JUNK)
        elif action == "duplicate":
            rows.insert(i, row[:])
            seps.insert(i, seps[i])
        elif action == "header":
            rows.insert(0, list(schema.FEATURE_NAMES) + ["target"])
            seps.insert(0, data.draw(st.sampled_from([" ", ",", ";"])))
    newline = data.draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(sep.join(r) for sep, r in zip(seps, rows))
    path = tmp_path / "mutated.dat"
    path.write_bytes(text.encode("utf-8"))
    check_outcome(path, drop_missing=data.draw(st.booleans()))


def test_error_message_format_is_stable(tmp_path: Path, heart_rows: list[list[str]]) -> None:
    rows = [r[:] for r in heart_rows]
    rows[0][2] = "0"
    message = str(broken(tmp_path, rows, name="one.dat"))
    assert re.fullmatch(
        r"Cannot load 'one\.dat': 1 problem found\.\n  file: .*one\.dat\n"
        r"  - line 1, chest pain type \(cp\): has code 0, which is not one of the documented codes: "
        r".*\nCorrect the listed lines .*",
        message,
    )


# ----------------------------------------------------------------------------------------------------
# The diagnosis coding comes from the file's format, never from the values that happen to be present
# ----------------------------------------------------------------------------------------------------


def _cleveland_rows(shared_data: Path, keep: set[str]) -> list[str]:
    lines = (shared_data / "processed.cleveland.data").read_text().splitlines()
    return [line for line in lines if line.split(",")[13].strip() in keep]


def test_a_cleveland_file_with_diagnoses_1_and_2_only_is_all_disease(shared_data, tmp_path):
    # Real Cleveland patients with num 1 or 2: every one has heart disease (num > 0), so the file cannot
    # be trained on (one class), and must never become 54 "healthy" patients by Statlog's 1/2 coding.
    rows = _cleveland_rows(shared_data, {"1", "2"})
    assert sum(1 for r in rows if r.split(",")[13] == "1") == 55  # checked against the file itself
    path = tmp_path / "cleveland-1-2.data"
    path.write_text("\n".join(rows) + "\n")
    error = load_error(path)
    assert "every usable row" in str(error) and "heart disease present" in str(error)
    assert "absent" not in str(error).split("every usable row")[1].splitlines()[0]


def test_a_cleveland_subset_reads_num_above_0_as_disease(shared_data, tmp_path):
    # Healthy patients (num 0) plus those with num 1 or 2: the 1s and 2s are all diseased.
    rows = _cleveland_rows(shared_data, {"0", "1", "2"})
    path = tmp_path / "cleveland-0-2.data"
    path.write_text("\n".join(rows) + "\n")
    data = load_dataset(path)
    assert data.provenance.target_coding == "0-4 (Cleveland num)"
    num = np.array([float(r.split(",")[13]) for r in rows])
    np.testing.assert_array_equal(data.y, (num > 0).astype(int))
    # ... and with 0 and 1 only (0 = absent, 1 = present under both codings that allow a 0)
    rows01 = _cleveland_rows(shared_data, {"0", "1"})
    path.write_text("\n".join(rows01) + "\n")
    num01 = np.array([float(r.split(",")[13]) for r in rows01])
    assert load_dataset(path).class_counts == {0: int(np.sum(num01 == 0)), 1: int(np.sum(num01 == 1))}


def test_a_statlog_file_codes_1_and_2_only(heart_rows, tmp_path):
    rows = [r[:13] + ["0" if r[13] == "1" else "1"] for r in heart_rows]  # recoded 0/1, spaces kept
    error = load_error(write(tmp_path / "recoded.dat", rows))
    message = str(error)
    assert "1 = absent, 2 = present" in message and "0 (first on line 2)" in message, message


def test_a_header_file_with_a_num_column_is_read_as_cleveland(shared_data, tmp_path):
    rows = _cleveland_rows(shared_data, {"0", "1", "2"})
    header = ",".join([*schema.FEATURE_NAMES, "num"])
    path = tmp_path / "with-header.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    data = load_dataset(path)
    assert data.provenance.target_coding == "0-4 (Cleveland num)"
    # num (Cleveland's name) holding only 1s and 2s (Statlog's codes): both readings are possible
    only_diseased = _cleveland_rows(shared_data, {"1", "2"})
    path.write_text(header + "\n" + "\n".join(only_diseased) + "\n")
    assert "cannot tell how the diagnosis is coded: the column is named num" in str(load_error(path))


def test_a_headerless_semicolon_file_with_1_and_2_is_not_guessed(heart_rows, tmp_path):
    error = load_error(write(tmp_path / "excel.csv", heart_rows, sep=";"))
    assert "cannot tell" in str(error) and "header" in str(error), str(error)


def test_a_pipe_or_a_device_is_refused_without_reading(tmp_path: Path) -> None:
    pipe = tmp_path / "heart.dat"
    os.mkfifo(pipe)
    assert "a pipe (FIFO), not a file" in str(load_error(pipe))
    with pytest.raises(DataFileError, match="a device, not a file"):
        load_dataset("/dev/zero")


# ----------------------------------------------------------------------------------------------------
# A file whose columns cannot be found says so first (not "the target is not two classes")
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("drop", [13, 4])  # the diagnosis, or serum cholesterol
def test_a_column_missing_is_said_first_with_the_counts(tmp_path, heart_rows, drop):
    rows = [r[:drop] + r[drop + 1 :] for r in heart_rows]
    error = load_error(write(tmp_path / "thirteen.dat", rows))
    first = str(error.problems[0])
    assert "every line has 13 fields where 14 are expected" in first, first
    assert "a column is missing" in first and "separated by spaces" in first
    assert "two classes" not in str(error)


def test_a_cleveland_file_with_a_column_missing(tmp_path, shared_data):
    lines = (shared_data / "processed.cleveland.data").read_text().splitlines()
    path = tmp_path / "cleveland.data"
    path.write_text("\n".join(",".join(line.split(",")[1:]) for line in lines) + "\n")
    first = str(load_error(path).problems[0])
    assert "every line has 13 fields where 14 are expected (separated by commas" in first, first


def test_a_headerless_file_with_decimal_commas_and_semicolons_is_split_on_semicolons(tmp_path, heart_rows):
    rows = [[v.replace(".", ",") for v in r] for r in heart_rows]
    error = load_error(write(tmp_path / "excel.csv", rows, sep=";"))
    # read as 14 columns with decimal commas; only the coding of the diagnosis is left to say
    assert error.total == 1 and "cannot tell how the diagnosis is coded" in str(error), str(error)
    header = ";".join([*schema.FEATURE_NAMES, "class"])
    path = tmp_path / "excel-header.csv"
    path.write_text(header + "\n" + "\n".join(";".join(r) for r in rows) + "\n")
    data = load_dataset(path)
    np.testing.assert_array_equal(data.X.to_numpy(), load_dataset(write(tmp_path / "h.dat", heart_rows)).X)
