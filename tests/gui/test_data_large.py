"""The window opening a 50,000-row data file stays responsive, and shows the file as it shows a small one.

The file is heart.dat's rows drawn at random (seeded), written to the test's folder. Opening a
200,000-row file held the window up to 1.8 s (bench/bench_large_input.py): the medians and category
counts were computed on the UI thread, the loader held the interpreter for 100-200 ms at a time (one
pandas call on the whole file, then freeing its 2.8 million text cells at once), and the model pages
were built in the middle of the load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from heartgui.core import schema
from heartgui.core.dataset import load_dataset
from heartgui.gui.collector import MainThreadCollector
from tests.gui.heartbeat import Heartbeat

ROWS = 50_000


@pytest.fixture(scope="module")
def big_dat(tmp_path_factory, heart_dat) -> Path:
    rows = [line for line in heart_dat.read_text().splitlines() if line.strip()]
    picks = np.random.default_rng(11).integers(0, len(rows), ROWS)
    path = tmp_path_factory.mktemp("large") / "heart-50k.dat"
    path.write_text("\n".join(rows[i] for i in picks) + "\n")
    return path


@pytest.mark.slow
def test_opening_a_large_data_file_keeps_the_window_responsive(qtbot, window, big_dat, record_property):
    # The window as a student has it a few seconds after start: its pages built, their plots drawn.
    qtbot.waitUntil(lambda: window.model_pages_built, timeout=60_000)
    for _ in range(3):
        QApplication.processEvents()
    collector = MainThreadCollector(window)  # the garbage collector runs as in the app (heartgui.gui.app)
    heartbeat = Heartbeat()
    try:
        with heartbeat.running():
            with qtbot.waitSignal(window.dataset_loaded, timeout=120_000) as blocker:
                window.open_data(big_dat)
            page = window.data_page
            page.preview.viewport().repaint()  # the table's first paint counts too
            ticks = len(heartbeat.gaps)
            qtbot.waitUntil(lambda: len(heartbeat.gaps) > ticks + 2, timeout=5_000)
    finally:
        collector.stop()
    dataset = blocker.args[0]
    assert dataset.n_rows == ROWS == page.preview_model.rowCount()
    assert len(heartbeat.gaps) > 20
    heartbeat.check(record_property, f"opening a {ROWS:,}-row data file")


def test_a_large_file_is_shown_as_loaded(qtbot, window, open_file, big_dat, heart_dat):
    dataset = open_file(window, big_dat)
    page = window.data_page
    # Every patient, each row headed by its file line; cells formatted as the small file's are.
    model = page.preview_model
    assert model.rowCount() == ROWS
    last = model.index(ROWS - 1, 0)
    assert model.headerData(ROWS - 1, Qt.Orientation.Vertical) == str(ROWS)
    assert model.data(last, Qt.ItemDataRole.UserRole) == dataset.X.iloc[-1, 0]
    # The Features tab: the file's medians and counts (computed by the loader worker).
    summary = page.summary_model
    age = schema.FEATURE_NAMES.index("age")
    tooltip = summary.data(summary.index(age, 1), Qt.ItemDataRole.ToolTipRole)
    assert float(tooltip.rsplit(": ", 1)[1]) == float(np.median(dataset.X["age"]))
    sex = schema.FEATURE_NAMES.index("sex")
    counts = {c.code: c.count for c in summary.counts(sex)}
    assert counts == {code: int((dataset.X["sex"] == code).sum()) for code in (0, 1)}
    assert sum(counts.values()) == ROWS
    # The same rows as a fresh load of the file, which has heart.dat's rows only.
    again = load_dataset(big_dat)
    np.testing.assert_array_equal(dataset.X.to_numpy(), again.X.to_numpy())
    small = load_dataset(heart_dat)
    assert set(map(tuple, dataset.X.to_numpy())) <= set(map(tuple, small.X.to_numpy()))


def test_the_model_pages_are_not_built_while_a_file_loads(qtbot, window, big_dat):
    if window.model_pages_built:
        pytest.skip("the model pages were built before the file could be opened")
    built_while_loading: list[bool] = []

    def look() -> None:
        if window._load_run is not None:
            built_while_loading.append(window.model_pages_built)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(look)
    timer.start()
    with qtbot.waitSignal(window.dataset_loaded, timeout=120_000):
        window.open_data(big_dat)
        # The background imports end during the load (as they did when a file was opened at once).
        window._on_background_imports_done(0, None)
    timer.stop()
    assert len(built_while_loading) > 5 and not any(built_while_loading)
    qtbot.waitUntil(lambda: window.model_pages_built, timeout=10_000)  # once the file is shown
