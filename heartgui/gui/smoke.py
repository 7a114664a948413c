"""``heartgui --smoke-test [DATA]``: drive the real window once, end to end, and report in one JSON line.

Used by CI on the frozen binary (``scripts/build.py --smoke-test``) and by the start-up benchmark. It opens
DATA (or the bundled UCI sample), trains a few hundred epochs on the worker thread, predicts one patient on
the Predict page, saves the model into a temporary folder and opens it again, then prints one JSON line
(versions, rows, final loss, risk, timings) and exits 0. Any failure prints one line to stderr and exits 1.
It writes nothing outside a temporary folder and the user's cache folder, and needs no network.

``--startup-probe`` stops as soon as the window is ready (data loaded, Train page usable) and reports
the wall-clock times of the first paint and of readiness, for ``bench/bench_startup.py``.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QEvent,
    QObject,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtWidgets import QApplication

import heartgui
from heartgui import paths

SMOKE_EPOCHS = 300
TIMEOUT_S = 240.0

_workspace: Path | None = None


def isolate_settings() -> Path:
    """Point QSettings at a temporary folder, so the smoke test leaves the user's settings alone.

    Call before the window is created; :func:`run` removes the folder at the end.
    """
    global _workspace
    _workspace = Path(tempfile.mkdtemp(prefix="heartgui-smoke-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(_workspace / "settings"))
    return _workspace


class _FirstPaint(QObject):
    """Records the wall-clock time of the window's first paint."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.at is None and event.type() in (QEvent.Type.Paint, QEvent.Type.Expose):
            self.at = time.time()
        return False


def exercise_core(result: Any, dataset: Any) -> dict[str, Any]:
    """Run every model and evaluation path the window offers, once, on small settings.

    In a frozen build this proves that nothing the app imports lazily was left out of the bundle (the
    spec drops unused parts of scikit-learn and SciPy).
    """
    from heartgui.core import crossval, evaluation, explain

    started = time.perf_counter()
    split = result.split
    comparison = crossval.baselines_on_split(split)
    cv = crossval.cross_validate(dataset, folds=3, repeats=1)
    evaluation.metrics_with_intervals(split.y_test, result.test_risk, 0.5, n_boot=200)
    evaluation.calibration_points(split.y_test, result.test_risk)
    evaluation.roc_points(split.y_test, result.test_risk)
    patient = dataset.row(0)
    explain.walk_through(result.model, patient)
    explain.contributions(result.model, patient)
    explain.what_if(result.model, patient, "chol")
    reference = explain.NoveltyReference.fit(split.X_train)
    explain.extrapolation(result.model, patient, reference)
    # The three formats of the plots' "Save picture" button (plot_toolbar.py): PNG through Pillow, PDF and
    # SVG through matplotlib's own writers, which it imports only when a picture is saved.
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    figure.add_subplot().plot(result.loss_curve)
    saved = {}
    for fmt in ("png", "pdf", "svg"):
        picture = io.BytesIO()
        figure.savefig(picture, format=fmt)
        saved[f"{fmt}_bytes"] = len(picture.getvalue())
    return {
        "baselines": len(comparison.rows),
        "cv_methods": len(cv.methods),
        "cv_folds": cv.folds_done,
        **saved,
        "modules": import_every_module(),
        "core_s": round(time.perf_counter() - started, 3),
    }


def import_every_module() -> int:
    """Import every module of heartgui, the window's pages and dialogs the smoke test does not open too;
    return how many there are.

    In a frozen build this proves that every library module they import when they load is in the bundle.
    """
    import importlib
    import pkgutil

    names = [info.name for info in pkgutil.walk_packages(heartgui.__path__, "heartgui.")]
    for name in names:
        importlib.import_module(name)
    return len(names)


