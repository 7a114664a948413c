"""The Subgroups tab: the model's figures for women, men and three age bands, at the chosen threshold.

A model can serve some patients worse than the average says; with a few dozen test patients a group is
often too small to tell, and the table says so rather than show a figure that means nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from heartgui.gui.pages.results.common import fixed, page_column, section_title, soft, wrapping
from heartgui.gui.widgets.wording import UNDEFINED, percent, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.clinical import Subgroup
    from heartgui.core.training import TrainingResult

__all__ = ["SUBGROUP_HEADERS", "TOO_FEW", "SubgroupsView"]

TOO_FEW = "too few patients to conclude"

SUBGROUP_HEADERS = [
    "Group",
    "Patients",
    "With disease",
    "Mean risk",
    "Sensitivity",
    "Specificity",
    "ROC AUC",
    "Calibration intercept",
    "Note",
]
_TIPS = [
    "",
    "Test patients in the group.",
    "Share of the group's test patients who had heart disease (the prevalence in the group).",
    "The model's average risk in the group: near the share with disease when it is calibrated.",
    "Of the group's patients with heart disease, the share flagged at the chosen threshold.",
    "Of the group's patients without heart disease, the share not flagged at the chosen threshold.",
    "How well the risk ranks a patient with disease above one without, within the group (0.5 coin toss).",
    "0 when the risks are right on average in the group; below 0 too high, above 0 too low.",
    "Fewer than 10 patients with or without the disease: any figure of the group is mostly chance.",
]


class SubgroupsView(QWidget):
    """A table of :func:`heartgui.core.clinical.subgroups` on the test patients."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.comparison_table import ComparisonTable

        column = page_column(self, "Does the model serve every group? (subgroups)")
        column.addWidget(
            wrapping(
                "The same test patients split by sex and by age. A model trained mostly on one kind of "
                "patient can catch fewer cases, or give too high or too low risks, in another. Figures at "
                "the chosen threshold, which the table follows.",
                "subgroups_intro",
            )
        )
        self.table = ComparisonTable("subgroups_table", "heartgui-subgroups.csv")
        column.addWidget(self.table)
        column.addWidget(section_title(self, "Reading the table"))
        self.sentence = wrapping(name="subgroups_sentence")
        column.addWidget(self.sentence)
        column.addWidget(
            soft(
                wrapping(
                    "A group needs at least 10 patients with and 10 without the disease before its "
                    "sensitivity, specificity or AUC says more than chance; a difference between two groups "
                    "needs many more. Differences here are a reason to look at a larger data set, not a "
                    "finding."
                )
            )
        )
        column.addStretch(1)
        self.groups: list[Subgroup] = []

    def show_groups(self, result: TrainingResult, threshold: float) -> None:
        """Compute and show the subgroups of ``result``'s test patients at ``threshold``."""
        import pandas as pd

        from heartgui.core.clinical import subgroups

        y, risk = result.split.y_test, result.test_risk
        self.groups = groups = subgroups(result.split.X_test, y, risk, threshold)
        rows = []
        for g in groups:
            rows.append(
                [
                    g.name,
                    str(g.n),
                    f"{g.n_diseased} ({percent(g.prevalence, 0)})",
                    percent(g.mean_risk, 0),
                    percent(g.sensitivity, 0),
                    percent(g.specificity, 0),
                    fixed(g.auc, 2),
                    signed(g.calibration_intercept),
                    "" if g.enough else TOO_FEW,
                ]
            )
        frame = pd.DataFrame([vars(g) for g in groups]).set_index("name")
        frame["threshold"] = threshold
        self.table.set_table(
            SUBGROUP_HEADERS,
            rows,
            frame,
            header_tips=_TIPS,
            row_tips=[g.verdict for g in groups],
            bold_row=0,
        )
        small = [g.name for g in groups if not g.enough]
        t = threshold_percent(threshold)
        if small:
            self.sentence.setText(
                f"At a threshold of {t}. Too few patients to conclude anything about: {', '.join(small)} "
                "(hover a row for its counts). Even the larger groups' figures are rough with this few "
                "patients."
            )
        else:
            self.sentence.setText(
                f"At a threshold of {t}. Every group has at least 10 patients with and 10 without the "
                "disease; with this few, differences of 10 to 20 points between groups can still be chance."
            )


def signed(value: float) -> str:
    """``0.123`` → ``"+0.12"``; NaN → ``"—"``."""
    return UNDEFINED if value != value else f"{value:+.2f}"
