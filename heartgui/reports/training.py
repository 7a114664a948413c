"""The training report, in the order of the TRIPOD+AI checklist (Collins et al., BMJ 2024;385:e078378).

TRIPOD+AI lists what a report of a clinical prediction model must say, item by item. This report goes
through those items in their order. What heartgui knows — the data file and its fingerprint, the outcome,
the predictors and their units, the sample size and events, the rows left out, the network and every
setting, the split, the figures with their intervals, calibration, the decision curve, subgroups — is
filled in from the run. What it cannot know (the clinical question, who the model is for, ethics,
funding, the interpretation) is printed as an item *to complete*, with what the item asks: a student
handing the report in completes them.

Every figure that depends on the decision threshold is at one threshold, named once (item 15).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heartgui import __version__
from heartgui.core import clinical, schema
from heartgui.core.evaluation import (
    MetricsWithIntervals,
    calibration_points,
    evaluate,
    metrics_with_intervals,
    roc_point_at,
    roc_points,
)
from heartgui.core.network import parameter_count
from heartgui.core.sites import known_file
from heartgui.reports.layout import (
    GREY,
    INK,
    RISE,
    TEXT_WIDTH,
    TODO,
    TRAIN_COLOUR,
    VALIDATION_COLOUR,
    WARN,
    Document,
    atomic_pdf,
    format_interval,
    format_percent,
    now,
    patients,
    settings_in_words,
    style,
    threshold_words,
    title_block,
)

if TYPE_CHECKING:
    from heartgui.core.dataset import Provenance
    from heartgui.core.training import TrainingResult
    from heartgui.core.validation import Validation

__all__ = ["TRIPOD_ITEMS", "training_report"]

#: The TRIPOD+AI items, in the checklist's order: (item, topic). The report prints each once.
TRIPOD_ITEMS: tuple[tuple[str, str], ...] = (
    ("1", "Title"),
    ("2", "Abstract"),
    ("3a", "Healthcare context"),
    ("3b", "Target population and intended users"),
    ("3c", "Health inequalities"),
    ("4", "Objectives"),
    ("5a", "Data sources"),
    ("5b", "Dates of the data"),
    ("6a", "Setting"),
    ("6b", "Eligibility"),
    ("6c", "Treatments"),
    ("7", "Data preparation"),
    ("8a", "Outcome"),
    ("8b", "How the outcome was assessed"),
    ("8c", "Blinding of the outcome assessment"),
    ("9a", "Predictors: choice and definitions"),
    ("9b", "How the predictors were measured"),
    ("9c", "Blinding of the predictor assessment"),
    ("10", "Sample size"),
    ("11", "Missing data"),
    ("12a", "How the data were used"),
    ("12b", "How the predictors were handled"),
    ("12c", "The model: type, building, tuning, internal validation"),
    ("12d", "Heterogeneity across sites"),
    ("12e", "Performance measures"),
    ("12f", "Model updating"),
    ("12g", "How predictions were calculated for evaluation"),
    ("13", "Class imbalance"),
    ("14", "Fairness"),
    ("15", "Model output"),
    ("16", "Training versus evaluation"),
    ("17", "Ethical approval"),
    ("18a", "Funding"),
    ("18b", "Conflicts of interest"),
    ("18c", "Protocol"),
    ("18d", "Registration"),
    ("18e", "Data sharing"),
    ("18f", "Code sharing"),
    ("19", "Patient and public involvement"),
    ("20a", "Flow of participants"),
    ("20b", "Characteristics of the participants"),
    ("20c", "Development versus evaluation data"),
    ("21", "Participants and outcome events in each analysis"),
    ("22", "Model specification"),
    ("23a", "Model performance"),
    ("23b", "Performance in subgroups"),
    ("24", "Model updating results"),
    ("25", "Interpretation"),
    ("26", "Limitations"),
    ("27a", "Poor or missing input data"),
    ("27b", "Users' interaction and expertise"),
    ("27c", "Future research"),
)
_TOPIC = dict(TRIPOD_ITEMS)
_SECTION_BEFORE = {
    "1": "Title and abstract",
    "3a": "Introduction",
    "5a": "Methods",
    "18a": "Open science",
    "19": "Patient and public involvement",
    "20a": "Results",
    "25": "Discussion",
}
#: Outcome definition of the UCI heart-disease data (heart-disease.names, attribute 58 "num").
OUTCOME = (
    "Angiographic coronary artery disease: a narrowing of more than half the diameter of any major "
    "coronary vessel at coronary angiography (the study's 'num' > 0; Statlog class 2). It is present at "
    "the time of the findings: this is a diagnostic model, not a forecast of future events."
)


@dataclass(frozen=True)
class _Run:
    """What the report is drawn from: the run, its data file, and its figures at the one threshold."""

    result: TrainingResult
    provenance: Provenance | None
    intervals: MetricsWithIntervals
    train_accuracy: float
    threshold_source: str
    validation: Validation | None = None

    @property
    def threshold(self) -> float:
        return self.intervals.metrics.threshold

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.result.model.used_features)

    @property
    def layer_sizes(self) -> list[int]:
        coefs = self.result.model.network_.coefs_
        return [int(coefs[0].shape[0]), *(int(w.shape[1]) for w in coefs)]


def training_report(
    path: str | os.PathLike[str],
    result: TrainingResult,
    *,
    provenance: Provenance | None = None,
    intervals: MetricsWithIntervals | None = None,
    threshold: float | None = None,
    threshold_source: str | None = None,
    validation: Validation | None = None,
) -> int:
    """Write the training report (PDF) in TRIPOD+AI's order; returns its number of pages.

    Every figure that depends on a decision threshold (accuracies, sensitivity, the confusion matrix, the
    ROC point, subgroups) is at one threshold, named once (item 15) with where it comes from.

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
    validation : Validation, optional
        This model scored on another labelled file (:func:`heartgui.core.validation.validate`, at the
        report's threshold): items 1, 12f, 12g, 16, 20c, 23a and 24 then report it as an evaluation
        of the model elsewhere, the patients it was made from set apart.

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
    if validation is not None and not math.isclose(validation.threshold, threshold, abs_tol=1e-12):
        raise ValueError(
            f"the validation is at the threshold {validation.threshold:g}, the report at {threshold:g}"
        )
    split = result.split
    run = _Run(
        result=result,
        provenance=provenance,
        intervals=intervals,
        train_accuracy=evaluate(split.y_train, result.model.predict_risk(split.X_train), threshold).accuracy,
        threshold_source=threshold_source or "the chosen threshold",
        validation=validation,
    )
    name = provenance.file_name if provenance is not None else "data"
    doc = Document(f"training report · {name}")
    _front(doc, run)
    for item, _topic in TRIPOD_ITEMS:
        _item(doc, run, item)
    with atomic_pdf(path, {"Title": f"heartgui training report — {name}"}) as pdf:
        return doc.save(pdf)


# --------------------------------------------------------------------------------------------------
# The report's parts
# --------------------------------------------------------------------------------------------------


def _front(doc: Document, run: _Run) -> None:
    title_block(doc.page, "Training report", f"Made {now()} with heartgui {__version__}")
    filled = sum(1 for item, _ in TRIPOD_ITEMS if _FILL.get(item) is not None)
    doc.text(
        "This report follows TRIPOD+AI, the guideline for reporting a clinical prediction model (Collins et "
        f"al., BMJ 2024;385:e078378): its 27 items, {len(TRIPOD_ITEMS)} with their parts, in its order. "
        f"heartgui fills in what it knows from the run ({filled} of the {len(TRIPOD_ITEMS)}, some only in "
        "part). Items marked □ TO COMPLETE ask for what only the authors know — the clinical question, who "
        "the model is for, approvals, the interpretation: complete them before handing the report in.",
        9.5,
        color=GREY,
    )


def _item(doc: Document, run: _Run, item: str) -> None:
    if item in _SECTION_BEFORE:
        doc.heading(_SECTION_BEFORE[item], 14, keep=0.9)
    doc.heading(f"{item} {_TOPIC[item]}", 10.5, keep=0.4)
    fill = _FILL.get(item)
    if fill is not None:
        fill(doc, run)
    todo = _TO_COMPLETE.get(item)
    if todo:
        doc.text(f"□ TO COMPLETE: {todo}", 9, color=TODO, weight="bold")


def _say(doc: Document, text: str, color: str = INK) -> None:
    doc.text(text, 9.5, color=color)


def _n_used(run: _Run) -> int:
    split = run.result.split
    return len(split.y_train) + len(split.y_test)


def _n_events(y: np.ndarray) -> int:
    return int(np.sum(np.asarray(y) == 1))


def _parts(run: _Run) -> list[tuple[str, int, int]]:
    """(part, patients, with the disease) for the fit, validation and test parts."""
    result = run.result
    split = result.split
    _X_fit, y_fit = result.model.fit_part(split.X_train, split.y_train)
    parts = [("learned from (fit)", len(y_fit), _n_events(y_fit))]
    n_validation = len(split.y_train) - len(y_fit)
    if n_validation:
        parts.append(
            (
                "validation (watched, not learned from)",
                n_validation,
                _n_events(split.y_train) - _n_events(y_fit),
            )
        )
    parts.append(("test (kept aside)", len(split.y_test), _n_events(split.y_test)))
    return parts


# ---- title, introduction --------------------------------------------------------------------------


def _title(doc: Document, run: _Run) -> None:
    sizes = "-".join(map(str, run.layer_sizes))
    _say(
        doc,
        f"Suggested: “A neural network ({sizes}) estimating the probability of angiographic coronary artery "
        f"disease from {len(run.features)} routine findings in patients referred for coronary angiography: "
        f"development and internal validation{_elsewhere(run)} (a teaching exercise)”.",
    )


def _elsewhere(run: _Run) -> str:
    v = run.validation
    return "" if v is None else f", and evaluation on {v.data_name}"


def _context(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "A diagnostic model: it estimates whether coronary disease is present now, from findings recorded "
        "before angiography. The study that collected these data (Detrano et al., Am J Cardiol 1989) "
        "built a logistic-regression probability algorithm for the same question.",
    )


def _population(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "Every patient in these data had coronary angiography (the outcome is angiographic), so they are "
        "patients referred for it: a model learned here describes that referral population, where the "
        "disease is far more common than in primary care.",
    )


def _inequalities(doc: Document, run: _Run) -> None:
    y = np.concatenate([run.result.split.y_train, run.result.split.y_test])
    X = pd.concat([run.result.split.X_train, run.result.split.X_test], ignore_index=True)
    women = int(np.sum(X["sex"] == 0))
    _say(
        doc,
        f"{women} of the {len(y)} patients ({format_percent(women / len(y))}) are women. How the model "
        "does for women, men and three age bands is in item 23b.",
    )


# ---- methods ---------------------------------------------------------------------------------------


def _data_source(doc: Document, run: _Run) -> None:
    result, provenance = run.result, run.provenance
    rows: list[tuple[str, str]] = []
    if provenance is not None:
        rows += [("File", provenance.file_name), ("Folder", os.path.dirname(provenance.path) or "—")]
        rows.append(("Format", f"{provenance.format}; diagnosis coded {provenance.target_coding}"))
    rows.append(
        ("SHA-256 (fingerprint)", provenance.sha256 if provenance is not None else result.data_sha256)
    )
    doc.rows(rows)
    known = known_file(result.data_sha256)
    if known is not None:
        _say(doc, f"This is the UCI file {known.file_name} as shipped with heartgui. {known.note}")
    doc.text("Please cite the people who collected these data:", 9.5, color=GREY, after=0.02)
    doc.text(schema.DATA_CITATION, 9)


def _dates(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "The files carry no dates of the patients' visits. The data were donated to the UCI Machine "
        "Learning Repository in July 1988 (heart-disease.names): the patients were seen in the 1980s.",
    )


def _setting(doc: Document, run: _Run) -> None:
    known = known_file(run.result.data_sha256)
    where = known.site if known is not None else "not known to heartgui (not one of the files it ships)"
    _say(doc, f"Secondary or tertiary care: patients referred for coronary angiography. Site: {where}.")


def _eligibility(doc: Document, run: _Run) -> None:
    _say(doc, "Patients with a missing finding the model uses were left out (item 11).")


def _preparation(doc: Document, run: _Run) -> None:
    settings = run.result.settings
    coded = (
        "chest pain type, resting ECG and thallium scan as one 0/1 input per documented code (one-hot)"
        if settings.one_hot
        else "coded findings entered as their code numbers (as the tutorial does)"
    )
    _say(
        doc,
        "Each input standardised with the mean and standard deviation of the patients the network learned "
        f"from (scikit-learn's StandardScaler); {coded}. A file with an impossible value (an age of 400, a "
        "code the documentation does not list) is refused with its line and field; no values were changed "
        "or removed as outliers.",
    )


def _outcome(doc: Document, run: _Run) -> None:
    _say(doc, OUTCOME)


def _predictors(doc: Document, run: _Run) -> None:
    rows = []
    for name in run.features:
        feature = schema.BY_NAME[name]
        if feature.codes is not None:
            unit = "; ".join(f"{code} = {meaning}" for code, meaning in feature.codes.items())
        else:
            unit = feature.unit or "—"
        rows.append((f"{feature.label} ({name})", unit))
    doc.rows(rows, size=8.5, label_width=2.9)


def _predictor_measurement(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "As documented with the data (heart.doc, heart-disease.names): history, resting ECG, blood tests, "
        "an exercise test and, for thal, a thallium scan; the files do not say by whom or when.",
    )


def _sample_size(doc: Document, run: _Run) -> None:
    fit_n, fit_events = _parts(run)[0][1:]
    weights = parameter_count(run.layer_sizes)
    per_weight = fit_events / weights
    _say(
        doc,
        f"Not planned: it is what the file holds. The network learned from {patients(fit_n)}, "
        f"{fit_events} with the disease, and has {weights} weights and biases to fit: "
        f"{per_weight:.2f} patients with the disease per weight. Regression models are often asked for at "
        "least 10 events per estimated parameter (a rough rule; Riley et al., BMJ 2020, give a proper "
        "calculation); a network with fewer events than weights can learn these patients by heart, which "
        "the test figures and the calibration slope (item 23a) would show.",
    )


def _missing(doc: Document, run: _Run) -> None:
    provenance = run.provenance
    if provenance is None:
        _say(doc, "Not known: the report was made without the data file's details.")
        return
    dropped = provenance.dropped
    # Counted from the split: the whole file's provenance lists the rows no model can use (no
    # diagnosis, say), not those lacking a finding this model uses.
    used = _n_used(run)
    _say(
        doc,
        f"Rows: {provenance.rows_read} read, {used} used, {provenance.rows_read - used} dropped. "
        "Complete-case analysis: a patient with no value for a finding the model uses is left out, "
        "nothing is imputed.",
    )
    lacking = provenance.rows_read - used - len(dropped)
    if dropped:
        shown = dropped[:6]
        words = "; ".join(f"line {d.line}: {d.reason}" for d in shown)
        if len(dropped) > len(shown):
            words += f"; and {len(dropped) - len(shown)} more"
        if lacking > 0:
            words += f"; and {patients(lacking)} lacking a finding the model uses"
        doc.rows([("Dropped rows", words)])
    elif lacking > 0:
        doc.rows([("Dropped rows", f"{patients(lacking)} lacking a finding the model uses")])


def _data_use(doc: Document, run: _Run) -> None:
    settings = run.result.settings
    parts = _parts(run)
    _say(
        doc,
        f"One random split of the patients (scikit-learn's train_test_split, seed {settings.split_seed}, "
        f"not stratified): {format_percent(settings.test_size, 0)} kept aside to test, never seen in "
        "training."
        + (
            f" Of the rest, {format_percent(settings.validation_fraction, 0)} were held back to watch the "
            "loss on patients not learned from"
            + (" and to stop early." if settings.patience is not None else ".")
            if len(parts) == 3
            else ""
        ),
    )
    doc.rows([(part.capitalize(), f"{patients(n)}, {events} with the disease") for part, n, events in parts])


def _predictor_handling(doc: Document, run: _Run) -> None:
    chosen = (
        "all 13 findings of the data, without selection"
        if len(run.features) == len(schema.FEATURE_NAMES)
        else f"{len(run.features)} of the 13 findings, chosen by the student (item 9a)"
    )
    _say(doc, f"Inputs: {chosen}; measurements entered as they are (no categories, no splines); see item 7.")


def _model(doc: Document, run: _Run) -> None:
    settings = run.result.settings
    sizes = run.layer_sizes
    _say(
        doc,
        f"A fully connected neural network with layers {sizes} written in NumPy: ReLU in the hidden "
        "layers, a sigmoid output, cross-entropy loss, full-batch gradient descent (every patient in every "
        "step; gradients by backpropagation).",
    )
    rows = settings_in_words(settings)
    # The threshold does not change how the network learns: the report's one threshold is in item 15.
    at = [field.name for field in dataclasses.fields(settings)].index("threshold")
    rows[at] = (rows[at][0], "in item 15 (it does not change how the network learns)")
    doc.rows(rows)
    tuned = {
        "tutorial": "the settings of the tutorial this app follows, not tuned",
        "recommended": "chosen by heartgui's authors by cross-validation on heart.dat itself, so its test "
        "figures on heart.dat are somewhat optimistic",
    }.get(settings.preset, "chosen by the student")
    _say(
        doc,
        f"Hyperparameters: {tuned}. Internal validation: the one test split above; its figures vary with "
        "the split (Results → Compare repeats the whole training over many splits).",
    )


def _heterogeneity(doc: Document, run: _Run) -> None:
    _say(doc, "Not assessed: the patients come from one file, of one site (item 6a).")


def _measures(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "Discrimination: ROC AUC (95 % bootstrap interval). Calibration: intercept and slope (logistic "
        "recalibration, Wald intervals) and a plot by risk group. Classification at the threshold of item "
        "15: accuracy, sensitivity, specificity (Wilson intervals), predictive values, the Statlog cost "
        "(a missed disease costs 5, a false alarm 1, heart.doc). Clinical usefulness: net benefit "
        "(decision curve). Overall: Brier score.",
    )


def _updating(doc: Document, run: _Run) -> None:
    _say(doc, "None: the model is reported as trained.")
    if run.validation is not None:
        _say(
            doc,
            f"At {run.validation.data_name}: logistic recalibration on that file's outcomes, "
            "logit P(disease) = a + b · logit(risk), with b fixed at 1 (intercept only) and with both "
            "fitted, as a hospital would before using the model (results in item 24).",
        )


def _evaluation_predictions(doc: Document, run: _Run) -> None:
    _say(doc, "The test patients' risks are those of the trained model, computed by the same code as in use.")
    v = run.validation
    if v is not None:
        _say(
            doc,
            f"At {v.data_name}: the same model, unchanged, applied to each patient who has every finding "
            f"it uses ({v.n_rows} of {v.n_read} rows); the patients it was made from are found by their "
            "fingerprints (a hash of their findings, kept in the model) and set apart.",
        )


def _imbalance(doc: Document, run: _Run) -> None:
    y = run.result.split.y_train
    _say(
        doc,
        f"{format_percent(float(np.mean(y == 1)))} of the training patients have the disease. No "
        "reweighting or resampling: the risks keep the prevalence they were learned at, and a threshold "
        "below one half can favour finding disease (item 15).",
    )


def _fairness(doc: Document, run: _Run) -> None:
    _say(doc, "Performance for women, for men and for three age bands is reported in item 23b.")


def _output(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "A risk between 0 and 1: the model's probability of angiographic coronary disease for a patient "
        f"like those it learned from. A patient is flagged for further testing when the risk is "
        f"{threshold_words(run.threshold)} or more ({run.threshold_source}); every accuracy, rate and "
        "count in this report is at this threshold. Being flagged is not a diagnosis.",
    )


def _training_vs_evaluation(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "The test patients come from the same file and were prepared the same way (the preprocessing was "
        "learned on the training patients only).",
    )
    v = run.validation
    if v is not None:
        _say(
            doc,
            f"{v.data_name} was read by the same code and prepared with the preprocessing learned on the "
            "training patients (its own means and spreads were not used). Its patients differ in who was "
            "referred and where: item 20c compares them.",
        )


def _ethics(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "The data are public and anonymised: names and social security numbers were removed before "
        "release (heart-disease.names); licence CC BY 4.0.",
    )


def _data_sharing(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "The data are public: UCI Machine Learning Repository, CC BY 4.0 (item 5a gives the file's SHA-256).",
    )


def _code_sharing(doc: Document, run: _Run) -> None:
    _say(
        doc,
        f"heartgui {__version__}: the network is written out in heartgui/core/network.py; the trained "
        "weights can be saved from the app (File → Save model).",
    )


# ---- results ---------------------------------------------------------------------------------------


def _flow(doc: Document, run: _Run) -> None:
    provenance = run.provenance
    parts = _parts(run)
    if provenance is not None:
        used = _n_used(run)
        head = f"{provenance.rows_read} rows read → {provenance.rows_read - used} left out → {used} patients"
    else:
        head = f"{sum(n for _, n, _ in parts)} patients"
    _say(doc, head + " → " + " + ".join(f"{n} {part}" for part, n, _ in parts) + ".")
    split = run.result.split
    y = np.concatenate([split.y_train, split.y_test])
    _say(doc, f"{_n_events(y)} with heart disease (present), {int(np.sum(y == 0))} without (absent).")


def _characteristics(doc: Document, run: _Run) -> None:
    split = run.result.split
    groups = (("training", split.X_train, split.y_train), ("test", split.X_test, split.y_test))
    header = ["", *(f"{name} ({len(y)})" for name, _, y in groups)]
    body = [["Heart disease", *(_count(_n_events(y), len(y)) for _, _, y in groups)]]
    everyone = pd.concat([split.X_train, split.X_test], ignore_index=True)
    for name in run.features:
        feature = schema.BY_NAME[name]
        if feature.codes is None:
            unit = f", {feature.unit}" if feature.unit else ""
            cells = [f"{X[name].mean():.1f} ({X[name].std():.1f})" for _, X, _ in groups]
            body.append([f"{feature.label}{unit}: mean (SD)", *cells])
        else:
            code = 1 if feature.kind == schema.Kind.BINARY else int(everyone[name].mode().iloc[0])
            cells = [_count(int(np.sum(X[name] == code)), len(X)) for _, X, _ in groups]
            body.append([f"{feature.label}: {feature.codes[code]}", *cells])
    doc.table(header, [[_clip(row[0], 52), *row[1:]] for row in body], widths=(3.6, 1.55, 1.55))


def _count(k: int, n: int) -> str:
    return f"{k} ({format_percent(k / n, 0)})" if n else "—"


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _development_vs_evaluation(doc: Document, run: _Run) -> None:
    _say(doc, "Both come from the same file by a random split: item 20b compares them.")
    v = run.validation
    if v is None:
        return
    split = run.result.split
    development = pd.concat([split.X_train, split.X_test], ignore_index=True)
    y_dev = np.concatenate([split.y_train, split.y_test])
    columns = (("development", development, y_dev), (_clip(v.data_name, 22), v.patients, v.outcome))
    body = [["Patients", *(str(len(y)) for _, _, y in columns)]]
    body.append(["Heart disease", *(_count(_n_events(y), len(y)) for _, _, y in columns)])
    if "age" in v.patients:
        body.append(
            [
                "Age, years: mean (SD)",
                *(f"{X['age'].mean():.1f} ({X['age'].std():.1f})" for _, X, _ in columns),
            ]
        )
    if "sex" in v.patients:
        body.append(["Women", *(_count(int(np.sum(X["sex"] == 0)), len(X)) for _, X, _ in columns)])
    body.append(
        [
            "Mean predicted risk",
            format_percent(float(np.mean(run.result.test_risk))) + " (test)",
            format_percent(float(np.mean(v.risk))),
        ]
    )
    doc.table(["", *(name for name, _, _ in columns)], body, widths=(3.0, 1.9, 1.9))


def _events(doc: Document, run: _Run) -> None:
    doc.table(
        ["Analysis", "patients", "with the disease"],
        [[part, str(n), str(events)] for part, n, events in _parts(run)],
        widths=(3.6, 1.55, 1.55),
    )


def _specification(doc: Document, run: _Run) -> None:
    result = run.result
    weights = parameter_count(run.layer_sizes)
    _say(
        doc,
        f"Layers {run.layer_sizes}: {weights} weights and biases, each printed on the app's Inside page and "
        "stored in the model file; a network has no short formula to print.",
    )
    if not result.loss_curve:
        _say(doc, "How training went is not known (the model was opened from a file).", GREY)
        return
    ax = doc.axes(3.0)
    style(ax)
    epochs = np.arange(1, len(result.loss_curve) + 1)
    ax.plot(epochs, result.loss_curve, color=TRAIN_COLOUR, label="training patients")
    if result.validation_loss_curve:
        ax.plot(
            np.arange(1, len(result.validation_loss_curve) + 1),
            result.validation_loss_curve,
            color=VALIDATION_COLOUR,
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
    doc.rows(
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
    doc.text(
        "The loss measures how wrong the risks are on the training patients. It should fall and level off. "
        "If the validation loss rises while the training loss keeps falling, the network is learning these "
        "particular patients by heart (overfitting). A much higher accuracy on training than on test "
        "patients says the same.",
        9,
        color=GREY,
    )


def _with_interval(value: str, level: str, interval: str) -> str:
    return f"{value}   ({level} interval {interval})"


def _performance(doc: Document, run: _Run) -> None:
    result, intervals = run.result, run.intervals
    m = intervals.metrics
    level = f"{intervals.confidence * 100:g} %"
    y, risk = result.split.y_test, result.test_risk
    _say(
        doc,
        f"On the {patients(m.n)} kept aside, at the threshold of item 15. With so few test patients the "
        f"figures are uncertain: the ranges are {level} intervals.",
        GREY,
    )
    doc.rows(
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
    doc.heading("What happened to each test patient", 10, keep=0.8)
    doc.rows(
        [
            ("Caught", f"{patients(m.tp)} with heart disease, flagged (true positives)"),
            ("Missed", f"{patients(m.fn)} with heart disease, not flagged (false negatives)"),
            ("False alarm", f"{patients(m.fp)} without heart disease, flagged (false positives)"),
            ("Correctly reassured", f"{patients(m.tn)} without heart disease, not flagged (true negatives)"),
        ],
        label_width=1.8,
    )

    doc.heading("ROC curve", 10, keep=3.2)
    fpr, tpr, _thresholds = roc_points(y, risk)
    point = roc_point_at(y, risk, m.threshold)
    size = 3.0
    ax = doc.axes(size, left=(TEXT_WIDTH - size) / 2, right=(TEXT_WIDTH - size) / 2)
    style(ax)
    ax.plot([0, 1], [0, 1], color="#9e9e9e", linestyle="--", linewidth=0.8, label="guessing (AUC 0.5)")
    ax.plot(fpr, tpr, color=TRAIN_COLOUR, label=f"this model (AUC {m.roc_auc:.3f})")
    ax.plot(*point, "o", color=RISE, label=f"threshold {threshold_words(m.threshold)}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("false alarm rate (1 − specificity)", fontsize=9)
    ax.set_ylabel("sensitivity", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower right")

    _calibration(doc, y, risk)
    _decision_curve(doc, y, risk, m.threshold)
    if run.validation is not None:
        _validation_performance(doc, run.validation)


def _validation_performance(doc: Document, v: Validation) -> None:
    doc.heading(f"Evaluation at another site: {v.data_name}", 11.5, keep=1.2)
    for warning in v.warnings():
        doc.text(f"⚠ {warning}", 9.5, color=WARN, weight="bold")
    left = len(v.left_out)
    _say(
        doc, f"Rows: {v.n_read} read, {v.n_rows} scored, {left} left out (a finding the model uses missing)."
    )
    figures = v.validation
    if figures is None or figures.n == 0:
        _say(doc, "No patient of this file is new to the model: there is nothing to evaluate it on.", WARN)
        return
    new = "new to the model" if v.overlap_checked else "of the file (overlap with training not checked)"
    _say(doc, f"On the {patients(figures.n)} {new}, at the threshold of item 15:", GREY)
    c = figures.calibration
    doc.rows(
        [
            ("Patients with the disease", f"{figures.n_diseased} ({format_percent(figures.prevalence)})"),
            ("Mean predicted risk", format_percent(figures.mean_risk)),
            (
                "ROC AUC",
                f"{figures.auc:.3f}   (95 % interval {format_interval(figures.auc_interval, percent=False)})",
            ),
            (
                "Sensitivity",
                _with_interval(
                    format_percent(figures.sensitivity), "95 %", format_interval(figures.sensitivity_interval)
                ),
            ),
            (
                "Specificity",
                _with_interval(
                    format_percent(figures.specificity), "95 %", format_interval(figures.specificity_interval)
                ),
            ),
            (
                "Calibration intercept",
                f"{c.intercept:+.2f}   (95 % interval {_signed(c.intercept_interval)})",
            ),
            ("Calibration slope", f"{c.slope:.2f}   (95 % interval {_plain(c.slope_interval)})"),
            ("Brier score", f"{figures.brier:.3f}"),
        ],
        label_width=2.4,
    )
    doc.text(c.reading(), 9, color=GREY)
    if figures.decision_reading:
        doc.text(figures.decision_reading, 9.5)
    if v.subgroups:
        doc.heading(f"Subgroups at {v.data_name}", 10, keep=1.0)
        _subgroup_table(doc, list(v.subgroups))


def _calibration(doc: Document, y: np.ndarray, risk: np.ndarray) -> None:
    fit = clinical.calibration_fit(y, risk)
    doc.heading("Calibration: do the risks match what happened?", 10, keep=3.6)
    doc.rows(
        [
            (
                "Intercept (calibration-in-the-large)",
                f"{fit.intercept:+.2f}   (95 % interval {_signed(fit.intercept_interval)}; ideal 0)",
            ),
            ("Slope", f"{fit.slope:.2f}   (95 % interval {_plain(fit.slope_interval)}; ideal 1)"),
        ],
        label_width=2.6,
    )
    doc.text(
        "The intercept is a in logit P(disease) = a + logit(risk): above 0 the risks are too low on average, "
        "below 0 too high. The slope is b in logit P(disease) = a + b · logit(risk): below 1 the risks are "
        "too extreme (too close to 0 % and 100 %), typically from overfitting. " + fit.reading(),
        9,
        color=GREY,
    )
    if len(y) < 2 or len(np.unique(y)) < 2:
        return
    predicted, observed, counts = calibration_points(y, risk, n_bins=5)
    size = 2.8
    ax = doc.axes(size, left=(TEXT_WIDTH - size) / 2, right=(TEXT_WIDTH - size) / 2)
    style(ax)
    ax.plot([0, 1], [0, 1], color="#9e9e9e", linestyle="--", linewidth=0.8, label="perfect calibration")
    low, high = _wilson_bounds(observed, counts)
    ax.errorbar(
        predicted,
        observed,
        yerr=[observed - low, high - observed],
        fmt="o",
        color=TRAIN_COLOUR,
        capsize=3,
        label="risk groups (95 % intervals)",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("mean predicted risk of the group", fontsize=9)
    ax.set_ylabel("share with the disease", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="upper left")


def _wilson_bounds(observed: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from heartgui.core.evaluation import wilson_interval

    bounds = [wilson_interval(int(round(p * n)), int(n)) for p, n in zip(observed, counts, strict=True)]
    return np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])


def _signed(interval: tuple[float, float]) -> str:
    low, high = interval
    return "—" if math.isnan(low) else f"{low:+.2f} to {high:+.2f}"


def _plain(interval: tuple[float, float]) -> str:
    low, high = interval
    return "—" if math.isnan(low) else f"{low:.2f} to {high:.2f}"


def _decision_curve(doc: Document, y: np.ndarray, risk: np.ndarray, threshold: float) -> None:
    curve = clinical.decision_curve(y, risk)
    doc.heading("Decision curve: is the model worth using?", 10, keep=3.4)
    doc.text(
        "Net benefit at a threshold t counts the true positives per patient minus the false positives "
        "weighted by t/(1 − t), the harm-to-benefit ratio that choosing t implies. A model is worth using "
        "where its curve lies above both 'flag everyone' and 'flag no one' (flagged: sent for further "
        "testing).",
        9,
        color=GREY,
    )
    ax = doc.axes(2.8, left=0.8)
    style(ax)
    percent = curve.thresholds * 100
    ax.plot(percent, curve.model * 100, color=TRAIN_COLOUR, label="the model")
    ax.plot(percent, curve.treat_all * 100, color=VALIDATION_COLOUR, label="flag everyone")
    ax.plot(percent, curve.treat_none * 100, color="#9e9e9e", linestyle="--", label="flag no one")
    ax.set_ylim(min(-5.0, float(np.min(curve.model)) * 100 - 2), max(5.0, curve.prevalence * 100 + 5))
    ax.set_xlim(0, 61)
    if 0.01 <= threshold <= 0.60:
        ax.axvline(threshold * 100, color=RISE, linewidth=0.8, linestyle=":", label="this report's threshold")
    ax.set_xlabel("threshold risk (in percent)", fontsize=9)
    ax.set_ylabel("net benefit per 100 patients", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    # The reading at exactly this threshold (the curve's own grid is in steps of 1 percent).
    doc.text(clinical.decision_reading(clinical.decision_curve(y, risk, [threshold]), threshold), 9.5)


def _subgroups(doc: Document, run: _Run) -> None:
    result = run.result
    groups = clinical.subgroups(result.split.X_test, result.split.y_test, result.test_risk, run.threshold)
    _say(doc, f"On the test patients, at the threshold of item 15 ({threshold_words(run.threshold)}).", GREY)
    _subgroup_table(doc, groups)
    if run.validation is not None and run.validation.subgroups:
        _say(doc, f"At {run.validation.data_name}: see the end of item 23a.", GREY)


def _subgroup_table(doc: Document, groups: list[clinical.Subgroup]) -> None:
    body = []
    for g in groups:
        body.append(
            [
                g.name,
                str(g.n),
                str(g.n_diseased),
                format_percent(g.sensitivity, 0),
                format_percent(g.specificity, 0),
                "—" if math.isnan(g.auc) else f"{g.auc:.2f}",
                "—" if math.isnan(g.calibration_intercept) else f"{g.calibration_intercept:+.2f}",
                "" if g.enough else "too few",
            ]
        )
    doc.table(
        ["Group", "n", "disease", "sensitivity", "specificity", "AUC", "intercept", ""],
        body,
        widths=(1.4, 0.55, 0.75, 0.95, 0.95, 0.6, 0.8, 0.7),
    )
    few = [g for g in groups if not g.enough]
    if few:
        doc.text(
            "“too few”: fewer than "
            f"{clinical.MIN_EVENTS} patients with, or without, the disease in the group — too few patients "
            "to conclude anything about it; the figures are shown but mean little.",
            9,
            color=WARN,
        )


def _updating_results(doc: Document, run: _Run) -> None:
    v = run.validation
    if v is None or not v.recalibrations:
        _say(doc, "None (item 12f).")
        return
    _say(
        doc,
        f"Recalibration at {v.data_name}, fitted on the {v.recalibrations[0].n} patients new to the model. "
        "It uses that site's outcomes, so on the same patients it is no longer a validation: the figures "
        "after it are optimistic by construction, except the check on a half it was not fitted on.",
        WARN,
    )
    rows = []
    for r in v.recalibrations:
        after = r.after
        held = r.held_out
        check = (
            ""
            if held is None
            else f"; fitted on {held.n_fit}, checked on the other {held.n_check}: intercept "
            f"{held.before.intercept:+.2f} → {held.after.intercept:+.2f}, Brier {held.brier_before:.3f} → "
            f"{held.brier_after:.3f}"
        )
        rows.append(
            (
                r.kind.capitalize(),
                f"a = {r.a:+.2f}, b = {r.b:.2f}: mean risk {format_percent(r.mean_risk_before)} → "
                f"{format_percent(r.mean_risk_after)} (prevalence {format_percent(r.prevalence)}); intercept "
                f"{r.before.intercept:+.2f} → {after.intercept:+.2f}, slope {r.before.slope:.2f} → "
                f"{after.slope:.2f}, Brier {r.brier_before:.3f} → {r.brier_after:.3f}{check}",
            )
        )
    doc.rows(rows, label_width=1.9)


def _limitations(doc: Document, run: _Run) -> None:
    m = run.intervals.metrics
    known = [
        f"Only {patients(m.n)} tested, from one random split: every figure is uncertain (see the intervals).",
        "Patients of one site seen in the 1980s and referred for angiography; not validated elsewhere.",
    ]
    if run.result.settings.preset == "recommended":
        known.append("The recommended settings were chosen on this same data, which flatters its figures.")
    entry = known_file(run.result.data_sha256)
    if entry is not None and entry.file_name == "heart.dat":
        known.append("heart.dat's patients are all in the Cleveland file: that file is not an external test.")
    for line in known:
        _say(doc, f"• {line}")


def _input_quality(doc: Document, run: _Run) -> None:
    _say(
        doc,
        "heartgui refuses impossible values and names the file, line and field; the Predict page warns "
        "when a value lies outside the range of the training patients or is an answer few of them gave.",
    )


_FILL: dict[str, Callable[[Document, _Run], None] | None] = {
    "1": _title,
    "3a": _context,
    "3b": _population,
    "3c": _inequalities,
    "5a": _data_source,
    "5b": _dates,
    "6a": _setting,
    "6b": _eligibility,
    "7": _preparation,
    "8a": _outcome,
    "9a": _predictors,
    "9b": _predictor_measurement,
    "10": _sample_size,
    "11": _missing,
    "12a": _data_use,
    "12b": _predictor_handling,
    "12c": _model,
    "12d": _heterogeneity,
    "12e": _measures,
    "12f": _updating,
    "12g": _evaluation_predictions,
    "13": _imbalance,
    "14": _fairness,
    "15": _output,
    "16": _training_vs_evaluation,
    "17": _ethics,
    "18e": _data_sharing,
    "18f": _code_sharing,
    "20a": _flow,
    "20b": _characteristics,
    "20c": _development_vs_evaluation,
    "21": _events,
    "22": _specification,
    "23a": _performance,
    "23b": _subgroups,
    "24": _updating_results,
    "26": _limitations,
    "27a": _input_quality,
}

#: What each item asks of the authors, where heartgui cannot know it (or knows only part).
_TO_COMPLETE: dict[str, str] = {
    "1": "your title, naming the population, the outcome and that this is a neural network.",
    "2": "a structured summary (TRIPOD+AI for Abstracts): objective, data, participants, predictors, "
    "outcome, methods, results with intervals, conclusion.",
    "3a": "why a model is needed for this decision, and the existing models (and how this one compares).",
    "3b": "who the model is for — which patients, at which point of care — and who would use it.",
    "3c": "known differences in coronary disease and its diagnosis between groups (sex, age, origin).",
    "4": "the objective: development of a model, its evaluation, or both.",
    "5b": "the dates of the patients' recruitment, from the study's publication.",
    "6b": "who was eligible for the study (from the study's publication).",
    "6c": "treatments the patients received before the findings were recorded, if known.",
    "8b": "how and when angiography was done and read.",
    "8c": "whether the angiograms were read without knowing the other findings.",
    "9a": "why these predictors were chosen.",
    "9c": "whether the predictors were recorded without knowing the outcome.",
    "17": "the ethics approval (or why none was needed) for your use of the data.",
    "18a": "the funding of this work.",
    "18b": "the authors' conflicts of interest.",
    "18c": "where the protocol can be read, or that there is none.",
    "18d": "the registration of the study, or that it was not registered.",
    "19": "whether patients or the public were involved, and how.",
    "25": "what the results mean for the question of item 4, set against other evidence.",
    "26": "other limitations you see.",
    "27b": "who would use the model and what they would need to know to use it safely.",
    "27c": "what would have to be done next (e.g. validation at other hospitals) before any use.",
}


def _check_items(items: Sequence[tuple[str, str]]) -> None:
    """Every item is either filled in or asked of the student (a silent item would look complete)."""
    for item, _topic in items:
        if _FILL.get(item) is None and not _TO_COMPLETE.get(item):
            raise AssertionError(f"TRIPOD+AI item {item} has neither content nor a request to complete it")


_check_items(TRIPOD_ITEMS)
