"""Start-up and size of the frozen app, side by side with a bare PySide6 window frozen the same way.

    python bench/bench_startup.py [--data data/heart.dat] [--runs 5] [--no-onefile]

Needs a build (``python scripts/build.py --mode both``). Builds the bare reference window with PyInstaller
on first use (into ``build/bench/``). Launch → first window shown, and launch → ready (data loaded, Train page
usable), medians of ``--runs`` launches, measured with wall-clock stamps the apps print (their first paint
event, and heartgui's ``dataset_loaded`` signal in ``--smoke-test --startup-probe`` mode), headless
(``QT_QPA_PLATFORM=offscreen``). Targets: one-folder first window ≤ 0.5 s and ready ≤ 1.5 s; one-file first
window ≤ 2.5 s; one-folder ≤ 300 MB, one-file ≤ 120 MB. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
BENCH_BUILD = ROOT / "build" / "bench"
EXE = ".exe" if sys.platform == "win32" else ""


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def build_bare(onefile: bool) -> Path:
    name = "bare-onefile" if onefile else "bare"
    binary = BENCH_BUILD / "dist" / (f"{name}{EXE}" if onefile else f"{name}/{name}{EXE}")
    if binary.exists():
        return binary
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--name",
        name,
        "--onefile" if onefile else "--onedir",
        "--distpath",
        str(BENCH_BUILD / "dist"),
        "--workpath",
        str(BENCH_BUILD / "work"),
        "--specpath",
        str(BENCH_BUILD),
        str(ROOT / "bench" / "bare_window.py"),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return binary


def launch(cmd: list[str], home: str) -> tuple[float, dict]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": home,
        "XDG_CACHE_HOME": str(Path(home) / "cache"),
        "XDG_CONFIG_HOME": str(Path(home) / "config"),
    }
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return start, json.loads(proc.stdout.strip().splitlines()[-1])


def measure(cmd: list[str], runs: int, keys: tuple[str, ...]) -> dict[str, float]:
    """Median seconds from launch to each stamp in ``keys``; one warm-up launch first (fills caches)."""
    with tempfile.TemporaryDirectory(prefix="heartgui-bench-") as home:
        launch(cmd, home)  # the first start builds matplotlib's font cache, as on a classroom's first day
        samples: dict[str, list[float]] = {k: [] for k in keys}
        for _ in range(runs):
            start, report = launch(cmd, home)
            for key in keys:
                samples[key].append(report[key] - start)
    return {k: statistics.median(v) for k, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "heart.dat")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-onefile", action="store_true")
    args = parser.parse_args(argv)

    rows = []
    checks = []
    for onefile in (False, True):
        if onefile and args.no_onefile:
            continue
        kind = "one-file" if onefile else "one-folder"
        app = DIST / (f"heartgui-onefile{EXE}" if onefile else f"heartgui/heartgui{EXE}")
        if not app.exists():
            print(f"{kind}: {app} not built (python scripts/build.py --mode both); skipped")
            continue
        bare = build_bare(onefile)
        bare_t = measure([str(bare)], args.runs, ("first_paint_unix",))
        app_t = measure(
            [str(app), "--smoke-test", "--startup-probe", str(args.data)],
            args.runs,
            ("first_paint_unix", "ready_unix"),
        )
        size = size_mb(app if onefile else app.parent)
        rows.append((kind, bare_t["first_paint_unix"], app_t["first_paint_unix"], app_t["ready_unix"], size))
        first_target, size_target = (2.5, 120.0) if onefile else (0.5, 300.0)
        checks.append((f"{kind} first window ≤ {first_target} s", app_t["first_paint_unix"] <= first_target))
        if not onefile:
            checks.append(("one-folder ready ≤ 1.5 s", app_t["ready_unix"] <= 1.5))
        checks.append((f"{kind} size ≤ {size_target:.0f} MB", size <= size_target))

    print(f"# heartgui start-up (median of {args.runs} launches after one warm-up, offscreen)\n")
    print(
        "| build | bare PySide6 window: first paint (s) | heartgui: first window (s) | heartgui: ready (s) "
        "| heartgui ÷ bare (first window) | size (MB) |"
    )
    print("|---|---|---|---|---|---|")
    for kind, bare_first, first, ready, size in rows:
        ratio = first / bare_first
        print(f"| {kind} | {bare_first:.3f} | {first:.3f} | {ready:.3f} | {ratio:.2f} | {size:.0f} |")
    print("\n| target | met |\n|---|---|")
    for name, ok in checks:
        print(f"| {name} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
