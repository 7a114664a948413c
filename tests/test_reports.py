"""PDF reports from a model trained on heart.dat, read back with pypdf."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pypdf
import pytest

from heartgui import __version__, reports
from heartgui.core import explain, schema
from heartgui.core.evaluation import evaluate, metrics_with_intervals
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import train
from heartgui.reports import patient as patient_module
from heartgui.reports import training


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture(scope="module")
def training_pdf(result, heart, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "training.pdf"
    pages = reports.training_report(path, result, provenance=heart.provenance)
    assert pages == len(pypdf.PdfReader(path).pages)
    return path


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    # Collapse whitespace: pypdf may break lines where the page layout does.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def fonts_of(path: Path) -> list[pypdf.generic.DictionaryObject]:
    fonts = []
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    return fonts


def test_training_report_pages_metadata_and_fonts(training_pdf, heart):
    reader = pypdf.PdfReader(training_pdf)
    assert len(reader.pages) >= 6  # 52 items of TRIPOD+AI, the figures among them
    assert reader.metadata["/Creator"] == f"heartgui {__version__}"
    assert reader.metadata["/Title"] == "heartgui training report — heart.dat"
    fonts = fonts_of(training_pdf)
    assert fonts
    for font in fonts:  # every font travels with the file: Type 3 glyph programs or an embedded font file
        if font["/Subtype"] == "/Type3":
            assert "/CharProcs" in font and "/ToUnicode" in font  # glyphs inside; text extractable
        else:
            descriptor = font["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
        assert "DejaVuSans" in str(font["/BaseFont"])


def test_training_report_names_the_data_and_the_caveat(training_pdf, heart):
    text = text_of(training_pdf)
    prov = heart.provenance
    assert "heart.dat" in text
    assert prov.sha256[:16] in text
    assert "not for clinical decisions" in text
    assert "270 read, 270 used, 0 dropped" in text
    assert f"{heart.class_counts[1]} with heart disease (present), {heart.class_counts[0]} without" in text
    assert "Andras Janosi" in text and "David W. Aha" in text


def test_training_report_says_every_setting(training_pdf, result):
    text = text_of(training_pdf)
    words = reports.settings_in_words(result.settings)
    names = [field.name for field in dataclasses.fields(result.settings)]
    assert len(words) == len(names)
    assert not {label for label, _ in words} & set(names), "a setting has no words in reports._SETTING_WORDS"
    for (label, value), name in zip(words, names, strict=True):
        if name == "threshold":  # named once, in item 15, which the figures that use it refer to
            value = "in item 15 (it does not change how the network learns)"
        assert " ".join(f"{label} {value}".split()) in text
    assert "He: random normal scaled to each layer's width" in text
    assert "50 % or more (the threshold of the training settings)" in text
    assert "“present”" not in text and "“absent”" not in text  # a risk is not a diagnosis
    # Named once (item 15); the ROC point's legend and the subgroups' heading refer to it.
    assert text.count("50 % or more") == 1
    assert "threshold 50 %" in text and "at the threshold of item 15 (50 %)" in text


def test_training_report_has_one_threshold(result, heart, tmp_path):
    # The threshold moved after training (the Results page): every threshold figure is at it.
    path = tmp_path / "chosen.pdf"
    reports.training_report(
        path,
        result,
        provenance=heart.provenance,
        threshold=1 / 6,
        threshold_source="the threshold chosen on the Results page",
    )
    text = text_of(path)
    # No figure at the settings' 50 % (a subgroup's sensitivity may well be 50 %: that is not a threshold).
    assert "50 % or more" not in text and "threshold 50 %" not in text and "(50 %)" not in text
    assert "threshold 16.7 %" in text and "at the threshold of item 15 (16.7 %)" in text
    assert "16.7 % or more (the threshold chosen on the Results page)" in text
    split = result.split
    test = evaluate(split.y_test, result.test_risk, 1 / 6)
    train_accuracy = evaluate(split.y_train, result.model.predict_risk(split.X_train), 1 / 6).accuracy
    assert test.accuracy != result.test_metrics.accuracy  # the check below can tell the two apart
    assert f"Accuracy on test patients {test.accuracy * 100:.1f} %" in text
    assert f"Accuracy on training patients {train_accuracy * 100:.1f} %" in text
    assert f"{test.fn} patients with heart disease, not flagged" in text


def test_training_report_refuses_another_files_provenance(result, shared_data, tmp_path):
    from heartgui.core.dataset import load_dataset

    cleveland = load_dataset(shared_data / "processed.cleveland.data")
    with pytest.raises(ValueError, match=r"processed\.cleveland\.data is not the data"):
        reports.training_report(tmp_path / "r.pdf", result, provenance=cleveland.provenance)
    assert not (tmp_path / "r.pdf").exists()


def test_training_report_figures_are_the_cores(training_pdf, result):
    text = text_of(training_pdf)
    m = result.test_metrics
    intervals = metrics_with_intervals(result.split.y_test, result.test_risk, result.model.threshold)
    assert intervals.metrics == m
    for value, (low, high) in [
        (m.accuracy, intervals.accuracy_interval),
        (m.sensitivity, intervals.sensitivity_interval),
        (m.specificity, intervals.specificity_interval),
    ]:
        assert f"{value * 100:.1f} % (95 % interval {low * 100:.1f}–{high * 100:.1f} %)" in text
    low, high = intervals.roc_auc_interval
    assert f"{m.roc_auc:.3f} (95 % interval {low:.3f}–{high:.3f})" in text
    assert f"this model (AUC {m.roc_auc:.3f})" in text
    assert f"{m.tp} patients with heart disease, flagged" in text
    assert f"{m.fn} patients with heart disease, not flagged" in text
    assert f"{m.fp} patients without heart disease, flagged" in text
    assert f"{m.tn} patients without heart disease, not flagged" in text
    assert m.tp + m.fn + m.fp + m.tn == len(result.split.y_test)
    assert f"Final training loss {result.final_train_loss:.4f}" in text
    assert f"Epochs run {result.epochs_run}" in text


def test_training_report_without_provenance_uses_the_models_fingerprint(heart, tmp_path):
    result = train(heart, TUTORIAL.replace(validation_fraction=0.2, epochs=40))
    path = tmp_path / "tutorial.pdf"
    reports.training_report(path, result)
    text = text_of(path)
    assert result.data_sha256 in text.replace(" ", "")
    assert "validation patients" in text
    assert f"Final validation loss {result.validation_loss_curve[-1]:.4f}" in text


def test_a_failed_report_leaves_the_old_file(result, heart, tmp_path, monkeypatch):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"the old report")

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setitem(training._FILL, "23a", broken)
    with pytest.raises(RuntimeError):
        reports.training_report(path, result, provenance=heart.provenance)
    assert path.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    monkeypatch.undo()
    with pytest.raises(OSError):
        reports.training_report(tmp_path / "missing" / "r.pdf", result)


@pytest.fixture(scope="module")
def patient(heart):
    values = heart.row(0)
    values["chol"] = 600.0  # possible, but above every training patient
    return values


def test_patient_report(result, patient, heart, tmp_path):
    model = result.model
    path = tmp_path / "patient.pdf"
    spread = explain.RiskSpread(np.array([0.4, 0.5, 0.6]), 0.42, 0.5, 0.58)
    split = result.split
    at_threshold = evaluate(split.y_test, result.test_risk, 1 / 6)
    facts = explain.TrainingFacts.from_data(split.X_train, split.y_train)
    reports.patient_report(
        path,
        model,
        patient,
        threshold=1 / 6,
        spread=spread,
        settings=result.settings,
        test_metrics=at_threshold,
        data_name=heart.provenance.file_name,
        training=facts,
    )
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == reports.PATIENT_REPORT_PAGES == 2
    assert reader.metadata["/Creator"] == f"heartgui {__version__}"
    assert reader.metadata["/Title"] == "heartgui patient report"
    text = text_of(path)
    risk = float(model.predict_risk(patient)[0])
    assert f"Risk of coronary disease now: {risk * 100:.1f} %" in text
    flagged = "flagged" if risk >= 1 / 6 else "not flagged"
    assert f"At the threshold of 16.7 %, this patient is {flagged} for further testing." in text
    assert "PRESENT" not in text and "ABSENT" not in text
    assert "not for clinical decisions" in text
    # What the risk is, at the training patients' prevalence.
    prevalence = int((split.y_train == 1).sum()) / len(split.y_train)
    assert "coronary angiography would show disease now (more than 50 % narrowing" in text
    assert "not a 10-year risk" in text
    assert f"{prevalence * 100:.0f} % of whom had the disease (the prevalence)" in text
    # The test figures at this threshold, and the file trained on.
    m = at_threshold
    assert f"found {m.sensitivity * 100:.1f} % of the test patients with the disease (sensitivity, " in text
    assert f"{m.tp} of {m.tp + m.fn})" in text
    assert (
        f"did not flag {m.specificity * 100:.1f} % of those without (specificity, {m.tn} of {m.tn + m.fp})"
        in text
    )
    assert f"Trained on heart.dat ({len(split.y_train)} patients to learn from)" in text
    assert "42.0 % to 58.0 % (10th to 90th percentile; median 50.0 %)" in text
    assert f"not the much larger uncertainty of learning from only {len(split.y_train)} patients" in text
    for feature in schema.FEATURES:
        assert f"{feature.label} {feature.describe_value(patient[feature.name])}" in text
    low, high = model.training_ranges_["chol"]
    assert f"outside the training patients' range ({low:.0f} mg/dl to {high:.0f} mg/dl)" in text
    assert "(serum cholesterol)" in text
    assert "1 layer of 8 units, 300 epochs" in text
    # The explanation: percentage points, associations, no method names a student cannot read.
    assert "percentage points" in text
    assert f"associations the network learned from {len(split.y_train)} training patients, not causes" in text
    assert "integrated gradients" not in text.lower()


def test_a_31_percent_risk_is_flagged_for_testing_not_called_disease(result, heart, tmp_path):
    """At the cost-optimal threshold of 1/6 a patient with a risk near 31 % is flagged for further testing;
    the report must not call that "heart disease PRESENT"."""
    risks = result.model.predict_risk(heart.X)
    row = int(np.argmin(np.abs(risks - 0.31)))
    assert 0.2 < risks[row] < 0.45  # the premise: such a patient exists in heart.dat
    path = tmp_path / "p.pdf"
    reports.patient_report(path, result.model, heart.row(row), threshold=1 / 6)
    text = text_of(path)
    assert "this patient is flagged for further testing" in text
    assert "PRESENT" not in text and "disease present" not in text.lower()
    # Without test figures the report says so instead of inventing them.
    assert "sensitivity and specificity at this threshold are not known here" in text
    assert "The training data file is not known" in text


def test_test_figures_at_another_threshold_are_not_printed(result, heart, tmp_path):
    path = tmp_path / "p.pdf"
    reports.patient_report(
        path, result.model, heart.row(0), threshold=1 / 6, test_metrics=result.test_metrics
    )
    assert result.test_metrics.threshold == 0.5  # the premise
    text = text_of(path)
    assert "sensitivity and specificity at this threshold are not known here" in text
    assert f"{result.test_metrics.sensitivity * 100:.1f} % of the test patients" not in text


def test_patient_report_keeps_the_students_cholesterol_unit_and_flags_a_rare_answer(result, heart, tmp_path):
    split = result.split
    facts = explain.TrainingFacts.from_data(split.X_train, split.y_train)
    patient = dict(heart.row(0), restecg=1.0, chol=600.0)
    rare = int((split.X_train["restecg"] == 1).sum())
    assert rare < explain.RARE_CODE_PATIENTS  # the premise: heart.dat has few such patients
    path = tmp_path / "p.pdf"
    reports.patient_report(
        path, result.model, patient, threshold=0.5, training=facts, cholesterol_unit="mmol/L"
    )
    text = text_of(path)
    f = schema.MG_DL_PER_MMOL_L_CHOLESTEROL
    assert f"Serum cholesterol {600 / f:.2f} mmol/L" in text
    low, high = result.model.training_ranges_["chol"]
    assert f"({low / f:.2f} mmol/L to {high / f:.2f} mmol/L)" in text
    assert "600 mg/dl" not in text
    assert f"Serum cholesterol: {600 / f:.2f} mmol/L" in text  # the label of its bar on page 2
    assert (
        f"Only {rare} of {len(split.y_train)} training patients had this answer for Resting ECG "
        "(ST-T wave abnormality): the network knows little about it." in text
    )


def test_patient_report_chart_has_a_bar_per_feature(result, heart, tmp_path, monkeypatch):
    drawn = {}
    original = patient_module._patient_why_page

    def spy(page, *args):
        original(page, *args)
        drawn["figure"] = page.figure

    monkeypatch.setattr(patient_module, "_patient_why_page", spy)
    contributions = explain.contributions(result.model, heart.row(3))
    reports.patient_report(
        tmp_path / "p.pdf", result.model, heart.row(3), threshold=0.5, contributions=contributions
    )
    chart = drawn["figure"].axes[-1]
    widths = [bar.get_width() for bar in chart.patches]
    points = contributions.in_percentage_points()
    ranked = sorted(points, key=lambda name: -points[name])
    np.testing.assert_allclose(widths, [points[n] for n in ranked][::-1])
    # Percentage points of risk: the bars add up to the change in risk from the typical patient.
    assert sum(widths) == pytest.approx((contributions.risk - contributions.reference_risk) * 100)
    labels = [t.get_text() for t in chart.get_yticklabels()]
    patient = heart.row(3)
    assert (
        labels
        == [f"{schema.BY_NAME[n].label}: {explain.describe_value(n, patient[n])}" for n in ranked][::-1]
    )
    assert "percentage points of risk" in chart.get_xlabel()
    assert "Every value is within the range" in text_of(tmp_path / "p.pdf")


def test_patient_report_refuses_an_impossible_patient(result, patient, tmp_path):
    with pytest.raises(ValueError, match="Chest pain type has code 0"):
        reports.patient_report(tmp_path / "p.pdf", result.model, {**patient, "cp": 0.0}, threshold=0.5)
    assert not (tmp_path / "p.pdf").exists()


def test_cli_report_writes_the_training_report(capsys, heart_dat, heart, tmp_path):
    import json

    from heartgui.cli import main

    out = tmp_path / "report"
    assert main(["report", str(heart_dat), "--preset", "recommended", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["report_file"] == str(tmp_path / "report.pdf")
    assert summary["data_sha256"] == heart.provenance.sha256
    reader = pypdf.PdfReader(tmp_path / "report.pdf")
    assert len(reader.pages) == summary["pages"] >= 6
    text = text_of(tmp_path / "report.pdf")
    assert f"{summary['test_accuracy'] * 100:.1f} %" in text
    assert "Preset recommended" in text


def test_cli_report_refuses_a_missing_folder_before_training(capsys, heart_dat, tmp_path):
    from heartgui.cli import main

    assert main(["report", str(heart_dat), "--out", str(tmp_path / "no" / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert "cannot save the report to" in err and "does not exist" in err


class _FillingDisk:
    """A file handle that takes ``room`` bytes, then fails as a full disk does (ENOSPC)."""

    def __init__(self, handle, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data) -> int:
        if len(data) > self._room:
            raise OSError(28, "No space left on device")
        self._room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()


@pytest.mark.parametrize("room", [0, 3000, 30000])
def test_a_full_disk_leaves_the_old_report_and_says_so(result, heart, tmp_path, monkeypatch, room):
    from heartgui.core import safe_io

    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 the old report")
    opened = safe_io._open_temporary

    def filling(target):
        tmp, handle = opened(target)
        return tmp, _FillingDisk(handle, room)

    monkeypatch.setattr(safe_io, "_open_temporary", filling)
    with pytest.raises(OSError) as caught:
        reports.training_report(path, result, provenance=heart.provenance)
    assert str(caught.value) == (f"could not write '{path}': No space left on device; nothing was changed")
    assert caught.value.errno == 28
    assert path.read_bytes() == b"%PDF-1.4 the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def _limited_file_size(limit: int):
    def apply() -> None:  # in the child: writes beyond `limit` bytes fail (EFBIG) instead of killing it
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("limit", [3000, 30000])
def test_cli_report_on_a_disk_that_fills_up_is_one_clear_line(heart_dat, tmp_path, limit):
    # A real failing write, in a real process: the operating system refuses bytes beyond the limit
    # (before: "internal error (error: Error -2 while flushing: inconsistent stream state)").
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 the old report")
    done = subprocess.run(
        [sys.executable, "-m", "heartgui.cli", "report", str(heart_dat), "--out", str(path)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=_limited_file_size(limit),
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"heartgui-cli: error: could not write '{path}': File too large; nothing was changed"
    ]
    assert path.read_bytes() == b"%PDF-1.4 the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_model_on_fewer_findings_reports_the_others_as_not_used(heart, tmp_path):
    eight = train(heart, RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES, epochs=30))
    patient = dict(heart.row(0), chol=float("nan"), ca=float("nan"))  # not recorded: never read
    path = tmp_path / "eight.pdf"
    reports.patient_report(path, eight.model, patient, threshold=0.5, settings=eight.settings)
    text = text_of(path)
    unused = [f for f in schema.FEATURES if f.name not in schema.ALL_SITES_FEATURES]
    for feature in unused:
        assert f"{feature.label} not used by this model" in text
    risk = float(eight.model.predict_risk({n: patient[n] for n in schema.ALL_SITES_FEATURES})[0])
    assert f"{risk * 100:.1f} %" in text
    words = dict(reports.settings_in_words(eight.settings))
    assert words["Findings the model uses"] == "8: " + ", ".join(schema.ALL_SITES_FEATURES)


def test_the_training_report_counts_the_patients_a_model_on_fewer_findings_left_out(shared_data, tmp_path):
    from heartgui.core.dataset import load_dataset

    va = load_dataset(shared_data / "processed.va.data")
    eight = train(va, RECOMMENDED.replace(features=schema.ALL_SITES_FEATURES, epochs=30))
    used = va.n_complete(schema.ALL_SITES_FEATURES)
    for provenance in (va.provenance, va.complete(schema.ALL_SITES_FEATURES).provenance):
        path = tmp_path / "va.pdf"
        reports.training_report(path, eight, provenance=provenance)
        text = text_of(path)
        assert f"{va.n_rows} read, {used} used, {va.n_rows - used} dropped" in text
    assert "lacking a finding the model uses" not in text  # the rows' own reasons are listed instead
    first = va.left_out(schema.ALL_SITES_FEATURES)[0]
    assert f"line {first.line}: {first.reason}" in text
