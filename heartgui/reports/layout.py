"""What both reports are set with: A4 pages of text, two-column rows, tables and axes, and the words
for numbers.

A :class:`Page` is a cursor that moves down one A4 figure. A :class:`Document` is a run of pages that
breaks to a new page when the next paragraph, row or figure does not fit, and numbers the pages when it
is saved (so a report whose length depends on its content never runs off the bottom of a page).
Everything is matplotlib's object API (``Figure`` + ``PdfPages``; never pyplot, never the global
rcParams) and no Qt, so the window (from a worker thread) and the command line can both call it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from heartgui import __version__
from heartgui.core.safe_io import atomic_write

if TYPE_CHECKING:
    from heartgui.core.presets import TrainingSettings

CAVEAT = "Teaching tool — not for clinical decisions."

A4 = (8.27, 11.69)  # inches
MARGIN = 0.75
TEXT_WIDTH = A4[0] - 2 * MARGIN
#: Content stops this far above the paper's bottom edge (the footer sits below it).
BOTTOM = 0.85
INK = "#1a1a1a"
GREY = "#5f6368"
WARN = "#a50e0e"
TODO = "#b45309"  # what the student must complete
RISE = "#c62828"  # contributions that raise the risk
FALL = "#1565c0"  # contributions that lower it
TRAIN_COLOUR = "#1565c0"
VALIDATION_COLOUR = "#ef6c00"


# --------------------------------------------------------------------------------------------------
# Numbers in words
# --------------------------------------------------------------------------------------------------


def format_percent(fraction: float, decimals: int = 1) -> str:
    """``0.7963`` → ``"79.6 %"``; NaN → ``"—"`` (a ratio over no patients)."""
    if math.isnan(fraction):
        return "—"
    return f"{fraction * 100:.{decimals}f} %"


def format_interval(interval: tuple[float, float], *, percent: bool = True) -> str:
    """``(0.71, 0.9)`` → ``"71.0–90.0 %"`` (or ``"0.710–0.900"`` with ``percent=False``)."""
    low, high = interval
    if math.isnan(low) or math.isnan(high):
        return "—"
    if percent:
        return f"{low * 100:.1f}–{high * 100:.1f} %"
    return f"{low:.3f}–{high:.3f}"


def threshold_words(threshold: float) -> str:
    text = f"{threshold * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def patients(n: int) -> str:
    return f"{n} patient{'s' if n != 1 else ''}"


SETTING_WORDS = {
    "preset": ("Preset", lambda v: str(v)),
    "hidden_layers": (
        "Hidden layers",
        lambda v: (
            "none (a logistic regression)"
            if not v
            else f"{len(v)} layer{'s' if len(v) != 1 else ''} of "
            + " and ".join(f"{n} unit{'s' if n != 1 else ''}" for n in v)
        ),
    ),
    "learning_rate": ("Learning rate (size of each step)", lambda v: f"{v:g}"),
    "epochs": ("Epochs (most passes over the training patients)", lambda v: f"{v}"),
    "init": (
        "Initial weights",
        lambda v: {
            "normal": "random normal N(0, 1) (the tutorial's)",
            "he": "He: random normal scaled to each layer's width",
        }.get(v, str(v)),
    ),
    "gradient": (
        "Gradient of each step",
        lambda v: {"sum": "summed over patients (the tutorial's)", "mean": "averaged over patients"}.get(
            v, str(v)
        ),
    ),
    "l2": ("Weight decay (L2)", lambda v: "none" if v == 0 else f"{v:g}"),
    "one_hot": (
        "Chest pain, resting ECG, thallium",
        lambda v: "one input per code (one-hot)" if v else "one input each, as the code number",
    ),
    "validation_fraction": (
        "Validation patients",
        lambda v: "none" if v == 0 else f"{v * 100:g} % of the training patients, held back to watch",
    ),
    "patience": (
        "Early stopping",
        lambda v: "never" if v is None else f"after {v} epochs without a better validation loss",
    ),
    "seed": ("Seed of the initial weights", lambda v: f"{v}"),
    "test_size": ("Patients kept aside for the test", lambda v: f"{v * 100:g} %"),
    "split_seed": ("Seed of the train/test split", lambda v: f"{v}"),
    "threshold": (
        "Decision threshold (not used in training)",
        lambda v: f"a risk of {threshold_words(v)} or more is flagged for further testing",
    ),
    "features": (
        "Findings the model uses",
        lambda v: "all 13" if v is None else f"{len(v)}: " + ", ".join(v),
    ),
}


def settings_in_words(settings: TrainingSettings) -> list[tuple[str, str]]:
    """Every field of ``settings`` as ``(label, value in words)``, in the order of the dataclass.

    A field this module has no words for yet is shown by its name and value, never left out.
    """
    rows = []
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        label, words = SETTING_WORDS.get(field.name, (field.name, str))
        rows.append((label, words(value)))
    return rows


# --------------------------------------------------------------------------------------------------
# Page layout: a cursor that moves down an A4 figure
# --------------------------------------------------------------------------------------------------


def line_height(size: float) -> float:
    return size * 1.4 / 72


class Page:
    """One A4 page: a header, a footer with the caveat, and text and axes placed top to bottom.

    ``number`` and ``total`` print "page N of M"; a :class:`Document` gives them when it is saved.
    """

    def __init__(self, report: str, number: int | None = None, total: int | None = None) -> None:
        self.figure = Figure(figsize=A4)
        self.y = A4[1] - MARGIN  # inches from the bottom
        self.figure.text(
            MARGIN / A4[0], 1 - 0.45 / A4[1], f"heartgui {__version__} · {report}", fontsize=8, color=GREY
        )
        self.figure.text(
            MARGIN / A4[0],
            0.45 / A4[1],
            CAVEAT + " Model figures describe these data only.",
            fontsize=8,
            color=GREY,
        )
        if number is not None and total is not None:
            self.number(number, total)

    def number(self, number: int, total: int) -> None:
        self.figure.text(
            1 - MARGIN / A4[0], 0.45 / A4[1], f"page {number} of {total}", fontsize=8, color=GREY, ha="right"
        )

    @property
    def room(self) -> float:
        """Inches left above the bottom margin."""
        return self.y - BOTTOM

    def skip(self, inches: float) -> None:
        self.y -= inches

    def text(
        self,
        text: str,
        size: float = 10,
        *,
        weight: str = "normal",
        color: str = INK,
        indent: float = 0.0,
        width: float | None = None,
        after: float = 0.08,
    ) -> None:
        """Write ``text`` wrapped to the width, moving the cursor below it."""
        width = TEXT_WIDTH - indent if width is None else width
        for line in wrap(text, size, width):
            self.line(line, size, weight=weight, color=color, indent=indent)
        self.y -= after

    def line(
        self, line: str, size: float, *, weight: str = "normal", color: str = INK, indent: float = 0.0
    ) -> None:
        self.figure.text(
            (MARGIN + indent) / A4[0],
            self.y / A4[1],
            line,
            fontsize=size,
            weight=weight,
            color=color,
            va="top",
        )
        self.y -= line_height(size)

    def heading(self, text: str, size: float = 13) -> None:
        self.y -= 0.12
        self.text(text, size, weight="bold", after=0.1)

    def rows(self, pairs: Sequence[tuple[str, str]], size: float = 9.5, label_width: float = 2.7) -> None:
        """A two-column list: label on the left, value (wrapped) on the right."""
        for label, value in pairs:
            top = self.y
            self.text(label, size, color=GREY, width=label_width - 0.1, after=0)
            left_bottom = self.y
            self.y = top
            self.text(value, size, indent=label_width, after=0)
            self.y = min(self.y, left_bottom) - 0.04

    def axes(self, height: float, *, left: float = 0.7, right: float = 0.1, below: float = 0.5) -> Axes:
        """Axes ``height`` inches tall under the cursor; ``left``/``below`` leave room for tick labels."""
        bottom = self.y - height
        ax = self.figure.add_axes(
            (
                (MARGIN + left) / A4[0],
                bottom / A4[1],
                (TEXT_WIDTH - left - right) / A4[0],
                height / A4[1],
            )
        )
        self.y = bottom - below
        return ax


def wrap(text: str, size: float, width: float) -> list[str]:
    """Wrap to ``width`` inches at ``size`` points (DejaVu Sans averages about 0.55 em a character)."""
    chars = max(20, int(width * 72 / (0.56 * size)))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, chars) or [""]
    return lines


def text_height(text: str, size: float, width: float = TEXT_WIDTH) -> float:
    return len(wrap(text, size, width)) * line_height(size)


class Document:
    """Pages that follow one another: each piece goes on a new page when it does not fit on this one."""

    def __init__(self, report: str) -> None:
        self.report = report
        self.pages: list[Page] = []
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> Page:
        self.pages.append(Page(self.report))
        return self.page

    def need(self, inches: float) -> Page:
        """The current page if ``inches`` fit on it, else a new one."""
        if self.page.room < inches and self.page.y < A4[1] - MARGIN - 1e-9:
            self.new_page()
        return self.page

    def text(self, text: str, size: float = 10, **kwargs: object) -> None:
        """A paragraph, broken across pages line by line when it must be."""
        indent = float(kwargs.pop("indent", 0.0))  # type: ignore[arg-type]
        after = float(kwargs.pop("after", 0.08))  # type: ignore[arg-type]
        width = TEXT_WIDTH - indent
        for line in wrap(text, size, width):
            self.need(line_height(size)).line(line, size, indent=indent, **kwargs)  # type: ignore[arg-type]
        self.page.y -= after

    def heading(self, text: str, size: float = 13, *, keep: float = 0.6) -> None:
        """A heading, kept on the page of the ``keep`` inches that follow it."""
        self.need(0.12 + line_height(size) + 0.1 + keep).heading(text, size)

    def rows(self, pairs: Sequence[tuple[str, str]], size: float = 9.5, label_width: float = 2.7) -> None:
        for label, value in pairs:
            height = max(
                text_height(label, size, label_width - 0.1),
                text_height(value, size, TEXT_WIDTH - label_width),
            )
            self.need(height + 0.04).rows([(label, value)], size, label_width)

    def table(
        self,
        header: Sequence[str],
        body: Sequence[Sequence[str]],
        widths: Sequence[float],
        size: float = 8.5,
    ) -> None:
        """A table of short cells (one line each; ``widths`` in inches), its header repeated on a new page."""
        height = line_height(size) + 0.03

        def put(cells: Sequence[str], *, bold: bool) -> None:
            page = self.page
            x = 0.0
            for cell, width in zip(cells, widths, strict=True):
                page.figure.text(
                    (MARGIN + x) / A4[0],
                    page.y / A4[1],
                    cell,
                    fontsize=size,
                    weight="bold" if bold else "normal",
                    color=INK if not bold else GREY,
                    va="top",
                )
                x += width
            page.y -= height

        self.need(2 * height)
        put(header, bold=True)
        for cells in body:
            if self.page.room < height:
                self.new_page()
                put(header, bold=True)
            put(cells, bold=False)
        self.page.y -= 0.08

    def axes(self, height: float, **kwargs: float) -> Axes:
        below = kwargs.get("below", 0.5)
        return self.need(height + below).axes(height, **kwargs)

    def save(self, pdf: PdfPages) -> int:
        """Number the pages and write them; returns how many there were."""
        total = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            page.number(number, total)
            pdf.savefig(page.figure)
        return total


def title_block(page: Page, title: str, subtitle: str) -> None:
    page.text(title, 20, weight="bold", after=0.05)
    page.text(subtitle, 10, color=GREY, after=0.05)
    page.text(CAVEAT, 12, weight="bold", color=WARN, after=0.1)


def now() -> str:
    return datetime.now().astimezone().strftime("%d %B %Y, %H:%M %Z").strip()


def style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    ax.grid(True, color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


@contextmanager
def atomic_pdf(path: str | os.PathLike[str], metadata: Mapping[str, str]) -> Iterator[PdfPages]:
    """A :class:`PdfPages` on a temporary file beside ``path``, renamed to ``path`` when all went well.

    :func:`heartgui.core.safe_io.atomic_write` does the writing: a failure (a full disk) leaves the old
    file and raises :class:`~heartgui.core.safe_io.WriteError` ("could not write …; nothing was changed"),
    even when matplotlib hides the OSError behind zlib's "Error -2 while flushing".
    """
    with (
        atomic_write(path) as handle,
        PdfPages(handle, metadata={"Creator": f"heartgui {__version__}", **metadata}) as pdf,
    ):
        yield pdf
