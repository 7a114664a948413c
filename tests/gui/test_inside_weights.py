"""The Inside page's drawing as a learning view: each weight's gradient drawn, and a hand on a weight
(click it, type a value: the risk, the loss and the walk-throughs follow; the trained model never changes)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor

from heartgui.core.network import MLP
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.widgets.network_view import number
from tests.gui.hosting import inside_page


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result, heart):
    page, host = inside_page(qtbot, result, heart.row(0))
    yield page
    host.close()  # freed here, not by the cyclic garbage collector mid-paint


def _batch(result):
    model = result.model
    X_fit, y_fit = model.fit_part(result.split.X_train, result.split.y_train)
    return model.transform(X_fit), y_fit


def _hue_side(colour: QColor) -> str:
    return "orange" if colour.red() > colour.blue() else "blue"


def _pixel(view, point: QPointF) -> QColor:
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def _isolated_point(edge):
    """A point on a hidden → output line near its hidden end, where lines into the output are far apart."""
    return edge.start * 0.8 + edge.end * 0.2


def test_the_gradients_drawn_are_the_training_gradients_with_their_sign(page, result, qtbot):
    view = page.network_view
    Z, y = _batch(result)
    grads_w, _ = result.model.network_.gradients(Z, y)
    assert not view.drawing_gradients
    box = page.gradients_box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on its tick box
    assert page.gradients_box.isChecked() and view.drawing_gradients
    for drawn, expected in zip(view.gradients, grads_w, strict=True):
        np.testing.assert_allclose(drawn, expected, rtol=1e-12, atol=1e-15)
    # Each line into the output is drawn in its gradient's colour, not its weight's.
    last = [e for e in view.edges if e.layer == 2]
    differing = [e for e in last if np.sign(view.drawn_value(e)) != np.sign(e.weight)]
    strongest = max(last, key=lambda e: abs(view.drawn_value(e)))
    checked = 0
    for edge in {id(e): e for e in [strongest, *differing]}.values():
        if abs(view.drawn_value(edge)) < 0.3 * abs(view.drawn_value(strongest)):
            continue  # too thin and faint to sample reliably
        colour = _pixel(view, (edge.start + edge.end) / 2)
        assert _hue_side(colour) == ("orange" if view.drawn_value(edge) > 0 else "blue"), edge
        checked += 1
    assert checked >= 1
    edge = last[len(last) // 2]
    tip = view.tooltip_at(_isolated_point(edge))
    gradient = f"{grads_w[1][edge.source, 0] + 0.0:.4g}".replace("-", "−")
    assert f"Gradient dL/dw (training batch) = {gradient}" in tip
    # Unticked: the weights again.
    page.gradients_box.setChecked(False)
    assert not view.drawing_gradients and view.drawn_value(edge) == edge.weight


def test_click_a_weight_type_a_value_and_everything_follows_on_a_copy(page, result, heart, qtbot):
    model = result.model
    view = page.network_view
    trained_w2 = [w.copy() for w in model.network_.coefs_]
    edge = next(e for e in view.edges if e.layer == 2 and e.source == 0)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_isolated_point(edge).toPoint())
    assert page.editor.element == ("w", 2, 0, 0)
    assert view.selected == ("w", 2, 0, 0)
    assert "the weight W2 from hidden unit 1 to the output" in page.editor.label.text()
    assert page.editor.spin.isEnabled()
    assert not page.edit_banner.isVisible()

    new_value = float(model.network_.coefs_[1][0, 0]) + 2.5
    page.editor.spin.setValue(new_value)
    # The edited network, built here from the trained weights: its risk for the patient and its loss.
    weights, biases = model.network_.snapshot()
    weights[1][0, 0] = page.editor.spin.value()
    edited = MLP.from_weights(weights, biases, **model.network_.get_params())
    patient = heart.row(0)
    risk = float(edited.predict_proba(model.transform(patient))[0, 1])
    Z, y = _batch(result)
    p = edited.predict_proba(Z)[:, 1]
    loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert page.risk == pytest.approx(risk, abs=1e-12)
    assert f"predicted risk <b>{risk * 100:.1f} %</b>" in page.status_label.text()
    assert f"<b>{loss:.5f}</b>" in page.status_label.text()
    assert page.status_label.text().startswith("Edited copy of the network")
    assert page.walkthrough.step("output").rows[0][2] == number(risk)
    assert page.batch_step.loss == pytest.approx(loss, abs=1e-12)
    assert view.edge(2, 0, 0).weight == page.editor.spin.value()
    # The gradients follow the edited weights too.
    grads_w, _ = edited.gradients(Z, y)
    np.testing.assert_allclose(view.gradients[1], grads_w[1], rtol=1e-12, atol=1e-15)
    # Said clearly; the trained model (Results, Predict, saved files) is untouched.
    assert page.edit_banner.isVisible()
    assert "1 weight changed by hand" in page.edit_label.text()
    assert "the trained model" in page.edit_label.text() and "is unchanged" in page.edit_label.text()
    assert page.model is model and page.shown_model is not model
    for now, before in zip(model.network_.coefs_, trained_w2, strict=True):
        np.testing.assert_array_equal(now, before)

    # The reset puts the trained value back, and the page shows the trained model again.
    qtbot.mouseClick(page.editor.reset_button, Qt.MouseButton.LeftButton)
    assert page.shown_model is model and page.edits == {}
    assert not page.edit_banner.isVisible()
    trained_risk = float(model.predict_risk(patient)[0])
    assert page.risk == pytest.approx(trained_risk, abs=1e-12)
    assert page.editor.spin.value() == pytest.approx(float(model.network_.coefs_[1][0, 0]), abs=1e-4)
    assert view.edge(2, 0, 0).weight == float(model.network_.coefs_[1][0, 0])


def test_click_the_output_unit_to_edit_its_bias_and_put_all_back(page, result, heart, qtbot):
    model = result.model
    view = page.network_view
    output = view.node_position(2, 0)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=output.toPoint())
    assert page.editor.element == ("b", 2, 0)
    assert "the bias b2 of the output" in page.editor.label.text()
    page.editor.spin.setValue(-5.0)
    z = float(model.network_.decision_function(model.transform(heart.row(0)))[0])
    z_edited = z - float(model.network_.intercepts_[1][0]) - 5.0
    assert page.risk == pytest.approx(1 / (1 + np.exp(-z_edited)), abs=1e-9)
    page.edit(("w", 1, 0, 0), 1.0)  # and a weight of the first layer
    assert "1 weight and 1 bias changed by hand" in page.edit_label.text()
    assert page.learning_step.values["b2"][0] == -5.0  # the backward walk-through uses the copy too
    qtbot.mouseClick(page.reset_all_button, Qt.MouseButton.LeftButton)
    assert page.edits == {} and page.shown_model is model
    assert page.risk == pytest.approx(float(model.predict_risk(heart.row(0))[0]), abs=1e-12)


def test_a_new_model_drops_the_edits_and_inputs_are_not_editable(page, result, qtbot):
    page.edit(("w", 1, 0, 0), 3.0)
    assert page.edits
    view = page.network_view
    assert view.element_at(view.node_position(0, 0)) is None  # an input unit has no bias
    with qtbot.assertNotEmitted(view.element_clicked):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.node_position(0, 0).toPoint())
    page.set_model(result.model)
    assert page.edits == {} and not page.edit_banner.isVisible()
    assert page.shown_model is result.model


def test_typing_the_trained_value_as_shown_is_no_edit(page, result, qtbot):
    """The box shows four decimals: typing the trained value as it reads there must not make an
    'edited copy' that differs from the trained network by less than the box can show."""
    page.select_element(("w", 2, 3, 0))
    trained = float(result.model.network_.coefs_[1][3, 0])
    page.editor.spin.setValue(trained + 1.0)
    assert page.edit_banner.isVisible()
    page.editor.spin.setValue(round(trained, 4))
    assert page.edits == {} and not page.edit_banner.isVisible()
    assert page.shown_model is result.model
    assert not page.editor.reset_button.isEnabled()


def test_gradient_lines_are_not_faded_by_the_patient_s_switched_off_units(page, heart):
    """Weights drawn: lines out of a unit the patient switched off fade. Gradients drawn are the batch's,
    not this patient's: a large gradient out of such a unit is drawn at full strength."""
    view = page.network_view
    page.set_patient(heart.row(40))
    page.gradients_box.setChecked(True)
    off = [j for j, a in enumerate(view.activations[0]) if a <= 0]
    into_output = [e for e in view.edges if e.layer == 2]
    largest = max(abs(view.drawn_value(e)) for e in into_output)
    strong_off = [e for e in into_output if e.source in off and abs(view.drawn_value(e)) >= 0.5 * largest]
    assert strong_off, "this patient has no switched-off unit with a large gradient to check"
    for edge in strong_off:
        colour = _pixel(view, _isolated_point(edge))
        assert abs(colour.red() - colour.blue()) > 60, (edge, colour.name())  # not the faint 15 % shade


