"""“Validate on another file…”: the model taken to another hospital's labelled patients.

The student opens a labelled data file (another site of the UCI study, say). In a worker, the file is
read, its patients are checked against the ones the model was made from (by fingerprint) — which the
dialog says *before* any figure is computed — and the model is scored, unchanged, by
:func:`heartgui.core.validation.validate`: the figures on the patients new to the model, calibration
(with the recalibration a hospital would make, drawn as a second set of dots and labelled as using the
site's outcomes), the decision curve, subgroups and the rows left out.

Usage (from the main window)::

    ValidateDialog(model, threshold, fingerprints, model_data_sha256, parent=window).exec()
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from heartgui.gui.main_window import FRAME_ALLOWANCE
from heartgui.gui.widgets.figure_panel import FigurePanel
from heartgui.gui.widgets.wording import UNDEFINED, percent, plural, threshold_percent
from heartgui.gui.workers import Cancelled, DialogJobs, Worker

__all__ = ["DATA_FILTER", "PREFERRED_SIZE", "ValidateDialog"]

DATA_FILTER = "Heart data files (*.dat *.data *.csv *.txt);;All files (*)"
PREFERRED_SIZE = QSize(1100, 680)
_STEPS = 3  # read, check the overlap, score
#: The rows-left-out list shows at most this many (the CLI's --json lists all).
MAX_LISTED = 500


def _number(value: float, fmt: str) -> str:
    if not math.isfinite(value):
        return UNDEFINED
    if abs(value) < 0.005 and fmt.endswith("2f"):
        value = 0.0  # "-0.00" would read as a sign that means something
    return f"{value:{fmt}}"


def _interval(pair: tuple[float, float], fmt: str = ".2f", as_percent: bool = False) -> str:
    low, high = pair
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    if as_percent:
        return f"  (95 % interval {low * 100:.0f}–{high * 100:.0f} %)"
    return f"  (95 % interval {_number(low, fmt)} to {_number(high, fmt)})"


def figure_rows(f: Any) -> list[tuple[str, str]]:
    """A :class:`~heartgui.core.validation.Figures` as (label, value in words) rows of the table."""
    c = f.calibration
    return [
        ("Patients", str(f.n)),
        ("With heart disease", f"{f.n_diseased} ({percent(f.prevalence)})"),
        ("Mean predicted risk", percent(f.mean_risk)),
        ("ROC AUC", _number(f.auc, ".3f") + _interval(f.auc_interval, ".3f")),
        ("Sensitivity", percent(f.sensitivity, 0) + _interval(f.sensitivity_interval, as_percent=True)),
        ("Specificity", percent(f.specificity, 0) + _interval(f.specificity_interval, as_percent=True)),
        (
            "Calibration intercept (ideal 0)",
            _number(c.intercept, "+.2f") + _interval(c.intercept_interval, "+.2f"),
        ),
        ("Calibration slope (ideal 1)", _number(c.slope, ".2f") + _interval(c.slope_interval)),
        ("Brier score (lower is better)", _number(f.brier, ".3f")),
    ]


class _AtSite(FigurePanel):
    """A plot of a :class:`~heartgui.core.validation.Validation`, drawn again when the palette changes."""

    TITLE = ""
    NAME = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.TITLE, self.NAME, parent, sentence=True, figsize=(5, 3.4))
        self.validation: Any = None

    def show_validation(self, validation: Any) -> None:
        self.validation = validation
        self.apply_palette()


class CalibrationAtSite(_AtSite):
    """The site's risk groups against what happened, before and after recalibration on its outcomes."""

    TITLE = "Calibration at this hospital: do the risks match what happened?"
    NAME = "Calibration at the other hospital"

    def apply_palette(self) -> None:
        c = self.blank()
        v = self.validation
        if v is None:
            self.redraw()
            return
        from heartgui.core.evaluation import calibration_points, wilson_interval

        ax = self.axes
        mask = ~v.seen_mask
        y, risk = v.outcome[mask], v.risk[mask]
        ax.plot([0, 1], [0, 1], color=c["soft"], linestyle="--", linewidth=1, label="perfect calibration")
        series = [("the model as it is", risk, c["negative"], "o")]
        refit = [r for r in v.recalibrations if r.kind != "intercept"]
        if refit:
            series.append(
                (
                    "recalibrated on this hospital's outcomes (not a validation)",
                    refit[0].apply(risk),
                    c["positive"],
                    "s",
                )
            )
        if len(y) >= 2 and len(np.unique(y)) == 2:
            for label, values, colour, marker in series:
                predicted, observed, counts = calibration_points(y, values, n_bins=5)
                bounds = [
                    wilson_interval(int(round(p * n)), int(n)) for p, n in zip(observed, counts, strict=True)
                ]
                low = observed - np.array([b[0] for b in bounds])
                high = np.array([b[1] for b in bounds]) - observed
                ax.errorbar(
                    predicted, observed, yerr=[low, high], fmt=marker, color=colour, capsize=3, label=label
                )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("mean predicted risk of the group")
        ax.set_ylabel("share with heart disease")
        ax.legend(loc="upper left", fontsize="small")
        self.style_axes()
        figures = v.validation
        self.sentence.setText("" if figures is None else figures.calibration.reading())
        self.redraw()


