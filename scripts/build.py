"""Build heartgui with PyInstaller from a fresh clone, archive it, and smoke-test the binary.

    python scripts/build.py                         # one-folder app: dist/heartgui/heartgui
    python scripts/build.py --mode both --smoke-test
    python scripts/build.py --target windows --smoke-test   # on Debian: heartgui.exe under Wine

The smoke test runs ``heartgui --smoke-test [DATA]`` headless (``QT_QPA_PLATFORM=offscreen``), without
network where ``unshare -n`` works, and fails on a non-zero exit, on anything but one JSON line on stdout,
or on anything written to stderr (a Qt warning, a traceback). Modelled on qutebrowser's ``smoke_test``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NAME, VERSION = PROJECT["name"], PROJECT["version"]
EXE = ".exe" if sys.platform == "win32" else ""
#: What the smoke test must open when no file is given: the heart.dat every build and wheel ships.
SAMPLE_SHA256 = hashlib.sha256((ROOT / "data" / "heart.dat").read_bytes()).hexdigest()
#: How many modules the Windows app's smoke test must import (heartgui.gui.smoke.import_every_module:
#: every module and package under heartgui/ but the top one; its exe starts from packaging/windows/ and
#: holds the CLI too): one missing from the bundle would be one fewer. The Linux and macOS apps start from
#: heartgui/__main__.py and hold the window's modules only (no heartgui.cli, heartgui.core.lessons), so
#: their count is not judged; importing every module they hold is still part of their smoke test.
HEARTGUI_MODULES = sum(1 for _ in (ROOT / "heartgui").rglob("*.py")) - 1
#: matplotlib's font cache file, e.g. ``.cache/heartgui/heartgui/matplotlib/fontlist-v390.json``.
FONT_CACHE = re.compile(r"(^|/)matplotlib/fontlist-v[0-9.]+\.json$")


def run_pyinstaller(onefile: bool) -> Path:
    env = {**os.environ, "HEARTGUI_ONEFILE": "1" if onefile else "0"}
    work = ROOT / "build" / ("onefile" if onefile else "onefolder")
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--workpath",
        str(work),
        "--distpath",
        str(DIST),
        str(ROOT / "build.spec"),
    ]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)
    binary = DIST / (f"{NAME}-onefile{EXE}" if onefile else f"{NAME}/{NAME}{EXE}")
    if not binary.exists():
        raise SystemExit(f"build finished but {binary} is missing")
    return binary


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def archive_onefolder() -> Path:
    folder = DIST / NAME
    if sys.platform == "win32":
        return Path(shutil.make_archive(str(DIST / f"{NAME}-{VERSION}-windows"), "zip", DIST, NAME))
    out = DIST / f"{NAME}-{VERSION}-{sys.platform}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder, arcname=NAME)
    return out


def judge_smoke_output(
    returncode: int,
    stdout: str,
    stderr: str,
    data: Path | None,
    written_outside: list[str],
    *,
    binary: Path | str,
    frozen: bool = False,
    cache_files: list[str] | None = None,
) -> dict:
    """Judge one run of ``heartgui --smoke-test``: return its JSON report or exit with every reason.

    Fails on a non-zero exit, on any stderr output, on anything but one JSON line on stdout, on files
    written outside the temp and cache folders (``written_outside``), when no file was given and it did
    not open the bundled heart.dat, and, with ``frozen``, unless it imported every module of heartgui
    (``modules``; a module left out of the bundle is not found) and the report says ``"ok": true,
    "frozen": true`` (the Windows build checks that; the Linux builds keep their checks unchanged).
    ``cache_files``, when given, are the files a first start wrote into the user's cache folder:
    matplotlib's font cache must be among them, or every start would scan the system's fonts again
    (PyInstaller's matplotlib hook points it at a new temporary folder each time unless build.spec leaves
    that hook out).
    """
    problems = []
    if returncode != 0:
        problems.append(f"exit code {returncode}")
    if stderr.strip():
        problems.append("unexpected output on stderr:\n" + stderr.strip())
    lines = [line for line in stdout.splitlines() if line.strip()]
    report: dict = {}
    if len(lines) != 1:
        problems.append(f"expected one JSON line on stdout, got {len(lines)}:\n{stdout}")
    else:
        try:
            report = json.loads(lines[0])
        except json.JSONDecodeError as exc:
            problems.append(f"stdout is not JSON ({exc}): {lines[0]!r}")
    if written_outside:
        problems.append(f"wrote files outside the cache folder: {written_outside}")
    if frozen and report and report.get("modules") != HEARTGUI_MODULES:
        problems.append(
            f"it imported {report.get('modules')} of heartgui's {HEARTGUI_MODULES} modules (one is missing "
            "from the bundle, or the report is not from this version)"
        )
    if data is None and report and report.get("data_sha256") != SAMPLE_SHA256:
        problems.append(f"with no file given it opened {report.get('data')}, not the bundled heart.dat")
    if cache_files is not None and not any(FONT_CACHE.search(path) for path in cache_files):
        problems.append(
            "matplotlib's font cache was not written to the user's cache folder, so it is rebuilt on every "
            f"start (files written there: {cache_files})"
        )
    if frozen and report and not (report.get("ok") is True and report.get("frozen") is True):
        problems.append(f'the report does not say "ok": true, "frozen": true: {lines[0]}')
    if problems:
        raise SystemExit(f"smoke test of {binary} FAILED:\n- " + "\n- ".join(problems))
    return report


def smoke_test(binary: Path, data: Path | None) -> dict:
    """Run the built app's --smoke-test; return its JSON report or exit with the reason."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory(prefix="heartgui-smoke-home-") as home:
        # A fresh HOME: the app must work on a first start and write only to temp and cache folders.
        env.update(
            HOME=home, XDG_CACHE_HOME=str(Path(home) / ".cache"), XDG_CONFIG_HOME=str(Path(home) / ".config")
        )
        cmd = [str(binary), "--smoke-test"] + ([str(data)] if data else [])
        if sys.platform.startswith("linux") and shutil.which("unshare"):
            probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
            if probe.returncode == 0:
                cmd = ["unshare", "-n", *cmd]  # no network at all
        print("+", " ".join(cmd), flush=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        elapsed = time.perf_counter() - start
        written = sorted(str(p.relative_to(home)) for p in Path(home).rglob("*") if p.is_file())
    outside_cache = [p for p in written if not p.startswith(".cache/")]
    # Only Linux keeps the cache under HOME (XDG_CACHE_HOME); Windows uses %LOCALAPPDATA%, which the Wine
    # build checks in its own prefix (scripts/windows/wine_build.py).
    in_cache = [p for p in written if p.startswith(".cache/")] if sys.platform.startswith("linux") else None
    report = judge_smoke_output(
        proc.returncode, proc.stdout, proc.stderr, data, outside_cache, binary=binary, cache_files=in_cache
    )
    print(f"smoke test of {binary} passed in {elapsed:.1f} s: {json.dumps(report)}")
    return report


def build_windows(args: argparse.Namespace) -> int:
    """``--target windows``: scripts/windows/wine_build.py does the work, judged as the Linux builds are."""
    if args.mode != "onefolder":
        raise SystemExit("--target windows builds the one-folder app only (the zip a classroom unpacks)")
    if not sys.platform.startswith("linux"):
        raise SystemExit("--target windows builds under Wine on Linux; on Windows, run without --target")
    sys.path.insert(0, str(ROOT / "scripts" / "windows"))
    import wine_build

    def check(
        returncode: int,
        stdout: str,
        stderr: str,
        data: Path | None,
        written: list[str],
        cache_files: list[str] | None = None,
    ) -> dict:
        exe = "heartgui.exe under Wine"
        return judge_smoke_output(
            returncode, stdout, stderr, data, written, binary=exe, frozen=True, cache_files=cache_files
        )

    return wine_build.main(not args.no_build, args.smoke_test, args.data, DIST, check)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["onefolder", "onefile", "both"], default="onefolder")
    parser.add_argument(
        "--target",
        choices=["native", "windows"],
        default="native",
        help="native: this system's app (default); windows: heartgui.exe built and tested under Wine on "
        "Debian, zipped as dist/heartgui-<version>-windows.zip (one-folder only; see scripts/windows/)",
    )
    parser.add_argument("--smoke-test", action="store_true", help="run the built app's --smoke-test")
    parser.add_argument("--no-build", action="store_true", help="only smoke-test an existing build")
    parser.add_argument(
        "--installed",
        type=Path,
        default=None,
        metavar="HEARTGUI",
        help="only smoke-test this installed `heartgui` command (e.g. from `pip install .`), no build",
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="data file for the smoke test (default: the bundled sample)"
    )
    args = parser.parse_args(argv)

    if args.installed is not None:
        smoke_test(args.installed, args.data)
        return 0
    if args.target == "windows":
        return build_windows(args)
    modes = ["onefolder", "onefile"] if args.mode == "both" else [args.mode]
    for mode in modes:
        onefile = mode == "onefile"
        if args.no_build:
            binary = DIST / (f"{NAME}-onefile{EXE}" if onefile else f"{NAME}/{NAME}{EXE}")
        else:
            start = time.perf_counter()
            binary = run_pyinstaller(onefile)
            print(f"built {binary} in {time.perf_counter() - start:.0f} s")
        target = binary if onefile else binary.parent
        print(f"{mode}: {size_mb(target):.0f} MB ({target})")
        if not onefile and not args.no_build:
            archive = archive_onefolder()
            print(f"archive: {archive} ({size_mb(archive):.0f} MB)")
        if args.smoke_test:
            smoke_test(binary, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
