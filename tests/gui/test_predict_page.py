"""The patient form and the Predict page, with a model trained on the real heart.dat."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QScrollArea, QWidget

from heartgui.core.presets import RECOMMENDED
from heartgui.core.schema import FEATURE_NAMES, FEATURES, MG_DL_PER_MMOL_L_CHOLESTEROL
from heartgui.core.training import train
from heartgui.gui.pages import predict_page as predict_module
from heartgui.gui.pages.predict_page import PredictPage, RowDialog
from heartgui.gui.widgets.patient_form import MG_DL, MMOL_L, PatientForm
from tests.gui.hosting import shown

SHOTS = Path("/tmp/heartgui-shots")


@pytest.fixture(scope="module")
def trained(heart):
    return train(heart, RECOMMENDED.replace(epochs=300, preset="recommended"))


@pytest.fixture(scope="module")
def model(trained):
    return trained.model


@pytest.fixture
def page(qtbot):
    page = PredictPage()
    page.host = shown(qtbot, page)
    return page


@pytest.fixture
def ready(page, model, heart):
    """A page with the trained model and heart.dat."""
    page.set_model(model, heart, 0.5)
    return page


def risk_text(model, patient) -> str:
    """How the page must write the model's risk for ``patient``."""
    return f"{float(model.predict_risk(patient)[0]) * 100:.1f} %"


# --------------------------------------------------------------------------------------------------
# The form


def test_form_has_one_clinical_editor_per_feature(qtbot):
    form = PatientForm()
    qtbot.addWidget(form)
    assert list(form.editors) == list(FEATURE_NAMES)
    for feature in FEATURES:
        editor = form.editors[feature.name]
        assert form.labels[feature.name].text() == feature.label
        assert editor.toolTip() == feature.help
        if feature.codes is not None:
            assert isinstance(editor, QComboBox)
            words = [editor.itemText(i) for i in range(editor.count())]
            codes = [editor.itemData(i) for i in range(editor.count())]
            assert words == list(feature.codes.values())
            assert codes == list(feature.codes)
        else:
            assert isinstance(editor, QDoubleSpinBox)
            assert (editor.minimum(), editor.maximum()) == feature.limits
            assert editor.decimals() == feature.decimals
            assert editor.suffix().strip() == feature.unit


def test_form_shows_chest_pain_in_words(qtbot):
    form = PatientForm()
    qtbot.addWidget(form)
    form.set_values({"cp": 4.0})
    assert form.editors["cp"].currentText() == "asymptomatic"
    assert form.values()["cp"] == 4.0


