"""The Compare tab: the baselines on the same split and the Statlog cross-validation, in the background.

The baselines are computed off the UI thread when the tab is first shown; the cross-validation is a job
with progress and Cancel. :meth:`CompareView.shutdown` stops and joins both.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QWidget

from heartgui.core.schema import STATLOG_COST_MISSED
from heartgui.gui.pages.results.common import fixed, mean_sd, page_column, section_title, soft, wrapping
from heartgui.gui.widgets.wording import percent, plural, threshold_percent

if TYPE_CHECKING:
    from heartgui.core.training import TrainingResult
    from heartgui.gui.workers import Job

__all__ = ["CV_FOLDS", "CV_REPEATS", "CompareView"]

#: The Statlog protocol: stratified folds per shuffle (heart.doc).
CV_FOLDS = 9
#: Shuffles of the cross-validation offered by default.
CV_REPEATS = 5


class CompareView(QWidget):
    """The tab "Against simpler methods": the same-split table and the cross-validation table.

    Signals: see :class:`~heartgui.gui.pages.results.page.ResultsPage` (which forwards them).
    """

    comparison_finished = Signal(object)
    crossval_progressed = Signal(int, int)
    crossval_finished = Signal(object)
    crossval_failed = Signal(str)
    crossval_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from heartgui.gui.widgets.comparison_table import ComparisonTable

        self._result: TrainingResult | None = None
        self._jobs: dict[int, Job] = {}
        self._run_ids = itertools.count(1)
        self._comparison_run: int | None = None
        self._comparison_done = False
        self._cv_run: int | None = None
        self._cv_started = 0.0
        self._cv_partial: Any = None
        column = page_column(self, "Against simpler methods")
        column.addWidget(section_title(self, "On the same test patients"))
        self.comparison_intro = wrapping(name="comparison_intro")
        column.addWidget(self.comparison_intro)
        self.comparison_table = ComparisonTable("comparison_table", "heartgui-comparison.csv")
        column.addWidget(self.comparison_table)
        self.comparison_status = soft(wrapping(name="comparison_status"))
        column.addWidget(self.comparison_status)

        column.addWidget(section_title(self, "Cross-validation (Statlog protocol)"))
        column.addWidget(
            wrapping(
                f"One split tests on few patients, so its figures depend on luck. The Statlog study split "
                f"all patients into {CV_FOLDS} groups (“folds”), trained on {CV_FOLDS - 1} and tested on "
                "the last, in turn, so every patient is tested once; repeating this with several "
                "shuffles gives a mean and a spread (± one standard deviation) for every method. "
                "It takes about a second per fold; the window stays usable.",
                "crossval_intro",
            )
        )
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Shuffles:"))
        self.cv_repeats = QSpinBox()
        self.cv_repeats.setObjectName("cv_repeats")
        self.cv_repeats.setRange(1, 20)
        self.cv_repeats.setValue(CV_REPEATS)
        self.cv_repeats.setAccessibleName("Number of shuffles")
        self.cv_repeats.setToolTip(f"How many times to shuffle the patients and run the {CV_FOLDS} folds.")
        controls.addWidget(self.cv_repeats)
        self.cv_button = QPushButton("Cross-validate (Statlog protocol)")
        self.cv_button.setObjectName("cv_button")
        self.cv_button.setToolTip(
            "Train and test every method on the same folds, in the background; the window stays usable."
        )
        self.cv_button.clicked.connect(lambda: self.start_cross_validation())
        controls.addWidget(self.cv_button)
        self.cv_cancel = QPushButton("Cancel")
        self.cv_cancel.setObjectName("cv_cancel")
        self.cv_cancel.setToolTip("Stop after the fold that is running; the folds done so far stay.")
        self.cv_cancel.setEnabled(False)
        self.cv_cancel.clicked.connect(self.cancel_cross_validation)
        controls.addWidget(self.cv_cancel)
        self.cv_progress = QProgressBar()
        self.cv_progress.setObjectName("cv_progress")
        self._cv_progress_idle()
        self.cv_progress.setTextVisible(True)
        controls.addWidget(self.cv_progress, 1)
        column.addLayout(controls)
        self.cv_status = soft(wrapping(name="cv_status"))
        column.addWidget(self.cv_status)
        self.cv_table = ComparisonTable("crossval_table", "heartgui-crossvalidation.csv")
        column.addWidget(self.cv_table)
        from heartgui.gui.pages.results.lessons import LessonsView

        self.lessons = LessonsView()
        self.lessons.setObjectName("lessons")
        column.addWidget(self.lessons)
        column.addStretch(1)

    # ----------------------------------------------------------------------------------------------
    # background jobs
    def _new_job(self, function: Any) -> Job:
        from heartgui.gui.workers import Job

        run_id = next(self._run_ids)
        job = Job(run_id, function, parent=self)
        job.done.connect(self._on_job_done)
        self._jobs[run_id] = job
        return job

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            job.qthread.wait()
            job.deleteLater()

    def _abandon_jobs(self) -> None:
        """Ask every running job to stop; their late signals are ignored (stale run ids)."""
        for job in self._jobs.values():
            job.request_stop()
        self._comparison_run = None
        if self._cv_run is not None:
            self._cv_run = None
            self._cv_idle()

    def shutdown(self) -> None:
        """Stop every background job and wait for its thread (call before the window closes)."""
        self._comparison_run = None
        self._cv_run = None
        for job in list(self._jobs.values()):
            job.stop_and_wait()
        self._jobs.clear()
        self.lessons.shutdown()

    def is_busy(self) -> bool:
        """Whether a background job of this page is still running."""
        return any(job.is_running() for job in self._jobs.values()) or self.lessons.is_busy()

    @property
    def cv_job(self) -> Job | None:
        """The cross-validation job running now (``None`` when idle)."""
        return self._jobs.get(self._cv_run) if self._cv_run is not None else None

    # comparison on the same split -----------------------------------------------------------------
    def set_result(self, result: TrainingResult | None) -> None:
        """Show ``result``'s comparisons from scratch (``None``: forget it); running jobs are abandoned."""
        self._abandon_jobs()
        self._result = result
        self.lessons.set_result(result)
        if result is not None:
            self._reset_compare(result)

    def _reset_compare(self, result: TrainingResult) -> None:
        self._comparison_done = False
        self.comparison_table.clear()
        self.cv_table.clear()
        self._cv_partial = None
        self.cv_status.setText("")
        self._cv_progress_idle()
        m = result.test_metrics
        self.comparison_intro.setText(
            f"Each method below was trained on the same {len(result.split.y_train)} patients as your network "
            f"and tested on the same {m.n}. The costs use the Statlog matrix (a miss 5, a false alarm 1), "
            "at risk 50 % and at the cost-optimal 1/6."
        )
        self.comparison_status.setText("The comparison is computed when you open this tab.")

    def start_comparison(self) -> None:
        """Train the other methods on the same split, once per result (in the background)."""
        if self._result is None or self._comparison_done or self._comparison_run is not None:
            return
        from heartgui.gui.crossval_job import comparison_job

        job = self._new_job(comparison_job(self._result))
        job.worker.finished.connect(self._on_comparison_finished)
        job.worker.failed.connect(self._on_comparison_failed)
        self._comparison_run = job.run_id
        self.comparison_status.setText("Training the other methods on the same patients… (a second or two)")
        job.start()

    @Slot(int, object)
    def _on_comparison_finished(self, run_id: int, comparison: Any) -> None:
        if run_id != self._comparison_run or self._result is None:
            return
        self._comparison_run = None
        self._comparison_done = True
        self._show_comparison(self._result, comparison)
        self.comparison_finished.emit(comparison)

    @Slot(int, str)
    def _on_comparison_failed(self, run_id: int, message: str) -> None:
        if run_id != self._comparison_run:
            return
        self._comparison_run = None
        self.comparison_status.setText(f"The comparison could not be computed: {message}")

    def _show_comparison(self, result: TrainingResult, comparison: Any) -> None:
        import pandas as pd

        from heartgui.core.crossval import DEFAULT_RULE, SplitRow
        from heartgui.core.evaluation import cost_optimal_threshold, evaluate
        from heartgui.gui.crossval_job import THIS_NETWORK

        y, risk = result.split.y_test, result.test_risk
        at_half = evaluate(y, risk, 0.5)
        at_optimal = evaluate(y, risk, cost_optimal_threshold())
        mine = SplitRow(
            THIS_NETWORK,
            len(result.split.y_train),
            len(y),
            at_half.roc_auc,
            at_half.accuracy,
            at_half.statlog_cost,
            at_optimal.statlog_cost,
            float("nan"),
        )
        rows = [mine, *comparison.rows]
        headers = [
            "Method",
            "Accuracy (risk ≥ 50 %)",
            "ROC AUC",
            "Statlog cost at 50 %",
            "Statlog cost at 1/6",
        ]
        tips = [
            "",
            "Share of test patients classified correctly when “disease” means a risk of 50 % or more.",
            "How well the risk ranks a patient with disease above one without (0.5 coin toss, 1 perfect).",
            "Average cost per patient (miss 5, false alarm 1) at a threshold of 50 %. Lower is better.",
            "The same cost at the cost-optimal threshold 1/6 (16.7 %). Lower is better.",
        ]
        text_rows = [
            [
                r.method,
                percent(r.accuracy_at_half),
                fixed(r.roc_auc, 2),
                fixed(r.cost_at_half, 2),
                fixed(r.cost_at_optimal, 2) + (f"  ({r.note})" if r.note else ""),
            ]
            for r in rows
        ]
        frame = pd.DataFrame([vars(r) for r in rows]).set_index("method")
        base_rate = float(result.split.y_train.mean())
        row_tips = [default_rule_words(base_rate) if r.method == DEFAULT_RULE else "" for r in rows]
        self.comparison_table.set_table(
            headers, text_rows, frame, header_tips=tips, row_tips=row_tips, bold_row=0
        )
        best = min(rows, key=lambda r: r.cost_at_optimal)
        step = STATLOG_COST_MISSED / len(y)
        self.comparison_status.setText(
            f"Lowest cost at 1/6 on these {len(y)} patients: {best.method} ({best.cost_at_optimal:.2f}). "
            f"One more missed patient adds {step:.2f} to a cost, so differences this small are mostly luck: "
            "the cross-validation below compares the methods more fairly."
        )

    # cross-validation ----------------------------------------------------------------------------
    def start_cross_validation(self, *, folds: int = CV_FOLDS, repeats: int | None = None) -> bool:
        """Start the cross-validation in the background (``repeats`` defaults to the spin box).

        Returns false (and does nothing) without a result or while one runs.
        """
        if self._result is None or self._cv_run is not None:
            return False
        from heartgui.gui.crossval_job import crossval_job, crossval_methods

        repeats = self.cv_repeats.value() if repeats is None else int(repeats)
        job = self._new_job(
            crossval_job(self._result.split, self._result.settings, folds=folds, repeats=repeats)
        )
        job.worker.progressed.connect(self._on_cv_progressed)
        job.worker.finished.connect(self._on_cv_finished)
        job.worker.failed.connect(self._on_cv_failed)
        job.worker.cancelled.connect(self._on_cv_cancelled)
        self._cv_run = job.run_id
        self._cv_started = time.perf_counter()
        self._cv_partial = None
        self._show_crossval_placeholder([m.name for m in crossval_methods(self._result.settings)])
        self.cv_progress.setFormat("fold %v of %m")
        self.cv_progress.setRange(0, folds * repeats)
        self.cv_progress.setValue(0)
        self.cv_status.setText(f"Running fold 1 of {folds * repeats}…")
        self.cv_button.setEnabled(False)
        self.cv_repeats.setEnabled(False)
        self.cv_cancel.setEnabled(True)
        job.start()
        return True

    @Slot()
    def cancel_cross_validation(self) -> None:
        """Ask the running cross-validation to stop after its current fold."""
        job = self.cv_job
        if job is not None:
            job.request_stop()
            self.cv_cancel.setEnabled(False)
            self.cv_status.setText("Stopping after the current fold…")

    def _cv_progress_idle(self) -> None:
        self.cv_progress.setFormat("not run yet")
        self.cv_progress.setRange(0, 1)
        self.cv_progress.setValue(0)

    def _cv_idle(self) -> None:
        self.cv_button.setEnabled(True)
        self.cv_repeats.setEnabled(True)
        self.cv_cancel.setEnabled(False)

    @Slot(int, object)
    def _on_cv_progressed(self, run_id: int, reports: tuple) -> None:
        if run_id != self._cv_run or not reports:
            return
        report, summary = reports[-1]
        self.cv_progress.setMaximum(report.total)
        self.cv_progress.setValue(report.done)
        left = report.elapsed / report.done * (report.total - report.done)
        if self.cv_cancel.isEnabled():
            self.cv_status.setText(
                f"Fold {report.done} of {report.total} done (shuffle {report.repeat + 1}, fold "
                f"{report.fold + 1}); about {left:.0f} s left. The table fills in as folds finish."
            )
        self._cv_partial = report.result
        self._show_crossval(report.result, summary)
        self.crossval_progressed.emit(report.done, report.total)

    @Slot(int, object)
    def _on_cv_finished(self, run_id: int, result: Any) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        self._show_crossval(result)
        seconds = time.perf_counter() - self._cv_started
        self.cv_status.setText(
            f"Done: {result.folds_done} folds ({result.repeats} × {result.folds}) in {seconds:.0f} s. Mean ± "
            "standard deviation over the folds; the method with the lowest cost at 1/6 did best under the "
            "Statlog rules. Spreads that overlap mean the methods cannot really be told apart."
        )
        self.crossval_finished.emit(result)

    @Slot(int, str)
    def _on_cv_failed(self, run_id: int, message: str) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        self.cv_status.setText(f"The cross-validation stopped with a problem: {message}")
        self.crossval_failed.emit(message)

    @Slot(int)
    def _on_cv_cancelled(self, run_id: int) -> None:
        if run_id != self._cv_run:
            return
        self._cv_run = None
        self._cv_idle()
        done = 0 if self._cv_partial is None else self._cv_partial.folds_done
        self.cv_status.setText(
            f"Cancelled after {plural(done, 'fold')}"
            + (": the table shows the folds that finished." if done else ".")
        )
        self.crossval_cancelled.emit()

    def _crossval_headers(self, optimal_threshold: float) -> tuple[list[str], list[str]]:
        threshold = threshold_percent(optimal_threshold)
        headers = ["Method", f"Cost at {threshold}", "Cost at 50 %", "ROC AUC", "Accuracy (50 %)", "Folds"]
        tips = [
            "",
            "Statlog cost per patient (miss 5, false alarm 1) at the cost-optimal threshold, mean ± sd over "
            "folds. Lower is better. This is the Statlog study's yardstick.",
            "The same cost at a threshold of 50 %.",
            "Area under the ROC curve, mean ± sd over folds.",
            "Share classified correctly at a threshold of 50 %, mean ± sd over folds.",
            "Folds finished.",
        ]
        return headers, tips

    def _show_crossval_placeholder(self, method_names: Sequence[str]) -> None:
        """One row per method before the first fold ends: the table takes its final size while the
        worker is still idle, and each fold then only changes the figures (no new layout mid-run)."""
        from heartgui.core.evaluation import cost_optimal_threshold

        headers, tips = self._crossval_headers(cost_optimal_threshold())
        rows = [[name, "…", "…", "…", "…", "0"] for name in method_names]
        self.cv_table.set_table(headers, rows, None, header_tips=tips)

    def _show_crossval(self, result: Any, summary: Any = None) -> None:
        if summary is None:
            summary = result.summary()
        headers, tips = self._crossval_headers(result.optimal_threshold)
        rows = [
            [
                method,
                mean_sd(row["cost_at_optimal_mean"], row["cost_at_optimal_sd"]),
                mean_sd(row["cost_at_half_mean"], row["cost_at_half_sd"]),
                mean_sd(row["roc_auc_mean"], row["roc_auc_sd"]),
                mean_sd(
                    row["accuracy_at_half_mean"], row["accuracy_at_half_sd"], scale=100, decimals=1, unit=" %"
                ),
                str(int(row["folds"])),
            ]
            for method, row in summary.iterrows()
        ]
        row_tips = [""] * len(rows)
        if self._result is not None:
            from heartgui.core.crossval import DEFAULT_RULE

            split = self._result.split
            # Each fold's base rate is within a point or two of the whole file's (the folds are stratified).
            base_rate = (split.y_train.sum() + split.y_test.sum()) / (len(split.y_train) + len(split.y_test))
            row_tips = [
                default_rule_words(float(base_rate), about=True) if method == DEFAULT_RULE else ""
                for method in summary.index
            ]
        self.cv_table.set_table(headers, rows, summary, header_tips=tips, row_tips=row_tips)


def default_rule_words(base_rate: float, *, about: bool = False) -> str:
    """What the default rule does at each of the table's thresholds, for its row's tooltip."""

    def verdict(threshold: float) -> str:
        return "everyone ill" if base_rate >= threshold else "everyone healthy"

    return (
        "Ignores every finding: each patient gets the same risk, the share of training patients with "
        f"heart disease ({'about ' if about else ''}{percent(base_rate)}). At 50 % it therefore calls "
        f"{verdict(0.5)}; at 1/6 (16.7 %) it calls {verdict(1 / 6)}. A method is only useful if it does "
        "better."
    )
