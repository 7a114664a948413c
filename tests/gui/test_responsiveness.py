"""The window stays responsive while a long training runs on the worker thread.

This asserts responsiveness, not speed: a 10 ms timer in the UI thread must never wait more than 100 ms
between two ticks during a 20,000-epoch run with the plot drawing live (the figure seen is recorded as
the test property ``largest_gap_ms`` and printed).
"""

from __future__ import annotations

import pytest

from heartgui.core.presets import RECOMMENDED
from heartgui.gui.main_window import PAGE_TRAIN
from tests.gui.heartbeat import Heartbeat


@pytest.mark.slow
def test_heartbeat_during_a_long_training(window, open_file, heart_dat, qtbot, record_property):
    open_file(window, heart_dat)
    window.train_page.set_settings(RECOMMENDED.replace(epochs=20_000))
    # As a student does: go to the Train page (its plot is drawn at its final size), then press F5.
    plot = window.train_page.plot
    draws = []
    plot.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    window.show_page(PAGE_TRAIN)
    qtbot.waitUntil(lambda: len(draws) > 0, timeout=10_000)
    # A window that has been open a moment: scikit-learn loaded in the background and the Results,
    # Predict and Inside pages built (a few hundred milliseconds of start-up work, not training).
    qtbot.waitUntil(lambda: window.model_pages_built, timeout=30_000)
    # The finished result is shown afterwards; that is not training.
    heartbeat = Heartbeat(counting=lambda: window.training)
    with heartbeat.running(), qtbot.waitSignal(window.training_finished, timeout=120_000) as blocker:
        window.start_action.trigger()
    result = blocker.args[0]
    assert result.epochs_run == 20_000
    assert len(window.train_page.plot.train_line.get_xdata()) == 20_000
    assert len(heartbeat.gaps) > 20  # the timer really ran during training
    heartbeat.check(record_property, "training")
