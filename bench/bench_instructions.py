"""One epoch's cost as an instruction count (valgrind's callgrind), which does not move with load.

Wall-clock ratios on this shared 2-core machine swing by several per cent with what else runs (the
epoch target of ``bench_speed.py`` has read 0.47 and 0.53 for the same code). Instructions executed do
not: callgrind counts them exactly, the same total for the same binary, inputs and environment, whatever
the other core is doing.

Each contender runs in a fresh Python under ``valgrind --tool=callgrind`` twice, training E0 and E1
epochs of the tutorial's 13-8-1 network on its 216 training patients; the difference of the two totals
divided by E1 - E0 is the instructions of one epoch, free of start-up, imports and data loading. Printed:
instructions per epoch and heartgui ÷ the tutorial's loop. Target (exit status 1 when missed): the ratio
≤ 0.45 (issue 13). OpenBLAS runs one thread, as under callgrind it would anyway.

Usage: ``python bench/bench_instructions.py [path/to/heart.dat] [--epochs 20 220]`` (~2 min here).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.45
CONTENDERS = ("tutorial", "heartgui")


def child(inputs: str, contender: str, epochs: int) -> None:
    """Train ``epochs`` epochs with one contender (run under callgrind by the parent).

    Imports NumPy and the network only: the training rows come ready in ``inputs`` (an .npz), so the
    slow part of a run under valgrind (importing pandas and scikit-learn) is not paid here.
    """
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np
    from tutorial_loop import tutorial_fit

    from heartgui.core.network import MLP

    with np.load(inputs) as arrays:
        X, y, lr = arrays["X"], arrays["y"], float(arrays["learning_rate"])
    if epochs == 0:
        return
    if contender == "tutorial":
        tutorial_fit(X, y.reshape(-1, 1), epochs, lr)
    else:
        model = MLP((8,), learning_rate=lr, epochs=epochs, random_state=1)
        for _ in model.iter_fit(X, y):
            pass


def prepare(data: str, folder: Path) -> Path:
    """The tutorial's training rows, scaled as the notebook scales them, saved for the children."""
    import numpy as np
    from sklearn.preprocessing import StandardScaler

    sys.path.insert(0, str(ROOT))
    from heartgui.core.dataset import load_dataset
    from heartgui.core.presets import TUTORIAL
    from heartgui.core.training import split_dataset

    split = split_dataset(load_dataset(data), TUTORIAL.test_size, TUTORIAL.split_seed)
    X = StandardScaler().fit(split.X_train).transform(split.X_train)
    path = folder / "inputs.npz"
    np.savez(path, X=X, y=split.y_train.astype(float), learning_rate=TUTORIAL.learning_rate)
    return path


def count(inputs: Path, contender: str, epochs: int) -> int:
    """Instructions callgrind counted for a whole child run."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    cmd = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", contender, str(epochs), str(inputs),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"callgrind run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if not found:
        raise SystemExit(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT / "data" / "heart.dat"))
    parser.add_argument("--epochs", nargs=2, type=int, default=(20, 220), metavar=("E0", "E1"))
    parser.add_argument("--child", nargs=2, metavar=("CONTENDER", "EPOCHS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.data, args.child[0], int(args.child[1]))
        return 0
    e0, e1 = args.epochs
    if e1 <= e0:
        parser.error("E1 must be larger than E0")
    per_epoch = {}
    with tempfile.TemporaryDirectory(prefix="heartgui-callgrind-") as folder:
        inputs = prepare(args.data, Path(folder))
        for contender in CONTENDERS:
            low, high = count(inputs, contender, e0), count(inputs, contender, e1)
            per_epoch[contender] = (high - low) / (e1 - e0)
    ratio = per_epoch["heartgui"] / per_epoch["tutorial"]
    print(f"One epoch of the 13-8-1 network on 216 patients, instructions (callgrind, epochs {e0} → {e1}):\n")
    print("| Implementation | instructions / epoch | heartgui ÷ this |")
    print("|---|---|---|")
    print(f"| the tutorial's loop | {per_epoch['tutorial']:,.0f} | {ratio:.3f} (target ≤ {TARGET}) |")
    print(f"| heartgui `MLP.iter_fit` | {per_epoch['heartgui']:,.0f} | 1 |")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
