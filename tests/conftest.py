"""Fixtures shared by all heartgui tests."""

from __future__ import annotations

import os
from pathlib import Path

# GUI tests run headless; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

#: The real UCI data live beside the repository (../shared/data) and are never copied into it.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder holding heart.dat and processed.cleveland.data; fails (never skips) when absent."""
    if not (SHARED_DATA / "heart.dat").is_file():
        pytest.fail(f"real data not found: expected {SHARED_DATA}/heart.dat (../shared/data beside the repo)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def heart_dat(shared_data: Path) -> Path:
    return shared_data / "heart.dat"


@pytest.fixture(scope="session")
def heart(heart_dat: Path):
    """The Statlog heart data, loaded once (datasets are immutable)."""
    from heartgui.core.dataset import load_dataset

    return load_dataset(heart_dat)
