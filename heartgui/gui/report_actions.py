"""Menu actions that save a PDF report: ask where, write it in a worker, say how it went.

Writing a report takes about a second (matplotlib lays out and embeds the pages), so it runs in a
:class:`~heartgui.gui.workers.Job`; the window stays responsive. Success shows a status-bar message (when
the parent's window has a status bar); failure shows a message box that says which file and why.

Usage (from the main window's menu actions)::

    save_training_report(window, result, dataset.provenance)
    save_patient_report(window, model, patient, threshold, spread=spread, settings=settings)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from heartgui.gui.workers import Job

__all__ = ["PDF_FILTER", "ReportJob", "save_patient_report", "save_training_report"]

PDF_FILTER = "PDF documents (*.pdf);;All files (*)"

#: Report jobs still writing; they belong to the application so that closing a window cannot destroy a
#: running thread, and are dropped when their thread ends.
_RUNNING: set[ReportJob] = set()
_next_run_id = 0


class ReportJob(QObject):
    """A PDF being written in a worker thread.

    Signals
    -------
    saved(str) : the path of the finished PDF.
    failed(str) : why it could not be written (already shown to the student).
    """

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, path: str, write: Callable[[str], None]) -> None:
        super().__init__(QCoreApplication.instance())
        global _next_run_id
        _next_run_id += 1
        self.path = path
        self.job = Job(_next_run_id, lambda worker: write(path), self)
        self.job.worker.finished.connect(self._on_finished)
        self.job.worker.failed.connect(self._on_failed)
        self.job.done.connect(self._on_done)

    def start(self) -> None:
        _RUNNING.add(self)
        self.job.start()

    def is_running(self) -> bool:
        return self.job.is_running()

    def wait(self) -> None:
        """Block until the PDF is written and the thread ends (tests, and a window that is closing).

        The worker's ``finished`` → ``thread.quit`` connection is queued to this (blocked) thread, so
        quit here: the thread's event loop ends once the writing function has returned.
        """
        self.job.qthread.quit()
        self.job.qthread.wait()

    @Slot(int, object)
    def _on_finished(self, _run: int, _result: object) -> None:
        self.saved.emit(self.path)

    @Slot(int, str)
    def _on_failed(self, _run: int, message: str) -> None:
        self.failed.emit(message)

    @Slot(int)
    def _on_done(self, _run: int) -> None:
        self.job.qthread.wait()
        _RUNNING.discard(self)
        self.deleteLater()


def wait_for_reports() -> None:
    """Block until every PDF still being written is finished (the app is closing)."""
    for job in list(_RUNNING):
        job.wait()


class _Notifier(QObject):
    """Tells the student how the report went; a child of the asking widget, so it dies with it."""

    def __init__(self, parent: QWidget, what: str, path: str) -> None:
        super().__init__(parent)
        self._widget = parent
        self._what = what
        self._path = path

    @Slot(str)
    def on_saved(self, path: str) -> None:
        _status(self._widget, f"Saved the {self._what} to {path}.")
        self.deleteLater()

    @Slot(str)
    def on_failed(self, message: str) -> None:
        _status(self._widget, f"The {self._what} was not saved.")
        QMessageBox.warning(
            self._widget,
            f"Cannot save the {self._what}",
            f"The {self._what} was not saved to {self._path}.\n\n{message}",
        )
        self.deleteLater()


def _status(widget: QWidget, message: str) -> None:
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message)


def _ask_path(parent: QWidget, title: str, name: str) -> str | None:
    last = getattr(parent.window(), "last_folder", None)
    folder = Path(last()) if callable(last) else Path.home()
    path, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name), PDF_FILTER)
    if not path:
        return None
    if not Path(path).suffix:
        path += ".pdf"
    from heartgui.gui.save_guard import PDF_REPORT, confirm_save

    return path if confirm_save(parent, path, PDF_REPORT) else None


def _start(parent: QWidget, what: str, path: str, write: Callable[[str], None]) -> ReportJob:
    job = ReportJob(path, write)
    notifier = _Notifier(parent, what, path)
    job.saved.connect(notifier.on_saved)
    job.failed.connect(notifier.on_failed)
    _status(parent, f"Writing the {what}…")
    job.start()
    return job


def save_training_report(
    parent: QWidget,
    result: Any,
    provenance: Any = None,
    *,
    threshold: float | None = None,
    threshold_source: str | None = None,
) -> ReportJob | None:
    """Ask where to save the training report of ``result`` and write it in a worker.

    Parameters
    ----------
    parent : QWidget
        The window asking (dialogs are centred on it; its status bar gets the outcome).
    result : TrainingResult
    provenance : Provenance, optional
        ``Dataset.provenance`` of the data ``result`` was trained on (not of a file opened since).
    threshold : float, optional
        The report's one decision threshold (taken now: a slider moved while it is written does not
        change it); by default the run's settings' threshold.
    threshold_source : str, optional
        Where that threshold comes from, in words (see :func:`heartgui.reports.training_report`).

    Returns
    -------
    ReportJob or None
        The running job (``saved``/``failed`` signals), or ``None`` when the student cancelled.
    """
    stem = Path(provenance.file_name).stem if provenance is not None else "heart"
    path = _ask_path(parent, "Save the training report", f"training-report-{stem}.pdf")
    if path is None:
        return None

    def write(target: str) -> None:
        from heartgui.reports import training_report

        training_report(
            target, result, provenance=provenance, threshold=threshold, threshold_source=threshold_source
        )

    return _start(parent, "training report", path, write)


def save_patient_report(
    parent: QWidget,
    model: Any,
    patient: Mapping[str, float],
    threshold: float,
    spread: Any = None,
    settings: Any = None,
    **facts: Any,
) -> ReportJob | None:
    """Ask where to save the report of one patient's prediction and write it in a worker.

    Parameters
    ----------
    parent : QWidget
    model : HeartModel
        A fitted model.
    patient : mapping
        The 13 features, canonical names (copied now, so later edits of the form do not leak in).
    threshold : float
        The decision threshold in use.
    spread : RiskSpread, optional
        The patient's risk across seeds, if the student computed it.
    settings : TrainingSettings, optional
        How the model was trained.
    **facts
        ``test_metrics``, ``data_name``, ``training`` and ``cholesterol_unit``, passed to
        :func:`heartgui.reports.patient_report`.

    Returns
    -------
    ReportJob or None
        The running job, or ``None`` when the student cancelled.
    """
    values = dict(patient)
    path = _ask_path(parent, "Save the patient report", "patient-report.pdf")
    if path is None:
        return None

    def write(target: str) -> None:
        from heartgui.reports import patient_report

        patient_report(target, model, values, threshold=threshold, spread=spread, settings=settings, **facts)

    return _start(parent, "patient report", path, write)
