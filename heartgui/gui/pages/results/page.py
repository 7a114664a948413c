"""The Results page: the tabs together, the result shown and the threshold that every view follows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QStackedLayout, QTabWidget, QWidget

from heartgui.core.schema import STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED
from heartgui.gui.pages.results.calibration import CalibrationView
from heartgui.gui.pages.results.common import scroll, wrapping
from heartgui.gui.pages.results.compare import CompareView
from heartgui.gui.pages.results.curves import CurvesView
from heartgui.gui.pages.results.decision import DecisionView
from heartgui.gui.pages.results.pretest import PretestView
from heartgui.gui.pages.results.subgroups import SubgroupsView
from heartgui.gui.pages.results.summary import SummaryView
from heartgui.gui.pages.results.threshold import ThresholdView

if TYPE_CHECKING:
    from heartgui.core.evaluation import Metrics
    from heartgui.core.training import TrainingResult
    from heartgui.gui.workers import Job

__all__ = ["THRESHOLD_DEBOUNCE_MS", "ResultsPage"]

#: Milliseconds without slider movement before ``threshold_changed`` is emitted (the final value).
THRESHOLD_DEBOUNCE_MS = 200

(
    TAB_SUMMARY,
    TAB_THRESHOLD,
    TAB_CURVES,
    TAB_CALIBRATION,
    TAB_DECISION,
    TAB_SUBGROUPS,
    TAB_PRETEST,
    TAB_COMPARE,
) = range(8)


def _compare_widget(name: str) -> Any:
    """A read-only property of the page that is the Compare view's attribute ``name``."""
    return property(lambda page: getattr(page.compare_view, name), doc=f"The Compare view's ``{name}``.")


