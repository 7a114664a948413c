"""Fixtures for the window tests: settings in a temporary folder, a window with its pages built."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, qapp):
    """Point QSettings and QStandardPaths away from the user's real files, fresh for every test."""
    from heartgui.gui.app import configure_application

    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    configure_application(qapp)
    yield folder


@pytest.fixture(autouse=True)
def collected_after_the_test(qapp):
    """Python's cyclic garbage collector off during a window test, run once at its end (see
    heartgui.gui.collector): left to trigger anywhere, it freed a page's window from inside that page's
    own table resize (a segmentation fault in tests/gui/test_data_page.py, every run). Set up before and
    torn down after every other fixture of the test, so pytest-qt has closed the test's widgets by then."""
    from heartgui.gui.collector import collected_between_events

    with collected_between_events():
        yield


@pytest.fixture
def window(qtbot):
    """A shown main window with its pages built; closed (threads joined) after the test."""
    from heartgui.gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.finish_startup()
    yield w
    w.close()


@pytest.fixture
def open_file(qtbot):
    """``open_file(window, path)`` loads a data file and waits until it is shown."""

    def load(window, path: Path | str):
        with qtbot.waitSignal(window.dataset_loaded, timeout=30_000) as blocker:
            window.open_data(path)
        return blocker.args[0]

    return load


#: matplotlib's Qt toolbar icons read Qt.AA_UseHighDpiPixmaps, deprecated in Qt 6; harmless, and outside
#: heartgui (the app does not turn warnings into errors). Ignored for the window tests only; the "::" in
#: the message would split the filter, so "." stands for each colon and quote.
_MATPLOTLIB_QT_DEPRECATION = (
    "ignore:Enum value .Qt..ApplicationAttribute.AA_UseHighDpiPixmaps. is marked as deprecated"
    ":DeprecationWarning"
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.filterwarnings(_MATPLOTLIB_QT_DEPRECATION))