def test_in_the_window_an_edit_never_reaches_the_trained_model(window, open_file, heart_dat, qtbot):
    """Results, Predict and a saved file use the window's model: an edit on Inside changes only the
    page's copy, and Predict's risk for the same patient stays the trained model's."""
    from heartgui.gui.main_window import PAGE_NETWORK, PAGE_PREDICT

    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=40))
    model = window.model
    trained = [w.copy() for w in [*model.network_.coefs_, *model.network_.intercepts_]]
    predict_risk = window.predict_page.risk
    window.show_page(PAGE_NETWORK)
    page = window.network_page
    qtbot.waitUntil(lambda: page.risk is not None)
    page.select_element(("b", 2, 0))  # the output's bias: it moves every patient's risk
    page.editor.spin.setValue(page.editor.spin.value() + 4.0)
    assert page.edits and page.edit_banner.isVisible()
    assert page.risk != pytest.approx(predict_risk, abs=1e-6)  # the copy's risk moved
    assert window.model is model and page.model is model
    for now, before in zip([*model.network_.coefs_, *model.network_.intercepts_], trained, strict=True):
        np.testing.assert_array_equal(now, before)
    window.show_page(PAGE_PREDICT)
    assert window.predict_page.risk == predict_risk
    assert float(model.predict_risk(window.predict_page.patient)[0]) == pytest.approx(predict_risk, abs=1e-12)
