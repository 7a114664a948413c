"""How fast is one epoch? heartgui's network against the tutorial's loop and scikit-learn, side by side.

One epoch = one full-batch forward and backward pass and one gradient-descent step of the 13-8-1 network on
the 216 training patients of the tutorial's split (``train_test_split(test_size=0.2, random_state=2)``,
standardised on the training part). Three contenders are timed in the same run, interleaved (the order
rotates every round so none always runs first), each round timing a block of 100 epochs:

(a) the tutorial's loop as the notebook writes it (``bench/tutorial_loop.py::tutorial_fit``);
(b) heartgui: ``MLP(...).iter_fit`` with the tutorial preset's settings, consuming every EpochReport;
(c) scikit-learn: ``MLPClassifier((8,), solver="sgd", batch_size=216, learning_rate_init=0.001)``, one
    ``partial_fit`` call per epoch (its cheapest way to do one full-batch step and return).

Prints µs per epoch (min and median over the rounds) and the ratios. Targets (exit status 1 when missed):
heartgui ≤ 0.5 × the tutorial's loop and ≤ 0.1 × MLPClassifier, both on the min and the median.

Usage: ``python bench/bench_speed.py [path/to/heart.dat] [--rounds 30]``. OPENBLAS_* settings are left as
the environment has them.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tutorial_loop import tutorial_fit  # noqa: E402

from heartgui.core.dataset import load_dataset  # noqa: E402
from heartgui.core.network import MLP  # noqa: E402
from heartgui.core.presets import TUTORIAL  # noqa: E402
from heartgui.core.training import split_dataset  # noqa: E402

EPOCHS_PER_BLOCK = 100  # the tutorial's own run length; its weights stay finite throughout
TARGET_VS_TUTORIAL = 0.5
TARGET_VS_SKLEARN = 0.1


def block_tutorial(X: np.ndarray, y: np.ndarray) -> float:
    start = time.perf_counter()
    tutorial_fit(X, y.reshape(-1, 1).astype(float), EPOCHS_PER_BLOCK, TUTORIAL.learning_rate)
    return time.perf_counter() - start


def block_heartgui(X: np.ndarray, y: np.ndarray) -> float:
    model = MLP(
        TUTORIAL.hidden_layers,
        learning_rate=TUTORIAL.learning_rate,
        epochs=EPOCHS_PER_BLOCK,
        init=TUTORIAL.init,
        gradient=TUTORIAL.gradient,
        l2=TUTORIAL.l2,
        random_state=TUTORIAL.seed,
    )
    start = time.perf_counter()
    for _report in model.iter_fit(X, y):
        pass
    return time.perf_counter() - start


def block_sklearn(X: np.ndarray, y: np.ndarray) -> float:
    model = MLPClassifier(
        TUTORIAL.hidden_layers,
        solver="sgd",
        batch_size=len(X),  # full batch, as the tutorial and heartgui
        learning_rate_init=TUTORIAL.learning_rate,
        max_iter=1,
        random_state=TUTORIAL.seed,
    )
    with warnings.catch_warnings():
        # One iteration per call is the point here; the "not converged" warning says only that.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.partial_fit(X, y, classes=[0, 1])  # set-up call, not timed
        start = time.perf_counter()
        for _ in range(EPOCHS_PER_BLOCK):
            model.partial_fit(X, y)
        return time.perf_counter() - start


CONTENDERS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "tutorial loop": block_tutorial,
    "heartgui MLP.iter_fit": block_heartgui,
    "sklearn MLPClassifier": block_sklearn,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT / "data" / "heart.dat"))
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)

    split = split_dataset(load_dataset(args.data), TUTORIAL.test_size, TUTORIAL.split_seed)
    X = StandardScaler().fit_transform(split.X_train.to_numpy(dtype=float))
    y = split.y_train
    print(f"# heartgui speed: one epoch of the 13-8-1 network on {len(X)} training rows\n")

    names = list(CONTENDERS)
    for name in names:  # warm-up: imports, caches, BLAS threads
        CONTENDERS[name](X, y)
    per_epoch: dict[str, list[float]] = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                per_epoch[name].append(CONTENDERS[name](X, y) / EPOCHS_PER_BLOCK * 1e6)
    finally:
        if gc_was_enabled:
            gc.enable()

    mins = {n: min(v) for n, v in per_epoch.items()}
    medians = {n: statistics.median(v) for n, v in per_epoch.items()}
    print(f"{args.rounds} interleaved rounds of {EPOCHS_PER_BLOCK} epochs each\n")
    print("| Implementation | µs/epoch (min) | µs/epoch (median) | heartgui ÷ this (min) | (median) |")
    print("|---|---|---|---|---|")
    ours = "heartgui MLP.iter_fit"
    for name in names:
        print(
            f"| {name} | {mins[name]:.1f} | {medians[name]:.1f} "
            f"| {mins[ours] / mins[name]:.3f} | {medians[ours] / medians[name]:.3f} |"
        )

    checks = []
    for other, target in (
        ("tutorial loop", TARGET_VS_TUTORIAL),
        ("sklearn MLPClassifier", TARGET_VS_SKLEARN),
    ):
        for label, stats in (("min", mins), ("median", medians)):
            ratio = stats[ours] / stats[other]
            checks.append((f"heartgui ≤ {target} × {other} ({label})", ratio, ratio <= target))
    print("\n## Targets\n")
    print("| Target | Ratio | Met |")
    print("|---|---|---|")
    for label, ratio, ok in checks:
        print(f"| {label} | {ratio:.3f} | {'yes' if ok else 'NO'} |")
    missed = [label for label, _ratio, ok in checks if not ok]
    if missed:
        print(f"\nMISSED: {'; '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
