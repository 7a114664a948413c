"""Showing one page on its own in the headless tests."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget


def shown(qtbot, widget: QWidget, size: tuple[int, int] = (1200, 800)) -> QWidget:
    """Show ``widget`` in a top-level window of ``size`` and return that window.

    The host's layout puts no size constraint on the window: the offscreen platform warns ("does not
    support propagateSizeHints") whenever a shown window's minimum size changes, and Qt warnings fail tests.
    """
    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    qtbot.addWidget(host)
    host.resize(*size)
    host.show()
    qtbot.waitExposed(host)
    return host
