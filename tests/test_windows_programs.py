"""The two Windows programs' entry points: heartgui.exe (window or CLI) and the console heartgui-cli.exe.

Both are plain Python files in packaging/windows/, run here unfrozen: the frozen ones are smoke-tested
under Wine by ``scripts/build.py --target windows --smoke-test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_build_script import ROOT, _load

FOLDER = ROOT / "packaging" / "windows"
launcher = _load("heartgui_cli_launcher", FOLDER / "cli_launcher.py")
entry = _load("heartgui_exe_entry", FOLDER / "heartgui_exe.py")


def test_both_programs_agree_on_the_flag_that_asks_for_the_cli():
    assert launcher.CLI_FLAG == entry.CLI_FLAG


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--smoke-test"], ["--smoke-test"]),
        (["--smoke-test", "--startup-probe", "heart.dat"], ["--smoke-test", "--startup-probe", "heart.dat"]),
        (["check", "heart.dat", "--json"], [entry.CLI_FLAG, "check", "heart.dat", "--json"]),
        ([], [entry.CLI_FLAG]),  # heartgui-cli's own usage line, not a window
        (["--help"], [entry.CLI_FLAG, "--help"]),
    ],
)
def test_the_console_program_sends_the_smoke_test_to_the_window_and_the_rest_to_the_cli(args, expected):
    assert launcher.child_command("C:\\heartgui\\heartgui.exe", args) == [
        "C:\\heartgui\\heartgui.exe",
        *expected,
    ]


def _run_entry(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(FOLDER / "heartgui_exe.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_exe_entry_runs_heartgui_cli_after_the_flag():
    """``heartgui.exe --run-heartgui-cli check DATA --json`` is ``heartgui-cli check DATA --json``."""
    data = str(ROOT / "data" / "heart.dat")
    via_entry = _run_entry(entry.CLI_FLAG, "check", data, "--json")
    direct = subprocess.run(
        [sys.executable, "-m", "heartgui.cli", "check", data, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=120,
    )
    assert (via_entry.returncode, via_entry.stderr) == (0, "")
    assert json.loads(via_entry.stdout) == json.loads(direct.stdout)
    assert json.loads(via_entry.stdout)["rows_used"] == 270
    mistake = _run_entry(entry.CLI_FLAG, "check", str(ROOT / "data" / "no-such-file.dat"))
    assert mistake.returncode == 2 and mistake.stderr.startswith("heartgui-cli: error:")


def test_the_exe_entry_opens_the_window_without_the_flag(monkeypatch):
    import heartgui.__main__

    calls = []
    monkeypatch.setattr(heartgui.__main__, "main", lambda: calls.append("window") or 0)
    assert entry.main(["heartgui.exe", "--smoke-test"]) == 0
    assert calls == ["window"]


def _fake_folder(tmp_path: Path, script: str) -> Path:
    """A folder with this Python as ``heartgui-cli`` and a shell script as ``heartgui.exe`` beside it."""
    (tmp_path / "heartgui-cli").symlink_to(sys.executable)
    app = tmp_path / "heartgui.exe"
    app.write_text("#!/bin/sh\n" + script)
    app.chmod(0o755)
    return tmp_path / "heartgui-cli"


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for heartgui.exe")
def test_the_console_program_hands_its_output_and_exit_code_through(tmp_path):
    python = _fake_folder(tmp_path, 'echo "args: $*"; echo "to stderr" >&2; exit 7\n')
    for args, shown in [
        (["--smoke-test", "x.dat"], "args: --smoke-test x.dat"),
        (["check", "x.dat"], f"args: {entry.CLI_FLAG} check x.dat"),
    ]:
        proc = subprocess.run(
            [str(python), str(FOLDER / "cli_launcher.py"), *args], capture_output=True, text=True, timeout=60
        )
        assert (proc.returncode, proc.stdout, proc.stderr) == (7, shown + "\n", "to stderr\n")


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for heartgui.exe")
def test_the_console_program_says_so_when_heartgui_exe_is_missing(tmp_path):
    python = _fake_folder(tmp_path, "exit 0\n")
    (tmp_path / "heartgui.exe").unlink()
    proc = subprocess.run(
        [str(python), str(FOLDER / "cli_launcher.py"), "check"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("heartgui-cli: error:") and "heartgui.exe is missing" in proc.stderr
