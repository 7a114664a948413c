"""Validation on another hospital's file: a model trained on heart.dat taken to the Cleveland file.

heart.dat is a subset of the Cleveland file, so the model has seen most Cleveland patients: the overlap
is computed here with core.overlap (never typed in), and the validation must be on the rest only.
"""

from __future__ import annotations

import dataclasses
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from heartgui import cli
from heartgui.core.clinical import calibration_fit, net_benefit
from heartgui.core.dataset import load_dataset
from heartgui.core.model_file import load_model, save_model
from heartgui.core.overlap import PatientFingerprints, fingerprints, overlap
from heartgui.core.presets import TUTORIAL
from heartgui.core.training import train
from heartgui.core.validation import NothingToScore, recalibrate, validate


@pytest.fixture(scope="module")
def cleveland(shared_data):
    return load_dataset(shared_data / "processed.cleveland.data")


@pytest.fixture(scope="module")
def complete(cleveland):
    """The Cleveland patients with all 13 findings (a reader may keep the others, to be left out)."""
    rows = cleveland.X.notna().all(axis=1).to_numpy()
    left = sorted({d.line for d in cleveland.provenance.dropped} | set(cleveland.lines[~rows].tolist()))
    return SimpleNamespace(
        X=cleveland.X[rows].reset_index(drop=True),
        y=cleveland.y[rows],
        lines=cleveland.lines[rows],
        n=int(rows.sum()),
        left_out=left,
    )


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, TUTORIAL)


@pytest.fixture(scope="module")
def model_file(result, heart, tmp_path_factory):
    """The heart.dat model saved as `heartgui-cli train --out` saves it (with its patients' fingerprints)."""
    path = tmp_path_factory.mktemp("validate") / "statlog.heartmodel"
    save_model(
        path,
        result.model,
        settings=result.settings,
        data_sha256=heart.provenance.sha256,
        data_name="heart.dat",
        fingerprints=PatientFingerprints.of(result.split.X_train, result.split.X_test),
    )
    return path


@pytest.fixture(scope="module")
def old_model_file(result, tmp_path_factory):
    """A model file as heartgui wrote it before fingerprints were kept (no such entry at all)."""
    path = tmp_path_factory.mktemp("validate_old") / "old.heartmodel"
    save_model(path, result.model, settings=result.settings)
    return path


def _expected_masks(result, complete):
    trained = overlap(complete.X, fingerprints(result.split.X_train)).shared
    tested = overlap(complete.X, fingerprints(result.split.X_test)).shared & ~trained
    return trained, tested


def test_the_patients_the_model_was_made_from_are_found_and_scored_apart(
    model_file, result, heart, cleveland, complete
):
    saved = load_model(model_file)
    v = validate(saved.model, cleveland, fingerprints=saved.fingerprints, model_data_sha256=saved.data_sha256)
    trained, tested = _expected_masks(result, complete)
    seen = trained | tested
    # heart.dat is a subset of Cleveland: every one of its patients, trained or tested on, is found.
    assert seen.sum() == overlap(heart.X, fingerprints(complete.X)).n_shared
    np.testing.assert_array_equal(v.in_training, trained)
    np.testing.assert_array_equal(v.in_model_test, tested)
    assert v.n_in_training == trained.sum() and v.n_in_model_test == tested.sum()
    assert 0 < v.n_seen < v.n_rows == complete.n
    np.testing.assert_array_equal(v.lines, complete.lines)
    # Said first, loudly: how many, and that the validation is on the rest only.
    first = v.warnings()[0]
    assert first.startswith(f"{seen.sum()} of these {complete.n} patients")
    assert "not a validation" in first and f"on the other {(~seen).sum()} patients only" in first
    # The validation figures are those of the unseen patients, recomputed independently here.
    unseen = ~seen
    risk = result.model.predict_risk(complete.X[unseen])
    y = complete.y[unseen]
    assert v.validation is v.unseen and v.unseen.n == unseen.sum()
    assert v.unseen.auc == pytest.approx(roc_auc_score(y, risk))
    assert v.unseen.prevalence == pytest.approx(y.mean())
    assert v.unseen.brier == pytest.approx(np.mean((risk - y) ** 2))
    t = result.model.threshold
    assert v.unseen.sensitivity == pytest.approx(np.mean(risk[y == 1] >= t))
    assert v.unseen.specificity == pytest.approx(np.mean(risk[y == 0] < t))
    assert v.unseen.decision.at(t)[0] == pytest.approx(net_benefit(y, risk, t))
    assert v.seen is not None and v.seen.n == seen.sum()
    assert v.subgroups[0].name == "all patients" and v.subgroups[0].n == unseen.sum()
    assert not v.same_file


def test_the_file_the_model_was_made_from_has_no_unseen_patient(model_file, heart):
    saved = load_model(model_file)
    v = validate(saved.model, heart, fingerprints=saved.fingerprints, model_data_sha256=saved.data_sha256)
    assert v.n_seen == heart.n_rows and v.unseen is None and v.subgroups == ()
    assert v.warnings()[0].startswith(f"All {heart.n_rows} of these patients")
    assert "nothing to validate" in v.warnings()[0]
    assert v.same_file and "very file the model was made from" in v.warnings()[1]


