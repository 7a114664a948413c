"""Start the window: the QApplication, its identity, the icon, and a calm answer to any crash.

Only PySide6 and the standard library are imported here, so that the window appears before NumPy,
pandas, scikit-learn and matplotlib load (the window loads them right after its first paint).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import heartgui
from heartgui import paths
from heartgui.gui.mpl_cache import configure_matplotlib_cache

__all__ = ["APP_NAME", "ORGANISATION", "app_icon", "configure_application", "install_excepthook", "main"]

ORGANISATION = "heartgui"
APP_NAME = "heartgui"
DISPLAY_NAME = "heartgui — heart-disease risk, step by step"


def configure_application(app: QApplication) -> None:
    """Give the application the names QSettings and QStandardPaths use, its version and its icon."""
    app.setOrganizationName(ORGANISATION)
    app.setOrganizationDomain("heartgui.invalid")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("heartgui")
    app.setApplicationVersion(heartgui.__version__)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    configure_matplotlib_cache()


def app_icon() -> QIcon:
    """The heartgui icon from ``resources/icons`` (a null icon when the files are missing)."""
    icon = QIcon()
    folder = paths.resources_dir() / "icons"
    for png in sorted(folder.glob("heartgui-*.png")) if folder.is_dir() else ():
        icon.addFile(str(png))
    return icon


_showing_error = False


def _calm_excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log the traceback for a developer and show the student a calm dialog instead of crashing."""
    global _showing_error
    traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    app = QApplication.instance()
    if app is None or _showing_error:
        return
    _showing_error = True
    try:
        parent = QApplication.activeWindow()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Something went wrong",
            "heartgui ran into an unexpected problem, but your work is still open. "
            "If something looks wrong, save your model and restart the app.",
            QMessageBox.StandardButton.Ok,
            parent if isinstance(parent, QWidget) else None,
        )
        box.setInformativeText(f"Details for your teacher: {exc_type.__name__}: {exc}")
        box.exec()
    finally:
        _showing_error = False


def install_excepthook() -> None:
    """Replace ``sys.excepthook`` so an unexpected error never shows a traceback or kills the window."""
    sys.excepthook = _calm_excepthook


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window (loading ``argv[1]`` when given) and run until it is closed; return the exit code.

    ``--reset-settings`` first forgets everything the window remembered (window size, recent files,
    training settings), for when a damaged settings file keeps the window from opening.
    """
    argv = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    configure_application(app)
    install_excepthook()
    # The cyclic garbage collector runs between events of the GUI thread, never inside one or in a
    # worker thread (see heartgui.gui.collector).
    from heartgui.gui.collector import MainThreadCollector

    collector = MainThreadCollector(app)

    if "--reset-settings" in argv:  # a student whose app will not start: begin again from the defaults
        from PySide6.QtCore import QSettings

        from heartgui.gui.stored_settings import reset

        print(f"heartgui: the settings were reset to their defaults ({reset(QSettings())}).")
    from heartgui.gui import main_window

    smoke_test = "--smoke-test" in argv  # drive the real window once, end to end (CI, benchmarks)
    if smoke_test:
        from heartgui.gui import smoke

        smoke.isolate_settings()
    window = main_window.MainWindow()
    window.show()
    if smoke_test:
        try:
            return smoke.run(app, window, argv)
        finally:
            collector.stop()
    data_file = next((a for a in argv[1:] if not a.startswith("-")), None)
    # Heavy libraries load after the first paint (in a worker); the file is opened once they are there.
    QTimer.singleShot(0, lambda: window.begin_startup(data_file))
    try:
        return app.exec()
    finally:
        collector.stop()
