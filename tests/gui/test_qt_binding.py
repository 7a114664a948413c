"""The Qt binding itself must not corrupt Python: a guard against PySide6 6.12.0's None-refcount bug.

PySide6-Essentials 6.12.0 on Python 3.11 decrements ``None``'s reference count on every Qt call that
returns nothing; after a few thousand calls Python aborts ("Fatal Python error: none_dealloc"), which a
student would see as the app vanishing. pyproject.toml excludes that release; this test catches it (or a
relapse) in whatever version is installed.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_alive(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.setEnabled(True)
        widget.setToolTip("x")
    after = sys.getrefcount(None)
    assert after - before > -100, f"None lost {before - after} references in 4000 void Qt calls"
