"""Where heartgui finds its own files, from a source checkout and from a PyInstaller bundle.

Only the standard library is imported here: the window asks for its icon before anything heavy loads.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["app_root", "is_frozen", "resource", "resources_dir", "sample_data"]


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def app_root() -> Path:
    """The folder holding ``resources/`` and ``data/``: the bundle, or the repository root."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """The ``resources/`` folder (icons): in the bundle or the checkout, else where a wheel installed it
    (``<prefix>/share/heartgui/resources``); it may not exist."""
    beside = app_root() / "resources"
    if beside.is_dir() or is_frozen():
        return beside
    installed = Path(sys.prefix) / "share" / "heartgui" / "resources"
    return installed if installed.is_dir() else beside


def resource(name: str) -> Path | None:
    """Path of a file in ``resources/``, or ``None`` when it is not there."""
    path = resources_dir() / name
    return path if path.is_file() else None


def sample_data() -> Path | None:
    """The UCI ``heart.dat`` shipped with the app, if any.

    Looked for next to a frozen app (``data/heart.dat`` beside the executable or inside the bundle), or in
    ``<repo>/data/heart.dat`` when running from source. Never anywhere else: the app works without it.
    """
    candidates = [app_root() / "data" / "heart.dat"]
    if is_frozen():
        candidates.insert(0, Path(sys.executable).resolve().parent / "data" / "heart.dat")
    for path in candidates:
        if path.is_file():
            return path
    return None
