"""Render every page of the real window, with real data, to PNG files (for the docs and for a look).

Usage: ``python scripts/screenshots.py [path/to/heart.dat] [--out docs/screenshots] [--size 1280x720]``

Runs offscreen at 1280 × 720 (a classroom laptop's screen) with settings in a temporary folder: opens
the data (by default the bundled data/heart.dat), trains the recommended preset, and grabs
(``QWidget.grab()`` of the whole window) the Data, Train, Results (Summary, Threshold & costs, Curves,
Compare with a 9-fold cross-validation), Predict (Why this risk, What if, How sure), and Inside pages
(also Inside's backward walk-through, an edited weight and the decision surface); then the
many-patients dialog on a small CSV built in a temporary folder from heart.dat rows plus one broken
row, and the About box. Every asynchronous step is waited for on its signal.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT / "data" / "heart.dat"
DEFAULT_OUT = ROOT / "docs" / "screenshots"
SIZE = "1280x720"
HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,class"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--size", default=SIZE, help=f"the window's size, WIDTHxHEIGHT (default {SIZE})")
    parser.add_argument(
        "--only-steps", action="store_true", help="only the Train page's step-by-step picture (2-train-steps)"
    )
    args = parser.parse_args(argv)
    try:
        width, height = (int(n) for n in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size: expected WIDTHxHEIGHT such as {SIZE}, not {args.size!r}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    app = QApplication.instance() or QApplication([])
    temp = tempfile.TemporaryDirectory()
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, temp.name)

    from heartgui.core.presets import RECOMMENDED
    from heartgui.gui.app import configure_application
    from heartgui.gui.batch_dialog import BatchDialog
    from heartgui.gui.main_window import (
        PAGE_DATA,
        PAGE_NETWORK,
        PAGE_PREDICT,
        PAGE_RESULTS,
        PAGE_TRAIN,
        MainWindow,
    )
    from heartgui.gui.pages.results import (
        TAB_CALIBRATION,
        TAB_COMPARE,
        TAB_DECISION,
        TAB_PRETEST,
        TAB_SUBGROUPS,
        TAB_THRESHOLD,
    )

    configure_application(app)

    def settle(rounds: int = 5) -> None:
        for _ in range(rounds):
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    def wait_signal(signal, start: Callable[[], object] | None = None, timeout: float = 120.0) -> tuple:
        loop = QEventLoop()
        got: list = []

        def on(*values):
            got.append(values)
            loop.quit()

        signal.connect(on)
        if start is not None:
            start()
        deadline = time.monotonic() + timeout
        while not got and time.monotonic() < deadline:
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        signal.disconnect(on)
        if not got:
            raise SystemExit(f"timed out waiting for {signal}")
        return got[0]

    def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("timed out")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    saved: list[Path] = []

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        path = out / f"{name}.png"
        if not widget.grab().save(str(path), "PNG"):
            raise SystemExit(f"could not save {path}")
        saved.append(path)
        print(f"{path}  {path.stat().st_size / 1024:.0f} KiB")

    window = MainWindow()
    window.resize(width, height)
    window.show()
    window.finish_startup()
    wait_until(lambda: window.running_jobs() == 0)

    # Data
    wait_signal(window.dataset_loaded, lambda: window.open_data(args.data))
    if not args.only_steps:
        window.show_page(PAGE_DATA)
        shoot(window, "1-data")

    # Train, step by step: two earlier runs (the tutorial's, and one whose learning rate is too high),
    # then a run in slow motion paused with Step, one epoch taken back.
    from heartgui.core.presets import TUTORIAL

    warning = QMessageBox.warning
    QMessageBox.warning = staticmethod(lambda *a: QMessageBox.StandardButton.Ok)  # type: ignore[method-assign]
    page = window.train_page
    page.set_settings(TUTORIAL)
    wait_signal(window.training_finished, window.start_training)
    page.set_settings(TUTORIAL.replace(learning_rate=10.0))
    wait_signal(window.training_failed, window.start_training)
    QMessageBox.warning = warning  # type: ignore[method-assign]
    page.set_settings(TUTORIAL.replace(learning_rate=0.01, epochs=300))
    page.speed.setCurrentIndex(page.speed.findData(30.0))

    def run_then_pause() -> None:
        window.start_training()
        wait_until(lambda: len(page.plot.epochs) >= 150)
        page.step_button.click()  # Step during a run pauses it

    wait_signal(window.training_finished, run_then_pause)
    wait_signal(window.training_finished, page.step_back_button.click)
    page.speed.setCurrentIndex(0)
    window.show_page(PAGE_TRAIN)
    settle(20)
    shoot(window, "2-train-steps")
    if args.only_steps:
        window.close()
        return 0
    window.stop_training()  # the paused run ends

    # Train
    wait_signal(window.training_finished, lambda: window.start_training(RECOMMENDED))
    window.show_page(PAGE_TRAIN)
    shoot(window, "2-train")

    # Results
    results = window.results_page
    window.show_page(PAGE_RESULTS)
    for index, name in enumerate(["summary", "threshold", "curves"]):
        results.tabs.setCurrentIndex(index)
        shoot(window, f"3-results-{index + 1}-{name}")
    # The clinical views (TAB_CALIBRATION … TAB_PRETEST), then a confusion cell's patients listed.
    for number, (index, name) in enumerate(
        [
            (TAB_CALIBRATION, "calibration"),
            (TAB_DECISION, "decision-curve"),
            (TAB_SUBGROUPS, "subgroups"),
            (TAB_PRETEST, "prevalence"),
        ],
        start=5,
    ):
        results.tabs.setCurrentIndex(index)
        if index == TAB_PRETEST:
            results.pretest_view.primary_care.click()
        shoot(window, f"3-results-{number}-{name}")
    results.tabs.setCurrentIndex(TAB_THRESHOLD)
    results.threshold_view.select_cell("fn")
    settle()
    scroll = results.tabs.currentWidget()
    scroll.ensureWidgetVisible(results.threshold_view.patients_table, 0, 0)
    shoot(window, "3-results-9-missed-patients")
    wait_signal(results.comparison_finished, lambda: results.tabs.setCurrentIndex(TAB_COMPARE))
    # One shuffle keeps this quick; the spin box says so, so the picture shows what was run.
    results.cv_repeats.setValue(1)
    wait_signal(results.crossval_finished, lambda: results.start_cross_validation(folds=9))
    shoot(window, "3-results-4-compare")
    # The three lessons of many networks, each run in full (about a minute together), each in view.
    lessons = results.compare_view.lessons
    compare_scroll = results.tabs.currentWidget()
    for box, name in (
        (lessons.lottery, "11-seed-lottery"),
        (lessons.curve, "12-learning-curve"),
        (lessons.chance, "13-permutation-test"),
    ):
        wait_signal(box.finished, box.start, timeout=600)
        settle()
        compare_scroll.verticalScrollBar().setValue(box.y() + lessons.y())
        shoot(window, f"3-results-{name}")

    # Predict
    predict = window.predict_page
    window.show_page(PAGE_PREDICT)
    predict.fill_from_row(7)
    for index, name in enumerate(["why", "what-if"]):
        predict.tabs.setCurrentIndex(index)
        settle(10)
        shoot(window, f"4-predict-{index + 1}-{name}")
    predict.tabs.setCurrentIndex(2)
    predict.start_ensemble()
    wait_until(lambda: not predict.ensemble_running())
    shoot(window, "4-predict-3-how-sure")

    # Inside
    window.show_page(PAGE_NETWORK)
    shoot(window, "5-inside")
    # Inside, the learning views, at 1280 × 720: one step of learning walked back (the gradients drawn),
    # a weight changed by hand, the decision surface.
    inside = window.network_page
    size_before = window.size()  # (whatever size the other pictures use)
    window.resize(1280, 720)
    inside.side_tabs.setCurrentIndex(1)
    inside.gradients_box.setChecked(True)
    shoot(window, "5-inside-1-backward")
    inside.gradients_box.setChecked(False)
    inside.side_tabs.setCurrentIndex(0)
    inside.select_element(("w", 2, 0, 0))  # as a click on the line from hidden unit 1 to the output
    inside.editor.spin.setValue(inside.editor.spin.value() + 3.0)
    shoot(window, "5-inside-2-edited-weight")
    inside.reset_edits()
    inside.network_view.set_selected(None)
    inside.editor.select(None)
    inside.tabs.setCurrentIndex(1)
    shoot(window, "5-inside-3-surface")
    inside.tabs.setCurrentIndex(0)
    window.resize(size_before)

    # Many patients: 20 rows of heart.dat and one broken row, in a temporary CSV
    rows = [line.split() for line in Path(args.data).read_text().splitlines()[:20]]
    broken = rows[0][:4] + ["abc"] + rows[0][5:]
    csv = Path(temp.name) / "clinic.csv"
    csv.write_text("\n".join([HEADER, *(",".join(r) for r in [*rows, broken])]) + "\n")
    dialog = BatchDialog(window.model, window.threshold, parent=window)
    dialog.resize(min(1000, width), min(650, height))  # no larger than the window's screen
    dialog.show()
    wait_signal(dialog.loaded, lambda: dialog.open_file(csv))
    shoot(dialog, "6-many-patients")
    dialog.done(0)

    # About: the same box Help → About shows, opened without blocking
    boxes: list[QMessageBox] = []

    def about(parent, title, text):
        box = QMessageBox(QMessageBox.Icon.NoIcon, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setIconPixmap(app.windowIcon().pixmap(64, 64))
        box.show()
        boxes.append(box)

    QMessageBox.about = staticmethod(about)  # type: ignore[method-assign]
    window.show_about()
    shoot(boxes[0], "7-about")
    boxes[0].close()

    window.close()
    total = sum(p.stat().st_size for p in saved)
    print(f"{len(saved)} pictures, {total / 1024 / 1024:.1f} MiB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
