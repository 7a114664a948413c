"""The Inside page's decision surface: the risk over two findings, drawn from core.surface on heart.dat."""

from __future__ import annotations

import numpy as np
import pytest

from heartgui.core.presets import RECOMMENDED
from heartgui.core.surface import decision_surface
from heartgui.core.training import train
from heartgui.gui.pages.inside.page import TAB_SURFACE
from heartgui.gui.widgets.surface_plot import SurfacePlot
from tests.gui.hosting import inside_page


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result, heart):
    page, host = inside_page(
        qtbot, result, heart.row(40)
    )  # a patient near the threshold: the contour crosses the grid
    yield page
    host.close()  # freed here, not by the cyclic garbage collector mid-paint


def _expected(result, patient, x="age", y="thalach"):
    model = result.model
    X_fit, y_fit = model.fit_part(result.split.X_train, result.split.y_train)
    return decision_surface(model, patient, x, y, training=X_fit.reset_index(drop=True), outcomes=y_fit)


def _show_surface(page, qtbot) -> SurfacePlot:
    plot = page.surface.plot
    page.tabs.setCurrentIndex(TAB_SURFACE)
    qtbot.waitUntil(lambda: plot.surface is not None)
    return plot


def test_the_surface_is_drawn_when_its_tab_is_shown(page, result, heart, qtbot):
    plot = page.surface.plot
    assert plot.surface is None  # not computed while its tab is hidden
    plot = _show_surface(page, qtbot)
    expected = _expected(result, heart.row(40))
    assert plot.features == ("age", "thalach")
    np.testing.assert_allclose(np.asarray(plot.mesh.get_array()).ravel(), expected.risk.ravel() * 100)
    assert plot.mesh.norm.vmin == 0 and plot.mesh.norm.vmax == 100
    assert "%" in plot.colorbar.ax.get_ylabel()
    # The patient as a star at their age and heart rate, and the similar training patients as dots.
    patient = heart.row(40)
    np.testing.assert_array_equal(np.ravel(plot.star.get_data()), [patient["age"], patient["thalach"]])
    sick = expected.similar["outcome"].to_numpy() == 1
    for outcome, keep in ((1, sick), (0, ~sick)):
        offsets = plot.dots[outcome].get_offsets()
        np.testing.assert_array_equal(offsets[:, 0], expected.similar["age"].to_numpy()[keep])
        np.testing.assert_array_equal(offsets[:, 1], expected.similar["thalach"].to_numpy()[keep])
    # The threshold contour crosses the grid for this patient, at the model's threshold.
    assert expected.risk.min() < result.model.threshold < expected.risk.max()
    assert plot.contour is not None and list(plot.contour.levels) == [result.model.threshold * 100]
    sentence = plot.sentence.text()
    assert f"(the star, {expected.patient_risk * 100:.1f}\u00a0%)" in sentence
    assert f"the {len(expected.similar)} training patients most similar" in sentence
    assert f"{expected.patient_risk * 100:.1f} %" in page.status_label.text()


def test_a_new_patient_updates_the_artists_in_place(page, result, heart, qtbot):
    plot = _show_surface(page, qtbot)
    mesh, star, draws = plot.mesh, plot.star, plot.draw_count
    page.set_patient(heart.row(7))
    expected = _expected(result, heart.row(7))
    assert plot.mesh is mesh and plot.star is star and plot.draw_count == draws
    assert plot.update_count >= 1
    np.testing.assert_allclose(np.asarray(plot.mesh.get_array()).ravel(), expected.risk.ravel() * 100)
    np.testing.assert_array_equal(
        np.ravel(plot.star.get_data()), [heart.row(7)["age"], heart.row(7)["thalach"]]
    )


def test_other_features_and_a_coded_one_take_their_answers(page, result, heart, qtbot):
    plot = _show_surface(page, qtbot)
    draws = plot.draw_count
    with qtbot.waitSignal(plot.features_changed, timeout=2_000):
        plot.y_combo.setCurrentIndex(plot.y_combo.findData("thal"))
    qtbot.waitUntil(lambda: plot.surface.y_feature == "thal")
    assert plot.draw_count == draws + 1
    expected = _expected(result, heart.row(40), "age", "thal")
    np.testing.assert_allclose(np.asarray(plot.mesh.get_array()).ravel(), expected.risk.ravel() * 100)
    # One row per answer (3, 6, 7), labelled in words; the patient on the row of their answer.
    assert [t.get_text() for t in plot.axes.get_yticklabels()] == [
        "normal",
        "fixed defect",
        "reversible defect",
    ]
    answer = list(expected.y_values).index(heart.row(40)["thal"])
    assert np.ravel(plot.star.get_data())[1] == answer
    rows = plot.dots[1].get_offsets()[:, 1]
    assert np.all(np.abs(rows - np.round(rows)) <= 0.2)  # dots spread around their answer's row
    # The same feature twice is refused in words.
    plot.x_combo.setCurrentIndex(plot.x_combo.findData("thal"))
    assert plot.surface is None and "two different findings" in plot.sentence.text()


def test_an_edited_weight_changes_the_surface(page, result, heart, qtbot):
    plot = _show_surface(page, qtbot)
    before = np.asarray(plot.mesh.get_array()).copy()
    page.edit(("b", 2, 0), float(result.model.network_.intercepts_[1][0]) + 1.0)
    after = np.asarray(plot.mesh.get_array())
    assert np.all(after.ravel() >= before.ravel()) and np.any(after.ravel() > before.ravel())
    expected = decision_surface(page.shown_model, heart.row(40), "age", "thalach")
    np.testing.assert_allclose(after.ravel(), expected.risk.ravel() * 100)


def test_the_threshold_chosen_on_results_is_the_contour_when_the_page_is_shown_again(
    page, result, heart, qtbot
):
    """Results changes the trained model's threshold in place (MainWindow._on_threshold_changed); the
    surface, even of an edited copy made before, draws the threshold the model has when it is shown."""
    plot = _show_surface(page, qtbot)
    model = result.model
    old = model.threshold
    page.edit(("b", 2, 0), float(model.network_.intercepts_[1][0]) + 0.5)
    try:
        page.window().hide()
        model.set_params(threshold=0.35)
        page.window().show()
        qtbot.waitUntil(lambda: plot.threshold == pytest.approx(0.35))
        assert list(plot.contour.levels) == [pytest.approx(35.0)]
        assert "threshold 35 %" in plot.sentence.text()
    finally:
        model.set_params(threshold=old)


def test_a_training_does_not_empty_the_hidden_surface_until_it_is_shown(window, open_file, heart_dat, qtbot):
    """A new training's first report tells the Inside page "training…": emptying the hidden surface's
    axes there rebuilt their ticks on the UI thread (25-80 ms, the heartbeat's gaps at its first ticks)."""
    from heartgui.gui.main_window import PAGE_NETWORK, PAGE_TRAIN

    open_file(window, heart_dat)
    window.train_page.set_settings(RECOMMENDED.replace(epochs=50))
    window.show_page(PAGE_TRAIN)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_action.trigger()
    window.show_page(PAGE_NETWORK)
    plot = _show_surface(window.network_page, qtbot)  # drawn for the first model
    window.show_page(PAGE_TRAIN)
    cleared = []
    original = plot.axes.clear
    plot.axes.clear = lambda: (cleared.append(True), original())[1]
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_action.trigger()
    assert not cleared and plot.surface is None  # the message is waiting for the page to be shown
    window.show_page(PAGE_NETWORK)
    qtbot.waitUntil(lambda: plot.surface is not None, timeout=10_000)  # the new model's surface
    assert cleared
