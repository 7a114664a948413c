"""Run slow work (loading a file, training) off the UI thread, so the window never freezes.

One :class:`Worker` (a ``QObject``) is moved to its own ``QThread`` per job; :class:`Job` owns both and
tears them down. Every signal carries the job's run id, so the window can ignore signals from a run it
has already abandoned (a stale run).

Training reports arrive at up to thousands of epochs per second; :meth:`Worker.report` batches them and
emits at most every :data:`EMIT_INTERVAL` seconds, always sending every report since the last emit, so a
receiver sees each epoch exactly once without flooding the event loop.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

__all__ = [
    "EMIT_INTERVAL",
    "Cancelled",
    "Job",
    "RunControl",
    "Worker",
    "load_job",
    "training_job",
    "warm_up_job",
]

#: Seconds between two ``progressed`` emits (the last batch is always flushed before ``finished``).
EMIT_INTERVAL = 0.03

#: While a job runs, the interpreter hands the GIL over this often (Python's default is 5 ms). The UI
#: thread releases the GIL on every Qt call and must then wait for the busy worker to hand it back; with
#: the default, one repaint of the plot can wait 5 ms dozens of times.
SWITCH_INTERVAL = 0.001
_running_jobs = 0
_default_switch_interval = sys.getswitchinterval()


class Cancelled(Exception):
    """Raised by a job function when a stop was requested before anything useful was produced."""


class Worker(QObject):
    """Runs one job function in its thread and reports back with past-tense signals.

    Parameters
    ----------
    run_id : int
        Sent with every signal.
    function : callable
        ``function(worker) -> result``. It may call :meth:`report` and should check
        :attr:`stop_requested` between steps. Its exceptions become ``failed`` (``Cancelled`` becomes
        ``cancelled``).
    """

    progressed = Signal(int, object)  # run id, tuple of reports since the last emit (latest last)
    finished = Signal(int, object)  # run id, result
    failed = Signal(int, str)  # run id, message for the student
    cancelled = Signal(int)  # run id

    def __init__(self, run_id: int, function: Callable[[Worker], Any]) -> None:
        super().__init__()
        self.run_id = run_id
        self._function = function
        self._stop = threading.Event()
        self._go = threading.Event()  # cleared while the UI thread asks the job to pause
        self._go.set()
        self._pending: list[Any] = []
        self._latest: Any = None
        self._last_emit = 0.0

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Ask the job to stop at its next check (thread-safe)."""
        self._stop.set()
        self._go.set()  # a paused job must wake up to see it

    def pause(self) -> None:
        """Ask the job to wait at its next :meth:`wait_if_paused` (thread-safe).

        The UI thread pauses training around the rare full redraws of the loss plot: a matplotlib draw
        is pure Python, and sharing the GIL with a busy worker would make it twice as long.
        """
        if not self._stop.is_set():
            self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def wait_for_stop(self, timeout: float) -> bool:
        """Wait ``timeout`` seconds, or less if a stop is requested meanwhile (True then)."""
        return self._stop.wait(timeout)

    def wait_if_paused(self, timeout: float = 1.0) -> None:
        """Block while paused (at most ``timeout`` seconds, so a forgotten resume cannot hang a job)."""
        if not self._go.is_set():  # the common case costs one attribute read, not a lock
            self._go.wait(timeout)

    def report(self, item: Any) -> None:
        """Queue a progress item; emit the batch when the last emit is old enough."""
        self._pending.append(item)
        now = time.perf_counter()
        if now - self._last_emit >= EMIT_INTERVAL:
            self._last_emit = now
            self.flush()

    def report_latest(self, item: Any) -> None:
        """Queue an item of which only the newest matters (a picture of the weights, say): it replaces
        the one still waiting, and is sent last in the next batch (the receiver finds it at ``[-1]``
        without looking through the batch)."""
        self._latest = item

    def flush(self) -> None:
        """Emit every queued progress item now."""
        if self._latest is not None:
            self._pending.append(self._latest)
            self._latest = None
        if self._pending:
            batch, self._pending = tuple(self._pending), []
            self.progressed.emit(self.run_id, batch)

    @Slot()
    def run(self) -> None:
        try:
            result = self._function(self)
        except Cancelled:
            self.flush()
            self.cancelled.emit(self.run_id)
        except Exception as exc:  # a worker must never take the app down: report it instead
            if not _is_expected(exc):
                traceback.print_exc()  # a bug: keep the traceback for a developer
            self.flush()
            self.failed.emit(self.run_id, _message(exc))
        else:
            self.flush()
            self.finished.emit(self.run_id, result)


def _is_expected(exc: BaseException) -> bool:
    """The core's exceptions (DataFileError, TrainingDiverged, ValueError from settings) are written for
    students; anything else is a bug."""
    return isinstance(exc, (ValueError, ArithmeticError, OSError))


