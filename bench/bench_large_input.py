"""How heartgui copes with a large data file: peak memory of each step, and the window's largest stall.

    python bench/bench_large_input.py [heart.dat] [--rows 200000] [--limit-mb 4096] [--seed 0]

Builds a file of ``--rows`` patients by resampling heart.dat rows with small noise on the measurements
(age, blood pressure, cholesterol, heart rate, ST depression; rounded and kept in range as in the file),
written in heart.dat's format to a temporary folder. Then, each in a fresh Python process (so one step's
memory does not count in the next, and a step that explodes cannot take this one down; each process runs
under an address-space limit of ``--limit-mb``):

* **load** — ``load_dataset`` of the file;
* **train** — the recommended preset on it (``core.training.train``: split, 300 epochs, test metrics);
* **bootstrap** — what the Results page computes on the test patients when it shows a run: the ROC AUC's
  bootstrap interval (``bootstrap_auc_interval``, ``BOOTSTRAP_RESAMPLES`` resamples), on the risks of the
  trained model;
* **window** — the real window (offscreen), started and its pages built, opening the file as File → Open
  does, while a 10 ms ``QTimer`` in its UI thread records the largest gap between two ticks (from the
  open to the data page's first paint).

For each step it prints the time, the peak of traced Python/NumPy allocations (``tracemalloc``, of that
step only) and the process's peak resident size (``ru_maxrss``, imports and earlier steps included), as a
Markdown table. Times are of untraced runs (the load is timed, then run again traced for its peak; the
window is not traced at all): tracemalloc makes the load about 7 times slower (pandas' parsing of
numbers 15-50 times), which is not what a student waits for. A step that fails (e.g. MemoryError at
the limit) is reported with its error. Exits 1 if any step failed or the window's largest gap is 100 ms
or more.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "data" / "heart.dat"
GAP_LIMIT_MS = 100.0

#: Columns of heart.dat (0-based) that are measurements, with the noise added (sd) and their decimals.
_NOISE = {0: (2.0, 0), 3: (5.0, 0), 4: (12.0, 0), 7: (6.0, 0), 9: (0.2, 1)}
_RANGES = {0: (20, 90), 3: (80, 200), 4: (100, 560), 7: (70, 210), 9: (0.0, 6.2)}


def make_file(source: Path, rows: int, seed: int, folder: Path) -> Path:
    """``rows`` heart.dat rows drawn with replacement, measurements jittered; written to ``folder``."""
    import numpy as np

    table = np.loadtxt(source)
    rng = np.random.default_rng(seed)
    picked = table[rng.integers(0, len(table), rows)].copy()
    for column, (sd, decimals) in _NOISE.items():
        low, high = _RANGES[column]
        noisy = picked[:, column] + rng.normal(0.0, sd, rows)
        picked[:, column] = np.clip(np.round(noisy, decimals), low, high)
    path = folder / f"heart-{rows}.dat"
    formats = ["%.1f"] * (table.shape[1] - 1) + ["%d"]
    np.savetxt(path, picked, fmt=formats, delimiter=" ")
    return path


# --------------------------------------------------------------------------------------------------
# the steps, each run by a child process: python bench_large_input.py --step NAME FILE


def _load(path: str):
    from heartgui.core.dataset import load_dataset

    return load_dataset(path)


def step_load(path: str) -> dict:
    # Timed untraced, then loaded again traced for the peak: traced, the load took 7 times as long.
    start = time.perf_counter()
    dataset = _load(path)
    seconds = time.perf_counter() - start
    del dataset
    tracemalloc.start()
    dataset = _load(path)
    return {"seconds": seconds, "traced_peak": tracemalloc.get_traced_memory()[1], "rows": dataset.n_rows}


def step_train(path: str) -> dict:
    from heartgui.core.presets import RECOMMENDED
    from heartgui.core.training import train

    dataset = _load(path)
    tracemalloc.start()
    start = time.perf_counter()
    result = train(dataset, RECOMMENDED)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "traced_peak": tracemalloc.get_traced_memory()[1],
        "rows": len(result.split.y_train),
        "note": f"test accuracy {result.test_metrics.accuracy:.3f}",
    }


def step_bootstrap(path: str) -> dict:
    from heartgui.core.evaluation import bootstrap_auc_interval
    from heartgui.core.presets import RECOMMENDED
    from heartgui.core.training import train
    from heartgui.gui.pages.results import BOOTSTRAP_RESAMPLES

    result = train(_load(path), RECOMMENDED.replace(epochs=20))  # only its risks are needed here
    y, risk = result.split.y_test, result.test_risk
    tracemalloc.start()
    start = time.perf_counter()
    low, high = bootstrap_auc_interval(y, risk, n_boot=BOOTSTRAP_RESAMPLES)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "traced_peak": tracemalloc.get_traced_memory()[1],
        "rows": len(y),
        "note": f"AUC interval {low:.3f}–{high:.3f}",
    }


def step_window(path: str) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from heartgui.gui.collector import MainThreadCollector

    collector = MainThreadCollector(app)  # as heartgui.gui.app.main installs it
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from heartgui.gui.app import configure_application
    from heartgui.gui.main_window import MainWindow

    configure_application(app)
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    window.finish_startup()
    # The window as a student has it a few seconds after start: scikit-learn imported in the background,
    # the model pages built (which, when a file was opened at once, used to happen mid-load: see
    # tests/gui/test_data_large.py) and their first plots drawn.
    while not window.model_pages_built:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    for _ in range(5):
        app.processEvents()
    outcome: list[str] = []
    window.dataset_loaded.connect(lambda dataset: outcome.append(f"{dataset.n_rows} rows shown"))
    window.dataset_failed.connect(lambda message: outcome.append(f"failed: {message}"))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    # Not traced: tracemalloc makes pandas' parsing of numbers 15-50 times slower, and each of the
    # loader's calls then held the interpreter (and the window) 150-400 ms instead of a few ms.
    busy, own = _busy_cpu_seconds(), _own_cpu_seconds()
    start = time.perf_counter()
    timer.start()
    last[0] = time.perf_counter()
    window.open_data(path)
    while not outcome:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    for _ in range(3):  # the data page's first paint after the data arrived
        app.processEvents()
    timer.stop()
    seconds = time.perf_counter() - start
    busy_after = _busy_cpu_seconds()
    # As in tests/gui/heartbeat.py: a gap while other processes kept the CPUs busy measures them too.
    others = (
        None
        if busy is None or busy_after is None
        else max(0.0, (busy_after - busy) - (_own_cpu_seconds() - own)) / seconds
    )
    window.close()
    collector.stop()
    return {
        "seconds": seconds,
        "traced_peak": None,
        "largest_gap_ms": 1000 * max(gaps) if gaps else float("nan"),
        "ticks": len(gaps),
        "note": outcome[0] + ("" if others is None else f"; other processes meanwhile: {others:.2f} CPUs"),
    }


def _busy_cpu_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux), or ``None``."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


STEPS = {"load": step_load, "train": step_train, "bootstrap": step_bootstrap, "window": step_window}


def run_step(name: str, path: str) -> None:
    """In the child: run one step, print one JSON line (an error is a result too)."""
    try:
        figures = STEPS[name](path)
    except MemoryError:
        figures = {"error": "MemoryError (at the address-space limit)"}
    except Exception as exc:  # a bench reports what happened instead of dying
        figures = {"error": f"{type(exc).__name__}: {exc}"}
    figures["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def child(name: str, path: Path, limit_mb: int) -> dict:
    def limit() -> None:
        limit_bytes = limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, __file__, "--step", name, str(path)],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit,
        timeout=1800,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--limit-mb", type=int, default=4096, help="address-space limit of each step")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        run_step(args.step, args.data)
        return 0

    with tempfile.TemporaryDirectory(prefix="heartgui-large-") as folder:
        path = make_file(Path(args.data), args.rows, args.seed, Path(folder))
        size_mb = path.stat().st_size / 2**20
        print(
            f"{args.rows:,} patients resampled from {Path(args.data).name} (seed {args.seed}): "
            f"{size_mb:.1f} MB"
        )
        print(f"each step in its own process, address space limited to {args.limit_mb:,} MB\n")
        print(
            "| Step | Patients | Time (s) | Traced peak (MB) | Peak RSS (MB) | UI largest gap (ms) | Note |"
        )
        print("|---|---|---|---|---|---|---|")
        failed = False
        for name in ("load", "train", "bootstrap", "window"):
            r = child(name, path, args.limit_mb)
            if "error" in r:
                failed = True
                print(f"| {name} | | | | {r.get('maxrss_mb', float('nan')):.0f} | | **{r['error']}** |")
                continue
            gap = r.get("largest_gap_ms")
            if gap is not None and not gap < GAP_LIMIT_MS:
                failed = True
            gap_text = "" if gap is None else f"{gap:.0f} ({r['ticks']} ticks)"
            traced = "not traced" if r["traced_peak"] is None else f"{r['traced_peak'] / 2**20:.0f}"
            print(
                f"| {name} | {r.get('rows', '')} | {r['seconds']:.2f} | {traced} | "
                f"{r['maxrss_mb']:.0f} | {gap_text} | {r.get('note', '')} |"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
