"""Many networks at once (issue 13): the waits a student sees, against a reference measured in the same run.

The reference is the tutorial's own network (``tutorial_loop.tutorial_fit``, the notebook's loop) trained
45 times for 300 iterations, once on each training part of the 9 × 5 Statlog folds of heart.dat (scaled
as the notebook scales, before the clock starts): what 45 networks cost written the plain way. Measured
beside it, interleaved (the order rotates every round), best of the rounds:

* **evaluate**: ``cross_validate(heart.dat, folds=9, repeats=5)`` with every default method (both
  network presets, default rule, logistic regression, naive Bayes, MLPClassifier) — what
  ``heartgui-cli evaluate heart.dat --folds 9 --repeats 5`` computes, without the interpreter's start-up
  and imports. Target ≤ 5 × the reference.
* **network CV**: the recommended preset's 9 × 5 cross-validation alone (stacked, the default). Target
  ≤ 0.25 s.
* **How sure**: 10 networks of the recommended preset on the tutorial split's 216 training patients, and
  one patient's spread across them, as the Predict page's job does. Target ≤ 50 ms.

Wall-clock seconds are what a student waits; on a busy machine they grow with the other processes' load
(printed), so the CPU seconds this process used are printed beside them (less sensitive to load, not
immune: the cores' caches are shared). The targets are checked on wall-clock seconds.

The network CV and How sure are also timed one by one (``stack=False``; ten ``fit`` calls), to show what
stacking buys. Prints a Markdown table; exit status 1 when a target is missed. ``--rounds`` (default 3)
rounds; about 30 s here.

``--instructions`` also counts, under valgrind's callgrind, the instructions of one reference run, one
network CV and one How sure (each in a fresh Python with one BLAS thread: a run after a warm-up, minus
the warm-up alone), and prints each ÷ the reference's. Instruction counts do not move with the machine's
load, so this ratio can be compared between runs on a busy machine; it is not the target itself (the
targets are seconds, and the reference and the stacked code do not run the same instructions per
second). About 12 minutes here (most of it starting Python and its imports under valgrind).

Usage: ``python bench/bench_many.py [path/to/heart.dat] [--rounds 3] [--instructions]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from tutorial_loop import tutorial_fit  # noqa: E402

from heartgui.core.crossval import cross_validate, fold_indices  # noqa: E402
from heartgui.core.dataset import Dataset, load_dataset  # noqa: E402
from heartgui.core.explain import ensemble_spread, iter_ensemble  # noqa: E402
from heartgui.core.presets import RECOMMENDED  # noqa: E402
from heartgui.core.training import split_dataset  # noqa: E402

EVALUATE_TARGET = 5.0  # × the reference
NETWORK_CV_TARGET = 0.25  # s
HOW_SURE_TARGET = 0.050  # s
ITERATIONS = 300


def reference_parts(heart: Dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 45 training parts of the 9 × 5 folds, scaled as the notebook scales them."""
    y = np.asarray(heart.y)
    parts = []
    for _, _, train, _ in fold_indices(y, 9, 5):
        X = StandardScaler().fit_transform(heart.X.iloc[train].to_numpy(dtype=float))
        parts.append((X, y[train].reshape(-1, 1).astype(float)))
    return parts


def child(contender: str, runs: int, data: str, parts_file: str) -> None:
    """One warm-up (a small one), then ``runs`` runs of a contender: run under callgrind by the parent."""
    if contender == "reference":
        with np.load(parts_file) as arrays:
            parts = [(arrays[f"X{i}"], arrays[f"y{i}"]) for i in range(45)]
        tutorial_fit(parts[0][0], parts[0][1], 10)
        for _ in range(runs):
            for X, labels in parts:
                tutorial_fit(X, labels, ITERATIONS)
        return
    heart = load_dataset(data)
    split = split_dataset(heart, RECOMMENDED.test_size, RECOMMENDED.split_seed)
    if contender == "network CV":
        cross_validate(heart, folds=9, repeats=1, methods=[RECOMMENDED])
        for _ in range(runs):
            cross_validate(heart, folds=9, repeats=5, methods=[RECOMMENDED])
    else:
        for _ in range(1 + runs):
            models = [step.model for step in iter_ensemble(split.X_train, split.y_train, RECOMMENDED, 10)]
            ensemble_spread(models, heart.row(0))