def _message(exc: BaseException) -> str:
    """What to tell a student about an exception from a job (a bug is said calmly)."""
    if _is_expected(exc):
        return str(exc)
    return f"An unexpected problem stopped the work ({type(exc).__name__}: {exc})."


class Job(QObject):
    """A :class:`Worker` in its own ``QThread``; lives in the UI thread and owns both.

    Connect to ``job.worker``'s signals (to slots of QObjects in the UI thread, so they are queued)
    before :meth:`start`.
    """

    done = Signal(int)  # run id; the thread has finished and the job may be dropped

    def __init__(self, run_id: int, function: Callable[[Worker], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_id = run_id
        self.qthread = QThread()
        self.qthread.setObjectName(f"heartgui-job-{run_id}")
        self.worker = Worker(run_id, function)
        self.worker.moveToThread(self.qthread)
        self.qthread.started.connect(self.worker.run)
        for signal in (self.worker.finished, self.worker.failed, self.worker.cancelled):
            signal.connect(self.qthread.quit)
        self.qthread.finished.connect(self._on_thread_finished)
        self._counted = False
        self._closed = False

    def start(self) -> None:
        global _running_jobs, _default_switch_interval
        if _running_jobs == 0:
            _default_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _default_switch_interval))
        _running_jobs += 1
        self._counted = True
        self.qthread.start()

    def start_after_paint(self) -> None:
        """:meth:`start` on the next turn of the event loop, once Qt has painted what the caller changed.

        A worker started at once competes with that repaint for the interpreter (each of PySide's
        Python paint and event overrides needs the GIL): the How sure tab's start held the window
        110–130 ms, with nothing else running; deferred, its largest gap was 64–83 ms.
        """
        QTimer.singleShot(0, self, self._start_unless_closed)

    @Slot()
    def _start_unless_closed(self) -> None:
        if not self._closed:
            self.start()

    def is_running(self) -> bool:
        return self.qthread.isRunning()

    def request_stop(self) -> None:
        self.worker.request_stop()

    def stop_and_wait(self) -> None:
        """Stop the job and wait for its thread (the window is closing)."""
        self._closed = True  # a start still waiting for its event-loop turn never happens
        self.worker.request_stop()
        self.qthread.quit()
        self.qthread.wait()

    @Slot()
    def _on_thread_finished(self) -> None:
        global _running_jobs
        if self._counted:
            self._counted = False
            _running_jobs -= 1
            if _running_jobs == 0:
                sys.setswitchinterval(_default_switch_interval)
        self.done.emit(self.run_id)


#: Jobs whose dialog closed while they still ran (a file being read cannot be interrupted): kept alive
#: here until their thread ends, then disposed of; the window joins them when it closes.
_ORPHANED_JOBS: set[Job] = set()


def dispose(job: Job) -> None:
    """Drop a finished job: wait for its thread, free its objects."""
    _ORPHANED_JOBS.discard(job)
    job.qthread.wait()
    job.worker.deleteLater()
    job.qthread.deleteLater()
    job.deleteLater()


def orphan(job: Job, forget: Callable[[int], Any]) -> None:
    """Keep ``job`` alive without its owner (a dialog that closed), which listened with ``forget``."""
    job.done.disconnect(forget)
    app = QCoreApplication.instance()
    if app is not None:
        job.setParent(app)
    _ORPHANED_JOBS.add(job)
    job.done.connect(lambda _run, job=job: dispose(job))


class DialogJobs(QObject):
    """The jobs of a dialog: each started with the next run id, dropped when its thread ends, and kept
    alive without the dialog (:func:`orphan`) when the dialog closes while one still runs."""

    def __init__(self, dialog: QObject) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._jobs: dict[int, Job] = {}
        self._next_run = 0

    def start(
        self,
        function: Callable[[Worker], Any],
        finished: Any,
        failed: Any,
        *,
        progressed: Any = None,
        cancelled: Any = None,
    ) -> Job:
        """Start ``function`` in a new job whose signals go to the given slots (all connected before the
        thread starts, so no early report is lost)."""
        self._next_run += 1
        job = Job(self._next_run, function, self._dialog)
        job.worker.finished.connect(finished)
        job.worker.failed.connect(failed)
        if progressed is not None:
            job.worker.progressed.connect(progressed)
        if cancelled is not None:
            job.worker.cancelled.connect(cancelled)
        job.done.connect(self._on_job_done)
        self._jobs[job.run_id] = job
        job.start()
        return job

    def get(self, run_id: int | None) -> Job | None:
        return None if run_id is None else self._jobs.get(run_id)

    def running(self) -> int:
        return sum(1 for job in self._jobs.values() if job.is_running())

    def release(self, *, stop: bool = False) -> None:
        """The dialog closes: its jobs finish on their own (``stop``: asked to stop first)."""
        for job in self._jobs.values():
            if stop:
                job.request_stop()
            orphan(job, self._on_job_done)
        self._jobs.clear()

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            dispose(job)


def stop_orphaned_jobs() -> None:
    """Stop and join the jobs of dialogs closed while they were still working (the window closes)."""
    for job in list(_ORPHANED_JOBS):
        job.stop_and_wait()


