"""The core knows nothing of Qt or matplotlib (napari-style boundary, also enforced by import-linter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE_MODULES = sorted(
    f"heartgui.core.{p.stem}" for p in (ROOT / "heartgui" / "core").glob("*.py") if p.stem != "__init__"
)


def test_importing_the_whole_core_loads_no_qt_and_no_matplotlib():
    code = (
        "import sys, importlib\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "import heartgui.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert len(CORE_MODULES) >= 8
    assert out.stdout.strip() == ""


def test_import_linter_contracts_hold():
    """import-linter's own command, run by this interpreter: no activated venv or PATH entry needed."""
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "No module named 'importlinter'" not in out.stderr, "import-linter is a test dependency"
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


def test_training_and_its_metrics_import_no_scikit_learn():
    """The window's first training must not wait for scikit-learn to import (about a second; the
    window loads it in the background): a whole training run and its test metrics need none of it."""
    code = (
        "import sys\n"
        "from heartgui.core.dataset import load_dataset\n"
        "from heartgui.core.presets import PRESETS\n"
        "from heartgui.core.training import train\n"
        "import heartgui.gui.workers\n"
        "for settings in PRESETS.values():\n"
        "    result = train(load_dataset('data/heart.dat'), settings)\n"
        "    result.model.predict_risk(result.split.X_test.iloc[0].to_dict())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "[]"