class ResultsPage(QWidget):
    """Shows a :class:`~heartgui.core.training.TrainingResult`: figures, threshold, curves, comparisons.

    Signals
    -------
    threshold_changed(float) : the user settled on a new decision threshold (emitted
        :data:`THRESHOLD_DEBOUNCE_MS` after the last move, with the final value).
    comparison_finished(object) : the baselines on the same split are shown (a ``SplitComparison``).
    crossval_progressed(int, int) : folds done, folds planned.
    crossval_finished(object) : the cross-validation finished (a ``CrossValResult``).
    crossval_failed(str) : it failed (the message shown).
    crossval_cancelled() : it was cancelled (the folds done so far stay in the table).
    patient_requested(int, object) : a patient listed under the confusion grid is to be opened in
        Predict: the file line and the findings (a dict of the 13 features).
    """

    threshold_changed = Signal(float)
    comparison_finished = Signal(object)
    crossval_progressed = Signal(int, int)
    crossval_finished = Signal(object)
    crossval_failed = Signal(str)
    crossval_cancelled = Signal()
    patient_requested = Signal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: TrainingResult | None = None
        self._threshold = 0.5
        self._auc_interval: tuple[float, float] = (float("nan"), float("nan"))
        self.live_metrics: Metrics | None = None
        self._train_risk: Any = None  # the training patients' risks (NumPy), for training accuracy
        self._view_stale = False  # a result arrived while the page was hidden: shown when it is shown

        self._stack = QStackedLayout(self)
        self.placeholder = wrapping(
            "No results yet.\n\nOpen a data file on the Data page and train a model on the Train page: "
            "this page then shows how well the model does on patients it never saw during training.",
            "results_placeholder",
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setContentsMargins(40, 40, 40, 40)
        self._stack.addWidget(self.placeholder)

        self.summary_view = SummaryView()
        self.threshold_view = ThresholdView()
        self.curves_view = CurvesView()
        self.calibration_view = CalibrationView()
        self.decision_view = DecisionView()
        self.subgroups_view = SubgroupsView()
        self.pretest_view = PretestView()
        self.compare_view = CompareView()
        self._subgroups_stale = True  # computed when their tab is shown (a model per group, ~10 ms)
        self.threshold_panel = self.threshold_view.threshold_panel
        self.threshold_panel.threshold_moved.connect(self._on_threshold_moved)
        self.threshold_panel.costs_changed.connect(self._schedule_refresh)
        self.threshold_view.patient_requested.connect(self.patient_requested)
        compare = self.compare_view
        compare.comparison_finished.connect(self.comparison_finished)
        compare.crossval_progressed.connect(self.crossval_progressed)
        compare.crossval_finished.connect(self.crossval_finished)
        compare.crossval_failed.connect(self.crossval_failed)
        compare.crossval_cancelled.connect(self.crossval_cancelled)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("results_tabs")
        self.tabs.setDocumentMode(True)
        tabs = (
            (self.summary_view, "Summary", "The main figures on the test patients, with their uncertainty."),
            (
                self.threshold_view,
                "Threshold && costs",
                "Move the decision threshold and see who is caught or missed; click a cell for its patients.",
            ),
            (self.curves_view, "Curves", "The ROC curve and the precision–recall curve."),
            (
                self.calibration_view,
                "Calibration",
                "Are the risks right? The calibration plot, intercept and slope.",
            ),
            (
                self.decision_view,
                "Decision curve",
                "Is using the model better than flagging everyone or no one?",
            ),
            (self.subgroups_view, "Subgroups", "The figures for women, men and three age bands."),
            (
                self.pretest_view,
                "Other prevalence",
                "PPV and NPV where the disease is rarer, as in primary care.",
            ),
            (self.compare_view, "Compare", "The same patients with simpler methods; cross-validation."),
        )
        for index, (view, name, tip) in enumerate(tabs):
            self.tabs.addTab(scroll(view), name)
            self.tabs.setTabToolTip(index, tip)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._stack.addWidget(self.tabs)

        # Slider moves are coalesced: one refresh per pass of the event loop, however fast the drag.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._emit_timer = QTimer(self)
        self._emit_timer.setSingleShot(True)
        self._emit_timer.setInterval(THRESHOLD_DEBOUNCE_MS)
        self._emit_timer.timeout.connect(self._emit_threshold)
        self.clear()

    # ----------------------------------------------------------------------------------------------
    # the views' widgets, as the window and the tests reach them
    @property
    def cards(self) -> dict:
        return self.summary_view.cards

    @property
    def cells(self) -> dict:
        return self.threshold_view.cells

    @property
    def roc_plot(self) -> Any:
        return self.curves_view.roc_plot

    @property
    def calibration_plot(self) -> Any:
        return self.calibration_view.calibration_plot

    # The Compare tab's widgets and jobs, by the names they had on the page before it was split.
    cv_table = _compare_widget("cv_table")
    cv_repeats = _compare_widget("cv_repeats")
    cv_button = _compare_widget("cv_button")
    cv_cancel = _compare_widget("cv_cancel")
    cv_progress = _compare_widget("cv_progress")
    cv_status = _compare_widget("cv_status")
    comparison_table = _compare_widget("comparison_table")
    comparison_status = _compare_widget("comparison_status")
    comparison_intro = _compare_widget("comparison_intro")
    _jobs = _compare_widget("_jobs")

    def start_cross_validation(self, *, folds: int | None = None, repeats: int | None = None) -> bool:
        """Start the cross-validation in the background (see :meth:`CompareView.start_cross_validation`)."""
        if self._result is None:
            return False
        if folds is None:
            return self.compare_view.start_cross_validation(repeats=repeats)
        return self.compare_view.start_cross_validation(folds=folds, repeats=repeats)

    @Slot()
    def cancel_cross_validation(self) -> None:
        """Ask the running cross-validation to stop after its current fold."""
        self.compare_view.cancel_cross_validation()

    def shutdown(self) -> None:
        """Stop every background job and wait for its thread (call before the window closes)."""
        self.compare_view.shutdown()

    def is_busy(self) -> bool:
        """Whether a background job of this page is still running."""
        return self.compare_view.is_busy()

    @property
    def cv_job(self) -> Job | None:
        """The cross-validation job running now (``None`` when idle)."""
        return self.compare_view.cv_job

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index == TAB_COMPARE:
            self.compare_view.start_comparison()
        elif index == TAB_SUBGROUPS and self._subgroups_stale:
            self._show_subgroups()

    def _show_subgroups(self) -> None:
        if self._result is not None and not self._view_stale:
            self._subgroups_stale = False
            self.subgroups_view.show_groups(self._result, self._threshold)

    # ----------------------------------------------------------------------------------------------
    # state
    @property
    def result(self) -> TrainingResult | None:
        return self._result

    @property
    def threshold(self) -> float:
        """The decision threshold the page shows (0–1)."""
        return self._threshold

    def clear(self) -> None:
        """Forget the result (stopping its comparisons) and show what to do instead."""
        self.compare_view.set_result(None)
        self.threshold_view.set_result(None)
        self._result = None
        self.live_metrics = None
        self._emit_timer.stop()
        self._stack.setCurrentWidget(self.placeholder)

    def show_result(self, result: TrainingResult, *, threshold_origin: str | None = None) -> None:
        """Show ``result`` at its model's threshold; the comparisons start afresh.

        ``threshold_origin`` says where a threshold that is not the cost-optimal one comes from ("saved
        with the model"); by default it is the one the student set.
        """
        self.compare_view.set_result(result)
        self.threshold_view.set_result(result)
        self._emit_timer.stop()
        self._result = result
        self._threshold = float(result.model.threshold)
        self.threshold_panel.set_threshold(self._threshold, origin=threshold_origin)
        # The figures, bootstrap and cards take ~40 ms: while the page is hidden (training just ended on
        # the Train page) they wait for the page to be shown.
        self._view_stale = True
        if self.isVisible():
            self._show_view()
        self._stack.setCurrentWidget(self.tabs)
        if self.tabs.currentIndex() == TAB_COMPARE:
            self.compare_view.start_comparison()

    def _show_view(self) -> None:
        self._view_stale = False
        if self._result is not None:
            result = self._result
            # Training accuracy follows the threshold like every other figure: the training patients'
            # risks are computed once per result (a forward pass over ~216 patients).
            self._train_risk = result.model.predict_risk(result.split.X_train)
            self._auc_interval = self.curves_view.show_curves(result)
            self.calibration_view.show_calibration(result)
            self.decision_view.show_curve(result)
            self.pretest_view.set_result(result)
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._view_stale:
            self._show_view()

    def set_threshold(self, threshold: float) -> None:
        """Move the threshold as if the user had (emits :attr:`threshold_changed` after the debounce)."""
        self.threshold_panel.set_threshold(threshold, by_user=True)

    # ----------------------------------------------------------------------------------------------
    # threshold and costs
    @Slot(float)
    def _on_threshold_moved(self, threshold: float) -> None:
        self._threshold = float(threshold)
        self._schedule_refresh()
        self._emit_timer.start()  # restarts: emitted once the user pauses

    @Slot()
    def _emit_threshold(self) -> None:
        if self._result is not None:
            self.threshold_changed.emit(self._threshold)

    @Slot()
    def _schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    @Slot()
    def refresh(self) -> None:
        """Recompute and show every threshold-dependent figure (cards, grid, live figures, the curves'
        points, the decision curve's reading, PPV and NPV at another prevalence; the subgroups when
        their tab is shown)."""
        self._refresh_timer.stop()
        result = self._result
        if result is None:
            return
        if self._view_stale:
            self._show_view()  # (which calls refresh again, with the curves drawn)
            return
        from heartgui.core.evaluation import evaluate

        y, risk, t = result.split.y_test, result.test_risk, self._threshold
        cost_missed, cost_false_alarm = self.threshold_panel.costs
        live = evaluate(y, risk, t, cost_missed=cost_missed, cost_false_alarm=cost_false_alarm)
        if (cost_missed, cost_false_alarm) == (STATLOG_COST_MISSED, STATLOG_COST_FALSE_ALARM):
            statlog = live
        else:
            statlog = evaluate(y, risk, t)
        self.live_metrics = live
        self.summary_view.show_figures(
            result, statlog, train_risk=self._train_risk, auc_ci=self._auc_interval
        )
        self.threshold_view.show_figures(live)
        self.curves_view.show_threshold(live)
        self.decision_view.show_threshold(t)
        self.pretest_view.show_metrics(live)
        self._subgroups_stale = True
        if self.tabs.currentIndex() == TAB_SUBGROUPS:
            self._show_subgroups()
