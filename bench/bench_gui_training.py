"""Does training in the window cost much more than training headless? Side by side, interleaved.

The same run — the *recommended* preset with 20,000 epochs on heart.dat (long enough that the window's
fixed costs at the start and end of a run do not hide what live plotting costs per epoch) — is timed two
ways, alternating
(the order swaps every round so neither always runs first):

(a) the window: the real :class:`~heartgui.gui.main_window.MainWindow` (offscreen, 1200 × 800, Train page
    shown, the loss plot drawing live with one point per epoch, weight snapshots sent to the Inside page),
    timed from pressing Start (the settings already on the Train page, as a student enters them) to
    the window's ``training_finished`` signal;
(b) headless: ``heartgui.core.training.train(dataset, settings)``.

Prints the wall times (min and median over the rounds, and each round's), the ratio window / headless on
the min, on the median and as the median of each round's own ratio (the two runs of a round follow each
other, so a shared machine's slow changes of speed cancel), and the target: window ≤ 1.25 × headless on
that paired median (exit status 1 when missed). It also checks the plot got
exactly one point per epoch.

Usage: ``python bench/bench_gui_training.py [path/to/heart.dat] [--rounds 9] [--epochs 20000]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT / "data" / "heart.dat"
TARGET_RATIO = 1.25


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=20000)
    args = parser.parse_args(argv)

    import tempfile

    from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    from heartgui.core.dataset import load_dataset
    from heartgui.core.presets import RECOMMENDED
    from heartgui.core.training import train
    from heartgui.gui.app import configure_application
    from heartgui.gui.main_window import PAGE_TRAIN, MainWindow

    app = QApplication.instance() or QApplication([])
    settings_folder = tempfile.TemporaryDirectory()
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_folder.name)
    configure_application(app)

    dataset = load_dataset(args.data)
    settings = RECOMMENDED.replace(epochs=args.epochs)

    window = MainWindow()
    window.resize(1200, 800)
    window.show()
    window.finish_startup()
    loop = QEventLoop()
    window.dataset_loaded.connect(lambda _d: loop.quit())
    window.open_data(args.data)
    loop.exec()
    # Let the start-up's background imports finish, so they are not timed in the first round.
    while window.running_jobs():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    # As a student does: the settings entered on the Train page, the page shown, then Start (F5).
    window.train_page.set_settings(settings)
    window.show_page(PAGE_TRAIN)
    while window.train_page.plot.canvas._draw_pending or window.train_page.plot._frame is None:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def run_window() -> float:
        done = QEventLoop()
        results: list = []
        failure: list = []

        def finished(result):
            results.append((time.perf_counter(), result))
            done.quit()

        def failed(message):
            failure.append(message)
            done.quit()

        window.training_finished.connect(finished)
        window.training_failed.connect(failed)
        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(lambda: (failure.append("timeout"), done.quit()))
        watchdog.start(300_000)
        start = time.perf_counter()
        window.start_action.trigger()
        done.exec()
        watchdog.stop()
        window.training_finished.disconnect(finished)
        window.training_failed.disconnect(failed)
        if failure:
            raise SystemExit(f"training in the window failed: {failure[0]}")
        end, result = results[0]
        assert window.stack.currentIndex() == PAGE_TRAIN
        points = len(window.train_page.plot.train_line.get_xdata())
        if points != result.epochs_run or result.epochs_run != args.epochs:
            raise SystemExit(f"the plot got {points} points for {result.epochs_run} epochs")
        # Let the last paints and the finished job's clean-up run before the next round.
        for _ in range(5):
            app.processEvents()
        return end - start

    def run_headless() -> float:
        start = time.perf_counter()
        result = train(dataset, settings)
        elapsed = time.perf_counter() - start
        assert result.epochs_run == args.epochs
        return elapsed

    times: dict[str, list[float]] = {"window": [], "headless": []}
    runners = {"window": run_window, "headless": run_headless}
    order = ["window", "headless"]
    for round_ in range(args.rounds):
        for name in order if round_ % 2 == 0 else order[::-1]:
            gc.collect()
            times[name].append(runners[name]())
    window.close()

    print(
        f"Training: recommended preset, {args.epochs:,} epochs on {Path(args.data).name}; "
        f"{args.rounds} rounds, interleaved\n"
    )
    print("| Run | min (s) | median (s) | every round (s) |")
    print("|---|---|---|---|")
    for name in ("window", "headless"):
        rounds = " ".join(f"{t:.3f}" for t in times[name])
        print(f"| {name} | {min(times[name]):.3f} | {statistics.median(times[name]):.3f} | {rounds} |")
    ratio_min = min(times["window"]) / min(times["headless"])
    ratio_median = statistics.median(times["window"]) / statistics.median(times["headless"])
    # Each round's two runs follow each other, so their ratio cancels the slow drifts of a shared
    # machine's speed (here the same headless run varies by ±20 % from one minute to the next).
    paired = statistics.median(w / h for w, h in zip(times["window"], times["headless"], strict=True))
    print(
        f"\nwindow / headless: {ratio_min:.2f} (min), {ratio_median:.2f} (median), "
        f"{paired:.2f} (median of the rounds' ratios); target ≤ {TARGET_RATIO:.2f} (median of the "
        "rounds' ratios)"
    )
    ok = paired <= TARGET_RATIO
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
