"""The Compare tab's three lessons of many networks: figures equal to the core's, Cancel, stale runs,
the heartbeat and a clean close, on small settings (3 folds, a few seeds or shuffles)."""

from __future__ import annotations

import numpy as np
import pytest

from heartgui.core.lessons import learning_curve, permutation_test, seed_lottery
from heartgui.core.presets import RECOMMENDED
from heartgui.core.training import train
from heartgui.gui.crossval_job import dataset_of_split
from heartgui.gui.pages.results import TAB_COMPARE, ResultsPage
from tests.gui.heartbeat import Heartbeat
from tests.gui.hosting import shown

TIMEOUT_MS = 120_000
FOLDS = 3


@pytest.fixture(scope="module")
def result(heart):
    return train(heart, RECOMMENDED)


@pytest.fixture
def page(qtbot, result):
    page = ResultsPage()
    page.host = shown(qtbot, page)
    page.show_result(result)
    page.tabs.setCurrentIndex(TAB_COMPARE)
    lessons = page.compare_view.lessons
    lessons.folds = FOLDS
    lessons.seeds = (1, 2, 3)
    lessons.fractions = (0.5, 1.0)
    lessons.permutations = 3
    yield page
    page.shutdown()
    assert not page.is_busy()


def _xs(collection) -> list[float]:
    return [float(x) for x in np.asarray(collection.get_offsets())[:, 0]]


def test_seed_lottery_shows_the_cores_figures(page, result, qtbot):
    box = page.compare_view.lessons.lottery
    assert box.plot.isHidden() and box.button.isEnabled()
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS) as blocker:
        assert box.start()
        assert not box.button.isEnabled() and box.cancel_button.isEnabled()
        assert not box.start()  # one run at a time
    core = seed_lottery(dataset_of_split(result.split), result.settings, (1, 2, 3), folds=FOLDS)
    shown_report = blocker.args[0]
    assert shown_report.seeds == core.seeds == (1, 2, 3)
    assert shown_report.costs == core.costs and shown_report.aucs == core.aucs
    costs, aucs = box.plot.strips
    assert _xs(costs) == list(core.costs) and _xs(aucs) == list(core.aucs)
    assert box.plot.sentence.text() == core.words()
    assert f"Your seed {result.settings.seed}" in box.plot.sentence.text()
    assert box.progress.value() == box.progress.maximum() == 3
    assert box.status.text() == "Done: 3 of 3 seeds."
    assert box.button.isEnabled() and not box.cancel_button.isEnabled() and not box.plot.isHidden()
    # Blitted during the run; plain artists once it ended, and the automatic layout after the final draw.
    assert not box.plot.running
    assert not any(artist.get_animated() for artist in (costs, aucs, *box.plot.marks))
    qtbot.waitUntil(lambda: type(box.plot.figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine")


def test_the_students_seed_joins_the_lottery_when_outside_it(page, heart, qtbot):
    other = train(heart, RECOMMENDED.replace(seed=77))
    page.show_result(other)
    box = page.compare_view.lessons.lottery
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS) as blocker:
        box.start()
    assert blocker.args[0].seeds == (1, 2, 3, 77)
    assert "Your seed 77" in box.plot.sentence.text()


def test_learning_curve_shows_the_cores_figures(page, result, qtbot):
    box = page.compare_view.lessons.curve
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS):
        box.start()
    core = learning_curve(dataset_of_split(result.split), result.settings, (0.5, 1.0), folds=FOLDS)
    lines = box.plot.lines
    for (label, method), line in lines.items():
        figures = core.auc if label == "ROC AUC" else core.cost
        assert list(line.get_ydata()) == list(figures[method])
        assert list(line.get_xdata()) == [core.n_train[f] for f in core.fractions]
    assert {method for _label, method in lines} == {"Neural network", "Logistic regression"}
    assert box.plot.sentence.text() == core.words()