def warm_up_job() -> Callable[[Worker], Any]:
    """A job that imports what the Data and Train pages need (NumPy, pandas, matplotlib), so the window
    stays responsive while they load. scikit-learn is not among them: see :func:`background_imports_job`.
    """

    def run(worker: Worker) -> Any:
        import matplotlib.backends.backend_qtagg
        import matplotlib.figure  # noqa: F401

        import heartgui.core.dataset
        import heartgui.core.presets  # noqa: F401

        return None

    return run


def background_imports_job() -> Callable[[Worker], Any]:
    """A job that imports scikit-learn and the modules built on it once the window is ready, so that
    training, results and explanations start at once when first asked for."""

    def run(worker: Worker) -> Any:
        import heartgui.core.crossval
        import heartgui.core.explain
        import heartgui.core.model_file
        import heartgui.core.training  # noqa: F401

        return None

    return run


def load_job(path: str) -> Callable[[Worker], Any]:
    """A job that loads a data file and returns the :class:`~heartgui.core.dataset.Dataset`.

    It also computes what the Data page shows of it (medians, category counts: ``dataset_facts``), which
    would hold the window for a moment on a large file.
    """

    def run(worker: Worker) -> Any:
        from heartgui.core.dataset import load_dataset
        from heartgui.gui.widgets.dataset_table import dataset_facts

        dataset = load_dataset(path)
        dataset_facts(dataset)
        return dataset

    return run


class WeightsSnapshot(NamedTuple):
    """Copies of the weights during training, for the network drawing (sent between epoch reports)."""

    epoch: int
    weights: list[Any]
    biases: list[Any]
    feature_names: tuple[str, ...]


#: Seconds between two weight snapshots sent during training (the drawing repaints ~12 times a second).
SNAPSHOT_INTERVAL = 0.08


class RunControl:
    """One training run as the window steers it across jobs: the core's session (made by the first job,
    kept while the run waits between steps) and the speed, which the UI thread may change while a job
    runs (a plain attribute: the job reads it before each epoch)."""

    def __init__(self, epochs_per_second: float | None = None) -> None:
        self.epochs_per_second = epochs_per_second
        self.session: Any = None


def training_job(
    dataset: Any,
    settings: Any,
    *,
    control: RunControl | None = None,
    steps: int | None = None,
    back: bool = False,
) -> Callable[[Worker], Any]:
    """A job that trains on ``dataset`` with ``settings`` and returns the ``TrainingResult``.

    Each ``EpochReport`` is passed to :meth:`Worker.report`, and every ``SNAPSHOT_INTERVAL`` seconds a
    :class:`WeightsSnapshot` to :meth:`Worker.report_latest` (so it ends its batch). A stop request takes
    effect after the current epoch and keeps the weights reached so far (the result is marked
    ``stopped_early``).

    With ``control``, the job goes on with ``control.session`` if it has one (else makes it there), runs
    at most ``control.epochs_per_second`` epochs a second (waiting between epochs, woken by a stop), and
    ``steps`` epochs at most (``None``: to the end of the run); ``back`` takes the last epoch back
    instead. The result's model is a frozen copy, so the session can go on afterwards.
    """
    control = control or RunControl()

    def run(worker: Worker) -> Any:
        from heartgui.core.training import TrainingSession

        session = control.session
        if session is None:
            session = control.session = TrainingSession(dataset, settings)
        if back:
            session.step_back()
        else:
            _run_epochs(worker, session, control, steps)
        network = getattr(session.model, "network_", None)
        if network is None or not network.loss_curve_:
            raise Cancelled
        result = session.finish()
        result.split.fingerprints  # noqa: B018 - computed here, once per run, not when the model is saved
        return result

    return run


def _run_epochs(worker: Worker, session: Any, control: RunControl, steps: int | None) -> None:
    next_snapshot = 0.0
    due: float | None = None  # when the epoch just run was due, in slow motion
    done = 0
    while steps is None or done < steps:
        report = session.step()
        if report is None:
            break
        done += 1
        worker.report(report)
        worker.wait_if_paused()
        now = time.perf_counter()
        if now >= next_snapshot or report.epoch == report.n_epochs or done == steps:
            next_snapshot = now + SNAPSHOT_INTERVAL
            model = session.model
            weights, biases = model.network_.snapshot()
            worker.report_latest(WeightsSnapshot(report.epoch, weights, biases, model.feature_names_out_))
        if worker.stop_requested:
            break
        rate = control.epochs_per_second
        if rate and (steps is None or done < steps) and report.epoch < report.n_epochs:
            # Slow motion: the next epoch is due 1/rate s after this one was (or now, when behind).
            due = max((now if due is None else due) + 1.0 / rate, now)
            worker.flush()  # shown now, not with the next epoch
            if worker.wait_for_stop(max(due - time.perf_counter(), 0.0)):
                break
        else:
            due = None