class SmokeTest(QObject):
    """Steps through the window with signals; never blocks the event loop."""

    def __init__(self, window: Any, data: Path | None, probe_only: bool) -> None:
        super().__init__()
        self.window = window
        self.data = data
        self.probe_only = probe_only
        self.report: dict[str, Any] = {}
        self.error: str | None = None
        self.first_paint = _FirstPaint()
        window.installEventFilter(self.first_paint)
        self.started = time.time()
        self.workspace = _workspace or isolate_settings()

    # --- steps -----------------------------------------------------------------------------------
    def start(self) -> None:
        data = self.data or paths.sample_data()
        if data is None:
            self.fail("no data file given and no bundled UCI sample found")
            return
        self.window.dataset_loaded.connect(self._on_loaded)
        self.window.dataset_failed.connect(lambda message: self.fail(f"loading {data}: {message}"))
        QTimer.singleShot(int(TIMEOUT_S * 1000), lambda: self.fail(f"timed out after {TIMEOUT_S:.0f} s"))
        self.window.begin_startup(str(data))

    def _on_loaded(self, dataset: Any) -> None:
        self.report.update(
            ready_unix=time.time(),
            first_paint_unix=self.first_paint.at,
            rows=dataset.n_rows,
            data=str(dataset.provenance.path),
            data_sha256=dataset.provenance.sha256,
        )
        if self.probe_only:
            self.finish()
            return
        from heartgui.core.presets import RECOMMENDED

        self._train_started = time.perf_counter()
        self.window.training_finished.connect(self._on_trained)
        self.window.training_failed.connect(lambda message: self.fail(f"training: {message}"))
        self.window.start_training(RECOMMENDED.replace(epochs=SMOKE_EPOCHS, preset="recommended"))

    def _on_trained(self, result: Any) -> None:
        from heartgui.core.model_file import load_model, save_model

        self.report.update(
            train_s=round(time.perf_counter() - self._train_started, 3),
            epochs=result.epochs_run,
            final_loss=result.final_train_loss,
            test_auc=result.test_metrics.roc_auc,
        )
        page = self.window.predict_page
        page.fill_from_row(1)
        risk = page.risk
        if risk is None or not 0.0 <= risk <= 1.0:
            self.fail(f"the Predict page shows no valid risk ({risk!r})")
            return
        path = self.workspace / "smoke.heartmodel"
        save_model(
            path,
            result.model,
            settings=result.settings,
            metrics=result.test_metrics,
            data_sha256=result.data_sha256,
        )
        reloaded = load_model(path).model.predict_risk(page.form.values())[0]
        if abs(float(reloaded) - risk) > 1e-12:
            self.fail(f"the reloaded model predicts {reloaded} instead of {risk}")
            return
        self.report["risk"] = risk
        self.report.update(exercise_core(result, self.window.dataset))
        self.finish()

    # --- endings ---------------------------------------------------------------------------------
    def finish(self) -> None:
        if self.error is not None:
            return
        import numpy
        import sklearn

        self.report.update(
            ok=True,
            heartgui=heartgui.__version__,
            python=platform.python_version(),
            qt=qVersion(),
            pyside=pyside_version,
            numpy=numpy.__version__,
            sklearn=sklearn.__version__,
            frozen=paths.is_frozen(),
            total_s=round(time.time() - self.started, 3),
        )
        self._close(0)

    def fail(self, message: str) -> None:
        if self.error is not None or self.report.get("ok"):
            return
        self.error = " ".join(message.split())  # one line
        self._close(1)

    def _close(self, code: int) -> None:
        self.exit_code = code
        self.window.close()  # stops and joins any worker thread (closeEvent)
        QApplication.exit(code)  # static: ends the running event loop


#: Qt messages that are facts of the headless platform, not faults of the app.
KNOWN_PLATFORM_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _qt_messages_to_stderr(mode: QtMsgType, context: Any, message: str) -> None:
    if message not in KNOWN_PLATFORM_MESSAGES:
        sys.stderr.write(f"Qt: {message}\n")


def run(app: QApplication, window: Any, argv: list[str], write: Callable[[str], Any] = print) -> int:
    """Run the smoke test on an already shown ``window``; return the process exit code."""
    probe_only = "--startup-probe" in argv
    args = [a for a in argv[1:] if not a.startswith("-")]
    data = Path(args[0]) if args else None
    test = SmokeTest(window, data, probe_only)
    qInstallMessageHandler(_qt_messages_to_stderr)
    # Any unexpected exception fails the smoke test at once (the app's own hook would show a dialog).
    sys.excepthook = lambda kind, exc, tb: test.fail(f"{kind.__name__}: {exc}")
    QTimer.singleShot(0, test.start)
    app.exec()
    shutil.rmtree(test.workspace, ignore_errors=True)
    if test.error is not None:
        sys.stderr.write(f"heartgui smoke test FAILED: {test.error}\n")
        return 1
    write(json.dumps(test.report, sort_keys=True))
    return 0