def test_permutation_test_shows_the_cores_figures(page, result, qtbot):
    box = page.compare_view.lessons.chance
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS):
        box.start()
    core = permutation_test(dataset_of_split(result.split), result.settings, 3, folds=FOLDS)
    (dots,) = box.plot.strips
    assert _xs(dots) == list(core.shuffled_aucs)
    assert list(box.plot.real_line.get_xdata()) == [core.real_auc, core.real_auc]
    assert box.plot.sentence.text() == core.words()
    assert f"p = {core.p_value:.3g}" in box.plot.sentence.text()


def test_cancel_stops_within_a_few_reports_and_keeps_them(page, qtbot):
    lessons = page.compare_view.lessons
    lessons.seeds = tuple(range(1, 31))
    box = lessons.lottery
    with qtbot.waitSignal(box.progressed, timeout=TIMEOUT_MS):
        box.start()
    seen = len(box.latest.seeds)
    with qtbot.waitSignal(box.cancelled, timeout=TIMEOUT_MS):
        box.cancel()
    kept = box.latest
    assert seen <= len(kept.seeds) <= seen + 3 and not kept.complete
    assert box.plot.report is kept and len(box.plot.strips[0].get_offsets()) == len(kept.seeds)
    assert box.plot.sentence.text() == kept.words()
    assert box.status.text().startswith(f"Cancelled after {len(kept.seeds)} seed")
    assert box.button.isEnabled() and not box.cancel_button.isEnabled()
    assert box.progress.value() == len(kept.seeds)


def test_the_learning_curves_cancel_stops_inside_a_fold(page, qtbot):
    """Each fold trains 4 networks and 4 logistic regressions (~0.5 s): Cancel is seen within an epoch, so
    the run ends with the folds already reported, without waiting for the one that was running."""
    lessons = page.compare_view.lessons
    lessons.folds, lessons.fractions = 9, (0.25, 0.5, 0.75, 1.0)
    box = lessons.curve
    with qtbot.waitSignal(box.progressed, timeout=TIMEOUT_MS):
        box.start()
    seen = box.latest.folds_done
    with qtbot.waitSignal(box.cancelled, timeout=TIMEOUT_MS):
        box.cancel()
    assert seen <= box.latest.folds_done <= seen + 1 and not box.latest.complete
    assert box.status.text().startswith(f"Cancelled after {box.latest.folds_done} fold")


def test_a_stale_runs_reports_are_ignored(page, result, qtbot):
    lessons = page.compare_view.lessons
    lessons.seeds = tuple(range(1, 31))
    box = lessons.lottery
    with qtbot.waitSignal(box.progressed, timeout=TIMEOUT_MS) as blocker:
        box.start()
    old_run, old_report, job = box.run_id, blocker.args[0], box.job
    # Wait on the job's own signal, emitted in the UI thread once its thread has ended.
    with qtbot.waitSignal(job.done, timeout=TIMEOUT_MS):
        page.show_result(result)  # a new model: the old run's reports are stale
    assert box.latest is None and box.plot.report is None and box.plot.isHidden()
    box._on_progressed(old_run, (old_report,))
    box._on_finished(old_run, old_report)
    assert box.latest is None and box.plot.report is None and box.button.isEnabled()