def test_an_old_model_file_says_it_cannot_check_the_overlap(old_model_file, cleveland, complete, capsys):
    saved = load_model(old_model_file)
    assert saved.fingerprints is None
    v = validate(saved.model, cleveland, fingerprints=None)
    assert not v.overlap_checked and v.in_training is None and v.unseen is None
    assert v.validation is v.all and v.all.n == complete.n
    assert any("does not record which patients it was trained on" in w for w in v.warnings())
    assert cli.main(["validate", str(old_model_file), str(cleveland.provenance.path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["overlap_checked"] is False and out["n_in_training"] is None and out["unseen"] is None
    assert all(p["in_training"] is None for p in out["patients"])


def test_validate_json_holds_what_the_issue_asks(model_file, result, cleveland, complete, capsys):
    code = cli.main(["validate", str(model_file), str(cleveland.provenance.path), "--json"])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    out = json.loads(captured.out)
    trained, tested = _expected_masks(result, complete)
    assert out["n_rows"] == complete.n
    assert out["n_left_out"] == len(complete.left_out) == len(out["left_out"])
    assert [row["line"] for row in out["left_out"]] == complete.left_out
    assert out["n_in_training"] == trained.sum() and out["n_in_model_test"] == tested.sum()
    assert out["n_unseen"] == (~(trained | tested)).sum()
    risk = result.model.predict_risk(complete.X)
    assert [p["line"] for p in out["patients"]] == list(complete.lines)
    assert [p["outcome"] for p in out["patients"]] == list(complete.y)
    assert [p["in_training"] for p in out["patients"]] == list(trained)
    np.testing.assert_allclose([p["risk"] for p in out["patients"]], risk)
    for part in ("all", "unseen"):
        figures = out[part]
        for key in ("n", "prevalence", "mean_risk", "auc", "brier", "calibration_intercept"):
            assert isinstance(figures[key], (int, float)), (part, key)
        for key in ("calibration_slope", "sensitivity", "specificity"):
            assert isinstance(figures[key], (int, float)), (part, key)
        points = figures["net_benefit"]
        assert points[0].keys() == {"threshold", "model", "treat_all"}
        assert [p["threshold"] for p in points][:3] == [0.01, 0.02, 0.03]
    assert out["unseen"]["n"] == out["n_unseen"]
    assert out["subgroups"][0]["name"] == "all patients"
    assert [r["kind"] for r in out["recalibration"]] == ["intercept", "intercept and slope"]


def test_validate_text_says_the_overlap_first(model_file, result, cleveland, complete, capsys):
    code = cli.main(["validate", str(model_file), str(cleveland.provenance.path)])
    out = capsys.readouterr().out
    assert code == 0
    trained, tested = _expected_masks(result, complete)
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].startswith("Validating statlog.heartmodel (trained on heart.dat) on processed.cleveland")
    assert lines[1].startswith(f"WARNING: {(trained | tested).sum()} of these {complete.n} patients")
    assert "Recalibration (what a hospital would do before using the model)" in out
    assert "optimistic" in out


def test_a_threshold_given_on_the_command_line_is_used(model_file, cleveland, capsys):
    assert (
        cli.main(
            ["validate", str(model_file), str(cleveland.provenance.path), "--json", "--threshold", "0.2"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["threshold"] == 0.2 and out["unseen"]["threshold"] == 0.2
    point = next(p for p in out["unseen"]["net_benefit"] if p["threshold"] == 0.2)
    unseen = [p for p in out["patients"] if p["unseen"]]
    y = np.array([p["outcome"] for p in unseen])
    risk = np.array([p["risk"] for p in unseen])
    assert point["model"] == pytest.approx(net_benefit(y, risk, 0.2))
    assert out["unseen"]["sensitivity"] == pytest.approx(np.mean(risk[y == 1] >= 0.2))


def test_recalibration_improves_calibration_in_the_large_on_the_set_it_was_fitted_on(result, complete):
    # The whole Cleveland file: most of it is the training data, but that does not matter for this lesson.
    y, risk = complete.y, result.model.predict_risk(complete.X)
    before = calibration_fit(y, risk)
    shift = recalibrate(y, risk, 0.5, slope=False)
    both = recalibrate(y, risk, 0.5, slope=True)
    assert shift is not None and both is not None
    assert abs(shift.after.intercept) < abs(before.intercept) and abs(shift.after.intercept) < 1e-6
    # The intercept-only fit makes the mean risk equal the prevalence (the likelihood's score equation).
    assert shift.mean_risk_after == pytest.approx(y.mean(), abs=1e-9)
    assert shift.b == 1.0 and shift.after.slope == pytest.approx(before.slope)
    # Intercept and slope: the same (a, b) as an independent unpenalised logistic regression.
    logit = np.log(np.clip(risk, 1e-12, 1 - 1e-12) / (1 - np.clip(risk, 1e-12, 1 - 1e-12)))
    reference = LogisticRegression(C=math.inf, tol=1e-10, max_iter=1000).fit(logit[:, None], y)
    assert both.a == pytest.approx(reference.intercept_[0], abs=1e-4)
    assert both.b == pytest.approx(reference.coef_[0, 0], abs=1e-4)
    assert both.after.slope == pytest.approx(1.0, abs=1e-6)
    assert both.brier_after <= both.brier_before
    # 297 patients are enough for an honest check on a half it was not fitted on.
    assert both.held_out is not None and both.held_out.n_fit + both.held_out.n_check == len(y)
    # The order of the patients is kept: the AUC cannot change.
    assert roc_auc_score(y, both.apply(risk)) == pytest.approx(roc_auc_score(y, risk))


def test_a_model_whose_features_no_patient_has_exits_2(result, cleveland, model_file, monkeypatch, capsys):
    X = cleveland.X.copy()
    X["chol"] = np.nan  # as a site that never measured cholesterol will be read
    blind = dataclasses.replace(cleveland, X=X)
    with pytest.raises(NothingToScore, match=f"none of the {cleveland.n_rows} patients"):
        validate(result.model, blind, fingerprints=None)
    monkeypatch.setattr("heartgui.core.dataset.load_dataset", lambda path: blind)
    code = cli.main(["validate", str(model_file), str(cleveland.provenance.path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert "has every feature this model uses" in err


def test_rows_without_a_feature_the_model_uses_are_left_out_with_the_reason(result, cleveland, complete):
    X = cleveland.X.copy()
    X.loc[[0, 5], "chol"] = np.nan  # two patients with every other finding
    v = validate(result.model, dataclasses.replace(cleveland, X=X), fingerprints=None)
    assert v.n_rows == complete.n - 2
    reasons = dict(v.left_out)
    assert "chol" in reasons[int(cleveland.lines[0])] and "chol" in reasons[int(cleveland.lines[5])]


def test_evaluate_json_gains_out_of_fold_calibration_and_net_benefit(heart, heart_dat, capsys):
    from scipy.optimize import brentq

    from heartgui.core.crossval import DEFAULT_METHODS, fold_indices

    assert cli.main(["evaluate", str(heart_dat), "--folds", "3", "--repeats", "1", "--json"]) == 0
    records = {r["method"]: r for r in json.loads(capsys.readouterr().out)}
    # Independently: each patient's risk from the fold that tested it, then plain fits.
    method = next(m for m in DEFAULT_METHODS if m.name == "Logistic regression")
    risk = np.full(heart.n_rows, np.nan)
    for _, _, train_rows, test_rows in fold_indices(heart.y, 3, 1):
        model = method.build().fit(heart.X.iloc[train_rows].reset_index(drop=True), heart.y[train_rows])
        risk[test_rows] = model.predict_risk(heart.X.iloc[test_rows].reset_index(drop=True))
    y = heart.y
    logit = np.log(risk / (1 - risk))
    intercept = brentq(lambda a: np.sum(y - 1 / (1 + np.exp(-(a + logit)))), -10, 10, xtol=1e-12)
    slope = LogisticRegression(C=math.inf, tol=1e-10, max_iter=1000).fit(logit[:, None], y).coef_[0, 0]
    record = records["Logistic regression"]
    assert record["calibration_intercept"] == pytest.approx(intercept, abs=1e-6)
    assert record["calibration_slope"] == pytest.approx(slope, abs=1e-4)
    assert record["net_benefit_threshold"] == pytest.approx(1 / 6)
    assert record["net_benefit_at_threshold"] == pytest.approx(net_benefit(y, risk, 1 / 6))
    assert record["treat_all_at_threshold"] == pytest.approx(y.mean() - (1 - y.mean()) * 0.2)
    assert all(
        {"calibration_intercept", "calibration_slope", "net_benefit"} <= r.keys() for r in records.values()
    )


def test_no_figure_is_computed_on_a_risk_that_is_not_a_number(heart, cleveland):
    model = train(heart, TUTORIAL).model
    model.network_.intercepts_[-1][:] = np.nan  # every risk NaN, as a network with absurd weights gives
    with pytest.raises(NothingToScore, match="cannot compute a risk for any patient"):
        validate(model, cleveland, fingerprints=None)


def test_validate_mistakes_are_one_line_and_exit_2(model_file, heart_dat, tmp_path, capsys):
    for argv, words in (
        ([str(model_file), str(tmp_path / "absent.data")], "absent.data"),
        ([str(heart_dat), str(heart_dat)], "not a heartgui model"),
        ([str(model_file), str(heart_dat), "--threshold", "2"], "between 0 and 1"),
    ):
        code = cli.main(["validate", *argv])
        captured = capsys.readouterr()
        assert code == 2 and captured.out == "", argv
        assert len(captured.err.splitlines()) == 1 and words in captured.err, captured.err
