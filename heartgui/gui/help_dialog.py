"""The Help window (F1): a short guide to the five steps and a searchable glossary, all offline.

The words are in :mod:`heartgui.gui.help_text`; this module only lays them out. Terms in the guide link
to their glossary entry. The window is not modal, so a student can keep it open beside the page.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QUrl, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from heartgui.gui import help_text
from heartgui.gui.help_text import GLOSSARY, GUIDE, Term

__all__ = ["HelpDialog", "glossary_html", "guide_html"]

TAB_GUIDE, TAB_GLOSSARY = range(2)


def _step_anchor(page: str) -> str:
    return f"step-{page.lower()}"


def _nbsp(text: str) -> str:
    """Keep a number with its per cent sign on one line ("50 %" never breaks before the "%")."""
    return text.replace(" %", "\u00a0%")


def _link_terms(paragraph: str) -> str:
    """Turn each ``<i>term</i>`` that the glossary defines into a link to its entry."""

    def link(match: re.Match[str]) -> str:
        term = help_text.lookup(html.unescape(match.group(1)))
        if term is None:
            return match.group(0)
        return f'<a href="#{help_text.anchor(term)}"><i>{match.group(1)}</i></a>'

    return re.sub(r"<i>(.*?)</i>", link, paragraph)


def guide_html() -> str:
    """The guide as HTML: one section per step, glossary terms linked."""
    parts = [
        "<h2>How to use heartgui</h2>",
        "<p>Five steps, in the sidebar on the left. Each becomes available once the step before it "
        "has given it something to work on. Click a term in italics to see it in the glossary.</p>",
    ]
    for step in GUIDE:
        parts.append(f'<h3><a name="{_step_anchor(step.page)}"></a>{html.escape(step.title)}</h3>')
        parts += [f"<p>{_nbsp(_link_terms(p))}</p>" for p in step.paragraphs]
    return "\n".join(parts)


def _matches(term: Term, query: str) -> bool:
    query = query.strip().lower()
    if not query:
        return True
    text = " ".join((*term.names, re.sub(r"<[^>]+>", "", term.definition))).lower()
    return query in text


def glossary_html(query: str = "") -> str:
    """The glossary as HTML, alphabetical, only the entries that mention ``query`` (all when empty)."""
    terms = sorted((t for t in GLOSSARY if _matches(t, query)), key=lambda t: t.term.lower())
    if not terms:
        return f"<p>No entry mentions “{html.escape(query.strip())}”.</p>"
    parts = []
    for term in terms:
        also = [a for a in term.aliases if a.lower() not in term.term.lower()]
        see = f" <small>(also: {html.escape(', '.join(also))})</small>" if also else ""
        parts.append(
            f'<p><a name="{help_text.anchor(term)}"></a><b>{html.escape(term.term)}</b>{see}<br>'
            f"{_nbsp(term.definition)}</p>"
        )
    return "\n".join(parts)


class HelpDialog(QDialog):
    """The guide and the glossary in two tabs; :meth:`show_step` and :meth:`show_term` open them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("heartgui Help")
        self.setObjectName("help_dialog")
        self.setAccessibleName("Help")
        self.resize(760, 620)

        self.guide = self._browser("help_guide", "How to use heartgui, step by step.")
        self.guide.setHtml(guide_html())

        self.search = QLineEdit()
        self.search.setObjectName("help_search")
        self.search.setPlaceholderText("Find a word, e.g. sensitivity")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find in the glossary")
        self.search.setToolTip("Show only the glossary entries that mention this word.")
        self.search.textChanged.connect(self._filter)
        self.glossary = self._browser("help_glossary", "What the words on the pages mean.")
        self.glossary.setHtml(glossary_html())
        glossary_page = QWidget()
        glossary_layout = QVBoxLayout(glossary_page)
        glossary_layout.addWidget(self.search)
        glossary_layout.addWidget(self.glossary, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("help_tabs")
        self.tabs.addTab(self.guide, "Guide")
        self.tabs.addTab(glossary_page, "Glossary")
        self.tabs.setTabToolTip(TAB_GUIDE, "The five steps: Data, Train, Results, Predict, Inside.")
        self.tabs.setTabToolTip(TAB_GLOSSARY, "Every technical word the pages use, in plain words.")

        note = QLabel("Teaching tool — not for clinical decisions.")
        note.setObjectName("help_note")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip("Close the Help window (Esc).")
        close.setAccessibleName("Close Help")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _browser(self, name: str, tip: str) -> QTextBrowser:
        browser = QTextBrowser()
        browser.setObjectName(name)
        browser.setAccessibleName(tip)
        browser.setOpenLinks(False)  # every link is an anchor of the Help itself; nothing leaves the app
        browser.setOpenExternalLinks(False)
        browser.anchorClicked.connect(self._on_link)
        return browser

    # ----------------------------------------------------------------------------------------------
    @Slot(QUrl)
    def _on_link(self, url: QUrl) -> None:
        fragment = url.fragment()
        for term in GLOSSARY:
            if help_text.anchor(term) == fragment:
                self.show_term(term.term)
                return

    @Slot(str)
    def _filter(self, query: str) -> None:
        self.glossary.setHtml(glossary_html(query))

    def show_step(self, page: str) -> None:
        """Show the guide at the step of ``page`` (``"Data"``, ``"Train"``, …)."""
        self.tabs.setCurrentIndex(TAB_GUIDE)
        self.guide.scrollToAnchor(_step_anchor(page))

    def show_term(self, word: str) -> bool:
        """Show the glossary entry of ``word`` (a term or an alias); false when it has none."""
        term = help_text.lookup(word)
        if term is None:
            return False
        if self.search.text():
            self.search.clear()  # (which shows every entry again)
        self.tabs.setCurrentIndex(TAB_GLOSSARY)
        self.glossary.scrollToAnchor(help_text.anchor(term))
        return True
