"""The training report goes through TRIPOD+AI item by item, and what it fills in is the run's, computed
here independently where it can be."""

from __future__ import annotations

import math

import numpy as np
import pypdf
import pytest

from heartgui import reports
from heartgui.core import clinical
from heartgui.core.dataset import load_dataset
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import train
from heartgui.reports import training


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture(scope="module")
def text(result, heart, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("tripod") / "training.pdf"
    reports.training_report(path, result, provenance=heart.provenance, threshold=1 / 6, threshold_source="x")
    return text_of(path)


def test_every_item_is_there_once_and_in_the_checklists_order(text):
    assert len(reports.TRIPOD_ITEMS) == 52
    assert len({item.rstrip("abcdefg") for item, _ in reports.TRIPOD_ITEMS}) == 27
    at = -1
    for item, topic in reports.TRIPOD_ITEMS:
        heading = f"{item} {topic}"
        assert text.count(heading) == 1, heading
        assert text.index(heading) > at, f"{heading} is out of order"
        at = text.index(heading)


def test_what_the_app_cannot_know_is_asked_of_the_student(text):
    headings = [f"{item} {topic}" for item, topic in reports.TRIPOD_ITEMS]
    for i, heading in enumerate(headings):
        start = text.index(heading) + len(heading)
        end = text.index(headings[i + 1]) if i + 1 < len(headings) else len(text)
        body = text[start:end]
        item = reports.TRIPOD_ITEMS[i][0]
        asked = "□ TO COMPLETE" in body
        assert asked == (item in training._TO_COMPLETE), heading
        assert body.strip(), f"{heading} is empty"
    for item in ("17", "18a", "19", "25"):  # ethics, funding, public involvement, interpretation
        assert item in training._TO_COMPLETE


def test_sample_size_and_events_are_the_runs(text, result):
    split = result.split
    coefs = result.model.network_.coefs_
    weights = sum((w.shape[0] + 1) * w.shape[1] for w in coefs)  # each unit: its weights and a bias
    events = int(np.sum(split.y_train == 1))
    assert f"learned from {len(split.y_train)} patients, {events} with the disease" in text
    assert f"has {weights} weights and biases" in text
    assert f"{events / weights:.2f} patients with the disease per weight" in text
    assert f"test (kept aside) {len(split.y_test)} {int(np.sum(split.y_test == 1))}" in text


def test_calibration_and_decision_curve_are_computed_on_the_test_patients(text, result):
    y, risk = result.split.y_test, result.test_risk
    fit = clinical.calibration_fit(y, risk)
    assert f"{fit.intercept:+.2f} (95 % interval {fit.intercept_interval[0]:+.2f} to" in text
    assert f"Slope {fit.slope:.2f} (95 % interval {fit.slope_interval[0]:.2f} to" in text
    # Net benefit at exactly 1/6, by hand: TP/n − FP/n · t/(1 − t).
    t = 1 / 6
    flagged = risk >= t
    tp, fp = int(np.sum(flagged & (y == 1))), int(np.sum(flagged & (y == 0)))
    net = tp / len(y) - fp / len(y) * t / (1 - t)
    assert (
        f"At a threshold of 16.7 %, using the model is worth as much as {net * 100:.1f} true positives"
        in text
    )


def test_subgroups_are_counted_from_the_test_patients(text, result):
    X, y = result.split.X_test, result.split.y_test
    women = (X["sex"] == 0).to_numpy()
    older = (X["age"] >= 60).to_numpy()
    for name, mask in (("women", women), ("age ≥ 60", older)):
        flagged = result.test_risk[mask] >= 1 / 6
        sick = y[mask] == 1
        sensitivity = np.sum(flagged & sick) / np.sum(sick)
        assert f"{name} {mask.sum()} {sick.sum()} {sensitivity * 100:.0f} %" in text
    if min(sick.sum(), (~sick).sum()) < clinical.MIN_EVENTS:
        assert "too few patients to conclude" in text


def test_the_data_and_its_site_are_named(text, heart):
    assert "Rows: 270 read, 270 used, 0 dropped" in text
    assert "All 270 of its patients are also in the Cleveland Clinic Foundation file" in text
    assert "heart.dat's patients are all in the Cleveland file" in text  # and among the limitations
    assert "a narrowing of more than half the diameter of any major coronary vessel" in text
    women = int(np.sum(np.asarray(heart.X["sex"]) == 0))
    assert f"{women} of the 270 patients" in text


def test_a_cleveland_report_names_cleveland_and_its_dropped_rows(shared_data, tmp_path):
    cleveland = load_dataset(shared_data / "processed.cleveland.data")
    result = train(cleveland, TUTORIAL.replace(epochs=20))
    complete = cleveland.complete()  # the rows a model on all 13 findings uses, the others with reasons
    dropped = complete.provenance.dropped
    assert len(dropped) == 303 - complete.n_rows > 0
    path = tmp_path / "cleveland.pdf"
    reports.training_report(path, result, provenance=complete.provenance)
    text = text_of(path)
    assert "Site: Cleveland Clinic Foundation, Cleveland, Ohio (USA)" in text
    assert f"Rows: 303 read, {complete.n_rows} used, {len(dropped)} dropped" in text
    assert f"line {dropped[0].line}: {dropped[0].reason}" in text
    assert "heart.dat's patients are all" not in text
    # The whole file's provenance does not know why: the report still counts them, without reasons.
    reports.training_report(path, result, provenance=cleveland.provenance)
    text = text_of(path)
    assert f"Rows: 303 read, {complete.n_rows} used, {len(dropped)} dropped" in text
    assert f"{len(dropped)} patients lacking a finding the model uses" in text


def test_validation_patients_are_a_part_of_their_own(heart, tmp_path):
    result = train(heart, TUTORIAL.replace(validation_fraction=0.25, epochs=30))
    path = tmp_path / "validation.pdf"
    reports.training_report(path, result, provenance=heart.provenance)
    text = text_of(path)
    _fit_X, fit_y = result.model.fit_part(result.split.X_train, result.split.y_train)
    n_validation = len(result.split.y_train) - len(fit_y)
    assert n_validation > 0
    assert f"learned from (fit) {len(fit_y)} {int(np.sum(fit_y == 1))}" in text
    assert f"validation (watched, not learned from) {n_validation}" in text
    assert "validation patients" in text  # the loss plot's second curve
    assert not math.isnan(result.validation_loss_curve[-1])


def test_a_validation_on_cleveland_is_its_own_section_with_the_seen_patients_apart(
    result, heart, shared_data, tmp_path
):
    from sklearn.metrics import roc_auc_score

    from heartgui.core.overlap import PatientFingerprints, fingerprints
    from heartgui.core.validation import validate

    cleveland = load_dataset(shared_data / "processed.cleveland.data").complete()
    split = result.split
    prints = PatientFingerprints.of(split.X_train, split.X_test)
    validation = validate(result.model, cleveland, fingerprints=prints, threshold=1 / 6)
    path = tmp_path / "validated.pdf"
    reports.training_report(
        path,
        result,
        provenance=heart.provenance,
        threshold=1 / 6,
        threshold_source="x",
        validation=validation,
    )
    text = text_of(path)
    # Independently: Cleveland's complete rows whose findings are not among heart.dat's 270 patients.
    known = set(fingerprints(heart.X))
    unseen = np.array([f not in known for f in fingerprints(cleveland.X)])
    assert unseen.sum() == len(cleveland.y) - len(heart.y)
    assert "and evaluation on processed.cleveland.data" in text  # item 1's suggested title
    section = text[text.index("Evaluation at another site: processed.cleveland.data") :]
    assert section.index("⚠") < section.index("ROC AUC")  # the warning before any figure
    assert f"The validation below is on the other {unseen.sum()} patients only" in section
    assert f"On the {unseen.sum()} patients new to the model" in section
    risk = result.model.predict_risk(cleveland.X[unseen])
    auc = roc_auc_score(np.asarray(cleveland.y)[unseen], risk)
    assert f"ROC AUC {auc:.3f}" in section
    assert "Recalibration at processed.cleveland.data, fitted on the" in text
    with pytest.raises(ValueError, match="threshold"):
        reports.training_report(tmp_path / "other.pdf", result, threshold=0.5, validation=validation)


def test_cli_report_validates_on_another_file(capsys, heart_dat, shared_data, tmp_path):
    import json

    from heartgui.cli import main

    out = tmp_path / "r.pdf"
    cleveland = str(shared_data / "processed.cleveland.data")
    assert main(["report", str(heart_dat), "--epochs", "20", "--validate", cleveland, "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["validated_on"] == "processed.cleveland.data"
    assert "270 of these 297 patients" in summary["validation_warnings"][0]
    assert "Evaluation at another site" in text_of(out)
    # A file that cannot be read is said before any training, and nothing is written.
    assert (
        main(["report", str(heart_dat), "--validate", str(tmp_path / "none.data"), "--out", str(out) + "2"])
        == 2
    )
    assert "none.data" in capsys.readouterr().err and not (tmp_path / "r.pdf2").exists()
