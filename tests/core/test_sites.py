"""The four sites of the UCI Heart Disease study, read as they are: every file loads, the rows a model
leaves out depend on the findings it uses, and a model on the 8 findings every site measured, trained on
Cleveland, predicts the patients of all four. Every count is worked out from the files here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from heartgui import cli
from heartgui.core import schema
from heartgui.core.dataset import DataFileError, load_dataset
from heartgui.core.model_file import load_model, save_model
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train

SITES = ("cleveland", "hungarian", "switzerland", "va")
ZERO_MEANS_MISSING = ("trestbps", "chol")


def site_file(shared_data: Path, site: str) -> Path:
    return shared_data / f"processed.{site}.data"


def raw_rows(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().splitlines() if line.strip()]


def lacks(row: list[str], names: tuple[str, ...]) -> list[str]:
    """The findings of ``names`` a raw row does not have: '?' anywhere, 0 in cholesterol or blood pressure."""
    out = []
    for name in names:
        cell = row[schema.FEATURE_NAMES.index(name)].strip()
        if cell == "?" or (name in ZERO_MEANS_MISSING and float(cell) == 0.0):
            out.append(name)
    return out


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("features", [schema.FEATURE_NAMES, schema.ALL_SITES_FEATURES, ("age", "sex", "cp")])
def test_each_site_loads_and_a_model_leaves_out_only_the_rows_lacking_its_findings(
    shared_data, site, features
):
    path = site_file(shared_data, site)
    raw = raw_rows(path)
    data = load_dataset(path)
    assert data.n_rows == len(raw) == data.provenance.rows_read  # every row kept: all have a diagnosis
    assert data.provenance.dropped == ()
    expected_out = [i for i, r in enumerate(raw, start=1) if lacks(r, features)]
    assert data.n_complete(features) == len(raw) - len(expected_out)
    left_out = data.left_out(features)
    assert [d.line for d in left_out] == expected_out
    words = {f.missing_word: f.name for f in schema.FEATURES if f.missing_word}
    for row in left_out:
        raw_row = raw[row.line - 1]
        named = set()
        for part in row.reason.split("; "):
            if part.endswith(" not recorded (0)"):
                name = words[part.removesuffix(" not recorded (0)")]
                assert raw_row[schema.FEATURE_NAMES.index(name)].strip() in ("0", "0.0")
                named.add(name)
            else:
                assert part.endswith(" missing"), row.reason
                for name in part.removesuffix(" missing").split(", "):
                    assert raw_row[schema.FEATURE_NAMES.index(name)].strip() == "?"
                    named.add(name)
        assert named == set(lacks(raw_row, features))  # what the model uses and the row lacks, no more
    if data.n_complete(features) >= 20 and len(set(data.y[~data.lacking(features)])) == 2:
        used = data.complete(features)
        assert used.n_rows == len(raw) - len(expected_out)
        assert [d.line for d in used.provenance.dropped] == expected_out
        assert not used.X[list(features)].isna().any().any()
        assert not set(expected_out) & set(used.lines.tolist())
    else:
        with pytest.raises(ValueError, match=r"leave out the findings few patients have|both classes"):
            data.complete(features)


def test_zero_cholesterol_and_blood_pressure_are_not_recorded_and_st_elevation_is_read(shared_data):
    swiss_raw = raw_rows(site_file(shared_data, "switzerland"))
    swiss = load_dataset(site_file(shared_data, "switzerland"))
    assert swiss.X["chol"].isna().all()  # Switzerland wrote 0 for every cholesterol
    assert sum(float(r[4]) == 0 for r in swiss_raw) == len(swiss_raw)
    negative = [float(r[9]) for r in swiss_raw if r[9] != "?" and float(r[9]) < 0]
    assert negative and int((swiss.X["oldpeak"] < 0).sum()) == len(negative)
    assert swiss.X["oldpeak"].min() == min(negative)
    va_raw = raw_rows(site_file(shared_data, "va"))
    va = load_dataset(site_file(shared_data, "va"))
    zero_bp = [i for i, r in enumerate(va_raw, start=1) if r[3] != "?" and float(r[3]) == 0]
    assert len(zero_bp) == 1
    reasons = {d.line: d.reason for d in va.left_out(["trestbps"])}
    assert reasons[zero_bp[0]] == "resting blood pressure not recorded (0)"
    assert va.left_out(["age", "sex"]) == ()


def test_other_impossible_values_still_refuse_the_file_with_line_and_field(shared_data, tmp_path):
    raw = raw_rows(site_file(shared_data, "va"))
    for column, value, words in [(9, "-6", "oldpeak"), (4, "20", "chol"), (0, "0", "age")]:
        rows = [r[:] for r in raw]
        rows[9][column] = value
        path = tmp_path / "va-broken.data"
        path.write_text("\n".join(",".join(r) for r in rows) + "\n")
        with pytest.raises(DataFileError) as info:
            load_dataset(path)
        assert [(p.line, p.column) for p in info.value.problems] == [(10, words)]
        assert str(path) in str(info.value)


@pytest.fixture(scope="module")
def cleveland_8(shared_data):
    data = load_dataset(site_file(shared_data, "cleveland"))
    return data, train(data, RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES))


def test_a_model_on_the_8_common_findings_trained_on_cleveland_predicts_every_site(
    shared_data, cleveland_8, tmp_path
):
    data, result = cleveland_8
    model = result.model
    assert model.features_ == schema.ALL_SITES_FEATURES
    assert len(result.split.y_train) + len(result.split.y_test) == data.n_complete(schema.ALL_SITES_FEATURES)
    path = tmp_path / "eight.heartmodel"
    save_model(path, model, settings=result.settings, data_sha256=result.data_sha256)
    saved = load_model(path)
    assert saved.model.features_ == schema.ALL_SITES_FEATURES
    assert saved.settings is not None and saved.settings.features == schema.ALL_SITES_FEATURES
    for site in SITES:
        kept = load_dataset(site_file(shared_data, site)).complete(model.features_)
        X = kept.X.copy()
        # the findings the model does not use are never read: blank them and the risks do not change
        unused = [n for n in schema.FEATURE_NAMES if n not in model.features_]
        X[unused] = np.nan
        risk = saved.model.predict_risk(X)
        assert len(risk) == kept.n_rows and np.isfinite(risk).all()
        np.testing.assert_allclose(risk, model.predict_risk(kept.X))
        assert 0.0 < risk.mean() < 1.0


def test_a_model_needs_its_findings_and_only_those(cleveland_8):
    data, result = cleveland_8
    model = result.model
    patient = {n: data.row(0)[n] for n in model.features_}  # the 8 findings alone are enough
    assert np.isfinite(model.predict_risk(patient)).all()
    with pytest.raises(ValueError, match="oldpeak"):
        model.predict_risk({n: v for n, v in patient.items() if n != "oldpeak"})
    assert set(model.training_ranges_) == set(model.features_) == set(model.training_defaults_)


def test_a_model_file_written_before_features_could_be_chosen_loads_as_all_13(heart):
    # Written by the code of commit c1d893e (before this change): its meta has no "features".
    path = Path(__file__).parent / "files" / "before-features.heartmodel"
    saved = load_model(path)
    assert saved.model.features_ == schema.FEATURE_NAMES
    assert saved.model.get_params()["features"] is None
    assert saved.settings is not None and saved.settings.used_features == schema.FEATURE_NAMES
    # and it predicts as a model trained now with the settings it records
    again = train(heart, saved.settings)
    np.testing.assert_allclose(saved.model.predict_risk(heart.X), again.model.predict_risk(heart.X))


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_train_with_features_records_them(capsys, shared_data, tmp_path):
    out = tmp_path / "eight.heartmodel"
    features = ",".join(schema.ALL_SITES_FEATURES)
    path = site_file(shared_data, "cleveland")
    code, stdout, err = run(
        capsys, "train", path, "--preset", "recommended", "--features", features, "--out", out
    )
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["features"] == list(schema.ALL_SITES_FEATURES)
    data = load_dataset(path)
    assert summary["n_train"] + summary["n_test"] == data.n_complete(schema.ALL_SITES_FEATURES)
    assert summary["n_left_out"] == data.n_rows - data.n_complete(schema.ALL_SITES_FEATURES)
    assert load_model(out).model.features_ == schema.ALL_SITES_FEATURES
    # the same findings in another order are the same model
    shuffled = ",".join(reversed(schema.ALL_SITES_FEATURES))
    code, stdout, _ = run(capsys, "train", path, "--features", shuffled)
    assert code == 0 and json.loads(stdout)["features"] == list(schema.ALL_SITES_FEATURES)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("age,sexx", "unknown feature 'sexx' (did you mean 'sex'?)"),
        ("age,age", "given twice"),
        (",", "no features"),
    ],
)
def test_cli_train_with_a_bad_feature_list_is_one_line_exit_2(capsys, heart_dat, value, words):
    code, out, err = run(capsys, "train", heart_dat, "--features", value)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and words in err


def test_cli_train_on_a_site_lacking_a_finding_for_everyone_says_so(capsys, shared_data):
    code, _, err = run(capsys, "train", site_file(shared_data, "switzerland"))
    assert code == 2 and len(err.splitlines()) == 1
    assert "only 0 of the 123 patients" in err and "chol for 123" in err


@pytest.mark.parametrize("site", SITES)
def test_cli_check_tells_the_truth_about_each_site(capsys, shared_data, site):
    path = site_file(shared_data, site)
    data = load_dataset(path)
    code, stdout, _ = run(capsys, "check", path, "--json")
    assert code == 0
    summary = json.loads(stdout)
    raw = raw_rows(path)
    assert summary["rows_read"] == summary["rows_kept"] == len(raw)
    assert summary["rows_with_all_13"] == sum(1 for r in raw if not lacks(r, schema.FEATURE_NAMES))
    assert summary["rows_with_all_sites_features"] == sum(
        1 for r in raw if not lacks(r, schema.ALL_SITES_FEATURES)
    )
    for name, count in summary["not_recorded"].items():
        assert count == sum(1 for r in raw if lacks(r, (name,)))
    assert summary["classes"] == {
        "absent": sum(r[13].strip() == "0" for r in raw),
        "present": sum(r[13].strip() != "0" for r in raw),
    }
    assert len(summary["left_out"]) == data.n_rows - summary["rows_with_all_13"]


def test_cross_validation_and_baselines_see_the_findings_the_network_sees(shared_data, cleveland_8):
    from heartgui.core.crossval import BASELINE_METHODS, baselines_on_split, cross_validate

    data, result = cleveland_8
    eight = RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES, epochs=20)
    cv = cross_validate(data, folds=3, repeats=1, methods=[eight, BASELINE_METHODS[1]])
    assert cv.complete and cv.n_patients == data.n_complete(schema.ALL_SITES_FEATURES)
    # the split keeps patients lacking ca or thal: the baselines must not read those columns
    assert result.split.X_train[["ca", "thal"]].isna().any().any()
    comparison = baselines_on_split(result.split, features=result.model.features_)
    assert all(0.0 <= row.roc_auc <= 1.0 for row in comparison.rows)
    with pytest.raises(ValueError):  # on all 13 the missing values reach scikit-learn
        baselines_on_split(result.split)


def test_many_patients_of_another_site_lacking_only_unused_findings_are_predicted(
    shared_data, cleveland_8, tmp_path
):
    from heartgui.core.batch import predict_patients
    from heartgui.core.dataset import load_patients

    _, result = cleveland_8
    model = result.model
    raw = raw_rows(site_file(shared_data, "hungarian"))
    path = tmp_path / "hungary.csv"
    header = ",".join((*schema.FEATURE_NAMES, "num"))
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in raw) + "\n")
    patients = load_patients(path, model.features_)
    # rows are numbered from line 2 (the header is line 1)
    lacking = [i + 2 for i, r in enumerate(raw) if lacks(r, schema.ALL_SITES_FEATURES)]
    assert [r.line for r in patients.rejected] == lacking
    assert patients.n_valid == len(raw) - len(lacking)
    prediction = predict_patients(model, patients, 0.5)
    assert prediction.n_predicted == patients.n_valid
    predicted = prediction.table[prediction.table["problem"] == ""]
    assert np.isfinite(predicted["risk"]).all() and predicted["line"].tolist() == patients.lines.tolist()
    # a model on all 13 findings would reject almost every Hungarian patient
    assert load_patients(path).n_valid == sum(1 for r in raw if not lacks(r, schema.FEATURE_NAMES))