class DecisionCurveAtSite(_AtSite):
    """Net benefit of the model at this hospital against flagging everyone and flagging no one."""

    TITLE = "Decision curve at this hospital: is the model worth using here?"
    NAME = "Decision curve at the other hospital"

    def apply_palette(self) -> None:
        c = self.blank()
        v = self.validation
        figures = None if v is None else v.validation
        if figures is None:
            self.redraw()
            return
        curve = figures.decision
        ax = self.axes
        x = curve.thresholds * 100
        ax.plot(x, curve.model * 100, color=c["negative"], label="the model")
        ax.plot(x, curve.treat_all * 100, color=c["positive"], label="flag everyone")
        ax.plot(x, curve.treat_none * 100, color=c["soft"], linestyle="--", label="flag no one")
        if 0.01 <= v.threshold <= 0.60:
            ax.axvline(v.threshold * 100, color=c["text"], linestyle=":", linewidth=1, label="the threshold")
        low = min(-5.0, float(np.min(curve.model)) * 100 - 2)
        ax.set_ylim(low, max(5.0, curve.prevalence * 100 + 5))
        ax.set_xlim(0, 61)
        ax.set_xlabel("threshold risk (in percent)")
        ax.set_ylabel("net benefit per 100 patients")
        ax.legend(loc="lower left", fontsize="small")
        self.style_axes()
        self.sentence.setText(figures.decision_reading)
        self.redraw()


