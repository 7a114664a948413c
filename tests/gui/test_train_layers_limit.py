"""The Train page refuses a network too large to train, before a worker starts, with the reason under
the hidden-layers field (5 × 9999 units once asked for 3 GB and ended in a MemoryError after 22 s)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from heartgui.core.network import MAX_PARAMETERS, MAX_TRAINING_MB
from heartgui.core.presets import RECOMMENDED

HUGE = "9999, 9999, 9999, 9999, 9999"


def type_layers(qtbot, page, text: str) -> None:
    page.layers.selectAll()
    qtbot.keyClick(page.layers, Qt.Key.Key_Delete)
    qtbot.keyClicks(page.layers, text)


def test_a_huge_network_is_refused_next_to_the_field(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    window.show_page(1)
    page = window.train_page
    type_layers(qtbot, page, HUGE)
    assert page.layers.hasAcceptableInput()  # the field takes it; the size is what is refused
    assert not page.start_button.isEnabled()
    assert page.layers_problem.isVisible()
    assert f"{MAX_PARAMETERS:,}" in page.layers_problem.text()
    assert "too large" in page.hint.text()
    # F5 (the window's Start action) refuses too: no worker is started.
    jobs = set(window._jobs)  # (the background import of scikit-learn may be running)
    window.start_action.trigger()
    assert not window.training and set(window._jobs) <= jobs
    assert f"{MAX_PARAMETERS:,}" in window.statusBar().currentMessage()
    # So does a direct call with such settings (start_requested from elsewhere).
    window.start_training(RECOMMENDED.replace(hidden_layers=(9999,) * 5))
    assert not window.training and set(window._jobs) <= jobs

    type_layers(qtbot, page, "16, 8")
    assert page.layers_problem.isHidden()
    assert page.start_button.isEnabled()


def test_the_tooltip_says_the_limits(window):
    tip = window.train_page.layers.toolTip()
    assert f"{MAX_PARAMETERS:,} weights" in tip and f"{MAX_TRAINING_MB} MB" in tip


def test_the_memory_limit_depends_on_the_file(window, qtbot):
    page = window.train_page
    type_layers(qtbot, page, "2000")
    assert page.layers_problem.isHidden()  # 28,001 weights; no file yet
    page.set_dataset_rows(200_000)
    assert not page.layers_problem.isHidden() and f"{MAX_TRAINING_MB} MB" in page.layers_problem.text()
    assert "200,000 patients" in page.layers_problem.text()
