"""Every control a student can reach has a tooltip and a name a screen reader can say (issue: the window).

Walks the whole window after a real training, so the Results, Predict and Inside pages are built too.
Qt's own internals (a combo box's popup list, table headers and corner buttons, the menu bar's overflow
button) and matplotlib's toolbar buttons are not heartgui's controls and are left out.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
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


def test_every_train_setting_has_a_plain_line_on_the_page(qtbot):
    """Tooltips are easy to miss: each setting has a one-line description under it, shown on the page."""
    from PySide6.QtWidgets import QLabel

    from heartgui.gui.pages.train_page import TrainPage
    from tests.gui.hosting import shown

    page = TrainPage()
    host = shown(qtbot, page, (1280, 720))  # (kept: the host owns the page)
    for field in page._fields():
        name = field.accessibleName()
        description = page.findChild(QLabel, f"{name} description")
        assert description is not None, name
        assert description.isVisible(), name
        words = description.text()
        assert 20 < len(words) <= 100, (name, words)  # one plain line, not a paragraph
        assert words != field.toolTip()  # the tooltip keeps the longer explanation
        assert description.property("helper_text")
    assert host.isVisible()


def test_the_train_page_explains_its_jargon(qtbot):
    """No bare "He", "L2", "one-hot" or "the notebook": each is replaced or explained where it is read."""
    from PySide6.QtWidgets import QLabel

    from heartgui.gui.pages.train_page import TrainPage

    page = TrainPage()
    qtbot.addWidget(page)
    visible = [label.text() for label in page.findChildren(QLabel)]
    visible += [page.preset.itemText(i) for i in range(page.preset.count())]
    visible += [page.init.itemText(i) for i in range(page.init.count())]
    visible.append(page.one_hot.text())
    assert not [t for t in visible if "notebook" in t]
    assert page.init.itemText(page.init.findData("he")) == "Scaled to each layer (He)"
    assert "He initialisation" in page.init.toolTip() and "√(2 ÷" in page.init.toolTip()
    assert "sum of squares, hence “L2”" in page.l2.toolTip()
    assert not [t for t in visible if t.rstrip(":").replace("&", "") == "One-hot"]
    assert "1 for the patient's category and 0 for the others" in page.one_hot.toolTip()


def _background(label):
    """The colour behind ``label``: a card's base colour (with its tint), else the window colour."""
    from heartgui.gui.widgets.card import Card
    from heartgui.gui.widgets.helper_text import composite

    parent = label.parentWidget()
    while parent is not None:
        if isinstance(parent, Card):
            base = parent.palette().color(QPalette.ColorRole.Base)
            return composite(parent.tint, base) if parent.tint is not None else base
        parent = parent.parentWidget()
    return label.palette().color(QPalette.ColorRole.Window)


def _helper_labels(window):
    """Every label styled as helper text (soften, or the grey placeholder colour) on the pages."""
    from PySide6.QtWidgets import QLabel

    labels = []
    for label in window.findChildren(QLabel):
        if not label.text():
            continue
        if label.property("helper_text") or label.foregroundRole() == QPalette.ColorRole.PlaceholderText:
            labels.append(label)
    return labels


def _contrast_failures(labels):
    from heartgui.gui.widgets.helper_text import MIN_CONTRAST, composite, contrast_ratio

    failures = []
    for label in labels:
        background = _background(label)
        text = composite(label.palette().color(label.foregroundRole()), background)
        ratio = contrast_ratio(text, background)
        if ratio < MIN_CONTRAST:
            failures.append(f"{label.objectName() or label.text()[:40]!r}: {ratio:.2f}:1")
    return failures


def test_helper_text_reads_at_4_5_to_1_in_light_and_dark_themes(window, open_file, heart_dat, qtbot):
    """WCAG AA for body text: every grey helper line on the pages has at least 4.5:1 contrast."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from heartgui.gui.widgets.helper_text import contrast_ratio

    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=20))
    labels = _helper_labels(window)
    assert len(labels) > 15  # the Train page's twelve descriptions, the Results cards, Inside's intro
    assert not _contrast_failures(labels)
    # Softer than body text all the same (or it would not be helper text).
    label = next(lb for lb in labels if lb.property("helper_text"))
    body = window.palette().color(QPalette.ColorRole.WindowText)
    assert label.palette().color(label.foregroundRole()) != body
    # A dark theme switched on while the app runs: the helper text follows it and stays readable.
    app = QApplication.instance()
    light = QPalette(app.palette())
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, QColor(40, 40, 40)),
        (QPalette.ColorRole.Base, QColor(25, 25, 25)),
        (QPalette.ColorRole.WindowText, QColor(235, 235, 235)),
        (QPalette.ColorRole.Text, QColor(235, 235, 235)),
    ):
        dark.setColor(role, colour)
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: label.palette().color(QPalette.ColorRole.Window) == QColor(40, 40, 40))
        assert contrast_ratio(label.palette().color(label.foregroundRole()), QColor(40, 40, 40)) > 4.5
        assert not _contrast_failures(_helper_labels(window))
    finally:
        app.setPalette(light)
