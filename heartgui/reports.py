"""PDF reports: a training run, and one patient's prediction, for a student to keep or hand in.

The one idea of this module: *turn core results into a few A4 pages of plain words and figures*. It uses
matplotlib's object API only (``Figure`` + ``PdfPages``; never pyplot, never the global rcParams) and no
Qt, so the window (from a worker thread) and the command line can both call it. The text is set in
matplotlib's DejaVu Sans, embedded in the PDF, so it can be searched and copied. Files are written to a
temporary file beside the target and renamed, so a failed write never leaves half a report.

Pages
-----
:func:`training_report` (3 pages)
    1. title, caveat, the data (file, SHA-256, rows, classes, dropped rows), the donors' citation, every
       training setting in words;
    2. the loss curve (training and validation) and how training ended;
    3. test-set figures with 95 % intervals, the confusion matrix in words, the ROC curve with its AUC.
:func:`patient_report` (2 pages)
    the risk (what it is, the prevalence it was learned at), whether it flags the patient for further
    testing at the threshold, with the test sensitivity and specificity there and the data trained on (and
    the spread across seeds, if given), the inputs in clinical words with units (cholesterol in the
    student's unit), out-of-range and rare-answer flags; page 2: the per-feature contributions in
    percentage points, with what they mean (associations, not causes).
"""

from __future__ import annotations

import dataclasses
import math
import os
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from heartgui import __version__
from heartgui.core import schema
from heartgui.core.evaluation import (
    MetricsWithIntervals,
    evaluate,
    metrics_with_intervals,
    roc_point_at,
    roc_points,
)
from heartgui.core.safe_io import atomic_write

if TYPE_CHECKING:
    from heartgui.core.dataset import Provenance
    from heartgui.core.evaluation import Metrics
    from heartgui.core.explain import Contributions, RiskSpread, TrainingFacts
    from heartgui.core.model import HeartModel
    from heartgui.core.presets import TrainingSettings
    from heartgui.core.training import TrainingResult

__all__ = [
    "CAVEAT",
    "PATIENT_REPORT_PAGES",
    "TRAINING_REPORT_PAGES",
    "format_interval",
    "format_percent",
    "patient_report",
    "settings_in_words",
    "training_report",
]

CAVEAT = "Teaching tool — not for clinical decisions."
TRAINING_REPORT_PAGES = 3
PATIENT_REPORT_PAGES = 2

_A4 = (8.27, 11.69)  # inches
_MARGIN = 0.75
_TEXT_WIDTH = _A4[0] - 2 * _MARGIN
_INK = "#1a1a1a"
_GREY = "#5f6368"
_WARN = "#a50e0e"
_RISE = "#c62828"  # contributions that raise the risk
_FALL = "#1565c0"  # contributions that lower it
_TRAIN_COLOUR = "#1565c0"
_VALIDATION_COLOUR = "#ef6c00"


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


def _threshold_words(threshold: float) -> str:
    text = f"{threshold * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _patients(n: int) -> str:
    return f"{n} patient{'s' if n != 1 else ''}"


