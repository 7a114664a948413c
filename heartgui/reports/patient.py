"""The patient report: one patient's prediction on two A4 pages, for a student to keep or hand in.

Page 1: the risk (what it is, the prevalence it was learned at), whether it flags the patient for further
testing at the threshold, with the test sensitivity and specificity there and the data trained on (and the
spread across seeds, if given), the inputs in clinical words with units (cholesterol in the student's unit),
out-of-range and rare-answer flags; page 2: the per-feature contributions in percentage points, with what
they mean (associations, not causes).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from heartgui import __version__
from heartgui.core import schema
from heartgui.reports.layout import (
    FALL,
    GREY,
    INK,
    RISE,
    SETTING_WORDS,
    WARN,
    Page,
    atomic_pdf,
    format_percent,
    now,
    patients,
    threshold_words,
    title_block,
)

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.explain import Contributions, RiskSpread, TrainingFacts
    from heartgui.core.model import HeartModel
    from heartgui.core.presets import TrainingSettings

PATIENT_REPORT_PAGES = 2


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
    with atomic_pdf(path, {"Title": "heartgui patient report"}) as pdf:
        page = Page("patient report", 1, PATIENT_REPORT_PAGES)
        _patient_page(page, values, facts, spread, settings)
        pdf.savefig(page.figure)
        page = Page("patient report", 2, PATIENT_REPORT_PAGES)
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
    page: Page,
    values: dict[str, float],
    facts: _PatientFacts,
    spread: RiskSpread | None,
    settings: TrainingSettings | None,
) -> None:
    from heartgui.core import explain

    unit = facts.unit
    title_block(page, "Patient report", f"Made {now()} with heartgui {__version__}")
    flagged = facts.risk >= facts.threshold
    page.text(f"Risk of coronary disease now: {format_percent(facts.risk)}", 15, weight="bold", after=0.04)
    page.text(
        f"At the threshold of {threshold_words(facts.threshold)}, this patient is "
        f"{'flagged' if flagged else 'not flagged'} for further testing.",
        11,
        color=RISE if flagged else FALL,
        weight="bold",
    )
    page.text(explain.risk_definition(facts.training), 8.5, color=GREY)
    m = facts.test_metrics
    if m is not None:
        tested = (
            f"At this threshold the model found {format_percent(m.sensitivity)} of the test patients with "
            f"the disease (sensitivity, {m.tp} of {m.tp + m.fn}) and did not flag "
            f"{format_percent(m.specificity)} of those without (specificity, {m.tn} of {m.tn + m.fp}), on "
            f"{patients(m.n)} it had not learned from."
        )
    else:
        tested = (
            "The model's sensitivity and specificity at this threshold are not known here (no test patients "
            "scored at it)."
        )
    page.text(tested + " Being flagged is not a diagnosis.", 9)
    n = facts.training.n_patients
    trained_on = f"Trained on {facts.data_name}" if facts.data_name else "The training data file is not known"
    about = f"{trained_on} ({patients(n)} to learn from)."
    if settings is not None:
        layers = SETTING_WORDS["hidden_layers"][1](settings.hidden_layers)
        about += (
            f" Model: {settings.preset} settings, {layers}, {settings.epochs} epochs at learning rate "
            f"{settings.learning_rate:g}."
        )
    if spread is not None:
        about += (
            f" {len(spread.risks)} networks trained the same way from other random starting weights give "
            f"this patient {format_percent(spread.low)} to {format_percent(spread.high)} (10th to 90th "
            f"percentile; median {format_percent(spread.median)}): only the effect of the random start, not "
            f"the much larger uncertainty of learning from only {patients(n)}."
        )
    page.text(about, 8.5, color=GREY)

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
            color=WARN,
            weight="bold",
        )
    else:
        page.text("Every value is within the range of the patients the model learned from.", 8.5, color=GREY)
    for rare in facts.training.rare_codes(values):
        page.text(f"⚠ {explain.rare_code_words(rare)}", 8.5, color=WARN, weight="bold")


def _patient_why_page(
    page: Page, values: dict[str, float], facts: _PatientFacts, contributions: Contributions
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
        color=GREY,
    )
    for moment in explain.teaching_moments(contributions, values, n, unit):
        page.text(moment, 8.5, color=WARN)
    ordered = sorted(points.items(), key=lambda item: -item[1])
    height = min(5.0, page.y - 1.2)
    ax = page.axes(height, left=3.4, right=0.2, below=0.3)
    labels = [f"{schema.BY_NAME[n].label}: {explain.describe_value(n, values[n], unit)}" for n, _ in ordered][
        ::-1
    ]
    amounts = np.array([v for _, v in ordered])[::-1]
    ax.barh(labels, amounts, color=[RISE if v > 0 else FALL for v in amounts], height=0.65)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    ax.grid(True, axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("← lowers the risk        percentage points of risk        raises the risk →", fontsize=8.5)
    limit = max(float(np.max(np.abs(amounts))), 1e-6) * 1.15
    ax.set_xlim(-limit, limit)
