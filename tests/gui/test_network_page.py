"""The "Inside the network" page: the drawing and the walk-through, with networks trained on heart.dat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from heartgui.core.explain import walk_through
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.training import TrainingSession, train
from heartgui.gui.pages.network_page import NetworkPage
from heartgui.gui.widgets.network_view import NetworkView, column_label, number
from heartgui.gui.widgets.walkthrough_view import raw_number
from tests.gui.hosting import shown

SHOTS = Path("/tmp/heartgui-shots")


@pytest.fixture(scope="module", params=["recommended-20-8-1", "tutorial-13-8-1", "two-layers-20-16-8-1"])
def result(request, heart):
    settings = {
        "recommended-20-8-1": RECOMMENDED,
        "tutorial-13-8-1": TUTORIAL,
        "two-layers-20-16-8-1": RECOMMENDED.replace(hidden_layers=(16, 8), epochs=200),
    }[request.param]
    return train(heart, settings)


@pytest.fixture
def page(qtbot, result, heart):
    page = NetworkPage()
    host = shown(qtbot, page)
    page.set_model(result.model)
    page.set_patient(heart.row(0))
    yield page
    host.close()  # freed here, not by the cyclic garbage collector mid-paint


def _hue_side(colour: QColor) -> str:
    """'orange' when red dominates blue, 'blue' when blue dominates red."""
    return "orange" if colour.red() > colour.blue() else "blue"


def test_one_node_per_unit_and_one_edge_per_weight(page, result):
    view = page.network_view
    net = result.model.network_
    sizes = [net.coefs_[0].shape[0], *(w.shape[1] for w in net.coefs_)]
    assert [len(layer) for layer in view.nodes] == sizes
    assert len(view.edges) == sum(w.size for w in net.coefs_)
    for layer, w in enumerate(net.coefs_, start=1):
        for source, target in [(0, 0), (w.shape[0] - 1, w.shape[1] - 1)]:
            assert view.edge(layer, source, target).weight == w[source, target]
    labels = [node.label for node in view.nodes[0]]
    assert labels == [column_label(n) for n in result.model.feature_names_out_]
    if result.model.one_hot:
        assert "Chest pain type: asymptomatic" in labels
    assert view.nodes[-1][0].label == "Risk"


def test_edge_colours_follow_the_weight_sign(page, qtbot):
    view = page.network_view
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    last = [e for e in view.edges if e.layer == len(view.layer_sizes) - 1]
    checked = 0
    for edge in (max(last, key=lambda e: e.weight), min(last, key=lambda e: e.weight)):
        if abs(edge.weight) < 0.3 * max(abs(e.weight) for e in last):
            continue  # too thin and faint to sample reliably
        middle = (edge.start + edge.end) / 2
        pixel = image.pixelColor(int(middle.x() * ratio), int(middle.y() * ratio))
        assert _hue_side(pixel) == ("orange" if edge.weight > 0 else "blue"), (edge, pixel.name())
        checked += 1
    assert checked >= 1


def test_tooltips_show_weights_biases_and_activations(page, result, heart):
    view = page.network_view
    steps = walk_through(result.model, heart.row(0))
    hidden = view.node_position(1, 0)
    text = view.tooltip_at(hidden)
    assert f"Bias b = {number(result.model.network_.intercepts_[0][0])}" in text
    assert f"Z = {number(steps.layers[0].z[0])}" in text
    if steps.layers[0].a[0] <= 0:
        assert "switched off" in text
    output = view.node_position(len(view.layer_sizes) - 1, 0)
    assert f"{steps.risk * 100:.1f} %" in view.tooltip_at(output)
    assert view.tooltip_at(QPointF(2, 2)) == ""


def test_every_edge_has_its_own_tooltip_at_an_isolated_point(page):
    view = page.network_view
    out = [e for e in view.edges if e.layer == len(view.layer_sizes) - 1]
    edge = out[len(out) // 2]
    # Near the hidden end, lines into the single output unit are far apart.
    point = edge.start * 0.8 + edge.end * 0.2
    text = view.tooltip_at(point)
    assert f"w = {number(edge.weight)}" in text
    assert "to the output (risk)" in text


def test_walk_through_panel_shows_the_real_numbers(page, result, heart):
    patient = heart.row(0)
    steps = walk_through(result.model, patient)
    panel = page.walkthrough
    text = panel.toPlainText()
    scaled = panel.step("scaled").rows
    assert [row[1:] for row in scaled] == [
        (raw_number(v.name, v.raw), number(v.mean), number(v.sd), number(v.z)) for v in steps.scaled
    ]
    for layer in steps.layers[:-1]:
        rows = panel.step(f"layer{layer.index}").rows
        assert [row[2] for row in rows] == [number(z) for z in layer.z]
        assert [row[3] for row in rows] == [number(a) for a in layer.a]
        off = tuple(i + 1 for i, row in enumerate(rows) if row[4] == "switched off")
        assert off == layer.switched_off
        assert f"switched off for this patient: {', '.join(map(str, off)) or 'none'}" in text
        for z in layer.z:
            assert number(z) in text
    output = panel.step("output").rows[0]
    assert output[1] == number(steps.logit)
    assert output[2] == number(steps.risk)
    assert output[3] == f"{steps.risk * 100:.1f} %"
    assert f"{steps.risk * 100:.1f} %" in page.status_label.text()
    # The drawing shows the same patient.
    np.testing.assert_array_equal(page.network_view.inputs, steps.inputs)


def test_a_patient_sent_while_hidden_is_walked_through_when_shown(page, result, heart, qtbot):
    page.window().hide()
    page.set_patient(heart.row(5))
    before = number(walk_through(result.model, heart.row(0)).logit)
    assert page.walkthrough.step("output").rows[0][1] == before
    page.window().show()
    expected = number(walk_through(result.model, heart.row(5)).logit)
    qtbot.waitUntil(lambda: page.walkthrough.step("output").rows[0][1] == expected)


def test_weights_fed_during_a_real_training_repaint_throttled(qtbot, heart):
    page = NetworkPage()
    _host = shown(qtbot, page)
    view = page.network_view
    session = TrainingSession(heart, RECOMMENDED.replace(epochs=400))
    calls = 0
    for report in session.epochs():
        weights, biases = session.model.network_.snapshot()
        page.show_training_weights(weights, biases, epoch=report.epoch)
        calls += 1
    before = view.paint_count
    qtbot.waitUntil(lambda: view.paint_count > before)
    final = session.finish().model.network_
    np.testing.assert_array_equal(view.weights[0], final.coefs_[0])
    assert len(view.edges) == sum(w.size for w in final.coefs_)
    assert view.paint_count < calls / 10  # throttled: far fewer repaints than weight updates
    assert "appears when training has finished" in page.walkthrough.toPlainText()
    assert view.caption == "Weights after epoch 400"


def test_clear_and_no_model(qtbot):
    page = NetworkPage()
    _host = shown(qtbot, page)
    assert "Train page" in page.walkthrough.toPlainText()
    assert page.network_view.edges == []
    page.grab()  # paints the placeholder without error


def test_network_view_alone_takes_weights_without_names(qtbot, result):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    net = result.model.network_
    view.set_weights(net.coefs_, net.intercepts_)
    assert [node.label for node in view.nodes[0]] == [
        column_label(n) for n in result.model.feature_names_out_
    ]


def test_renders_at_1200_by_800(page, result):
    SHOTS.mkdir(exist_ok=True)
    sizes = "-".join(str(n) for n in page.network_view.layer_sizes)
    assert page.grab().save(str(SHOTS / f"network_{sizes}.png"))
    view = page.network_view
    # Every unit lies inside the drawing, below the titles and above the legend.
    line = view.fontMetrics().height()
    for layer in view.nodes:
        for node in layer:
            assert 2 * line < node.position.y() < view.height() - 2 * line
            assert 0 < node.position.x() < view.width()
