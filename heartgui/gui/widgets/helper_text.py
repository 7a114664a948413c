"""Helper text: the softer, secondary text under a figure or a setting, still easy to read.

Qt's placeholder colour (the text colour at half opacity) is about 3.8:1 against Fusion's light window
colour, below the 4.5:1 that WCAG asks of body text. :func:`soften` gives a label the lightest mix of
the text and window colours that keeps 4.5:1 (with a margin) against both the window and the base
colour (the cards' background), and follows a change of theme while the app runs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

__all__ = ["HELPER_PROPERTY", "MIN_CONTRAST", "composite", "contrast_ratio", "helper_colour", "soften"]

#: The dynamic property that marks a label as helper text (tests find every one by it).
HELPER_PROPERTY = "helper_text"
#: WCAG 2 AA for normal-size text.
MIN_CONTRAST = 4.5
#: What :func:`helper_colour` aims for, so rounding and antialiasing never take it below the minimum.
_TARGET = MIN_CONTRAST + 0.3


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black … 1 white)."""
    return 0.2126 * _linear(colour.red()) + 0.7152 * _linear(colour.green()) + 0.0722 * _linear(colour.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def composite(top: QColor, bottom: QColor) -> QColor:
    """``top`` laid over the opaque ``bottom`` (alpha blending): the colour the eye sees."""
    alpha = top.alphaF()
    return QColor(
        round(top.red() * alpha + bottom.red() * (1 - alpha)),
        round(top.green() * alpha + bottom.green() * (1 - alpha)),
        round(top.blue() * alpha + bottom.blue() * (1 - alpha)),
    )


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def helper_colour(palette: QPalette) -> QColor:
    """The softest text colour that still reads at 4.5:1 on the palette's window and base colours."""
    text = palette.color(QPalette.ColorRole.WindowText)
    backgrounds = (palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base))
    for step in range(60, -1, -1):  # from 60 % of the way to the window colour down to the text colour
        colour = _mix(text, backgrounds[0], step / 100)
        if all(contrast_ratio(colour, background) >= _TARGET for background in backgrounds):
            return colour
    return QColor(text)


class _FollowTheme(QObject):
    """Recolours a helper label when the application's palette changes (e.g. the system goes dark)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A new application palette reaches a label as ApplicationPaletteChange or, through its parent,
        # as PaletteChange; recolouring sends one more PaletteChange, after which nothing changes.
        changes = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange)
        if event.type() in changes and isinstance(watched, QLabel):
            _colour(watched)
        return False


_FOLLOWER: _FollowTheme | None = None


def _colour(label: QLabel) -> None:
    app = QApplication.instance()
    source = app.palette() if isinstance(app, QApplication) else label.palette()  # type: ignore[attr-defined]
    colour = helper_colour(source)
    palette = label.palette()
    if palette.color(QPalette.ColorRole.WindowText) != colour:
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        palette.setColor(QPalette.ColorRole.Text, colour)
        label.setPalette(palette)


def soften(label: QLabel) -> QLabel:
    """Style ``label`` as helper text (softer than body text, at least 4.5:1) and return it."""
    global _FOLLOWER
    if _FOLLOWER is None:
        _FOLLOWER = _FollowTheme()
    label.setProperty(HELPER_PROPERTY, True)
    label.setForegroundRole(QPalette.ColorRole.WindowText)
    _colour(label)
    label.installEventFilter(_FOLLOWER)
    return label