def test_a_run_draws_in_full_only_its_frame(page, result, qtbot):
    """A full draw costs 50-120 ms of the UI thread (the heartbeat's gaps): during a run the limits are the
    frame decided before it and every report is blitted; the end zooms to the figures one axes at a time."""
    lessons = page.compare_view.lessons
    lessons.seeds = tuple(range(1, 9))
    box = lessons.lottery
    frame = lessons._lottery_frame(result)
    seen: list = []
    box.progressed.connect(
        lambda _report: seen.append([(ax.get_xlim(), ax.get_ylim()) for ax in box.plot.grid])
    )
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS) as blocker:
        box.start()
    # 8 reports, which the worker hands over in batches when they come faster than the window takes them.
    assert 1 <= len(seen) <= 8 and len(blocker.args[0].aucs) == 8 and box.redraws >= 1
    assert all(limits == [tuple(map(tuple, pair)) for pair in frame.limits] for limits in seen)
    assert box.plot.run_draws == 0  # none between the frame and the end
    drawn, pieces = box.plot.full_draws, box.plot.piece_draws
    qtbot.waitUntil(lambda: not box.plot.final_pending)
    qtbot.wait(50)
    assert box.plot.full_draws == drawn  # no full draw at the end either:
    assert box.plot.piece_draws == pieces + 2  # each of the two axes redrawn alone, zoomed
    lottery = blocker.args[0]
    for ax, values, (frame_x, _rows) in zip(box.plot.grid, (lottery.costs, lottery.aucs), frame.limits):
        low, high = ax.get_xlim()
        assert low <= min(values) and max(values) <= high
        assert high - low < frame_x[1] - frame_x[0]
    assert not any(note.get_text() for note in box.plot.notes)
    # The axes drawn one by one make the very picture a full draw makes, pixel for pixel.
    pieces = np.asarray(box.plot.canvas.buffer_rgba()).copy()
    box.plot.figure.set_layout_engine("none")
    box.plot.canvas.draw()
    assert np.array_equal(pieces, np.asarray(box.plot.canvas.buffer_rgba()))


def test_a_figure_outside_the_frame_is_said_during_the_run(page, result):
    """The frame is not a bound for every figure (a network may cost more than calling everybody ill): one
    outside it is counted on the plot while the run lasts."""
    from heartgui.core.lessons import SeedLottery

    box = page.compare_view.lessons.lottery
    plot = box.plot
    plot.show()
    plot.begin(page.compare_view.lessons._lottery_frame(result))
    worse_than_no_model = 2.0
    report = SeedLottery(result.settings, FOLDS, 1, (1, 2), (0.4, worse_than_no_model), (0.9, 0.45), 3)
    plot.show_report(report)
    cost_note, auc_note = (note.get_text() for note in plot.notes)
    assert cost_note.startswith("1 outside this frame") and auc_note.startswith("1 outside this frame")
    plot.running = False
    box.set_result(None)


def test_redraws_are_throttled(page, qtbot):
    lessons = page.compare_view.lessons
    lessons.seeds = tuple(range(1, 9))
    box = lessons.lottery
    reports: list = []
    box.progressed.connect(reports.append)
    with qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS):
        box.start()
    assert 1 <= box.redraws <= len(reports) + 1
    assert box.plot.report.seeds == tuple(range(1, 9))


def test_window_stays_responsive_during_the_seed_lottery(page, qtbot, record_property):
    lessons = page.compare_view.lessons
    lessons.folds, lessons.seeds = 9, tuple(range(1, 11))  # the window's folds: ~0.15 s a seed
    box = lessons.lottery
    # Counted from the worker's start (the empty frame is laid out on the click, before it starts) to
    # the first tick after the final, zoomed draw: that draw is in the measured stretch too.
    phase = {"started": False, "after": 0}
    pieces = box.plot.piece_draws

    def counting() -> bool:
        if box.job is not None and box.job.is_running():
            phase["started"] = True
        if not phase["started"]:
            return False
        if box.plot.piece_draws > pieces and not box.plot.final_pending:
            phase["after"] += 1
            return phase["after"] == 1
        return True

    heartbeat = Heartbeat(counting=counting)
    with heartbeat.running(), qtbot.waitSignal(box.finished, timeout=TIMEOUT_MS):
        box.start()
        qtbot.waitUntil(lambda: phase["after"] > 1, timeout=TIMEOUT_MS)
    assert len(heartbeat.gaps) > 20 and box.redraws >= 2 and box.plot.run_draws == 0
    heartbeat.check(record_property, "the seed lottery and its final draw")


def test_closing_the_window_mid_run_is_clean(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT_MS):
        window.start_training()
    lessons = window.results_page.compare_view.lessons
    lessons.folds = FOLDS
    box = lessons.lottery
    with qtbot.waitSignal(box.progressed, timeout=TIMEOUT_MS):
        assert box.start()
    job = box.job
    window.close()
    assert not job.qthread.isRunning() and not window.results_page.is_busy()
