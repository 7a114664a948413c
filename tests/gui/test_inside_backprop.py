"""The Inside page's backward walk-through: one step of learning, its tables equal to the network's own
training gradients (the training loop's code, not the walk-through's), on networks trained on heart.dat."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from heartgui.core.network import MLP
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import train
from heartgui.gui.main_window import PAGE_NETWORK
from heartgui.gui.pages.inside.learning import BATCH, PATIENT
from heartgui.gui.pages.network_page import NetworkPage
from heartgui.gui.widgets.backprop_view import PATIENT_ROWS, gradient_number, precise_number
from tests.gui.hosting import inside_page, shown

VALIDATION = RECOMMENDED.replace(validation_fraction=0.25, patience=None, epochs=120)


@pytest.fixture(scope="module", params=["recommended", "tutorial", "validation-split"])
def result(request, heart):
    settings = {"recommended": RECOMMENDED, "tutorial": TUTORIAL, "validation-split": VALIDATION}
    return train(heart, settings[request.param])


@pytest.fixture
def page(qtbot, result, heart):
    page, host = inside_page(qtbot, result, heart.row(0))
    page.side_tabs.setCurrentIndex(1)
    yield page
    host.close()  # freed here, not by the cyclic garbage collector mid-paint


def _fit_rows(result):
    model = result.model
    X_fit, y_fit = model.fit_part(result.split.X_train, result.split.y_train)
    return X_fit, y_fit, model.transform(X_fit)


def _cross_entropy(y, p):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _matrix_rows(step, gradient_w, gradient_b):
    """The table rows of a dl_wrt_w step: one per source unit, then the bias row."""
    rows = step.rows
    assert len(rows) == gradient_w.shape[0] + 1
    for i in range(gradient_w.shape[0]):
        assert rows[i][1:] == tuple(gradient_number(v) for v in gradient_w[i]), (step.key, i)
    assert rows[-1][0].startswith("bias b")
    assert rows[-1][1:] == tuple(gradient_number(v) for v in np.ravel(gradient_b))


def test_batch_step_is_the_network_s_training_gradient_on_the_rows_it_learnt_from(page, result):
    model = result.model
    X_fit, y_fit, Z = _fit_rows(result)
    assert page.learning.mode == BATCH
    step = page.learning_step
    assert step is page.batch_step and step.n_patients == len(X_fit)
    if model.validation_fraction:
        # The network never learnt from the validation part: the batch is the fit part only.
        assert len(X_fit) < len(result.split.X_train)
        assert "held back for validation" in page.learning.note.text()
    # The gradients of the training loop itself (MLP.gradients), independent of backward_pass.
    grads_w, grads_b = model.network_.gradients(Z, y_fit)
    view = page.learning.view
    for k in (1, 2):
        _matrix_rows(view.step(f"dl_wrt_w{k}"), grads_w[k - 1], grads_b[k - 1])
    text = view.toPlainText()
    if model.gradient == "mean":
        assert f"are averaged (summed, then × 1/{len(X_fit)}" in text
        assert f"plus the L2 term {model.l2:g}·W1" in text
    else:
        assert "are summed (as in the tutorial" in text
        assert "L2 term" not in text

    # The output's error for the first patients: y, ŷ and dL/dZ2 = ŷ − y (no clipping here).
    risk = model.predict_risk(X_fit)
    rows = view.step("output_error").rows
    assert len(rows) == PATIENT_ROWS
    for i, row in enumerate(rows):
        assert row[1] == f"{y_fit[i]:g}"
        assert row[2] == gradient_number(risk[i])
        assert row[5] == row[6] == gradient_number(risk[i] - y_fit[i])
        assert row[3] == gradient_number((1 - y_fit[i]) / (1 - risk[i]) - y_fit[i] / risk[i])
    assert "the last two columns agree" in text

    # The ReLU gate: for each hidden unit, how many training patients pass the gradient back.
    z1 = model.network_.forward_steps(Z)[0][0]
    gate = view.step("relu_gate1").rows
    assert [row[1] for row in gate] == [f"{int((z1[:, j] > 0).sum())} of {len(X_fit)}" for j in range(8)]

    # The update and the loss before and after, recomputed from the training gradients.
    rate = model.learning_rate
    new_w = [w - rate * g for w, g in zip(model.network_.coefs_, grads_w, strict=True)]
    new_b = [b - rate * g for b, g in zip(model.network_.intercepts_, grads_b, strict=True)]
    after = MLP.from_weights(new_w, new_b).predict_proba(Z)[:, 1]
    loss = view.step("loss").rows[0]
    assert loss[0] == precise_number(_cross_entropy(y_fit, risk))
    assert loss[1] == precise_number(_cross_entropy(y_fit, after))
    update = view.step("update").rows
    assert len(update) == 12
    olds = np.concatenate([*(w.ravel() for w in model.network_.coefs_), *model.network_.intercepts_])
    news = np.concatenate([*(w.ravel() for w in new_w), *new_b])
    # (weights first, then biases, in the same order for moves, olds and news)
    moves = np.concatenate([np.abs(rate * g).ravel() for g in grads_w] + [np.abs(rate * g) for g in grads_b])
    biggest = int(np.argmax(moves))
    assert update[0][1] == precise_number(olds[biggest])
    assert update[0][4] == precise_number(news[biggest])
    assert f"learning rate {gradient_number(rate)}" in view.step("update").title
    assert (
        f"Training loss at these weights (mean cross-entropy on the {len(X_fit)} training patients)"
        in page.status_label.text()
    )


def test_a_training_patient_learns_its_recorded_diagnosis(page, result, qtbot):
    model = result.model
    X_fit, y_fit, Z = _fit_rows(result)
    row = 3
    page.set_patient({name: float(v) for name, v in X_fit.iloc[row].items()})
    qtbot.mouseClick(page.learning.patient_button, Qt.MouseButton.LeftButton)
    assert page.learning.mode == PATIENT
    step = page.learning_step
    assert step.n_patients == 1
    assert f"training patient {row + 1} (of {len(X_fit)})" in page.learning.note.text()
    assert not page.learning.diagnosis.isEnabled()
    assert page.learning.chosen_diagnosis == int(y_fit[row])
    # A step from this patient alone: the training loop's gradient on a batch of this one row.
    grads_w, grads_b = model.network_.gradients(Z[row : row + 1], y_fit[row : row + 1])
    for k in (1, 2):
        _matrix_rows(page.learning.view.step(f"dl_wrt_w{k}"), grads_w[k - 1], grads_b[k - 1])
    out = page.learning.view.step("output_error").rows
    assert out == (out[0],) and out[0][0] == "this patient" and out[0][1] == f"{y_fit[row]:g}"


def test_a_patient_without_a_known_diagnosis_learns_the_one_chosen(page, result, qtbot):
    model = result.model
    patient = {name: float(v) for name, v in result.split.X_test.iloc[0].items()}
    page.set_patient(patient)
    page.learning.set_mode(PATIENT)
    assert "not one of the patients the network learnt from" in page.learning.note.text()
    assert page.learning.diagnosis.isEnabled()
    risk = float(model.predict_risk(patient)[0])
    x = model.transform(patient)
    for y in (0, 1):
        with qtbot.waitSignal(page.learning.choice_changed, timeout=2_000):
            page.learning.diagnosis.setCurrentIndex(page.learning.diagnosis.findData(y))
        out = page.learning.view.step("output_error").rows[0]
        assert out[1] == f"{y:g}"
        assert out[5] == gradient_number(risk - y)  # dL/dZ2 = ŷ − y: the sign says which way to learn
        grads_w, _ = model.network_.gradients(x, np.array([y]))
        assert page.learning.view.step("dl_wrt_w2").rows[0][1] == gradient_number(grads_w[1][0, 0])
        label = "disease present" if y else "no disease"
        assert f"the step learns the one chosen above, {label}" in page.learning.note.text()
    # Back to the batch: the batch's step again.
    page.learning.set_mode(BATCH)
    assert page.learning_step is page.batch_step


def test_without_training_patients_the_batch_walk_through_says_why(qtbot, result, heart):
    page = NetworkPage()
    _host = shown(qtbot, page)
    page.set_model(result.model)  # as after File → Open model: no training patients
    page.set_patient(heart.row(0))
    assert page.batch_step is None
    assert "not known here" in page.learning.view.toPlainText()
    page.learning.set_mode(PATIENT)  # the patient alone still works
    assert page.learning_step is not None and page.learning_step.n_patients == 1


def test_the_window_gives_the_inside_page_the_training_batch(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(RECOMMENDED.replace(epochs=40))
    result = blocker.args[0]
    window.show_page(PAGE_NETWORK)
    page = window.network_page
    qtbot.waitUntil(lambda: page.batch_step is not None)
    assert page.batch_step.n_patients == len(result.split.X_train)
    np.testing.assert_array_equal(page.batch_step["W1"], result.model.network_.coefs_[0])
    _, y_fit, Z = _fit_rows(result)
    grads_w, _ = result.model.network_.gradients(Z, y_fit)
    np.testing.assert_allclose(page.batch_step["dl_wrt_w1"], grads_w[0], rtol=1e-12, atol=1e-15)


def test_a_saturated_network_is_not_blamed_on_the_learning_rate(qtbot, heart):
    """Weights edited to extremes make risks of 0 or 1: the tutorial's clip cuts the gradient there, so
    the walk-through must say so rather than blame the learning rate, and never print a negative loss."""
    result = train(heart, TUTORIAL)
    page = NetworkPage()
    _host = shown(qtbot, page)
    page.set_model(result.model)
    page.set_training_data(result.split.X_train, result.split.y_train)
    page.set_patient(heart.row(0))
    for element in [("b", 2, 0)] + [("w", 1, i, j) for i in range(3) for j in range(8)]:
        page.edit(element, -50.0)
    step = page.learning_step
    assert step.clipping_active and step.loss_after >= step.loss
    view = page.learning.view
    sentence = view.step("loss").sentence
    assert "learning rate is too large" not in sentence
    assert "within the clip (1e-10) of 0 or 1" in sentence
    assert "compare the last two columns" in view.step("output_error").sentence
    for element in [("b", 2, 0)] + [("w", 1, i, j) for i in range(3) for j in range(8)]:
        page.edit(element, 50.0)
    page.learning.set_mode(PATIENT)  # a patient the network is now sure of: its loss rounds to 0
    title = page.learning.view.step("output_error").title
    assert "−0.000000" not in title and "-0.000000" not in title


def test_the_status_says_why_its_loss_differs_from_the_train_page_s(page, result):
    """The page's loss is at the final weights; the Train page's last figure is where the last epoch
    started (before its update): replaying training to that epoch gives exactly the Train page's number."""
    from heartgui.core.backprop import step_at_epoch

    _, y_fit, Z = _fit_rows(result)
    assert "the Train page's final loss is measured before the last update" in page.status_label.text()
    last = step_at_epoch(result.model._network(), Z, y_fit, result.epochs_run)
    assert last.loss == pytest.approx(result.final_train_loss, abs=1e-12)
    assert last.loss_after == pytest.approx(page.batch_loss, abs=1e-12)
    assert f"<b>{page.batch_loss:.5f}</b>" in page.status_label.text()


def test_a_walk_through_behind_its_tab_is_laid_out_when_the_tab_is_shown(page, heart):
    """Tables reach a hidden walk-through at once (its steps) but are laid out (~20 ms) when it is shown."""
    page.side_tabs.setCurrentIndex(0)
    page.learning.set_mode(PATIENT)
    step = page.learning_step
    title = page.learning.view.step("output_error").title
    assert step.n_patients == 1 and _loss_text(step.loss) in title
    assert title not in page.learning.view.toPlainText()  # not laid out behind the forward tab
    page.side_tabs.setCurrentIndex(1)
    assert title in page.learning.view.toPlainText()


def _loss_text(loss):
    return precise_number(max(loss, 0.0))
