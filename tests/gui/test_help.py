"""The Help window (F1): the guide to the five steps and a glossary of every technical word the pages use."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QTableView,
    QTabWidget,
    QWidget,
)

from heartgui.core.presets import RECOMMENDED
from heartgui.gui import help_text
from heartgui.gui.help_dialog import TAB_GLOSSARY, TAB_GUIDE, HelpDialog, glossary_html, guide_html
from heartgui.gui.main_window import PAGE_RESULTS, PAGE_TRAIN
from heartgui.gui.pages.results import TAB_COMPARE

#: Technical words a student may meet on the pages. Kept here, apart from the glossary, so that a page
#: that starts using one of them without a glossary entry fails the test. A word with a capital letter
#: is matched with its case (``He``, ``L2``, ``PPV``), the others in any case.
TECHNICAL_WORDS = (
    "accuracy",
    "sensitivity",
    "specificity",
    "recall",
    "PPV",
    "NPV",
    "prevalence",
    "ROC",
    "ROC AUC",
    "AUC",
    "calibration",
    "calibration intercept",
    "calibration slope",
    "net benefit",
    "decision curve",
    "precision",
    "average precision",
    "pre-test probability",
    "Brier score",
    "threshold",
    "decision threshold",
    "cost-optimal",
    "Statlog cost",
    "confidence interval",
    "resamples",
    "bootstrap",
    "Statlog",
    "Statlog study",
    "Brier",
    "cross-validation",
    "fold",
    "folds",
    "shuffles",
    "default rule",
    "logistic regression",
    "naive Bayes",
    "MLPClassifier",
    "loss",
    "training loss",
    "validation loss",
    "cross-entropy",
    "epoch",
    "epochs",
    "learning rate",
    "gradient",
    "backpropagation",
    "hidden layer",
    "hidden layers",
    "unit",
    "units",
    "weight",
    "weights",
    "bias",
    "ReLU",
    "sigmoid",
    "log-odds",
    "logit",
    "overfitting",
    "validation fraction",
    "test fraction",
    "weight decay",
    "L2",
    "one-hot",
    "initial weights",
    "He",
    "early stopping",
    "patience",
    "seed",
    "standardise",
    "standardised",
    "standard deviation",
    "integrated gradients",
    "Mahalanobis",
    "ensemble",
    "spread",
    "thallium",
    "fluoroscopy",
    "ST depression",
)


def _pattern(word: str) -> re.Pattern[str]:
    flags = 0 if any(c.isupper() for c in word) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", flags)


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text or "").replace("&amp;", "&")


def _texts_students_read(root: QWidget) -> list[str]:
    """Every label, tooltip, button, tab, group title, combo item and table heading under ``root``."""
    texts = []
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleDescription()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                texts += [widget.tabText(i), widget.tabToolTip(i)]
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.headerData(column, Qt.Orientation.Horizontal, role)
                    texts.append(value if isinstance(value, str) else "")
    return [_plain(t) for t in texts if t]


@pytest.fixture
def trained_window(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training(RECOMMENDED.replace(epochs=20))
    window.show_page(PAGE_RESULTS)
    page = window.results_page
    with qtbot.waitSignal(page.comparison_finished, timeout=60_000):
        page.tabs.setCurrentIndex(TAB_COMPARE)  # the Compare tab fills its table when shown
    return window


def test_f1_opens_the_help_at_the_current_step(window, qtbot):
    window.show_page(PAGE_TRAIN)
    assert window.help_action.shortcut().toString() == "F1"
    assert window.help_action in window.menuBar().actions()[-1].menu().actions()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F1)
    dialog = window.findChild(HelpDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert not dialog.isModal()  # a student can keep it open beside the page
    assert dialog.tabs.currentIndex() == TAB_GUIDE
    guide = dialog.guide.toPlainText()
    # the five steps, in order
    steps = ("Data", "Train", "Results", "Predict", "Inside")
    assert tuple(step.page for step in help_text.GUIDE) == steps
    positions = [guide.index(f"{n} {name}") for n, name in enumerate(steps, start=1)]
    assert positions == sorted(positions)
    # opened at the Train step: the guide is scrolled down to it
    assert dialog.guide.verticalScrollBar().value() > 0
    # F1 again brings back the same window, not a second one
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F1)
    assert len(window.findChildren(HelpDialog)) == 1


def test_help_works_offline_and_links_only_inside_itself():
    for page in (guide_html(), glossary_html()):
        assert "http" not in page and "www." not in page and "src=" not in page
        for target in re.findall(r'href="([^"]*)"', page):
            assert target.startswith("#term-")
    anchors = set(re.findall(r'name="([^"]+)"', glossary_html()))
    for target in re.findall(r'href="#([^"]*)"', guide_html()):
        assert target in anchors  # no dead link in the guide


def test_every_term_in_the_guide_is_in_the_glossary():
    for step in help_text.GUIDE:
        for paragraph in step.paragraphs:
            for word in re.findall(r"<i>(.*?)</i>", paragraph):
                if word in ("Tutorial", "Recommended", "Threshold &amp; costs", "Curves", "Compare"):
                    continue  # names of presets and tabs, not terms
                if word in ("Subgroups", "Other prevalence"):
                    continue  # the Results page's tabs (Calibration and Decision curve are terms too)
                if word in ("Why this risk", "What if", "How sure"):
                    continue  # the Predict page's tabs
                assert help_text.lookup(word) is not None, word


def test_the_brief_s_terms_are_defined_and_no_name_is_ambiguous():
    for word in (
        "loss",
        "epoch",
        "learning rate",
        "gradient",
        "backpropagation",
        "sensitivity",
        "specificity",
        "PPV",
        "NPV",
        "ROC AUC",
        "calibration",
        "threshold",
        "prevalence",
        "log-odds",
        "overfitting",
        "validation split",
        "test split",
        "L2",
        "weight decay",
        "one-hot encoding",
        "initialisation",
        "early stopping",
    ):
        term = help_text.lookup(word)
        assert term is not None, word
        assert len(_plain(term.definition)) > 80, word  # a definition, not a restatement
    names = [name.lower() for term in help_text.GLOSSARY for name in term.names]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_every_technical_word_the_pages_use_is_in_the_glossary(trained_window):
    texts = _texts_students_read(trained_window)
    assert len(texts) > 300  # all five pages are built and filled
    used = {word for word in TECHNICAL_WORDS if any(_pattern(word).search(t) for t in texts)}
    assert len(used) > 40  # the pages do use these words; the check below is not vacuous
    undefined = sorted(word for word in used if help_text.lookup(word) is None)
    assert not undefined, f"used on the pages but not in the glossary: {undefined}"


def test_a_guide_link_opens_its_glossary_entry_and_search_filters(qtbot):
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert 'href="#term-loss"' in guide_html()
    dialog.guide.anchorClicked.emit(QUrl("#term-loss"))
    assert dialog.tabs.currentIndex() == TAB_GLOSSARY
    qtbot.keyClicks(dialog.search, "reassure")
    shown = dialog.glossary.toPlainText()
    assert "Specificity" in shown and "Confusion matrix" in shown
    assert "Backpropagation" not in shown
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "xylophone")
    assert "No entry mentions “xylophone”" in dialog.glossary.toPlainText()
    assert dialog.show_term("AUC") and dialog.search.text() == ""
    assert not dialog.show_term("xylophone")
