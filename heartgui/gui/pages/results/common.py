"""What every view of the Results page shares: fonts, wrapped labels, intervals in words, a scroll area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.wording import UNDEFINED

__all__ = [
    "auc_interval",
    "fixed",
    "mean_sd",
    "page_column",
    "percent_interval",
    "scaled_font",
    "scroll",
    "section_title",
    "soft",
    "wrapping",
]


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def soft(label: QLabel) -> QLabel:
    """Secondary text: softer than body text, still 4.5:1 against the page (follows the theme)."""
    return soften(label)


def wrapping(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def percent_interval(interval: tuple[float, float]) -> str:
    """``(0.62, 0.85)`` → ``"95 % CI 62.0–85.0 %"``; undefined → ``"95 % CI —"``."""
    low, high = interval
    if low != low or high != high:
        return f"95 % CI {UNDEFINED}"
    return f"95 % CI {low * 100:.1f}–{high * 100:.1f} %"


def auc_interval(interval: tuple[float, float]) -> str:
    """``(0.81, 0.95)`` → ``"95 % CI 0.81–0.95"``."""
    low, high = interval
    if low != low or high != high:
        return f"95 % CI {UNDEFINED}"
    return f"95 % CI {low:.2f}–{high:.2f}"


def fixed(value: float, decimals: int) -> str:
    return UNDEFINED if value != value else f"{value:.{decimals}f}"


def mean_sd(mean: float, sd: float, *, scale: float = 1.0, decimals: int = 2, unit: str = "") -> str:
    if mean != mean:
        return UNDEFINED
    spread = "" if sd != sd else f" ± {sd * scale:.{decimals}f}"
    return f"{mean * scale:.{decimals}f}{spread}{unit}"


def scroll(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


def page_column(view: QWidget, title: str) -> QVBoxLayout:
    """Give ``view`` the tabs' column layout under a large heading; returns the column."""
    column = QVBoxLayout(view)
    column.setContentsMargins(20, 16, 20, 20)
    column.setSpacing(12)
    heading = QLabel(title)
    heading.setFont(scaled_font(view, 1.5, bold=True))
    column.addWidget(heading)
    return column


def section_title(widget: QWidget, text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(widget, 1.15, bold=True))
    label.setContentsMargins(0, 8, 0, 0)
    label.setWordWrap(True)
    return label