def type_into(qtbot, spin, text: str, *, enter: bool = False) -> None:
    """Select the field's text and type ``text`` as a user would (then Enter if asked)."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, text)
    if enter:
        qtbot.keyClick(spin, Qt.Key.Key_Return)


@pytest.fixture
def form(qtbot):
    form = PatientForm()
    form.host = shown(qtbot, form, (700, 900))
    return form


def test_an_impossible_age_is_refused_in_words_next_to_the_field(form, qtbot):
    age = form.editors["age"]
    type_into(qtbot, age, "400")
    # What was typed stays visible, and the message says why it is not used and what is.
    assert age.lineEdit().text().startswith("400")
    assert age.message.isVisible()
    in_use = form.values()["age"]
    assert in_use <= 120
    assert age.message.text() == (
        f"⚠ 400 is outside 1–120 years; enter a value in that range. Age in use: {in_use:.0f} years."
    )
    qtbot.keyClick(age, Qt.Key.Key_Return)  # Qt puts the value in use back; the message stays
    assert age.value() == in_use
    assert "400 is outside 1–120 years" in age.message.text()
    type_into(qtbot, age, "66")
    assert form.values()["age"] == 66.0
    assert not age.message.isVisible()


def test_letters_are_not_swallowed_but_explained(form, qtbot):
    age = form.editors["age"]
    type_into(qtbot, age, "6x")
    assert age.lineEdit().text().startswith("6x")
    assert "“6x” is not a number; type digits only." in age.message.text()
    assert f"Age in use: {form.values()['age']:.0f} years." in age.message.text()


def test_decimals_in_a_whole_number_field_are_explained_not_rounded(form, qtbot):
    age = form.editors["age"]
    type_into(qtbot, age, "54.5")
    assert "54.5 has decimals; Age takes whole numbers only." in age.message.text()
    assert form.values()["age"] == 54.0  # the last acceptable value, said in the message
    assert "Age in use: 54 years." in age.message.text()


def test_a_value_below_the_minimum_is_explained_when_editing_ends(form, qtbot):
    pressure = form.editors["trestbps"]
    before = form.values()["trestbps"]
    type_into(qtbot, pressure, "4")  # could still become 45, 140, ...: no message while typing
    assert not pressure.message.isVisible()
    qtbot.keyClick(pressure, Qt.Key.Key_Return)
    assert form.values()["trestbps"] == before
    assert pressure.message.text() == (
        f"⚠ 4 is outside 50–260 mm Hg; enter a value in that range. "
        f"Resting blood pressure in use: {before:.0f} mm Hg."
    )


def test_mg_dl_typed_while_mmol_per_litre_is_shown_is_refused_with_a_hint(form, qtbot):
    form.set_cholesterol_unit(MMOL_L)
    chol = form.editors["chol"]
    type_into(qtbot, chol, "245")
    assert chol.lineEdit().text().startswith("245")
    in_use = chol.value()
    assert form.values()["chol"] == pytest.approx(in_use * MG_DL_PER_MMOL_L_CHOLESTEROL)
    text = chol.message.text()
    assert "245 is outside 1.30–25.85 mmol/L; enter a value in that range." in text
    assert "245 looks like mg/dl (6.34 mmol/L): switch the unit to mg/dl to type mg/dl." in text
    assert f"Serum cholesterol in use: {in_use:.2f} mmol/L." in text
    form.set_cholesterol_unit(MG_DL)  # the unit switch shows a value again: the old message goes
    assert not chol.message.isVisible()


def test_impossible_values_cannot_be_set(qtbot):
    form = PatientForm()
    qtbot.addWidget(form)
    with pytest.raises(ValueError, match="Age"):
        form.set_values({"age": 400.0})
    with pytest.raises(ValueError, match="Thallium"):
        form.set_values({"thal": 5.0})


def test_every_edit_emits_changed_with_the_values(qtbot):
    form = PatientForm()
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.changed) as blocker:
        form.editors["thalach"].setValue(123)
    assert blocker.args[0]["thalach"] == 123.0
    assert blocker.args[0] == form.values()


def test_cholesterol_unit_switch_converts_the_shown_value_and_range(qtbot):
    form = PatientForm()
    qtbot.addWidget(form)
    form.set_values({"chol": 245.0})
    spin = form.editors["chol"]
    form.set_cholesterol_unit(MMOL_L)
    assert spin.value() == pytest.approx(245 / MG_DL_PER_MMOL_L_CHOLESTEROL, abs=0.005)
    assert spin.suffix() == " mmol/L"
    assert spin.minimum() == pytest.approx(50 / MG_DL_PER_MMOL_L_CHOLESTEROL, abs=0.01)
    assert spin.maximum() == pytest.approx(1000 / MG_DL_PER_MMOL_L_CHOLESTEROL, abs=0.01)
    assert form.values()["chol"] == 245.0  # switching the unit does not change the patient
    form.set_cholesterol_unit(MG_DL)
    assert spin.value() == 245.0
    assert (spin.minimum(), spin.maximum()) == (50.0, 1000.0)


# --------------------------------------------------------------------------------------------------
# The page


def test_without_a_model_the_page_explains_what_to_do(page):
    assert page.risk is None
    assert page.no_model_label.isVisible()
    assert "Train page" in page.no_model_label.text()
    assert not page.fill_button.isEnabled()
    assert page.caveat_label.text() == "Teaching tool — not for clinical decisions."
    assert page.caveat_label.isVisible()


def test_a_model_starts_from_its_typical_training_patient(ready, model):
    values = ready.form.values()
    for feature in FEATURES:
        expected = round(model.training_defaults_[feature.name], feature.decimals)
        assert values[feature.name] == pytest.approx(expected)
    assert ready.risk_label.text() == risk_text(model, values)
    assert ready.caveat_label.isVisible()


@pytest.mark.parametrize("row", [1, 2, 17, 270])
def test_fill_from_row_copies_the_real_patient_and_its_outcome(ready, model, heart, row):
    assert ready.fill_button.isEnabled()
    ready.fill_from_row(row)
    assert ready.form.values() == heart.row(row - 1)
    expected = float(model.predict_risk(heart.X.iloc[[row - 1]])[0])
    assert ready.risk_label.text() == f"{expected * 100:.1f} %"
    assert ready.risk_bar.risk == pytest.approx(expected)
    outcome = "present" if heart.y[row - 1] == 1 else "absent"
    label = ready.actual_outcome_label
    assert label.isVisible()
    assert f"In the data: heart disease {outcome}" in label.text()
    assert f"file line {int(heart.lines[row - 1])}" in label.text()
    side = "Above" if expected > 0.5 else "Below"
    assert ready.decision_label.text().startswith(f"{side} the threshold of 50 %")


def test_the_fill_button_asks_for_a_row(ready, heart, monkeypatch):
    asked = []

    def fake_get_row(dataset, current, parent):
        asked.append((dataset, current))
        return 5

    monkeypatch.setattr(predict_module.RowDialog, "get_row", staticmethod(fake_get_row))
    ready.fill_button.click()
    assert asked == [(heart, 1)]
    assert ready.form.values() == heart.row(4)


def test_row_dialog_shows_the_file_line_and_the_patient(qtbot, heart):
    dialog = RowDialog(heart, 3)
    qtbot.addWidget(dialog)
    assert (dialog.spin.minimum(), dialog.spin.maximum()) == (1, heart.n_rows)
    assert dialog.preview.text().startswith(
        f"file line {int(heart.lines[2])} · age {heart.row(2)['age']:.0f}"
    )
    dialog.spin.setValue(1)
    assert "heart disease present" in dialog.preview.text()  # line 1 of heart.dat is class 2
    assert dialog.row == 1


def test_changing_a_field_updates_the_risk_without_a_button(ready, model, heart):
    ready.fill_from_row(2)  # chest pain: non-anginal
    assert heart.row(1)["cp"] == 3.0
    before = ready.risk_label.text()
    combo = ready.form.editors["cp"]
    combo.setCurrentIndex(combo.findText("asymptomatic"))
    changed = dict(heart.row(1), cp=4.0)
    assert ready.risk_label.text() == risk_text(model, changed)
    assert ready.risk_label.text() != before
    assert "no longer shows this patient" in ready.actual_outcome_label.text()


def test_typing_a_value_updates_the_risk(ready, model, qtbot):
    age = ready.form.editors["age"]
    age.lineEdit().selectAll()
    qtbot.keyClicks(age, "66")
    assert ready.form.values()["age"] == 66.0
    assert ready.risk_label.text() == risk_text(model, ready.form.values())


def test_cholesterol_in_mmol_per_litre_gives_the_same_risk(ready, model):
    ready.form.set_cholesterol_unit(MMOL_L)
    ready.form.editors["chol"].setValue(6.0)
    values = ready.form.values()
    assert values["chol"] == pytest.approx(6.0 * MG_DL_PER_MMOL_L_CHOLESTEROL)
    in_mmol = ready.risk_label.text()
    assert in_mmol == risk_text(model, values)
    ready.form.set_cholesterol_unit(MG_DL)
    ready.form.set_values({"chol": 6.0 * MG_DL_PER_MMOL_L_CHOLESTEROL})
    assert ready.risk_label.text() == in_mmol


def test_values_outside_the_training_range_are_flagged(ready, model):
    low, high = model.training_ranges_["age"]
    assert not ready.out_of_range_label.isVisible()  # the typical patient
    ready.form.set_values({"age": high + 1})
    label = ready.out_of_range_label
    assert label.isVisible()
    assert (
        f"Age: {high + 1:.0f} years; training patients ranged from {low:.0f} years to {high:.0f} years"
        in (label.text())
    )
    ready.form.set_values({"age": high})
    assert not label.isVisible()


def test_an_out_of_range_cholesterol_is_written_in_the_chosen_unit(ready, model):
    low, high = model.training_ranges_["chol"]
    f = MG_DL_PER_MMOL_L_CHOLESTEROL
    ready.form.set_cholesterol_unit(MMOL_L)
    ready.form.set_values({"chol": high + 40})
    text = ready.out_of_range_label.text()
    assert (
        f"Serum cholesterol: {(high + 40) / f:.2f} mmol/L; training patients ranged from "
        f"{low / f:.2f} mmol/L to {high / f:.2f} mmol/L." in text
    )
    assert "mg/dl" not in text


def test_decision_follows_the_threshold(ready, model, heart):
    ready.fill_from_row(1)
    risk = ready.risk
    assert risk is not None and 0.05 < risk < 0.999
    ready.set_threshold(0.999)
    assert ready.decision_label.text() == ("Below the threshold of 99.9 %: not flagged for further testing.")
    assert ready.risk_bar.threshold == 0.999
    ready.set_threshold(0.05)
    assert ready.decision_label.text() == "Above the threshold of 5 %: flagged for further testing."


def test_the_risk_is_defined_where_it_is_shown(ready, trained):
    """Angiographic disease now, not a 10-year risk, at the training patients' prevalence (computed from
    them), on which the risk and the predictive values depend: short on the card, whole in its tooltip."""
    card = ready.risk_definition_label
    assert card.isVisible()
    y = trained.split.y_train
    prevalence = f"{100 * int((y == 1).sum()) / len(y):.0f} %"
    ready.set_training_data(trained.split.X_train, y, trained.settings)
    text = card.text()
    assert "angiography would show coronary disease <b>now</b> (> 50 % narrowing of a major vessel)" in text
    assert "not a 10-year risk" in text
    assert f"Learned from {len(y)} referred patients, {prevalence} with the disease (the prevalence)" in text
    assert "the risk, PPV and NPV depend on it" in text
    whole = card.toolTip()
    assert "more than 50 % narrowing of a major vessel" in whole and "not a 10-year risk" in whole
    assert f"Learned from {len(y)} training patients referred for angiography, {prevalence} of whom" in whole
    assert "predictive values (PPV, NPV)" in whole
    assert "Risk of coronary disease now" in [label.text() for label in ready.findChildren(QLabel)]
    # A model opened from a file records how many patients it learned from, not the prevalence.
    ready.set_training_data(None, None, None)
    n = trained.model.n_train_rows_
    assert (
        f"Learned from {n} referred patients; the model file does not record their prevalence" in card.text()
    )
    assert "does not record how many had the disease (the prevalence)" in card.toolTip()


def test_a_new_model_keeps_the_patient_the_user_entered(ready, model, heart):
    ready.fill_from_row(10)
    ready.set_model(model, None, 0.5)
    assert ready.form.values() == heart.row(9)
    ready.reset_button.click()
    assert ready.form.values()["age"] == model.training_defaults_["age"]


def test_clear_forgets_model_and_dataset(ready):
    ready.clear()
    assert ready.model is None and ready.risk is None
    assert ready.no_model_label.isVisible()
    assert not ready.fill_button.isEnabled()


@pytest.mark.parametrize("size", [(1200, 800), (900, 650)])
def test_renders_without_clipped_widgets(ready, heart, qtbot, size):
    ready.host.resize(*size)
    ready.fill_from_row(1)
    ready.form.set_values({"age": 90.0})  # out of range: the warning shows too
    qtbot.waitUntil(lambda: ready.size().width() == size[0])
    SHOTS.mkdir(exist_ok=True)
    assert ready.grab().save(str(SHOTS / f"predict_{size[0]}x{size[1]}.png"))
    for widget in ready.findChildren(QWidget):
        if not widget.isVisible() or (isinstance(widget, QLabel) and widget.wordWrap()):
            continue
        # A widget narrower than it needs would cut its text (the form's combo boxes, above all).
        assert widget.width() >= widget.minimumSizeHint().width(), (type(widget), widget.objectName())
    for scroll in ready.findChildren(QScrollArea):
        # Without a horizontal scroll bar, content wider than the viewport is cut off on the right.
        assert scroll.widget().width() <= scroll.viewport().width()
    assert ready.caveat_label.isVisible()
    assert ready.caveat_label.geometry().bottom() <= ready.height()


def test_a_dark_theme_switched_while_running_restyles_the_cards(ready, qtbot, qapp):
    card = ready.risk_label.parentWidget()

    def background_lightness() -> int:
        image = card.grab().toImage()
        return image.pixelColor(card.width() - 6, card.height() // 2).lightness()

    assert background_lightness() > 200
    light = qapp.palette()
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
    ):
        dark.setColor(role, QColor(colour))
    try:
        qapp.setPalette(dark)
        qtbot.waitUntil(lambda: background_lightness() < 60)
    finally:
        qapp.setPalette(light)
    qtbot.waitUntil(lambda: background_lightness() > 200)
