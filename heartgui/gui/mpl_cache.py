"""Where matplotlib keeps its font cache: set before its first import, by the app and the window alike.

A module of its own (Qt's QStandardPaths and the standard library only) so that ``gui/app.py`` and
``gui/main_window.py`` can both use it without importing each other.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

__all__ = ["configure_matplotlib_cache"]


def configure_matplotlib_cache() -> None:
    """Point matplotlib's cache at a per-user folder, unless the user chose one (``MPLCONFIGDIR``).

    Must run before matplotlib is first imported. The default (~/.matplotlib or ~/.config) may be
    read-only on a classroom laptop, and matplotlib would then build its font cache on every start.
    """
    if os.environ.get("MPLCONFIGDIR"):
        return
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    if not cache:
        return
    folder = Path(cache) / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # matplotlib then falls back to a temporary folder by itself
    os.environ["MPLCONFIGDIR"] = str(folder)
