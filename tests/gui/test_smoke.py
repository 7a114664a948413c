"""``heartgui --smoke-test``: the real window, driven end to end in a fresh process, as CI runs the binary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("MPLCONFIGDIR", None)
    return subprocess.run(
        [sys.executable, "-m", "heartgui", "--smoke-test", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def test_smoke_test_trains_predicts_saves_and_reports_one_json_line(tmp_path, heart_dat):
    proc = _run([str(heart_dat)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert report["rows"] == 270
    assert report["epochs"] == 300
    assert 0.0 < report["risk"] < 1.0
    assert report["cv_folds"] == 3 and report["baselines"] >= 4
    assert report["first_paint_unix"] <= report["ready_unix"]
    # The plots' three "Save picture" formats, and every module of heartgui imported (the frozen builds'
    # check that nothing a page or dialog imports when it loads was left out).
    assert report["png_bytes"] > 0 and report["pdf_bytes"] > 0 and report["svg_bytes"] > 0
    top = ROOT / "heartgui" / "__init__.py"
    modules = [path for path in (ROOT / "heartgui").rglob("*.py") if path != top]
    assert report["modules"] == len(modules) > 90
    # Nothing written outside the temporary folder and the per-user cache folder.
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.parts[0] == "cache" for p in written), written


def test_smoke_test_fails_with_one_line_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text("this is not heart data\n")
    proc = _run([str(bad)], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("heartgui smoke test FAILED: loading")
    assert "Traceback" not in proc.stderr