def instructions(contender: str, data: str, parts_file: str) -> int:
    """Instructions of one run of ``contender`` (callgrind: warm-up and a run, minus warm-up alone)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    totals = []
    for runs in (0, 1):
        cmd = [
            "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
            data, "--child", contender, str(runs), parts_file,
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
        found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
        if done.returncode != 0 or not found:
            raise SystemExit(f"callgrind run failed ({done.returncode}):\n{done.stderr[-2000:]}")
        totals.append(int(found.group(1)))
    return totals[1] - totals[0]


def print_instructions(data: str, parts: list[tuple[np.ndarray, np.ndarray]]) -> None:
    with tempfile.TemporaryDirectory(prefix="heartgui-callgrind-") as folder:
        parts_file = str(Path(folder) / "parts.npz")
        arrays: dict[str, np.ndarray] = {}
        for i, (X, y) in enumerate(parts):
            arrays[f"X{i}"], arrays[f"y{i}"] = X, y
        np.savez(parts_file, allow_pickle=False, **arrays)
        counts = {
            name: instructions(name, data, parts_file) for name in ("reference", "network CV", "How sure")
        }
    print("\nInstructions (callgrind, one BLAS thread; do not move with load):\n")
    print("| What | instructions | ÷ reference |")
    print("|---|---|---|")
    for name, count in counts.items():
        print(f"| {name} | {count:,} | {count / counts['reference']:.3f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT / "data" / "heart.dat"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instructions", action="store_true", help="also count instructions (callgrind)")
    parser.add_argument("--child", nargs=3, metavar=("CONTENDER", "RUNS", "PARTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), args.data, args.child[2])
        return 0
    heart = load_dataset(args.data)
    parts = reference_parts(heart)

    def reference() -> None:
        for X, labels in parts:
            tutorial_fit(X, labels, ITERATIONS)

    split = split_dataset(heart, RECOMMENDED.test_size, RECOMMENDED.split_seed)
    patient = heart.row(0)

    def how_sure() -> None:
        models = [step.model for step in iter_ensemble(split.X_train, split.y_train, RECOMMENDED, 10)]
        ensemble_spread(models, patient)

    def how_sure_one_by_one() -> None:
        models = [
            RECOMMENDED.replace(seed=1000 + i).model().fit(split.X_train, split.y_train) for i in range(10)
        ]
        ensemble_spread(models, patient)

    contenders: dict[str, Callable[[], object]] = {
        "reference": reference,
        "evaluate": lambda: cross_validate(heart, folds=9, repeats=5),
        "network CV": lambda: cross_validate(heart, folds=9, repeats=5, methods=[RECOMMENDED]),
        "network CV, one by one": lambda: cross_validate(
            heart, folds=9, repeats=5, methods=[RECOMMENDED], stack=False
        ),
        "How sure": how_sure,
        "How sure, one by one": how_sure_one_by_one,
    }
    repeats = {"How sure": 5, "How sure, one by one": 5}  # short: several tries per round
    for run in contenders.values():  # warm-up: imports, caches
        run()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    load_before = os.getloadavg()[0]
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            for _ in range(repeats.get(name, 1)):
                start, start_cpu = time.perf_counter(), time.process_time()
                contenders[name]()
                times[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
    load_after = os.getloadavg()[0]

    best = {name: min(values) for name, values in times.items()}
    median = {name: float(np.median(values)) for name, values in times.items()}
    best_cpu = {name: min(values) for name, values in cpu.items()}
    ref = best["reference"]
    print(
        f"heart.dat, {args.rounds} interleaved rounds, best (median); load average {load_before:.2f} before, "
        f"{load_after:.2f} after (2 cores)\n"
    )
    print("| What | seconds | ÷ reference | CPU seconds | target |")
    print("|---|---|---|---|---|")
    rows = [
        ("reference: the tutorial's loop, 45 networks × 300 iterations", "reference", ""),
        ("`evaluate --folds 9 --repeats 5`, all methods", "evaluate", f"≤ {EVALUATE_TARGET:g} × reference"),
        ("the recommended network's 9 × 5 cross-validation", "network CV", f"≤ {NETWORK_CV_TARGET:g} s"),
        ("… trained one by one (`stack=False`)", "network CV, one by one", ""),
        ("How sure: 10 networks and one patient's spread", "How sure", f"≤ {HOW_SURE_TARGET * 1000:g} ms"),
        ("… trained one by one", "How sure, one by one", ""),
    ]
    for label, name, target in rows:
        print(
            f"| {label} | {best[name]:.3f} ({median[name]:.3f}) | {best[name] / ref:.2f} "
            f"({median[name] / median['reference']:.2f}) | {best_cpu[name]:.3f} | {target} |"
        )
    met = {
        "evaluate": best["evaluate"] <= EVALUATE_TARGET * ref,
        "network CV": best["network CV"] <= NETWORK_CV_TARGET,
        "How sure": best["How sure"] <= HOW_SURE_TARGET,
    }
    print()
    for name, ok in met.items():
        print(f"{name}: {'met' if ok else 'MISSED'}")
    if args.instructions:
        print_instructions(args.data, parts)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
