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


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture(scope="module")
def training_pdf(result, heart, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "training.pdf"
    reports.training_report(path, result, provenance=heart.provenance)
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
    assert len(reader.pages) == reports.TRAINING_REPORT_PAGES == 3
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
        if name == "threshold":  # named once, on page 3, where the figures that use it are
            value = "on page 3 (it does not change how the network learns)"
        assert " ".join(f"{label} {value}".split()) in text
    assert "He: random normal scaled to each layer's width" in text
    assert "50 % or more (the threshold of the training settings)" in text
    assert text.count("50 %") == 2  # that sentence and the ROC point's legend


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
    assert "50 %" not in text
    assert "16.7 % or more (the threshold chosen on the Results page)" in text
    split = result.split
    test = evaluate(split.y_test, result.test_risk, 1 / 6)
    train_accuracy = evaluate(split.y_train, result.model.predict_risk(split.X_train), 1 / 6).accuracy
    assert test.accuracy != result.test_metrics.accuracy  # the check below can tell the two apart
    assert f"Accuracy on test patients {test.accuracy * 100:.1f} %" in text
    assert f"Accuracy on training patients {train_accuracy * 100:.1f} %" in text
    assert f"{test.fn} patients with heart disease called “absent”" in text


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
    assert f"{m.tp} patients with heart disease called “present”" in text
    assert f"{m.fn} patients with heart disease called “absent”" in text
    assert f"{m.fp} patients without heart disease called “present”" in text
    assert f"{m.tn} patients without heart disease called “absent”" in text
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
    assert len(pypdf.PdfReader(path).pages) == 3


def test_a_failed_report_leaves_the_old_file(result, heart, tmp_path, monkeypatch):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"the old report")

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(reports, "_training_test_page", broken)
    with pytest.raises(RuntimeError):
        reports.training_report(path, result, provenance=heart.provenance)
    assert path.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    with pytest.raises(OSError):
        reports.training_report(tmp_path / "missing" / "r.pdf", result)


@pytest.fixture(scope="module")
def patient(heart):
    values = heart.row(0)
    values["chol"] = 600.0  # possible, but above every training patient
    return values


def test_patient_report(result, patient, tmp_path):
    model = result.model
    path = tmp_path / "patient.pdf"
    spread = explain.RiskSpread(np.array([0.4, 0.5, 0.6]), 0.42, 0.5, 0.58)
    reports.patient_report(path, model, patient, threshold=1 / 6, spread=spread, settings=result.settings)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == reports.PATIENT_REPORT_PAGES == 1
    assert reader.metadata["/Creator"] == f"heartgui {__version__}"
    assert reader.metadata["/Title"] == "heartgui patient report"
    text = text_of(path)
    risk = float(model.predict_risk(patient)[0])
    assert f"Risk of heart disease: {risk * 100:.1f} %" in text
    decision = "PRESENT" if risk >= 1 / 6 else "ABSENT"
    assert f"At the threshold of 16.7 %, the model says: heart disease {decision}." in text
    assert "not for clinical decisions" in text
    assert "42.0 % to 58.0 % (10th to 90th percentile; median 50.0 %)" in text
    for feature in schema.FEATURES:
        assert f"{feature.label} {feature.describe_value(patient[feature.name])}" in text
    low, high = model.training_ranges_["chol"]
    assert f"outside the training patients' range ({low:.0f} mg/dl to {high:.0f} mg/dl)" in text
    assert "(serum cholesterol)" in text
    assert "1 layer of 8 units, 300 epochs" in text


def test_patient_report_chart_has_a_bar_per_feature(result, heart, tmp_path, monkeypatch):
    drawn = {}
    original = reports._patient_page

    def spy(page, *args):
        original(page, *args)
        drawn["figure"] = page.figure

    monkeypatch.setattr(reports, "_patient_page", spy)
    contributions = explain.contributions(result.model, heart.row(3))
    reports.patient_report(
        tmp_path / "p.pdf", result.model, heart.row(3), threshold=0.5, contributions=contributions
    )
    chart = drawn["figure"].axes[-1]
    widths = [bar.get_width() for bar in chart.patches]
    expected = [v for _, v in contributions.sorted()][::-1]
    np.testing.assert_allclose(widths, expected)
    labels = [t.get_text() for t in chart.get_yticklabels()]
    assert labels == [schema.BY_NAME[n].label for n, _ in contributions.sorted()][::-1]
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
    assert len(reader.pages) == summary["pages"] == 3
    text = text_of(tmp_path / "report.pdf")
    assert f"{summary['test_accuracy'] * 100:.1f} %" in text
    assert "Preset recommended" in text


def test_cli_report_refuses_a_missing_folder_before_training(capsys, heart_dat, tmp_path):
    from heartgui.cli import main

    assert main(["report", str(heart_dat), "--out", str(tmp_path / "no" / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert "cannot save the report to" in err and "does not exist" in err
