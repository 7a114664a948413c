"""Fixtures shared by all heartgui tests."""

from __future__ import annotations

import os
from pathlib import Path

# GUI tests run headless; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import settings

# CI runs the property tests derandomised (the same examples on every run), so an unrelated change can
# never meet a new random failure there; locally they keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: The real UCI data, kept in the repository's data/ (CC BY 4.0): a clone with nothing beside it passes.
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder holding heart.dat, processed.cleveland.data and the other sites; fails (never skips)."""
    if not (DATA / "heart.dat").is_file():
        pytest.fail(f"real data not found: expected {DATA}/heart.dat")
    return DATA


@pytest.fixture(scope="session")
def heart_dat(shared_data: Path) -> Path:
    return shared_data / "heart.dat"


@pytest.fixture(scope="session")
def heart(heart_dat: Path):
    """The Statlog heart data, loaded once (datasets are immutable)."""
    from heartgui.core.dataset import load_dataset

    return load_dataset(heart_dat)
