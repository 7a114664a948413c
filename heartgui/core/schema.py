"""The 13 features of the heart data and the target: the one place that knows them.

The facts come from ``heart.doc`` (UCI Statlog heart) and ``heart-disease.names`` (UCI Heart Disease,
Cleveland). The loader, the window's patient form and the model file all read this module.

``limits`` are hard limits: a value outside them is impossible (age 400, cholesterol 20) and the loader
rejects the file. Two features are read with the other sites' habit in mind: a 0 in cholesterol or in
resting blood pressure means "not recorded" (Switzerland wrote 0 for every cholesterol), so the loader
reads it as missing (:attr:`Feature.zero_means_missing`), and ST depression may be negative (ST
elevation, seen in Switzerland and VA Long Beach). ``typical`` is the range a patient form offers by
default and the range inside which nothing looks unusual to a clinician.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

SCHEMA_VERSION = 1


class Kind(StrEnum):
    """How a feature is measured, which decides how it is encoded and shown."""

    CONTINUOUS = "continuous"
    BINARY = "binary"
    ORDINAL = "ordinal"
    NOMINAL = "nominal"


@dataclass(frozen=True)
class Feature:
    """One input feature of the model.

    Parameters
    ----------
    name : canonical short name used in files and code (``"trestbps"``).
    label : clinical label a student understands (``"Resting blood pressure"``).
    unit : unit of measurement, ``""`` for coded features.
    kind : continuous, binary, ordinal or nominal.
    codes : allowed codes and their meaning, for coded features; ``None`` for measurements.
    limits : (low, high) outside which a value is impossible; ``None`` for coded features.
    typical : (low, high) a plausible clinical range, used by forms and warnings.
    decimals : decimals a form should offer.
    help : one sentence a clinician understands.
    aliases : other column names seen in the wild for this feature.
    zero_means_missing : a 0 in a data file means "not recorded", not a measurement (cholesterol and
        resting blood pressure: the UCI sites wrote 0 where nothing was measured).
    missing_word : how a row left out for this feature names it (``"cholesterol"``); the name if empty.
    """

    name: str
    label: str
    unit: str
    kind: Kind
    codes: dict[int, str] | None = None
    limits: tuple[float, float] | None = None
    typical: tuple[float, float] | None = None
    decimals: int = 0
    help: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    zero_means_missing: bool = False
    missing_word: str = ""

    @property
    def is_coded(self) -> bool:
        return self.codes is not None

    def describe_value(self, value: float) -> str:
        """Return a value in clinical words: ``"asymptomatic"``, ``"130 mm Hg"``."""
        if self.codes is not None:
            code = int(round(value))
            if code in self.codes and code == value:
                return self.codes[code]
            return f"unknown code {value:g}"
        text = f"{value:.{self.decimals}f}"
        return f"{text} {self.unit}".strip()

    def check(self, value: float) -> str | None:
        """Return why ``value`` is impossible for this feature, or ``None`` when it is allowed."""
        if value != value:  # NaN
            return "is missing"
        if self.codes is not None:
            if value not in self.codes:
                allowed = ", ".join(f"{c} ({m})" for c, m in self.codes.items())
                return f"has code {value:g}, which is not one of the documented codes: {allowed}"
            return None
        assert self.limits is not None
        low, high = self.limits
        if not low <= value <= high:
            unit = f" {self.unit}" if self.unit else ""
            return f"is {value:g}{unit}, outside the possible range {low:g}–{high:g}{unit}"
        return None


FEATURES: tuple[Feature, ...] = (
    Feature(
        "age",
        "Age",
        "years",
        Kind.CONTINUOUS,
        limits=(1, 120),
        typical=(29, 80),
        help="The patient's age in years.",
        aliases=("age_years", "age_in_years"),
    ),
    Feature(
        "sex",
        "Sex",
        "",
        Kind.BINARY,
        codes={0: "female", 1: "male"},
        help="Sex recorded in the study: 0 = female, 1 = male.",
        aliases=("gender", "male"),
    ),
    Feature(
        "cp",
        "Chest pain type",
        "",
        Kind.NOMINAL,
        codes={1: "typical angina", 2: "atypical angina", 3: "non-anginal pain", 4: "asymptomatic"},
        help="The kind of chest pain the patient reported; 'asymptomatic' means no chest pain.",
        aliases=("chest_pain", "chest_pain_type", "chestpain", "cp_type"),
    ),
    Feature(
        "trestbps",
        "Resting blood pressure",
        "mm Hg",
        Kind.CONTINUOUS,
        limits=(50, 260),
        typical=(90, 200),
        help="Systolic blood pressure at rest, on admission to hospital.",
        aliases=("resting_blood_pressure", "resting_bp", "restingbp", "resting_bps", "rest_bp", "bp"),
        zero_means_missing=True,
        missing_word="resting blood pressure",
    ),
    Feature(
        "chol",
        "Serum cholesterol",
        "mg/dl",
        Kind.CONTINUOUS,
        limits=(50, 1000),
        typical=(120, 570),
        help="Total serum cholesterol in mg/dl (divide by 38.67 for mmol/L).",
        aliases=(
            "cholesterol",
            "serum_cholesterol",
            "serum_cholestoral",
            "cholestoral",
            "serum_chol",
        ),
        zero_means_missing=True,
        missing_word="cholesterol",
    ),
    Feature(
        "fbs",
        "Fasting blood sugar > 120 mg/dl",
        "",
        Kind.BINARY,
        codes={0: "no (≤ 120 mg/dl)", 1: "yes (> 120 mg/dl)"},
        help="Whether fasting blood sugar was above 120 mg/dl (6.7 mmol/L), the study's cut-off. It is "
        "not today's diabetes threshold: diabetes is now diagnosed from 126 mg/dl (7.0 mmol/L).",
        aliases=("fasting_blood_sugar", "fastingbs", "fasting_bs", "fbs_120"),
    ),
    Feature(
        "restecg",
        "Resting ECG",
        "",
        Kind.NOMINAL,
        codes={
            0: "normal",
            1: "ST-T wave abnormality",
            2: "left ventricular hypertrophy",
        },
        help="Resting electrocardiogram: normal, ST-T wave abnormality, or probable/definite "
        "left ventricular hypertrophy (Estes' criteria).",
        aliases=(
            "resting_ecg",
            "resting_ecg_results",
            "restingecg",
            "rest_ecg",
            "resting_electrocardiographic_results",
            "ecg",
        ),
    ),
    Feature(
        "thalach",
        "Maximum heart rate",
        "bpm",
        Kind.CONTINUOUS,
        limits=(40, 250),
        typical=(70, 205),
        help="The highest heart rate reached during the exercise test.",
        aliases=(
            "max_heart_rate",
            "max_heart_rate_achieved",
            "maximum_heart_rate",
            "maxhr",
            "max_hr",
            "thalch",
        ),
    ),
    Feature(
        "exang",
        "Exercise-induced angina",
        "",
        Kind.BINARY,
        codes={0: "no", 1: "yes"},
        help="Whether the exercise test brought on chest pain (angina).",
        aliases=("exercise_induced_angina", "exerciseangina", "exercise_angina"),
    ),
    Feature(
        "oldpeak",
        "ST depression on exercise",
        "mm",
        Kind.CONTINUOUS,
        # Negative = ST elevation, clinically real (Switzerland and VA Long Beach, down to -2.6 mm).
        limits=(-5, 10),
        typical=(0, 6.2),
        decimals=1,
        help="How far the ST segment of the ECG drops during exercise compared with rest (a negative "
        "value is ST elevation).",
        aliases=("st_depression", "st_depression_induced_by_exercise", "old_peak"),
    ),
    Feature(
        "slope",
        "Slope of peak exercise ST segment",
        "",
        Kind.ORDINAL,
        codes={1: "upsloping", 2: "flat", 3: "downsloping"},
        help="The shape of the ST segment at peak exercise: upsloping, flat or downsloping.",
        aliases=(
            "st_slope",
            "slope_of_the_peak",
            "slope_of_peak_exercise_st_segment",
            "slope_of_the_peak_exercise_st_segment",
        ),
    ),
    Feature(
        "ca",
        "Major vessels coloured by fluoroscopy",
        "vessels",
        Kind.ORDINAL,
        codes={0: "0 vessels", 1: "1 vessel", 2: "2 vessels", 3: "3 vessels"},
        help="Number of major coronary vessels (0–3) 'coloured by fluoroscopy' (heart.doc), usually read "
        "as vessels with calcium seen on X-ray fluoroscopy of the heart: a diagnostic test done after "
        "referral, not a screening test.",
        aliases=(
            "num_major_vessels",
            "num_of_major_vessels",
            "major_vessels",
            "number_of_major_vessels",
            "vessels",
        ),
    ),
    Feature(
        "thal",
        "Thallium stress test",
        "",
        Kind.NOMINAL,
        codes={3: "normal", 6: "fixed defect", 7: "reversible defect"},
        help="Thallium heart scan (myocardial perfusion at stress and rest): normal, a fixed defect "
        "(usually scar from old damage) or a reversible defect (reduced blood flow under stress only: "
        "ischaemia). A diagnostic test done after referral, not a screening test.",
        aliases=("thalassemia", "thallium", "thal_scan"),
    ),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
#: The eight findings measured at all four sites of the UCI Heart Disease study (Cleveland, Hungary,
#: Switzerland, VA Long Beach): a model on these alone can be taken to each of them.
ALL_SITES_FEATURES: tuple[str, ...] = (
    "age",
    "sex",
    "cp",
    "trestbps",
    "restecg",
    "thalach",
    "exang",
    "oldpeak",
)
BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
NOMINAL_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind is Kind.NOMINAL)

TARGET_NAME = "target"
TARGET_LABEL = "Heart disease"
TARGET_ALIASES: tuple[str, ...] = (
    "target",
    "num",
    "class",
    "heart_disease",
    "heartdisease",
    "goal",
    "diagnosis",
    "condition",
    "output",
    "disease",
    "label",
    "presence",
)
CLASS_WORDS = {0: "absent", 1: "present"}
#: What a model's decision at a threshold is called: a risk at or above it flags the patient for further
#: testing. Never "present"/"absent": a risk over a threshold is not a diagnosis.
DECISION_WORDS = {0: "not flagged", 1: "flagged"}

#: Statlog cost matrix from ``heart.doc``: a missed disease costs 5, a false alarm 1.
STATLOG_COST_MISSED = 5.0
STATLOG_COST_FALSE_ALARM = 1.0

#: The donors that ``heart-disease.names`` asks every user of the data to name.
DATA_CITATION = (
    "UCI Machine Learning Repository, Statlog (Heart) and Heart Disease data sets (CC BY 4.0). "
    "Principal investigators: Andras Janosi, M.D. (Hungarian Institute of Cardiology, Budapest); "
    "William Steinbrunn, M.D. (University Hospital, Zurich); Matthias Pfisterer, M.D. "
    "(University Hospital, Basel); Robert Detrano, M.D., Ph.D. (V.A. Medical Center, Long Beach, "
    "and Cleveland Clinic Foundation). Donor: David W. Aha, 1988."
)

MG_DL_PER_MMOL_L_CHOLESTEROL = 38.67


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The features ``names`` in the schema's order, or ``ValueError`` naming what is wrong.

    Raises
    ------
    ValueError
        An unknown name (with the known ones), a name given twice, or no name at all.
    """
    names = [str(n).strip() for n in names]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        guess = difflib.get_close_matches(unknown[0], FEATURE_NAMES, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        raise ValueError(
            f"unknown feature{'s' if len(unknown) > 1 else ''} {', '.join(repr(n) for n in unknown)}{hint}; "
            f"the features are {', '.join(FEATURE_NAMES)}"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"feature{'s' if len(twice) > 1 else ''} given twice: {', '.join(twice)}")
    if not names:
        raise ValueError("no features chosen: a model needs at least one")
    return tuple(n for n in FEATURE_NAMES if n in names)


def normalise_column_name(name: str) -> str:
    """Lower-case a header cell and fold anything that is not a letter or digit into ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for feature in FEATURES:
        for alias in (feature.name, *feature.aliases):
            table[normalise_column_name(alias)] = feature.name
    for alias in TARGET_ALIASES:
        table[normalise_column_name(alias)] = TARGET_NAME
    return table


ALIASES: dict[str, str] = _alias_table()


def canonical_name(header: str) -> str | None:
    """Map a header cell to a canonical feature name or ``"target"``; ``None`` when unknown."""
    return ALIASES.get(normalise_column_name(header))
