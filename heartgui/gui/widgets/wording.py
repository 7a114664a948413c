"""How the pages write numbers for students: percentages, thresholds, counts."""

from __future__ import annotations

import math

#: What a page shows for a figure that is not defined (a ratio over zero patients).
UNDEFINED = "—"


def percent(fraction: float, decimals: int = 1) -> str:
    """``0.7963`` → ``"79.6 %"``; NaN → ``"—"``."""
    if math.isnan(fraction):
        return UNDEFINED
    return f"{fraction * 100:.{decimals}f} %"


def threshold_percent(threshold: float) -> str:
    """A threshold without needless decimals: ``0.5`` → ``"50 %"``, ``1/6`` → ``"16.7 %"``."""
    text = f"{threshold * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``plural(1, "patient")`` → ``"1 patient"``, ``plural(54, "patient")`` → ``"54 patients"``."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
