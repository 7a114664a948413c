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

Usage: ``python bench/bench_many.py [path/to/heart.dat] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import os
import sys
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
from heartgui.core.dataset import load_dataset  # noqa: E402
from heartgui.core.explain import ensemble_spread, iter_ensemble  # noqa: E402
from heartgui.core.presets import RECOMMENDED  # noqa: E402
from heartgui.core.training import split_dataset  # noqa: E402

EVALUATE_TARGET = 5.0  # × the reference
NETWORK_CV_TARGET = 0.25  # s
HOW_SURE_TARGET = 0.050  # s
ITERATIONS = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT / "data" / "heart.dat"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    heart = load_dataset(args.data)
    y = np.asarray(heart.y)

    parts = []
    for _, _, train, _ in fold_indices(y, 9, 5):
        X = StandardScaler().fit_transform(heart.X.iloc[train].to_numpy(dtype=float))
        parts.append((X, y[train].reshape(-1, 1).astype(float)))

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
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
