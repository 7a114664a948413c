"""Where heartgui finds its own files, from a source checkout and from a PyInstaller bundle.

Only the standard library is imported here: the window asks for its icon before anything heavy loads.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["app_root", "data_dir", "is_frozen", "resource", "resources_dir", "sample_data"]

#: The UCI files shipped with the app (CC BY 4.0, see data/README.md): in ``data/`` of a checkout or
#: bundle, or under ``<prefix>/share/heartgui/data`` for an installed wheel.
SAMPLE_NAME = "heart.dat"


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


def data_dir() -> Path | None:
    """The folder of the shipped UCI files, or ``None`` when this installation has none.

    Looked for next to a frozen app (``data/`` beside the executable, then inside the bundle), in
    ``<repo>/data`` when running from a checkout, and in ``<prefix>/share/heartgui/data`` where a wheel
    installed them. Never anywhere else: the app works without them.
    """
    candidates = [app_root() / "data"]
    if is_frozen():
        candidates.insert(0, Path(sys.executable).resolve().parent / "data")
    else:
        candidates.append(Path(sys.prefix) / "share" / "heartgui" / "data")
    for folder in candidates:
        if (folder / SAMPLE_NAME).is_file():
            return folder
    return None


def sample_data() -> Path | None:
    """The UCI ``heart.dat`` shipped with the app, if any (see :func:`data_dir`)."""
    folder = data_dir()
    return None if folder is None else folder / SAMPLE_NAME
