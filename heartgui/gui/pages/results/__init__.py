"""The Results page, one module per view.

* :mod:`.page` — :class:`ResultsPage`: the tabs, the result shown and the threshold every view follows;
* :mod:`.summary` — the figures as cards with their intervals, training vs test accuracy, the run;
* :mod:`.threshold` — the threshold slider and costs, the confusion grid in words, the live figures;
* :mod:`.curves` — the ROC curve and the precision–recall curve;
* :mod:`.calibration` — the calibration plot with an interval per group, its intercept and slope;
* :mod:`.decision` — the decision curve (net benefit against flagging everyone or no one);
* :mod:`.subgroups` — the figures for women, men and three age bands;
* :mod:`.pretest` — PPV and NPV at another prevalence (pre-test probability), by Bayes' rule;
* :mod:`.compare` — the baselines on the same split and the Statlog cross-validation (background jobs);
* :mod:`.common` — fonts, wrapped labels and intervals in words, shared by the views.

Nothing heavy is imported here: the window imports the page at start-up (NumPy, matplotlib and the core
load when a view is built or a result is shown).
"""

from heartgui.gui.pages.results.calibration import CALIBRATION_GROUPS
from heartgui.gui.pages.results.compare import CV_FOLDS, CV_REPEATS
from heartgui.gui.pages.results.curves import BOOTSTRAP_RESAMPLES
from heartgui.gui.pages.results.page import (
    TAB_CALIBRATION,
    TAB_COMPARE,
    TAB_CURVES,
    TAB_DECISION,
    TAB_PRETEST,
    TAB_SUBGROUPS,
    TAB_SUMMARY,
    TAB_THRESHOLD,
    THRESHOLD_DEBOUNCE_MS,
    ResultsPage,
)

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "CALIBRATION_GROUPS",
    "CV_FOLDS",
    "CV_REPEATS",
    "TAB_CALIBRATION",
    "TAB_COMPARE",
    "TAB_CURVES",
    "TAB_DECISION",
    "TAB_PRETEST",
    "TAB_SUBGROUPS",
    "TAB_SUMMARY",
    "TAB_THRESHOLD",
    "THRESHOLD_DEBOUNCE_MS",
    "ResultsPage",
]