class ValidateDialog(QDialog):
    """Score ``model`` at ``threshold`` on a labelled file the student opens.

    ``fingerprints`` (:class:`~heartgui.core.overlap.PatientFingerprints`, or ``None`` for a model
    file that does not record them) set apart the patients the model was made from.

    Signals
    -------
    overlap_said(str) : what the dialog said about shared patients before scoring ("" when none).
    validated(object) : the :class:`~heartgui.core.validation.Validation` now shown.
    validate_failed(str) : the file could not be used; the message the student saw.
    """

    overlap_said = Signal(str)
    validated = Signal(object)
    validate_failed = Signal(str)

    def __init__(
        self,
        model: Any,
        threshold: float,
        fingerprints: Any,
        model_data_sha256: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Validate the model on another file")
        self.setAccessibleName("Validate the model on another file")
        self.model = model
        self.threshold = float(threshold)
        self.fingerprints = fingerprints
        self.model_data_sha256 = model_data_sha256
        self.validation: Any = None
        self._jobs = DialogJobs(self)
        self._run: int | None = None
        self._path = ""
        self._build()
        room = self.screen().availableGeometry().marginsRemoved(FRAME_ALLOWANCE).size()
        self.resize(PREFERRED_SIZE.boundedTo(room))

    # ----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        intro = QLabel(
            "Open a labelled data file from another hospital (heart.dat's format, or the UCI Cleveland "
            "format with its diagnosis). The model is scored, unchanged, on its patients at the threshold "
            f"of {threshold_percent(self.threshold)}. Patients the model was made from are found first "
            "and set apart: only patients new to the model tell how it would do elsewhere.",
            self,
        )
        intro.setWordWrap(True)
        self.open_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Open a data file…", self
        )
        self.open_button.setToolTip("Choose a labelled data file on this computer.")
        self.open_button.clicked.connect(self.choose_file)
        self.status = QLabel("No file opened yet.", self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Validation progress")
        self.progress.setRange(0, _STEPS)
        self.progress.setFormat("step %v of %m")
        self.progress.setMinimumWidth(160)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop; what is shown stays.")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.status, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Warning about the patients of this file")
        self.warning.setStyleSheet("color: #a50e0e; font-weight: bold;")
        self.warning.hide()

        self.tabs = QTabWidget(self)
        self.figures_table = QTableWidget(0, 1, self)
        self.figures_table.setAccessibleName("Figures at the other hospital")
        self.figures_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.figures_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.readings = QLabel(self)
        self.readings.setWordWrap(True)
        self.readings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        figures_page = QWidget(self)
        figures_layout = QVBoxLayout(figures_page)
        figures_layout.addWidget(self.figures_table, 1)
        figures_layout.addWidget(self.readings)
        self.tabs.addTab(figures_page, "Figures")

        self.calibration = CalibrationAtSite(self)
        self.recalibration_words = QLabel(self)
        self.recalibration_words.setWordWrap(True)
        self.recalibration_words.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.recalibration_words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        calibration_page = QWidget(self)
        calibration_layout = QHBoxLayout(calibration_page)
        calibration_layout.addWidget(self.calibration, 3)
        words = QVBoxLayout()
        words.addWidget(self.recalibration_words)
        words.addStretch(1)
        calibration_layout.addLayout(words, 2)
        self.tabs.addTab(calibration_page, "Calibration and recalibration")

        self.decision = DecisionCurveAtSite(self)
        self.tabs.addTab(self.decision, "Decision curve")

        self.subgroups_table = QTableWidget(0, 7, self)
        self.subgroups_table.setAccessibleName("Subgroups at the other hospital")
        self.subgroups_table.setHorizontalHeaderLabels(
            ["Group", "Patients", "With disease", "Sensitivity", "Specificity", "AUC", "Note"]
        )
        self.subgroups_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.subgroups_table.verticalHeader().setVisible(False)
        self.subgroups_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.subgroups_table.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.subgroups_table, "Subgroups")

        self.left_out_list = QListWidget(self)
        self.left_out_list.setAccessibleName("Rows left out")
        self.left_out_list.setWordWrap(True)
        self.tabs.addTab(self.left_out_list, "Rows left out")
        # Hidden, not disabled, until there is something to show: plots drawn in a disabled widget would
        # take the palette's greyed-out colours.
        self.tabs.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.warning)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    # ----------------------------------------------------------------------------------------------
    # jobs
    def _start(self, function: Any) -> int:
        return self._jobs.start(
            function, self._on_validated, self._on_failed, progressed=self._on_progressed
        ).run_id

    def running_jobs(self) -> int:
        return self._jobs.running()

    def done(self, result: int) -> None:
        self._jobs.release(stop=True)  # a file being read cannot be interrupted: it ends on its own
        self._run = None
        super().done(result)

    # ----------------------------------------------------------------------------------------------
    @Slot()
    def choose_file(self) -> None:
        last = getattr(self.parentWidget(), "last_folder", None)
        folder = str(last()) if callable(last) else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a labelled data file", folder, DATA_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Read ``path``, say which of its patients the model was made from, then score it (a worker)."""
        source = self._path = str(path)
        model, threshold, prints, sha = self.model, self.threshold, self.fingerprints, self.model_data_sha256

        def run(worker: Worker) -> Any:
            from heartgui.core.dataset import load_dataset
            from heartgui.core.validation import overlap_first, validate

            def step(number: int, text: str, said: str | None = None) -> None:
                if worker.stop_requested:
                    raise Cancelled
                worker.report((number, text, said))
                worker.flush()

            step(0, f"Reading {Path(source).name}…")
            dataset = load_dataset(source)
            step(1, "Looking for patients the model was made from…")
            said = overlap_first(dataset, prints, sha)
            step(2, f"Scoring {plural(dataset.n_rows, 'patient')}…", said)
            return validate(model, dataset, fingerprints=prints, threshold=threshold, model_data_sha256=sha)

        self._run = self._start(run)
        self.open_button.setEnabled(False)
        self.status.setText(f"Reading {Path(source).name}…")
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()

    @Slot()
    def cancel(self) -> None:
        job = self._jobs.get(self._run)
        if job is None:
            return
        job.request_stop()
        self._run = None
        self._idle()
        self.status.setText(f"Stopped: {Path(self._path).name} was not scored.")

    def _idle(self) -> None:
        self.open_button.setEnabled(True)
        self.progress.hide()
        self.cancel_button.hide()

    @Slot(int, object)
    def _on_progressed(self, run_id: int, steps: Any) -> None:
        if run_id != self._run or not steps:
            return
        for number, text, said in steps:
            self.progress.setValue(number)
            self.status.setText(text)
            if said is not None:  # said before any figure is computed
                self._say(said)
                self.overlap_said.emit(said)

    def _say(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self._fit_warning()

    def _fit_warning(self) -> None:
        # A wrapped label in a dialog's layout is not always given its wrapped height: ask for it.
        layout = self.layout()
        if self.warning.isVisible() and layout is not None:
            width = layout.contentsRect().width() or self.warning.width()
            self.warning.setMinimumHeight(self.warning.heightForWidth(width))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_warning()

    @Slot(int, object)
    def _on_validated(self, run_id: int, validation: Any) -> None:
        if run_id != self._run:
            return
        self._run = None
        self._idle()
        self.show_validation(validation)
        self.validated.emit(validation)

    @Slot(int, str)
    def _on_failed(self, run_id: int, message: str) -> None:
        if run_id != self._run:
            return
        self._run = None
        self._idle()
        self.status.setText(f"Could not use {Path(self._path).name}.")
        QMessageBox.warning(self, "Cannot validate on this file", message)
        self.validate_failed.emit(message)

    # ----------------------------------------------------------------------------------------------
    def show_validation(self, v: Any) -> None:
        """Show a :class:`~heartgui.core.validation.Validation`: warnings first, then every view."""
        self.validation = v
        self.tabs.show()
        self._say("\n\n".join(v.warnings()))
        left = len(v.left_out)
        self.status.setText(
            f"{v.data_name}: {v.n_read} rows read, {v.n_rows} scored, {left} left out (a finding the model "
            "uses not recorded)."
        )
        columns: list[tuple[str, Any]] = []
        if v.overlap_checked:
            if v.unseen is not None:
                columns.append((f"New to the model ({v.unseen.n})", v.unseen))
            if v.seen is not None:
                columns.append((f"Made from them ({v.seen.n}): not a validation", v.seen))
        else:
            columns.append((f"All scored ({v.all.n}; overlap not checked)", v.all))
        rows = figure_rows(columns[0][1]) if columns else []
        table = self.figures_table
        table.setColumnCount(len(columns))
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels([name for name, _ in columns])
        table.setVerticalHeaderLabels([label for label, _ in rows])
        for j, (_name, figures) in enumerate(columns):
            for i, (_label, value) in enumerate(figure_rows(figures)):
                table.setItem(i, j, QTableWidgetItem(value))
        figures = v.validation
        if figures is None:
            self.readings.setText(
                "No patient of this file is new to the model: there is nothing to validate it on."
            )
        else:
            self.readings.setText(f"{figures.calibration.reading()}\n\n{figures.decision_reading}")
        self.calibration.show_validation(v)
        self.decision.show_validation(v)
        self.recalibration_words.setText(_recalibration_words(v))
        self._fill_subgroups(v)
        self.left_out_list.clear()
        for line, reason in v.left_out[:MAX_LISTED]:
            self.left_out_list.addItem(f"line {line}: {reason}")
        if left > MAX_LISTED:
            self.left_out_list.addItem(f"… and {left - MAX_LISTED} more")
        self.tabs.setTabText(4, f"Rows left out ({left})")

    def _fill_subgroups(self, v: Any) -> None:
        table = self.subgroups_table
        table.setRowCount(len(v.subgroups))
        for i, g in enumerate(v.subgroups):
            cells = [
                g.name,
                str(g.n),
                str(g.n_diseased),
                percent(g.sensitivity, 0),
                percent(g.specificity, 0),
                _number(g.auc, ".2f"),
                g.verdict,
            ]
            for j, cell in enumerate(cells):
                table.setItem(i, j, QTableWidgetItem(cell))


def _recalibration_words(v: Any) -> str:
    """What recalibration at this site would do, said as a lesson (it uses the site's own outcomes)."""
    if not v.recalibrations:
        return (
            "Recalibration needs patients new to the model with and without the disease; there are too few."
        )
    out = [
        "What a hospital would do before using a model made elsewhere: refit its risks to the local "
        "outcomes, logit P(disease) = a + b · logit(risk). This uses this hospital's outcomes, so on these "
        "same patients it is no longer a validation: the figures after it flatter it."
    ]
    for r in v.recalibrations:
        line = (
            f"{r.kind.capitalize()} (a = {r.a:+.2f}, b = {r.b:.2f}): mean risk "
            f"{percent(r.mean_risk_before)} → {percent(r.mean_risk_after)} (with the disease: "
            f"{percent(r.prevalence)}); calibration intercept "
            f"{_number(r.before.intercept, '+.2f')} → {_number(r.after.intercept, '+.2f')}; Brier "
            f"{r.brier_before:.3f} → {r.brier_after:.3f}."
        )
        held = r.held_out
        if held is not None:
            line += (
                f" Fitted on {held.n_fit} patients and checked on the other {held.n_check}: intercept "
                f"{_number(held.before.intercept, '+.2f')} → {_number(held.after.intercept, '+.2f')}, "
                f"Brier {held.brier_before:.3f} → {held.brier_after:.3f} (the honest check)."
            )
        out.append(line)
    return "\n\n".join(out)
