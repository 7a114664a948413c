"""The four sites in the window: the Data page says what each file lacks, the Train page's checklist
chooses the findings, and a model on fewer findings is used by Predict, What if and Inside without
asking for the others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heartgui.core import schema
from heartgui.gui.main_window import PAGE_NETWORK, PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN
from heartgui.gui.pages.results import TAB_COMPARE

SITES = ("cleveland", "hungarian", "switzerland", "va")
#: Set to a folder to keep the screenshots (scripts and reviews look at them).
SHOTS = os.environ.get("HEARTGUI_SHOTS")


def shot(window, qtbot, name: str) -> None:
    if SHOTS:
        # As scripts/screenshots.py does: no grab while a worker imports (shiboken's import hook and a
        # paint on the UI thread crashed together).
        qtbot.waitUntil(lambda: window.running_jobs() == 0, timeout=60_000)
        window.resize(1280, 720)
        window.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.mark.parametrize("site", SITES)
def test_the_data_page_says_what_each_site_lacks(window, open_file, shared_data, site, qtbot):
    dataset = open_file(window, shared_data / f"processed.{site}.data")
    page = window.data_page
    assert dataset.n_rows == dataset.provenance.rows_read  # the file loads, every row kept
    lacking = dataset.provenance.incomplete
    assert len(lacking) == dataset.n_rows - dataset.n_complete()
    text = page.rows_label.text()
    assert f"{dataset.n_rows} patients; {dataset.n_complete()} have all 13 findings" in text
    assert f"{dataset.n_complete(schema.ALL_SITES_FEATURES)} the 8 measured at all four sites" in text
    assert page.dropped.count() == 1 + len(lacking)
    listed = [page.dropped.item(i).text() for i in range(1, page.dropped.count())]
    assert listed == [f"Line {d.line}: {d.reason}" for d in lacking]
    assert f"{len(lacking)} lacking a finding" in window.statusBar().currentMessage()
    shot(window, qtbot, f"sites-data-{site}")


def test_the_checklist_chooses_the_findings_and_counts_the_patients(window, open_file, shared_data, qtbot):
    dataset = open_file(window, shared_data / "processed.switzerland.data")
    window.show_page(PAGE_TRAIN)
    checklist = window.train_page.features
    assert checklist.features() is None and window.train_page.settings().features is None
    assert f"0 of the {dataset.n_rows} patients have them all" in checklist.count_label.text()
    checklist.sites_button.click()
    assert window.train_page.settings().features == schema.ALL_SITES_FEATURES
    n = dataset.n_complete(schema.ALL_SITES_FEATURES)
    assert f"{n} of the {dataset.n_rows} patients have them all" in checklist.count_label.text()
    assert f"{dataset.n_rows - n} lacking one are left out" in checklist.count_label.text()
    assert not checklist.sites_button.isEnabled()
    shot(window, qtbot, "sites-train-checklist")
    checklist.boxes["oldpeak"].click()  # untick one
    assert window.train_page.settings().features == tuple(
        n for n in schema.ALL_SITES_FEATURES if n != "oldpeak"
    )
    for name in schema.FEATURE_NAMES:  # the last tick cannot go
        checklist.boxes[name].setChecked(False)
    assert sum(box.isChecked() for box in checklist.boxes.values()) == 1
    checklist.all_button.click()
    assert window.train_page.settings().features is None


def test_a_model_on_the_8_common_findings_from_the_window(window, open_file, shared_data, qtbot):
    dataset = open_file(window, shared_data / "processed.cleveland.data")
    window.train_page.features.sites_button.click()
    window.train_page.epochs.setValue(60)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_action.trigger()
    result = blocker.args[0]
    model = result.model
    assert model.features_ == schema.ALL_SITES_FEATURES
    assert len(result.split.y_train) + len(result.split.y_test) == dataset.n_complete(
        schema.ALL_SITES_FEATURES
    )

    window.show_page(PAGE_PREDICT)
    page = window.predict_page
    unused = [n for n in schema.FEATURE_NAMES if n not in model.features_]
    for name in schema.FEATURE_NAMES:
        assert page.form.editors[name].isEnabled() == (name in model.features_)
        assert page.form.labels[name].isEnabled() == (name in model.features_)
    note = page.form.not_used_label
    assert note.isVisible() and note.text().startswith("Not used by this model: ")
    named = note.text().removeprefix("Not used by this model: ").removesuffix(" (greyed out).").split(", ")
    assert [n.lower() for n in named] == [schema.BY_NAME[n].label.lower() for n in unused]
    # the risk shown is the model's for the findings it uses, whatever the unused fields hold
    patient = page.form.values()
    risk = float(model.predict_risk({n: patient[n] for n in model.features_})[0])
    assert page.risk == pytest.approx(risk)
    combo = page.what_if_plot.combo
    for i in range(combo.count()):
        item = combo.model().item(i)
        assert item.isEnabled() == (combo.itemData(i) in model.features_)
    # a row lacking ca or thal (not used) is offered and filled; its used findings are copied
    lacking = dataset.provenance.incomplete[0].line
    offered = page._dataset
    assert lacking in offered.lines.tolist()
    page.fill_from_row(offered.lines.tolist().index(lacking) + 1)
    row = dataset.row(dataset.lines.tolist().index(lacking))
    assert all(page.form.values()[n] == row[n] for n in model.features_)
    page.refresh_explanations()
    qtbot.waitUntil(lambda: page.contributions_plot.contributions is not None, timeout=10_000)
    assert set(page.contributions_plot.contributions.by_feature) == set(model.features_)
    shot(window, qtbot, "sites-predict-8-features")
    page.tabs.setCurrentWidget(page.what_if_plot)
    page.refresh_explanations()
    qtbot.waitUntil(lambda: page.what_if_plot.curve is not None, timeout=10_000)
    assert page.what_if_plot.curve.feature in model.features_

    window.show_page(PAGE_NETWORK)
    inside = window.network_page
    shot(window, qtbot, "sites-inside-8-features")
    inside.side_tabs.setCurrentWidget(inside.learning)  # one step of learning, on the model's rows
    qtbot.wait(50)
    shot(window, qtbot, "sites-inside-backward-8-features")
    inside.tabs.setCurrentWidget(inside.surface)
    for combo in (inside.surface.plot.x_combo, inside.surface.plot.y_combo):
        assert combo.currentData() in model.features_
        for i in range(combo.count()):
            assert combo.model().item(i).isEnabled() == (combo.itemData(i) in model.features_)
    shot(window, qtbot, "sites-inside-surface-8-features")


def test_the_chosen_findings_are_remembered(window, qtbot):
    from heartgui.gui.main_window import MainWindow

    window.train_page.features.sites_button.click()  # an edit by the student is saved at once
    second = MainWindow()
    qtbot.addWidget(second)
    second.finish_startup()
    assert second.train_page.settings().features == schema.ALL_SITES_FEATURES
    assert second.train_page.features.features() == schema.ALL_SITES_FEATURES


def test_results_compare_and_cross_validate_a_model_on_fewer_findings(window, open_file, shared_data, qtbot):
    dataset = open_file(window, shared_data / "processed.cleveland.data")
    window.train_page.features.sites_button.click()
    window.train_page.epochs.setValue(30)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_action.trigger()
    window.show_page(PAGE_RESULTS)
    results = window.results_page
    with qtbot.waitSignal(results.comparison_finished, timeout=120_000) as blocker:
        results.tabs.setCurrentIndex(TAB_COMPARE)
    comparison = blocker.args[0]
    assert comparison.rows and all(0.0 <= r.roc_auc <= 1.0 for r in comparison.rows)
    with qtbot.waitSignal(results.crossval_finished, timeout=300_000) as blocker:
        assert results.start_cross_validation(folds=3, repeats=1)
    cv = blocker.args[0]
    assert cv.n_patients == dataset.n_complete(schema.ALL_SITES_FEATURES)


def test_training_on_findings_no_patient_has_says_so_and_starts_nothing(window, open_file, shared_data):
    dataset = open_file(window, shared_data / "processed.switzerland.data")
    assert dataset.n_complete() == 0  # Switzerland recorded no cholesterol
    window.start_action.trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Cannot train: only 0 of the {dataset.n_rows} patients")
    assert "chol for 123" in message and "leave out the findings few patients have" in message
    assert not window.train_page.running and window.model is None


@pytest.mark.parametrize("size", [(1280, 720), (1024, 600)])
def test_the_pages_of_a_model_on_fewer_findings_fit(window, open_file, shared_data, qtbot, size):
    from tests.gui.test_layout import cut_labels, overlapping_widgets

    open_file(window, shared_data / "processed.va.data")
    window.train_page.features.sites_button.click()
    window.train_page.epochs.setValue(20)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_action.trigger()
    qtbot.waitUntil(lambda: window.running_jobs() == 0, timeout=60_000)
    window.resize(*size)
    for index in (PAGE_TRAIN, PAGE_PREDICT):
        window.show_page(index)
        page = window.stack.currentWidget()
        # The layout settles in posted events (the Train status measures its room once it has its width).
        qtbot.waitUntil(lambda page=page: not overlapping_widgets(page), timeout=2_000)
        assert not cut_labels(page), cut_labels(page)
    shot(window, qtbot, f"sites-predict-va-{size[0]}")