_SETTING_WORDS = {
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
        lambda v: f"a risk of {_threshold_words(v)} or more is flagged for further testing",
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
        label, words = _SETTING_WORDS.get(field.name, (field.name, str))
        rows.append((label, words(value)))
    return rows


# --------------------------------------------------------------------------------------------------
# Page layout: a cursor that moves down an A4 figure
# --------------------------------------------------------------------------------------------------


class _Page:
    """One A4 page: a header, a footer with the caveat, and text and axes placed top to bottom."""

    def __init__(self, report: str, number: int, total: int) -> None:
        self.figure = Figure(figsize=_A4)
        self.y = _A4[1] - _MARGIN  # inches from the bottom
        self.figure.text(
            _MARGIN / _A4[0], 1 - 0.45 / _A4[1], f"heartgui {__version__} · {report}", fontsize=8, color=_GREY
        )
        self.figure.text(
            _MARGIN / _A4[0],
            0.45 / _A4[1],
            CAVEAT + " Model figures describe these data only.",
            fontsize=8,
            color=_GREY,
        )
        self.figure.text(
            1 - _MARGIN / _A4[0],
            0.45 / _A4[1],
            f"page {number} of {total}",
            fontsize=8,
            color=_GREY,
            ha="right",
        )

    def skip(self, inches: float) -> None:
        self.y -= inches

    def text(
        self,
        text: str,
        size: float = 10,
        *,
        weight: str = "normal",
        color: str = _INK,
        indent: float = 0.0,
        width: float | None = None,
        after: float = 0.08,
    ) -> None:
        """Write ``text`` wrapped to the width, moving the cursor below it."""
        width = _TEXT_WIDTH - indent if width is None else width
        for line in _wrap(text, size, width):
            self.figure.text(
                (_MARGIN + indent) / _A4[0],
                self.y / _A4[1],
                line,
                fontsize=size,
                weight=weight,
                color=color,
                va="top",
            )
            self.y -= size * 1.4 / 72
        self.y -= after

    def heading(self, text: str) -> None:
        self.y -= 0.12
        self.text(text, 13, weight="bold", after=0.1)

    def rows(self, pairs: Sequence[tuple[str, str]], size: float = 9.5, label_width: float = 2.7) -> None:
        """A two-column list: label on the left, value (wrapped) on the right."""
        for label, value in pairs:
            top = self.y
            self.text(label, size, color=_GREY, width=label_width - 0.1, after=0)
            left_bottom = self.y
            self.y = top
            self.text(value, size, indent=label_width, after=0)
            self.y = min(self.y, left_bottom) - 0.04

    def axes(self, height: float, *, left: float = 0.7, right: float = 0.1, below: float = 0.5) -> Axes:
        """Axes ``height`` inches tall under the cursor; ``left``/``below`` leave room for tick labels."""
        bottom = self.y - height
        ax = self.figure.add_axes(
            (
                (_MARGIN + left) / _A4[0],
                bottom / _A4[1],
                (_TEXT_WIDTH - left - right) / _A4[0],
                height / _A4[1],
            )
        )
        self.y = bottom - below
        return ax


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Wrap to ``width`` inches at ``size`` points (DejaVu Sans averages about 0.55 em a character)."""
    chars = max(20, int(width * 72 / (0.56 * size)))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, chars) or [""]
    return lines


def _title_block(page: _Page, title: str, subtitle: str) -> None:
    page.text(title, 20, weight="bold", after=0.05)
    page.text(subtitle, 10, color=_GREY, after=0.05)
    page.text(CAVEAT, 12, weight="bold", color=_WARN, after=0.1)


def _now() -> str:
    return datetime.now().astimezone().strftime("%d %B %Y, %H:%M %Z").strip()


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    ax.grid(True, color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


@contextmanager
def _atomic_pdf(path: str | os.PathLike[str], metadata: Mapping[str, str]) -> Iterator[PdfPages]:
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


# --------------------------------------------------------------------------------------------------
# Training report
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """What the pages of a training report are drawn from: the run, its data file, and its figures at the
    report's one decision threshold (``intervals.metrics.threshold``)."""

    result: TrainingResult
    provenance: Provenance | None
    intervals: MetricsWithIntervals
    train_accuracy: float
    threshold_source: str


def training_report(
    path: str | os.PathLike[str],
    result: TrainingResult,
    *,
    provenance: Provenance | None = None,
    intervals: MetricsWithIntervals | None = None,
    threshold: float | None = None,
    threshold_source: str | None = None,
) -> None:
    """Write a 3-page PDF about a training run.

    Every figure that depends on a decision threshold (accuracies, sensitivity, the confusion matrix, the
    ROC point) is at one threshold, named once, on page 3, with where it comes from.

    Parameters
    ----------
    path : str or os.PathLike
        The PDF to write (replaced atomically).
    result : TrainingResult
        The finished run.
    provenance : Provenance, optional
        The data file the run was trained on (``Dataset.provenance`` when it started); without it only
        the data's SHA-256 is known. A provenance whose fingerprint is not the run's is refused.
    intervals : MetricsWithIntervals, optional
        The test figures with intervals; computed (bootstrap, ~0.1 s) when not given.
    threshold : float, optional
        The decision threshold of the whole report; by default the one of the run's settings (or of
        ``intervals``, when given).
    threshold_source : str, optional
        Where the threshold comes from, in words (e.g. "the threshold chosen on the Results page").

    Raises
    ------
    OSError
        When the file cannot be written; an existing file at ``path`` is then left as it was.
    ValueError
        When ``provenance`` is another file's, or ``intervals`` are at another threshold.
    """
    if provenance is not None and provenance.sha256 != result.data_sha256:
        raise ValueError(
            f"{provenance.file_name} is not the data this model was trained on (its fingerprint differs)."
        )
    if threshold is None:
        threshold = intervals.metrics.threshold if intervals is not None else result.settings.threshold
        if threshold_source is None:
            threshold_source = "the threshold of the training settings"
    if intervals is None:
        intervals = metrics_with_intervals(result.split.y_test, result.test_risk, threshold)
    elif intervals.metrics.threshold != threshold:
        raise ValueError(
            f"the intervals are at the threshold {intervals.metrics.threshold:g}, the report at {threshold:g}"
        )
    split = result.split
    run = _Run(
        result=result,
        provenance=provenance,
        intervals=intervals,
        train_accuracy=evaluate(split.y_train, result.model.predict_risk(split.X_train), threshold).accuracy,
        threshold_source=threshold_source or "the chosen threshold",
    )
    name = provenance.file_name if provenance is not None else "data"
    report = f"training report · {name}"
    with _atomic_pdf(path, {"Title": f"heartgui training report — {name}"}) as pdf:
        for draw, number in ((_training_data_page, 1), (_training_loss_page, 2), (_training_test_page, 3)):
            page = _Page(report, number, TRAINING_REPORT_PAGES)
            draw(page, run)
            pdf.savefig(page.figure)


def _training_data_page(page: _Page, run: _Run) -> None:
    result, provenance = run.result, run.provenance
    _title_block(page, "Training report", f"Made {_now()} with heartgui {__version__}")
    page.heading("The data")
    split = result.split
    n_train, n_test = len(split.y_train), len(split.y_test)
    y = np.concatenate([split.y_train, split.y_test])
    rows = []
    if provenance is not None:
        rows += [("File", provenance.file_name), ("Folder", os.path.dirname(provenance.path) or "—")]
    rows.append(
        ("SHA-256 (fingerprint)", provenance.sha256 if provenance is not None else result.data_sha256)
    )
    if provenance is not None:
        # Counted from the split, not from provenance.dropped: a provenance of the whole file (not of
        # the rows the model used) does not list the rows lacking a finding the model uses.
        dropped = provenance.rows_read - len(y)
        rows.append(("Rows", f"{provenance.rows_read} read, {len(y)} used, {dropped} dropped"))
    else:
        rows.append(("Rows", f"{len(y)} used"))
    rows += [
        (
            "Classes",
            f"{int(np.sum(y == 1))} with heart disease (present), {int(np.sum(y == 0))} without (absent)",
        ),
        ("Split", f"{_patients(n_train)} to train, {_patients(n_test)} kept aside to test"),
    ]
    if provenance is not None and provenance.dropped:
        shown = provenance.dropped[:6]
        words = "; ".join(f"line {d.line}: {d.reason}" for d in shown)
        if len(provenance.dropped) > len(shown):
            words += f"; and {len(provenance.dropped) - len(shown)} more"
        rows.append(("Dropped rows", words))
    elif provenance is not None and provenance.rows_read > len(y):
        missing = provenance.rows_read - len(y)
        rows.append(("Dropped rows", f"{_patients(missing)} lacking a finding the model uses"))
    page.rows(rows)
    page.skip(0.05)
    page.text("Please cite the people who collected these data:", 9.5, color=_GREY, after=0.02)
    page.text(schema.DATA_CITATION, 9, after=0.1)

    page.heading("The settings")
    # The threshold does not change how the network learns: the report's one threshold is on page 3.
    rows = settings_in_words(result.settings)
    at = [field.name for field in dataclasses.fields(result.settings)].index("threshold")
    rows[at] = (rows[at][0], "on page 3 (it does not change how the network learns)")
    page.rows(rows)


def _training_loss_page(page: _Page, run: _Run) -> None:
    result = run.result
    page.heading("How training went")
    epochs = np.arange(1, len(result.loss_curve) + 1)
    ax = page.axes(4.2)
    _style(ax)
    ax.plot(epochs, result.loss_curve, color=_TRAIN_COLOUR, label="training patients")
    if result.validation_loss_curve:
        validation_epochs = np.arange(1, len(result.validation_loss_curve) + 1)
        ax.plot(
            validation_epochs,
            result.validation_loss_curve,
            color=_VALIDATION_COLOUR,
            label="validation patients",
        )
    ax.set_xlabel("epoch (one pass over the training patients)", fontsize=9)
    ax.set_ylabel("loss (lower is better)", fontsize=9)
    ax.set_xlim(1, max(2, len(epochs)))
    ax.legend(fontsize=8.5, frameon=False)
    ended = (
        "stopped before its planned epochs (by the student or by early stopping)"
        if result.stopped_early
        else "ran all its planned epochs"
    )
    page.rows(
        [
            ("Epochs run", f"{result.epochs_run} — training {ended}"),
            ("Final training loss", f"{result.final_train_loss:.4f}"),
            *(
                [("Final validation loss", f"{result.validation_loss_curve[-1]:.4f}")]
                if result.validation_loss_curve
                else []
            ),
            ("Accuracy on training patients", format_percent(run.train_accuracy)),
            ("Accuracy on test patients", format_percent(run.intervals.metrics.accuracy)),
        ]
    )
    page.skip(0.1)
    page.text(
        "The loss measures how wrong the risks are on the training patients. It should fall and level off. "
        "If the validation loss rises while the training loss keeps falling, the network is learning these "
        "particular patients by heart (overfitting). A much higher accuracy on training than on test "
        "patients says the same.",
        9.5,
        color=_GREY,
    )


def _with_interval(value: str, level: str, interval: str) -> str:
    return f"{value}   ({level} interval {interval})"


def _training_test_page(page: _Page, run: _Run) -> None:
    result, intervals = run.result, run.intervals
    m = intervals.metrics
    level = f"{intervals.confidence * 100:g} %"
    page.heading(f"How good is the model? The {_patients(m.n)} kept aside")
    page.text(
        f"A patient is flagged for further testing when the risk is {_threshold_words(m.threshold)} or "
        f"more ({run.threshold_source}); every accuracy, rate and count in this report is at this "
        "threshold. "
        f"The ranges are {level} intervals: with so few test patients the figures are uncertain.",
        9.5,
        color=_GREY,
    )
    page.rows(
        [
            (
                "Accuracy",
                _with_interval(
                    format_percent(m.accuracy), level, format_interval(intervals.accuracy_interval)
                ),
            ),
            (
                "Sensitivity (disease caught)",
                _with_interval(
                    format_percent(m.sensitivity), level, format_interval(intervals.sensitivity_interval)
                ),
            ),
            (
                "Specificity (healthy reassured)",
                _with_interval(
                    format_percent(m.specificity), level, format_interval(intervals.specificity_interval)
                ),
            ),
            (
                "ROC AUC",
                _with_interval(
                    f"{m.roc_auc:.3f}", level, format_interval(intervals.roc_auc_interval, percent=False)
                ),
            ),
            (
                "Positive predictive value",
                f"{format_percent(m.ppv)} of the flagged patients had heart disease",
            ),
            ("Negative predictive value", f"{format_percent(m.npv)} of those not flagged were free of it"),
            ("Brier score", f"{m.brier:.3f} (mean squared error of the risk; lower is better)"),
            (
                "Statlog cost",
                f"{m.statlog_cost:.3f} per patient (a miss costs {m.cost_missed:g}, a false alarm "
                f"{m.cost_false_alarm:g})",
            ),
        ],
        label_width=2.4,
    )
    page.heading("What happened to each test patient")
    page.rows(
        [
            ("Caught", f"{_patients(m.tp)} with heart disease, flagged (true positives)"),
            ("Missed", f"{_patients(m.fn)} with heart disease, not flagged (false negatives)"),
            ("False alarm", f"{_patients(m.fp)} without heart disease, flagged (false positives)"),
            (
                "Correctly reassured",
                f"{_patients(m.tn)} without heart disease, not flagged (true negatives)",
            ),
        ],
        label_width=1.8,
    )
    page.heading("ROC curve")
    fpr, tpr, _thresholds = roc_points(result.split.y_test, result.test_risk)
    point = roc_point_at(result.split.y_test, result.test_risk, m.threshold)
    size = min(3.6, page.y - 1.3)
    ax = page.axes(size, left=(_TEXT_WIDTH - size) / 2, right=(_TEXT_WIDTH - size) / 2)
    _style(ax)
    ax.plot([0, 1], [0, 1], color="#9e9e9e", linestyle="--", linewidth=0.8, label="guessing (AUC 0.5)")
    ax.plot(fpr, tpr, color=_TRAIN_COLOUR, label=f"this model (AUC {m.roc_auc:.3f})")
    ax.plot(*point, "o", color=_RISE, label=f"threshold {_threshold_words(m.threshold)}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("false alarm rate (1 − specificity)", fontsize=9)
    ax.set_ylabel("sensitivity", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower right")


# --------------------------------------------------------------------------------------------------
# Patient report
# --------------------------------------------------------------------------------------------------


def patient_report(
    path: str | os.PathLike[str],
    model: HeartModel,
    patient: Mapping[str, float],
    *,
    threshold: float,
    spread: RiskSpread | None = None,
    contributions: Contributions | None = None,
    settings: TrainingSettings | None = None,
    test_metrics: Metrics | None = None,
    data_name: str | None = None,
    training: TrainingFacts | None = None,
    cholesterol_unit: str = "mg/dl",
) -> None:
    """Write a one-page PDF about one patient's prediction.

    Parameters
    ----------
    path : str or os.PathLike
        The PDF to write (replaced atomically).
    model : HeartModel
        A fitted model.
    patient : mapping
        The 13 features, canonical names.
    threshold : float
        The decision threshold the student chose.
    spread : RiskSpread, optional
        The risk across models trained with other seeds.
    contributions : Contributions, optional
        Per-feature contributions; computed with :func:`heartgui.core.explain.contributions` if not given.
    settings : TrainingSettings, optional
        How the model was trained (named in one line).
    test_metrics : Metrics, optional
        The model's figures on its test patients; its sensitivity and specificity are printed when they
        are at ``threshold``.
    data_name : str, optional
        The data file the model was trained on.
    training : TrainingFacts, optional
        The training patients (prevalence, rare coded answers); else only what the model records.
    cholesterol_unit : str
        ``"mg/dl"`` or ``"mmol/L"``, as the student chose on the form.

    Raises
    ------
    ValueError
        For a patient with a missing or impossible value.
    OSError
        When the file cannot be written; an existing file at ``path`` is then left as it was.
    """
    from heartgui.core import explain

    values = {name: float(patient[name]) for name in schema.FEATURE_NAMES}
    for name, value in values.items():
        if name not in model.used_features:
            continue  # never read by this model
        problem = schema.BY_NAME[name].check(value)
        if problem is not None:
            raise ValueError(f"{schema.BY_NAME[name].label} {problem}")
    if contributions is None:
        contributions = explain.contributions(model, values)
    if training is None:
        training = explain.TrainingFacts.from_model(model)
    if test_metrics is not None and not math.isclose(test_metrics.threshold, threshold, abs_tol=1e-12):
        test_metrics = None  # figures at another threshold would be wrong here
    facts = _PatientFacts(
        risk=float(model.predict_risk(values)[0]),
        threshold=threshold,
        outside=model.out_of_range(values),
        training=training,
        test_metrics=test_metrics,
        data_name=data_name,
        unit=cholesterol_unit,
        used=model.used_features,
    )
    with _atomic_pdf(path, {"Title": "heartgui patient report"}) as pdf:
        page = _Page("patient report", 1, PATIENT_REPORT_PAGES)
        _patient_page(page, values, facts, spread, settings)
        pdf.savefig(page.figure)
        page = _Page("patient report", 2, PATIENT_REPORT_PAGES)
        _patient_why_page(page, values, facts, contributions)
        pdf.savefig(page.figure)


@dataclasses.dataclass(frozen=True)
class _PatientFacts:
    risk: float
    threshold: float
    outside: dict[str, tuple[float, float]]
    training: TrainingFacts
    test_metrics: Metrics | None
    data_name: str | None
    unit: str
    used: tuple[str, ...] = schema.FEATURE_NAMES  # the findings the model reads


def _patient_page(
    page: _Page,
    values: dict[str, float],
    facts: _PatientFacts,
    spread: RiskSpread | None,
    settings: TrainingSettings | None,
) -> None:
    from heartgui.core import explain

    unit = facts.unit
    _title_block(page, "Patient report", f"Made {_now()} with heartgui {__version__}")
    flagged = facts.risk >= facts.threshold
    page.text(f"Risk of coronary disease now: {format_percent(facts.risk)}", 15, weight="bold", after=0.04)
    page.text(
        f"At the threshold of {_threshold_words(facts.threshold)}, this patient is "
        f"{'flagged' if flagged else 'not flagged'} for further testing.",
        11,
        color=_RISE if flagged else _FALL,
        weight="bold",
    )
    page.text(explain.risk_definition(facts.training), 8.5, color=_GREY)
    m = facts.test_metrics
    if m is not None:
        tested = (
            f"At this threshold the model found {format_percent(m.sensitivity)} of the test patients with "
            f"the disease (sensitivity, {m.tp} of {m.tp + m.fn}) and did not flag "
            f"{format_percent(m.specificity)} of those without (specificity, {m.tn} of {m.tn + m.fp}), on "
            f"{_patients(m.n)} it had not learned from."
        )
    else:
        tested = (
            "The model's sensitivity and specificity at this threshold are not known here (no test patients "
            "scored at it)."
        )
    page.text(tested + " Being flagged is not a diagnosis.", 9)
    n = facts.training.n_patients
    trained_on = f"Trained on {facts.data_name}" if facts.data_name else "The training data file is not known"
    about = f"{trained_on} ({_patients(n)} to learn from)."
    if settings is not None:
        layers = _SETTING_WORDS["hidden_layers"][1](settings.hidden_layers)
        about += (
            f" Model: {settings.preset} settings, {layers}, {settings.epochs} epochs at learning rate "
            f"{settings.learning_rate:g}."
        )
    if spread is not None:
        about += (
            f" {len(spread.risks)} networks trained the same way from other random starting weights give "
            f"this patient {format_percent(spread.low)} to {format_percent(spread.high)} (10th to 90th "
            f"percentile; median {format_percent(spread.median)}): only the effect of the random start, not "
            f"the much larger uncertainty of learning from only {_patients(n)}."
        )
    page.text(about, 8.5, color=_GREY)

    page.heading("The patient")
    rows = []
    used = facts.used
    for feature in schema.FEATURES:
        name = feature.name
        if name not in used:  # the form keeps a value, but the model never read it
            rows.append((feature.label, "not used by this model"))
            continue
        words = explain.describe_value(name, values[name], unit)
        if name in facts.outside:
            low, high = facts.outside[name]
            words += (
                f"   ⚠ outside the training patients' range "
                f"({explain.describe_value(name, low, unit)} to {explain.describe_value(name, high, unit)})"
            )
        rows.append((feature.label, words))
    page.rows(rows, size=8.5, label_width=2.9)
    outside = facts.outside
    if outside:
        names = ", ".join(schema.BY_NAME[n].label.lower() for n in outside)
        page.text(
            f"⚠ {len(outside)} value{'s are' if len(outside) != 1 else ' is'} outside the range of the "
            f"patients the model learned from ({names}): the model is guessing there.",
            8.5,
            color=_WARN,
            weight="bold",
        )
    else:
        page.text("Every value is within the range of the patients the model learned from.", 8.5, color=_GREY)
    for rare in facts.training.rare_codes(values):
        page.text(f"⚠ {explain.rare_code_words(rare)}", 8.5, color=_WARN, weight="bold")


def _patient_why_page(
    page: _Page, values: dict[str, float], facts: _PatientFacts, contributions: Contributions
) -> None:
    from heartgui.core import explain

    unit, n = facts.unit, facts.training.n_patients
    page.heading(f"Why this risk ({format_percent(facts.risk)})")
    points = contributions.in_percentage_points()
    page.text(
        f"Each bar shows how much a value moved the risk compared with a typical training patient (risk "
        f"{format_percent(contributions.reference_risk)}), in percentage points. Red bars raise the risk, "
        f"blue bars lower it. {explain.points_words(contributions)} "
        f"{explain.association_words(n)}",
        8.5,
        color=_GREY,
    )
    for moment in explain.teaching_moments(contributions, values, n, unit):
        page.text(moment, 8.5, color=_WARN)
    ordered = sorted(points.items(), key=lambda item: -item[1])
    height = min(5.0, page.y - 1.2)
    ax = page.axes(height, left=3.4, right=0.2, below=0.3)
    labels = [f"{schema.BY_NAME[n].label}: {explain.describe_value(n, values[n], unit)}" for n, _ in ordered][
        ::-1
    ]
    amounts = np.array([v for _, v in ordered])[::-1]
    ax.barh(labels, amounts, color=[_RISE if v > 0 else _FALL for v in amounts], height=0.65)
    ax.axvline(0, color=_INK, linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    ax.grid(True, axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("← lowers the risk        percentage points of risk        raises the risk →", fontsize=8.5)
    limit = max(float(np.max(np.abs(amounts))), 1e-6) * 1.15
    ax.set_xlim(-limit, limit)
