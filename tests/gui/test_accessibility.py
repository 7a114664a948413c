"""Every control a student can reach has a tooltip and a name a screen reader can say (issue: the window).

Walks the whole window after a real training, so the Results, Predict and Inside pages are built too.
Qt's own internals (a combo box's popup list, table headers and corner buttons, the menu bar's overflow
button) and matplotlib's toolbar buttons are not heartgui's controls and are left out.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QSlider,
    QTabBar,
    QWidget,
)

from heartgui.core.presets import RECOMMENDED

CONTROL_TYPES = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider, QAbstractItemView)


def _is_ours(widget: QWidget) -> bool:
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
        return False
    parent = widget.parent()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        return False  # the editor inside a spin box or combo box: the box itself is checked
    while parent is not None:
        # Parts of a combo box (its popup list), of a tab bar (its scroll arrows) and of matplotlib's
        # toolbar are Qt's and matplotlib's, not heartgui's.
        if isinstance(parent, (QComboBox, QTabBar)) or type(parent).__name__ == "NavigationToolbar2QT":
            return False
        parent = parent.parent()
    return True


def test_every_control_has_a_tooltip_and_a_name(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=20))
    controls = [w for kind in CONTROL_TYPES for w in window.findChildren(kind) if _is_ours(w)]
    assert len(controls) > 40  # all five pages are there
    missing = []
    for widget in controls:
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not widget.toolTip():
            missing.append(f"{type(widget).__name__} {widget.objectName() or text!r}: no tooltip")
        if not (widget.accessibleName() or text):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}: no accessible name")
    assert not missing, "\n".join(missing)
