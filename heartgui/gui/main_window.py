"""The main window: four steps (Data → Train → Results → Predict), menus, status bar, settings.

Only PySide6 and the standard library are imported at module level. The pages (which need NumPy,
pandas, scikit-learn and matplotlib) are built by :meth:`MainWindow.finish_startup`, which the app calls
right after the window's first paint; until then each step shows "Loading…".

Slow work runs in :class:`~heartgui.gui.workers.Job` threads. Each job has a run id; a signal from a
job that is no longer the current one (a stale run) is ignored.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMargins, QPoint, QRect, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

import heartgui
from heartgui import paths
from heartgui.gui import stored_settings

__all__ = [
    "DATA_FILTER",
    "FRAME_ALLOWANCE",
    "MAX_RECENT_FILES",
    "MINIMUM_SIZE",
    "MODEL_FILTER",
    "PREFERRED_SIZE",
    "MainWindow",
    "fit_to_screen",
]

DATA_FILTER = "Heart data (*.dat *.data *.csv *.tsv *.txt);;All files (*)"
MODEL_FILTER = "heartgui model (*.heartmodel);;All files (*)"
MAX_RECENT_FILES = 8
#: When the background imports ended during a file load, the model pages are built this long after the
#: file is shown (ms): the file's page is painted first.
MODEL_PAGES_AFTER_LOAD_MS = 300

PAGE_DATA, PAGE_TRAIN, PAGE_RESULTS, PAGE_PREDICT, PAGE_NETWORK = range(5)
_PAGE_TITLES = ("1  Data", "2  Train", "3  Results", "4  Predict", "5  Inside")
_PAGE_TIPS = (
    "Open the patients' data and look at it.",
    "Choose the settings and train the network (needs data).",
    "How good the trained network is on patients it never saw (needs a trained model).",
    "Enter one patient and see the predicted risk (needs a trained or opened model).",
    "Inside the network: its weights drawn, and the Predict page's patient walked through it.",
)
_PAGE_ICONS = (
    QStyle.StandardPixmap.SP_DirOpenIcon,
    QStyle.StandardPixmap.SP_MediaPlay,
    QStyle.StandardPixmap.SP_FileDialogDetailedView,
    QStyle.StandardPixmap.SP_DialogHelpButton,
    QStyle.StandardPixmap.SP_FileDialogContentsView,
)

#: The window's first size when the screen has room for it (and no size was saved).
PREFERRED_SIZE = QSize(1200, 800)
#: The smallest the window may be made; the pages' own minimum sizes may ask for more.
MINIMUM_SIZE = QSize(760, 480)
#: Room kept around the window for the title bar and borders the window manager adds: Qt learns their
#: size only once the window is on screen, after its first size was chosen.
FRAME_ALLOWANCE = QMargins(4, 36, 4, 4)

_KEY_GEOMETRY = stored_settings.KEY_GEOMETRY
_KEY_SPLITTER = stored_settings.KEY_SPLITTER
_KEY_LAST_FOLDER = stored_settings.KEY_LAST_FOLDER
_KEY_RECENT = stored_settings.KEY_RECENT
_KEY_TRAINING = stored_settings.KEY_TRAINING


def fit_to_screen(
    available: QRect,
    wanted: QSize | QRect,
    minimum: QSize | None = None,
    frame: QMargins = FRAME_ALLOWANCE,
) -> QRect:
    """The window's geometry (without its frame, as ``QWidget.setGeometry`` takes it) on a screen.

    Parameters
    ----------
    available : the screen's available area (``QScreen.availableGeometry``: without taskbars and panels).
    wanted : a size, centred on the screen; or a restored geometry, which keeps its place if it fits.
        Either is shrunk to fit the available area with ``frame`` around it, and moved into it.
    minimum : never smaller than this (Qt would refuse); on a screen too small for it the window's
        top-left corner stays on the screen, so its title bar can be grabbed.
    frame : the room kept for the title bar and borders.
    """
    room = available.marginsRemoved(frame)
    size = wanted.size() if isinstance(wanted, QRect) else QSize(wanted)
    size = size.boundedTo(room.size()).expandedTo(minimum or QSize(0, 0))
    if isinstance(wanted, QRect):
        left, top = wanted.x(), wanted.y()
    else:
        left = room.x() + (room.width() - size.width()) // 2
        top = room.y() + (room.height() - size.height()) // 2
    left = max(room.x(), min(left, room.x() + room.width() - size.width()))
    top = max(room.y(), min(top, room.y() + room.height() - size.height()))
    return QRect(QPoint(left, top), size)


class MainWindow(QMainWindow):
    """The heartgui window.

    Signals (useful to tests and scripts; all in the UI thread)
    -------
    dataset_loaded(Dataset), dataset_failed(str) : a file load ended.
    training_finished(TrainingResult), training_failed(str), training_cancelled() : a run ended.
    model_opened(SavedModel) : a model file was opened.
    """

    dataset_loaded = Signal(object)
    dataset_failed = Signal(str)
    training_finished = Signal(object)
    training_failed = Signal(str)
    training_cancelled = Signal()
    model_opened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("heartgui")
        self.setObjectName("MainWindow")
        self.setAccessibleName("heartgui main window")
        self.setMinimumSize(MINIMUM_SIZE)
        self.setAcceptDrops(True)

        self.dataset: Any = None  # heartgui.core.dataset.Dataset
        self.result: Any = None  # heartgui.core.training.TrainingResult
        self.model: Any = None  # heartgui.core.model.HeartModel, trained or opened
        self.model_settings: Any = None
        self._model_data: tuple[str | None, str | None] = (None, None)  # SHA-256 and name of its data
        self._opened_metrics: dict[str, Any] | None = None  # test figures kept in an opened model file
        self._opened_fingerprints: Any = None  # the patients an opened model file was made from
        self._training_data_name: str | None = None
        # The decision threshold Predict, saved models, reports and the next training use; None until set:
        # the cost-optimal one for Statlog's costs (see the `threshold` property).
        self._threshold: float | None = None
        self._training_provenance: Any = None  # the data file of the run in progress
        self.result_provenance: Any = None  # the data file self.result was trained on (Provenance)
        self._model_path: str | None = None  # the model file opened, while its model is the current one
        self.pages_ready = False
        self._results_page: Any = None
        self._predict_page: Any = None
        self._network_page: Any = None
        self._background_started = False
        self._background_done = False  # the model pages can be built (see _build_model_pages_if_idle)
        self._jobs: dict[int, Any] = {}
        self._next_run_id = 0
        self._load_run: int | None = None
        self._training_run: int | None = None
        # A run waiting between steps (Step, Step back): its RunControl, which holds the core's session;
        # what the running job does ("run", "step" or "back"), and whether Stop (end the run) or Step
        # (pause it) was pressed while it ran.
        self._stepping: Any = None
        self._run_mode = "run"
        self._end_requested = False
        # After a step the Results, Predict and Inside pages get the new model when one of them is
        # shown, not at once: handing it over costs the UI thread a second here (Predict's figures are
        # rebuilt), and a student clicking Step on the Train page would feel every one.
        self._model_pages_stale = False
        self._closing = False
        self._startup_file: str | None = None
        self._stored_settings_bad = False

        self._build_shell()
        self._build_actions()
        self._build_menus()
        self._restore_window()
        self._update_enabled()
        self.statusBar().showMessage("Starting…")

    # ----------------------------------------------------------------------------------------------
    # building
    def _build_shell(self) -> None:
        style = self.style()
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Steps")
        self.sidebar.setToolTip(
            "The steps: Data, Train, Results, Predict, and Inside the network. Use the arrow keys to move."
        )
        self.sidebar.setIconSize(QSize(24, 24))
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setMaximumWidth(220)
        font = self.sidebar.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.sidebar.setFont(font)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Current step")
        for title, tip, pixmap in zip(_PAGE_TITLES, _PAGE_TIPS, _PAGE_ICONS):
            item = QListWidgetItem(style.standardIcon(pixmap), title)
            item.setToolTip(tip)
            item.setSizeHint(QSize(140, 44))
            self.sidebar.addItem(item)
            placeholder = QLabel("Loading…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(placeholder)
        self.sidebar.currentRowChanged.connect(self._on_step_chosen)
        # Above the Results, Predict and Inside pages when the model is not of the data loaded.
        self.model_note = QLabel()
        self.model_note.setObjectName("model_note")
        self.model_note.setWordWrap(True)
        self.model_note.setAccessibleName("Which data the model was trained on")
        self.model_note.setContentsMargins(8, 6, 8, 6)
        self.model_note.setStyleSheet(
            "QLabel#model_note { border: 1px solid palette(mid); font-weight: bold; }"
        )
        self.model_note.hide()
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        pages_layout.setContentsMargins(0, 0, 0, 0)
        pages_layout.addWidget(self.model_note)
        pages_layout.addWidget(self.stack, 1)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.sidebar.setCurrentRow(PAGE_DATA)

    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
        icon: Any = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("…", "").replace("&", ""))
        action.setStatusTip(action.toolTip())
        action.triggered.connect(lambda _checked=False: slot())  # triggered's bool is not an argument
        self.addAction(action)  # shortcuts work whichever page has focus
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.open_data_action = self._action(
            "&Open data…",
            self.open_data_dialog,
            QKeySequence.StandardKey.Open,
            "Open a heart-data file (heart.dat, processed.cleveland.data or CSV).",
            sp.SP_DialogOpenButton,
        )
        self.open_sample_action = self._action(
            "Open the &UCI sample",
            self.open_sample,
            None,
            "Open the UCI Statlog heart data that came with the app (270 patients).",
            sp.SP_FileIcon,
        )
        self.save_model_action = self._action(
            "&Save model…",
            self.save_model_dialog,
            QKeySequence.StandardKey.Save,
            "Save the trained model to a file you can open again or share.",
            sp.SP_DialogSaveButton,
        )
        self.open_model_action = self._action(
            "Open &model…",
            self.open_model_dialog,
            "Ctrl+Shift+O",
            "Open a model saved by heartgui, to predict without training again.",
            sp.SP_DirOpenIcon,
        )
        self.batch_action = self._action(
            "Predict &many patients…",
            self.open_batch_dialog,
            None,
            "Open a CSV of several patients and predict each one's risk with the current model.",
            sp.SP_FileDialogListView,
        )
        self.validate_action = self._action(
            "&Validate on another file…",
            self.open_validate_dialog,
            None,
            "Score the current model on another hospital's labelled patients (those it was made from apart).",
            sp.SP_FileDialogContentsView,
        )
        self.training_report_action = self._action(
            "Save &training report (PDF)…",
            self.save_training_report,
            None,
            "A PDF of this training session: data, settings, loss curve, metrics with intervals, ROC.",
            sp.SP_FileDialogDetailedView,
        )
        self.patient_report_action = self._action(
            "Save &patient report (PDF)…",
            self.save_patient_report,
            None,
            "A PDF of the Predict page's patient: inputs, risk, spread, what raised and lowered it.",
            sp.SP_FileIcon,
        )
        self.quit_action = self._action(
            "&Quit", self.close, "Ctrl+Q", "Close heartgui.", sp.SP_DialogCloseButton
        )
        self.start_action = self._action(
            "&Start training",
            self.start_training,
            "F5",
            "Train a network with the settings on the Train page.",
            sp.SP_MediaPlay,
        )
        self.stop_action = self._action(
            "S&top training",
            self.stop_training,
            "Esc",
            "Stop after the current epoch, keeping what was learnt.",
            sp.SP_MediaStop,
        )
        self.page_actions = []
        for index, title in enumerate(_PAGE_TITLES):
            name = title.split()[-1]
            action = self._action(
                f"&{name}", lambda i=index: self.show_page(i), f"Ctrl+{index + 1}", _PAGE_TIPS[index]
            )
            self.page_actions.append(action)
        self.about_action = self._action(
            "&About heartgui", self.show_about, None, "Version, data and citation."
        )
        self.help_action = self._action(
            "&Help and glossary",
            self.show_help,
            QKeySequence.StandardKey.HelpContents,
            "How to use heartgui, step by step, and what the words on the pages mean (F1).",
            sp.SP_DialogHelpButton,
        )
        self._help_dialog: Any = None
        self.reset_settings_action = self._action(
            "&Reset settings…",
            self.reset_settings,
            None,
            "Forget the window size, recent files and training settings heartgui remembered "
            "(asks first; your files are not touched).",
        )

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_data_action)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.open_sample_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_model_action)
        file_menu.addAction(self.open_model_action)
        file_menu.addSeparator()
        file_menu.addAction(self.batch_action)
        file_menu.addAction(self.validate_action)
        file_menu.addAction(self.training_report_action)
        file_menu.addAction(self.patient_report_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        train_menu = menu.addMenu("&Training")
        train_menu.addAction(self.start_action)
        train_menu.addAction(self.stop_action)
        view_menu = menu.addMenu("&View")
        for action in self.page_actions:
            view_menu.addAction(action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.reset_settings_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        self._fill_recent_menu()

    def begin_startup(self, data_file: str | None = None) -> None:
        """Import the heavy libraries in a worker, then build the pages (the window stays responsive)."""
        from heartgui.gui.mpl_cache import configure_matplotlib_cache
        from heartgui.gui.workers import warm_up_job

        configure_matplotlib_cache()  # before matplotlib's first import
        self._startup_file = data_file
        job = self._new_job(warm_up_job())
        job.worker.finished.connect(self._on_warmed_up)
        job.worker.failed.connect(self._on_warmed_up)
        self.statusBar().showMessage("Loading the numerical libraries…")
        job.start()

    @Slot(int, object)
    def _on_warmed_up(self, run_id: int, _: object) -> None:
        if not self._closing:
            self.finish_startup(self._startup_file)

    def finish_startup(self, data_file: str | None = None) -> None:
        """Load the heavy libraries and build the pages (once); then open ``data_file`` if given."""
        if not self.pages_ready:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            try:
                self._build_pages()
            finally:
                QApplication.restoreOverrideCursor()
            self.pages_ready = True
            self._update_enabled()
            ready = "Ready. Open a data file to begin (File → Open data…, Ctrl+O)."
            if self._stored_settings_bad:
                ready = (
                    "Some saved training settings could not be read; the recommended ones are shown. " + ready
                )
            self.statusBar().showMessage(ready)
            if not data_file:  # else after that file has loaded: the worker would slow it down
                self._start_background_imports()
        if data_file:
            self.open_data(data_file)

    def _build_pages(self) -> None:
        from heartgui.gui.mpl_cache import configure_matplotlib_cache

        configure_matplotlib_cache()  # before matplotlib's first import
        from heartgui.gui.pages.data_page import DataPage
        from heartgui.gui.pages.train_page import TrainPage

        self.data_page = DataPage(sample_available=paths.sample_data() is not None)
        self.data_page.open_requested.connect(self.open_data_dialog)
        self.data_page.sample_requested.connect(self.open_sample)
        self._replace_page(PAGE_DATA, self.data_page)

        # A stored value of the wrong type or range (another version, a hand edit) falls back to the
        # recommended preset: a bad settings file must never stop the window from opening.
        settings, self._stored_settings_bad = stored_settings.training_settings(self._settings())
        self.train_page = TrainPage(settings)
        self.train_page.plot.full_draw_guard = self._training_paused  # type: ignore[method-assign]
        self.train_page.start_requested.connect(self.start_training)
        self.train_page.stop_requested.connect(self.stop_training)
        self.train_page.step_requested.connect(self.step_training)
        self.train_page.step_back_requested.connect(self.step_back_training)
        self.train_page.speed_changed.connect(self._on_speed_changed)
        self.train_page.settings_changed.connect(self._remember_training_settings)
        self._replace_page(PAGE_TRAIN, self.train_page)

    # The Results, Predict and Inside pages need a model first: they are built once scikit-learn has
    # loaded in the background (or when first asked for), not on the way to the first usable window.
    @property
    def results_page(self) -> Any:
        self._ensure_model_pages()
        return self._results_page

    @property
    def predict_page(self) -> Any:
        self._ensure_model_pages()
        return self._predict_page

    @property
    def network_page(self) -> Any:
        self._ensure_model_pages()
        return self._network_page

    @property
    def model_pages_built(self) -> bool:
        return self._results_page is not None

    def _ensure_model_pages(self) -> None:
        if self._results_page is not None or self._closing:
            return
        from heartgui.gui.pages.network_page import NetworkPage
        from heartgui.gui.pages.predict_page import PredictPage
        from heartgui.gui.pages.results import ResultsPage

        self._results_page = ResultsPage()
        self._results_page.threshold_changed.connect(self._on_threshold_changed)
        self._results_page.patient_requested.connect(self._open_patient_in_predict)
        self._replace_page(PAGE_RESULTS, self._results_page)
        self._predict_page = PredictPage()
        self._replace_page(PAGE_PREDICT, self._predict_page)
        self._network_page = NetworkPage()
        self._predict_page.patient_changed.connect(self._network_page.set_patient)
        self._replace_page(PAGE_NETWORK, self._network_page)
        if self.dataset is not None:
            self._predict_page.set_dataset(self.dataset)
        from heartgui.gui.collector import freeze_survivors

        QTimer.singleShot(0, self, freeze_survivors)  # once the pages are in place (see collector.py)

    def _start_background_imports(self) -> None:
        """Load scikit-learn in a worker, then build the model pages (once)."""
        if self._background_started or self._closing:
            return
        self._background_started = True
        from heartgui.gui.workers import background_imports_job

        job = self._new_job(background_imports_job())
        job.worker.finished.connect(self._on_background_imports_done)
        job.worker.failed.connect(self._on_background_imports_done)
        job.start()

    @Slot(int, object)
    def _on_background_imports_done(self, run_id: int, _: object) -> None:
        self._background_done = True
        QTimer.singleShot(0, self._build_model_pages_if_idle)

    @Slot()
    def _build_model_pages_if_idle(self) -> None:
        # Building the three pages keeps the UI thread busy for a few hundred milliseconds: not while
        # a training runs (it would stall the live plot) nor while a data file loads (a file opened in
        # the first seconds after start froze the window mid-load); they are built when it ends, or
        # when asked for.
        if self._training_run is None and self._load_run is None:
            self._ensure_model_pages()

    def _replace_page(self, index: int, page: QWidget) -> None:
        old = self.stack.widget(index)
        assert old is not None, f"no page at {index}"  # every index has a placeholder from the start
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.setCurrentIndex(self.sidebar.currentRow())

    # ----------------------------------------------------------------------------------------------
    # pages and enabling
    def show_page(self, index: int) -> None:
        item = self.sidebar.item(index)
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.sidebar.setCurrentRow(index)

    @Slot(int)
    def _on_step_chosen(self, index: int) -> None:
        if index >= 0:
            if self._model_pages_stale and index in (PAGE_RESULTS, PAGE_PREDICT, PAGE_NETWORK):
                self._show_stale_model_pages()
            self.stack.setCurrentIndex(index)
            self._update_model_note()

    def _show_stale_model_pages(self) -> None:
        if self.result is not None:
            self._show_model_pages(threshold_origin=self.results_page.threshold_panel.origin_words)

    def model_note_text(self) -> str:
        """What the pages showing the model must say about its data ("" when it is the data loaded)."""
        sha, name = self._model_data
        if self.model is None or self.dataset is None:
            return ""
        loaded = self.dataset.provenance
        if sha is None:
            return (
                "⚠ The model's file does not say which data it was trained on; it may not be "
                f"{loaded.file_name}, the data now loaded."
            )
        if sha == loaded.sha256:
            return ""
        trained = name or "another file"
        if name == loaded.file_name:
            trained = f"another version of {name} (its SHA-256 differs from the file loaded)"
        results = (
            f" The figures on Results are for {name or 'that file'}'s test patients."
            if self.result is not None
            else ""
        )
        return (
            f"⚠ This model was trained on {trained}, not on {loaded.file_name}, the data now loaded."
            f"{results} Press Start on the Train page for a model of {loaded.file_name}."
        )

    def _update_model_note(self) -> None:
        text = self.model_note_text()
        self.model_note.setText(text)
        shows_model = self.stack.currentIndex() in (PAGE_RESULTS, PAGE_PREDICT, PAGE_NETWORK)
        self.model_note.setVisible(bool(text) and shows_model)

    def page_enabled(self, index: int) -> bool:
        return bool(self.sidebar.item(index).flags() & Qt.ItemFlag.ItemIsEnabled)

    def _update_enabled(self) -> None:
        ready = self.pages_ready
        training = self._training_run is not None
        enabled = (
            True,
            ready and self.dataset is not None,
            ready and self.result is not None,
            ready and self.model is not None,
            ready and (self.model is not None or training),
        )
        for index, on in enumerate(enabled):
            item = self.sidebar.item(index)
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if on else flags & ~Qt.ItemFlag.ItemIsEnabled)
            self.page_actions[index].setEnabled(on)
        self.start_action.setEnabled(ready and self.dataset is not None and not training)
        self.stop_action.setEnabled(training or self._stepping is not None)
        self.save_model_action.setEnabled(self.model is not None)
        self.batch_action.setEnabled(ready and self.model is not None)
        self.validate_action.setEnabled(ready and self.model is not None and not training)
        # (A result rebuilt for an opened model has no loss curve for the report's training page.)
        self.training_report_action.setEnabled(
            ready and self.result is not None and bool(self.result.loss_curve)
        )
        self.patient_report_action.setEnabled(ready and self.model is not None)
        self.open_model_action.setEnabled(ready)
        self.reset_settings_action.setEnabled(not training)  # the Train page's fields are locked then
        self.open_data_action.setEnabled(ready)
        self.open_sample_action.setEnabled(ready and paths.sample_data() is not None)
        self.open_sample_action.setVisible(paths.sample_data() is not None)
        if ready:
            self.train_page.set_data_available(self.dataset is not None)

    # ----------------------------------------------------------------------------------------------
    # jobs
    def _new_job(self, function: Any) -> Any:
        from heartgui.gui.workers import Job

        self._next_run_id += 1
        job = Job(self._next_run_id, function, self)
        self._jobs[job.run_id] = job
        job.done.connect(self._on_job_done)
        return job

    @Slot(int)
    def _on_job_done(self, run_id: int) -> None:
        job = self._jobs.pop(run_id, None)
        if job is not None:
            job.qthread.wait()
            job.worker.deleteLater()
            job.qthread.deleteLater()
            job.deleteLater()

    def running_jobs(self) -> int:
        return sum(1 for job in self._jobs.values() if job.is_running())

    # ----------------------------------------------------------------------------------------------
    # data
    def _settings(self) -> QSettings:
        return QSettings()

    def protected_files(self) -> list[tuple[str, str]]:
        """The files in use, which no save may write over (see :mod:`heartgui.gui.save_guard`)."""
        files = []
        if self.dataset is not None:
            files.append((self.dataset.provenance.path, "the data file open in heartgui"))
        if self.result_provenance is not None:
            files.append((self.result_provenance.path, "the data file the current model was trained on"))
        if self._model_path is not None:
            files.append((self._model_path, "the model file open in heartgui"))
        return files

    def last_folder(self) -> str:
        return stored_settings.folder(self._settings(), _KEY_LAST_FOLDER, str(Path.home()))

    @Slot()
    def open_data_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open heart data", self.last_folder(), DATA_FILTER)
        if path:
            self.open_data(path)

    @Slot()
    def open_sample(self) -> None:
        sample = paths.sample_data()
        if sample is not None:
            self.open_data(str(sample))

    def open_data(self, path: str | Path) -> None:
        """Load ``path`` in a worker; the current dataset stays until the new one is good."""
        self.finish_startup()
        from heartgui.gui.workers import load_job

        path = str(path)
        job = self._new_job(load_job(path))
        job.worker.finished.connect(self._on_load_finished)
        job.worker.failed.connect(self._on_load_failed)
        self._load_run = job.run_id
        self._loading_path = path
        self.statusBar().showMessage(f"Opening {Path(path).name}…")
        job.start()

    @Slot(int, object)
    def _on_load_finished(self, run_id: int, dataset: Any) -> None:
        if run_id != self._load_run or self._closing:
            return
        self._load_run = None
        self.set_dataset(dataset)
        self._start_background_imports()
        self._build_model_pages_later()
        # One settings object, so one write of the settings file: each waits for the disk (10-100 ms
        # here), in the same event that shows the file.
        settings = self._settings()
        self._add_recent(dataset.provenance.path, settings)
        settings.setValue(_KEY_LAST_FOLDER, str(Path(dataset.provenance.path).parent))
        del settings
        self.dataset_loaded.emit(dataset)

    @Slot(int, str)
    def _on_load_failed(self, run_id: int, message: str) -> None:
        if run_id != self._load_run or self._closing:
            return
        self._load_run = None
        self._start_background_imports()
        self._build_model_pages_later()
        kept = f" {self.dataset.provenance.file_name} is still open." if self.dataset is not None else ""
        self.statusBar().showMessage(f"Could not open {Path(self._loading_path).name}.{kept}")
        self.dataset_failed.emit(message)
        from heartgui.gui.pages.data_page import bad_file_message

        still_open = self.dataset.provenance.file_name if self.dataset is not None else None
        QMessageBox.warning(self, "Cannot open the data file", bad_file_message(message, still_open))

    def _build_model_pages_later(self) -> None:
        """After a load: build the model pages a moment later, if the background imports ended while the
        file loaded. Not at once: Qt paints after the events already waiting, so the file would only
        appear once the pages were built."""
        if self._background_done and not self.model_pages_built:
            QTimer.singleShot(MODEL_PAGES_AFTER_LOAD_MS, self._build_model_pages_if_idle)

    def set_dataset(self, dataset: Any) -> None:
        """Show ``dataset`` and make it the one training uses."""
        self.end_stepping()  # a run paused between steps trained on the file before
        self.dataset = dataset
        self.data_page.show_dataset(dataset)
        self.train_page.set_dataset_rows(dataset.n_rows)
        self.train_page.features.set_dataset(dataset)
        if self.model_pages_built:
            self.predict_page.set_dataset(dataset)
        prov = dataset.provenance
        self.setWindowTitle(f"{prov.file_name} — heartgui")
        rebuilt = self._rebuild_opened_model_results()
        self.statusBar().showMessage(
            f"Opened {prov.file_name}: {dataset.n_rows} patients"
            + (f", {len(prov.dropped)} rows left out" if prov.dropped else "")
            + (f", {len(prov.incomplete)} lacking a finding" if prov.incomplete else "")
            + (
                f". It is the data the model opened before was trained on: its {rebuilt.test_metrics.n} "
                "test patients were set aside again, so Results shows how it does on them."
                if rebuilt is not None
                else ". Next: Train."
            )
        )
        self._update_enabled()
        self._update_model_note()

    def _rebuild_opened_model_results(self) -> Any:
        """An opened model without Results whose own data was just loaded gets them (else ``None``)."""
        sha, _ = self._model_data
        if self.model is None or self.result is not None or self.training or self.model_settings is None:
            return None
        if sha != self.dataset.provenance.sha256:
            return None
        from heartgui.core.training import rebuilt_result

        try:
            self.result = rebuilt_result(self.dataset, self.model, self.model_settings)
        except ValueError:
            return None  # (the file's settings do not describe its split: no Results, as before)
        self.result_provenance = self.dataset.provenance  # its SHA-256 is the model's data's
        self._show_model_pages(threshold_origin="the threshold saved with the model")
        return self.result

    # recent files
    def recent_files(self) -> list[str]:
        """Recently opened data files that still exist, newest first (at most 8)."""
        stored = stored_settings.string_list(self._settings(), _KEY_RECENT)
        files = [f for f in stored if Path(f).is_file()]
        return files[:MAX_RECENT_FILES]

    def _add_recent(self, path: str, settings: QSettings | None = None) -> None:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        if settings is None:
            settings = self._settings()
        settings.setValue(_KEY_RECENT, files[:MAX_RECENT_FILES])

    @Slot()
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        self._settings().setValue(_KEY_RECENT, files)  # forget files that no longer exist
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number}  {Path(path).name}")
            action.setToolTip(path)
            action.setData(path)
            action.triggered.connect(self._open_recent)
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    @Slot()
    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_data(str(action.data()))

    # drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.pages_ready and any(url.isLocalFile() for url in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_data(files[0])

    # ----------------------------------------------------------------------------------------------
    # training
    @property
    def threshold(self) -> float:
        """The decision threshold in use: the Results page's (by default the cost-optimal one, 1/6)."""
        if self._threshold is None:
            if self.model_pages_built:
                return float(self.results_page.threshold_panel.threshold)
            from heartgui.core.evaluation import cost_optimal_threshold

            return cost_optimal_threshold()
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._threshold = float(value)

    def _threshold_is_chosen(self) -> bool:
        """True when the threshold is not the cost-optimal default (the student set it, or a model had it)."""
        return self.model_pages_built and not self.results_page.threshold_panel.follows_costs

    @property
    def training(self) -> bool:
        return self._training_run is not None

    @Slot()
    @Slot(object)
    def start_training(self, settings: Any = None) -> None:
        """Train with the Train page's settings (F5), or go on with the run paused between steps."""
        self._start_job(settings, mode="run")

    @Slot()
    @Slot(object)
    def step_training(self, settings: Any = None) -> None:
        """One epoch of the paused run (or of a new one); during a run, pause it after this epoch."""
        if self._training_run is not None:
            if self._run_mode == "run":
                job = self._jobs.get(self._training_run)
                if job is not None:
                    job.request_stop()  # the run pauses: its session stays open (see _finished_job)
                    self.statusBar().showMessage("Pausing after the current epoch…")
            return
        self._start_job(settings, mode="step")

    @Slot()
    def step_back_training(self) -> None:
        """Back to the weights before the last epoch of the paused run."""
        control = self._stepping
        if self._training_run is not None or control is None or control.session is None:
            return
        session = control.session
        if session.epochs_run <= 1 or not session.steps_back:
            return
        self._start_job(None, mode="back")

    @Slot(object)
    def _on_speed_changed(self, rate: Any) -> None:
        if self._stepping is not None:
            self._stepping.epochs_per_second = rate  # a running job reads it before its next epoch

    def end_stepping(self) -> None:
        """Forget the run paused between steps (its model stays in use)."""
        if self._stepping is not None and self._training_run is None:
            session = self._stepping.session
            self._stepping = None
            if session is not None:
                session.close()
            if self.pages_ready:
                self.train_page.session_ended()

    def _continues(self, settings: Any) -> bool:
        """Whether ``settings`` are those of the run paused between steps (the threshold aside)."""
        control = self._stepping
        if control is None or control.session is None or control.session.over:
            return False
        paused = control.session.settings
        return bool(paused.replace(threshold=0.0, preset="x") == settings.replace(threshold=0.0, preset="x"))

    def _start_job(self, settings: Any, *, mode: str) -> None:
        if not self.pages_ready or self.dataset is None or self._training_run is not None:
            return
        if mode == "back":
            settings = self._stepping.session.settings
        elif settings is None:
            try:
                settings = self.train_page.settings()
            except ValueError:
                self.show_page(PAGE_TRAIN)
                self.statusBar().showMessage("Check the hidden layer sizes on the Train page.")
                return
        if settings.patience is not None and settings.validation_fraction == 0:
            from heartgui.gui.pages.train_page import PATIENCE_NEEDS_VALIDATION

            self.show_page(PAGE_TRAIN)
            self.statusBar().showMessage(PATIENCE_NEEDS_VALIDATION)
            return
        problem = self.train_page.architecture_problem(settings)
        if problem is not None:  # refused before a worker asks for gigabytes (the page shows why)
            self.show_page(PAGE_TRAIN)
            self.statusBar().showMessage(problem)
            return
        try:  # the patients who have every finding the model uses (fast: a mask over the rows)
            used = self.dataset.complete(settings.used_features)
        except ValueError as exc:
            self.show_page(PAGE_TRAIN)
            self.statusBar().showMessage(f"Cannot train: {exc}.")
            return
        from heartgui.gui.workers import RunControl, training_job

        continuing = mode == "back" or self._continues(settings)
        if not continuing:
            self.end_stepping()
            # Trained at the threshold in use, so the model, its figures, Predict and a saved file agree.
            self._remember_training_settings(settings)
            settings = settings.replace(threshold=self.threshold, preset=settings.preset)
            self._stepping = RunControl(self.train_page.epochs_per_second())
            # A run watched (stepped, or in slow motion) gets an axis that grows with it; a run at full
            # speed spans its planned epochs (no full draws while it trains).
            self.train_page.plot.grows = mode != "run" or self.train_page.epochs_per_second() is not None
        control = self._stepping
        control.epochs_per_second = self.train_page.epochs_per_second()
        job = self._new_job(
            training_job(
                used,
                settings,
                control=control,
                steps=1 if mode == "step" else None,
                back=mode == "back",
            )
        )
        job.worker.progressed.connect(self._on_training_progressed)
        job.worker.finished.connect(self._on_training_finished)
        job.worker.failed.connect(self._on_training_failed)
        job.worker.cancelled.connect(self._on_training_cancelled)
        self._training_run = job.run_id
        self._run_mode, self._end_requested = mode, False
        self._training_data_name = self.dataset.provenance.file_name
        self._training_provenance = used.provenance
        self.show_page(PAGE_TRAIN)  # shown first, so the plot is drawn once at its final size
        if continuing:
            self.train_page.training_resumed()
        else:
            self.train_page.training_started(settings)
        if mode == "run":
            left = self.dataset.n_rows - used.n_rows
            self.statusBar().showMessage(
                f"Training on {self.dataset.provenance.file_name}: {settings.epochs:,} epochs…"
                + (
                    f" ({left} patient{'s' if left != 1 else ''} lacking a finding the model uses left out)"
                    if left
                    else ""
                )
            )
        self._update_enabled()
        # Started once Qt has painted the page's new state (buttons, progress, status): a worker started
        # at once competed with that repaint for the interpreter, the first tick of a run's heartbeat.
        job.start_after_paint()

    @contextlib.contextmanager
    def _training_paused(self) -> Iterator[None]:
        """Pause the training worker between two epochs while the UI thread does a long draw."""
        job = self._jobs.get(self._training_run) if self._training_run is not None else None
        if job is not None:
            job.worker.pause()
        try:
            yield
        finally:
            if job is not None:
                job.worker.resume()

    @Slot()
    def stop_training(self) -> None:
        """Stop the run after the current epoch (Esc), or end the run paused between steps."""
        job = self._jobs.get(self._training_run) if self._training_run is not None else None
        if job is not None:
            self._end_requested = True
            job.request_stop()
            self.statusBar().showMessage("Stopping after the current epoch…")
        elif self._stepping is not None:
            self.end_stepping()
            self.statusBar().showMessage(
                "The run is ended: the model keeps its weights. Step or Start (F5) begins a new run."
            )
            self._update_enabled()

    def _is_current_training(self, run_id: int) -> bool:
        return run_id == self._training_run and not self._closing

    @Slot(int, object)
    def _on_training_progressed(self, run_id: int, items: Any) -> None:
        if not self._is_current_training(run_id):
            return
        from heartgui.gui.workers import WeightsSnapshot

        # A batch is the epoch reports since the last one, then at most one weights snapshot.
        latest = items[-1] if items and isinstance(items[-1], WeightsSnapshot) else None
        reports = items[:-1] if latest is not None else items
        if reports:
            self.train_page.add_reports(reports)
        if latest is not None and self.model_pages_built:  # the Inside page, once built, draws it live
            self.network_page.set_feature_names(latest.feature_names)
            self.network_page.show_training_weights(latest.weights, latest.biases, latest.epoch)

    @Slot(int, object)
    def _on_training_finished(self, run_id: int, result: Any) -> None:
        if not self._is_current_training(run_id):
            return
        self._training_run = None
        # The run waits between steps unless it was stopped (Stop), or cannot go on (all epochs done,
        # early stopping): then it has ended.
        session = self._stepping.session if self._stepping is not None else None
        paused = session is not None and not self._end_requested and not session.over
        if not paused:
            self._stepping = None
            if session is not None:
                session.close()
        self.result = result
        self.result_provenance = self._training_provenance
        self._model_path = None
        self.model = result.model
        self.model_settings = result.settings
        self._model_data = (result.data_sha256, self._training_data_name)
        self.threshold = result.settings.threshold
        metrics = result.test_metrics
        from heartgui.gui.pages.train_page import ending_words, paused_words
        from heartgui.gui.widgets.wording import percent, threshold_percent

        threshold = threshold_percent(self.threshold)
        words = paused_words(result) if paused else ending_words(result)
        message = (
            f"{words} On the {metrics.n} test patients the model was right "
            f"{percent(metrics.accuracy, 0)} of the time at the decision threshold of {threshold}"
            + (
                f" ({self.results_page.threshold_panel.origin_words}), which a new training keeps."
                if self._threshold_is_chosen()
                else "."
            )
        )
        if paused:
            self.train_page.training_paused(result, message)
        else:
            self.train_page.training_finished(result, message)
        # The kept threshold keeps its origin too ("the threshold saved with the model").
        if paused:
            self._model_pages_stale = True  # handed over when one of those pages is shown
            if self.stack.currentIndex() in (PAGE_RESULTS, PAGE_PREDICT, PAGE_NETWORK):
                self._show_stale_model_pages()
        else:
            self._model_pages_stale = False
            self._show_model_pages(threshold_origin=self.results_page.threshold_panel.origin_words)
        self.statusBar().showMessage(message + " See Results.")
        self._update_enabled()
        self._update_model_note()
        self.training_finished.emit(result)

    @Slot(int, str)
    def _on_training_failed(self, run_id: int, message: str) -> None:
        if not self._is_current_training(run_id):
            return
        self._training_run = None
        self._stepping = None  # a run that diverged cannot go on
        from heartgui.core.network import DIVERGED_PREFIX

        kept = " The model from before is still in use." if self.model is not None else ""
        message = f"{message} No model was made from this run.{kept}"
        self.train_page.training_failed(message, diverged=message.startswith(DIVERGED_PREFIX))
        self.statusBar().showMessage(message)
        self._update_enabled()
        self.training_failed.emit(message)
        QMessageBox.warning(self, "Training stopped", message)

    @Slot(int)
    def _on_training_cancelled(self, run_id: int) -> None:
        if not self._is_current_training(run_id):
            return
        self._training_run = None
        self._stepping = None
        self.train_page.training_cancelled("Training was stopped before the first epoch finished.")
        self.statusBar().showMessage("Training stopped before it learnt anything.")
        self._update_enabled()
        self.training_cancelled.emit()

    def _show_model_pages(self, *, threshold_origin: str | None = None) -> None:
        """Give the trained (or rebuilt) model to the Results, Predict and Inside pages."""
        self._model_pages_stale = False
        self.results_page.show_result(self.result, threshold_origin=threshold_origin)
        self.predict_page.set_model(self.model, self.dataset, self.threshold)
        split = self.result.split
        self.predict_page.set_training_data(split.X_train, split.y_train, self.result.settings)
        self.network_page.set_model(self.model)
        self.network_page.set_training_data(split.X_train, split.y_train)  # the backward walk-through's batch
        self.network_page.set_patient(self.predict_page.patient)

    @Slot(int, object)
    def _open_patient_in_predict(self, line: int, findings: dict) -> None:
        """A test patient listed on Results → the Predict form, as "Fill from dataset row…" fills it."""
        dataset = self.dataset
        rows = [] if dataset is None else [int(i) for i in (dataset.lines == line).nonzero()[0]]
        # The same line of the same patient: a file loaded since the training may hold another one there.
        if dataset is None or not rows or dataset.row(rows[0]) != findings:
            self.statusBar().showMessage(
                f"Line {line} of the data loaded now is not that test patient (another file was opened "
                "since the training), so it was not opened in Predict."
            )
            return
        self.predict_page.fill_from_row(rows[0] + 1)
        self.show_page(PAGE_PREDICT)
        self.statusBar().showMessage(f"Test patient of line {line} opened on the Predict page.")

    @Slot(float)
    def _on_threshold_changed(self, threshold: float) -> None:
        """The Results page's threshold is the one Predict, the reports and a saved model use."""
        self.threshold = float(threshold)
        session = self._stepping.session if self._stepping is not None else None
        if session is not None and self._training_run is None:
            # The run paused between steps decides its next models at this threshold too.
            session.model.set_params(threshold=self.threshold)
            session.settings = session.settings.replace(
                threshold=self.threshold, preset=session.settings.preset
            )
        if self.model is not None:
            self.model.set_params(threshold=self.threshold)
            self.predict_page.set_model(self.model, self.dataset, self.threshold)
            from heartgui.gui.widgets.wording import threshold_percent

            # Replaces the training message, whose accuracy was at the threshold before.
            self.statusBar().showMessage(
                f"Decision threshold {threshold_percent(self.threshold)}: Predict, saved models and "
                "reports now use it."
            )

    @Slot(object)
    def _remember_training_settings(self, settings: Any) -> None:
        self._settings().setValue(_KEY_TRAINING, json.dumps(settings.as_dict()))
        if self._stepping is not None and not self._continues(settings):
            self.end_stepping()  # a changed setting ends the run paused between steps

    # ----------------------------------------------------------------------------------------------
    # models
    @Slot()
    def save_model_dialog(self) -> None:
        """Ask where to save the current model, then save it (with its settings, metrics and data)."""
        if self.model is None:
            return
        from heartgui.core.model_file import EXTENSION, save_model

        suggested = str(Path(self.last_folder()) / f"heart-model{EXTENSION}")
        path, _ = QFileDialog.getSaveFileName(self, "Save model", suggested, MODEL_FILTER)
        if not path:
            return
        if not Path(path).suffix:
            path += EXTENSION
        from heartgui.gui.save_guard import MODEL, confirm_save

        if not confirm_save(self, path, MODEL):
            return
        trained_here = self.result is not None and self.result.model is self.model
        metrics = None
        if trained_here:
            from heartgui.core.evaluation import evaluate

            metrics = evaluate(self.result.split.y_test, self.result.test_risk, self.threshold)
        self.model.set_params(threshold=self.threshold)
        settings = self.model_settings
        if settings is not None and settings.threshold != self.threshold:
            settings = settings.replace(threshold=self.threshold, preset=settings.preset)
        try:
            save_model(
                path,
                self.model,
                settings=settings,
                metrics=metrics,
                data_sha256=self._model_data[0],
                data_name=self._model_data[1],
                fingerprints=self._model_fingerprints() if trained_here else None,
            )
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Cannot save the model", f"The model was not saved to {path}.\n\n{exc}")
            return
        self._settings().setValue(_KEY_LAST_FOLDER, str(Path(path).parent))
        self.statusBar().showMessage(f"Saved the model to {path}.")

    def _model_fingerprints(self) -> Any:
        """Which patients the model was trained and tested on, so a validation can set them apart."""
        return self.result.split.fingerprints  # (computed by the training worker)

    def model_fingerprints(self) -> Any:
        """The patients the current model was made from: its run's split when trained here, else what its
        model file records (``None`` for a file saved before heartgui recorded them)."""
        if self.result is not None and self.result.model is self.model and self.result.loss_curve:
            return self._model_fingerprints()
        return self._opened_fingerprints

    @Slot()
    def open_model_dialog(self) -> None:
        """Ask for a model file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open model", self.last_folder(), MODEL_FILTER)
        if path:
            self.open_model(path)

    def open_model(self, path: str | Path) -> bool:
        """Open a saved model for the Predict page; on a bad file say why and change nothing."""
        self.finish_startup()
        from heartgui.core.model_file import ModelFileError, load_model

        try:
            saved = load_model(path)
        except (ModelFileError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open the model", str(exc))
            self.statusBar().showMessage(f"Could not open the model {Path(path).name}; nothing was changed.")
            return False
        rebuilt, why_not = self._rebuilt_result(saved)
        self.end_stepping()  # the opened model replaces the paused run's
        self.model = saved.model
        self.model_settings = saved.settings
        self._model_data = (saved.data_sha256, saved.data_name)
        self._opened_metrics = saved.metrics
        self._opened_fingerprints = saved.fingerprints
        self.threshold = float(saved.model.threshold)
        self.result = rebuilt  # None: the Results page showed another model
        # A rebuilt result was trained on the data loaded now (its SHA-256 matched).
        self.result_provenance = None if rebuilt is None else self.dataset.provenance
        self._model_path = saved.path
        name = Path(path).name
        if rebuilt is not None:
            self._show_model_pages(threshold_origin="the threshold saved with the model")
            message = (
                f"Opened the model {name}, trained on {self.dataset.provenance.file_name}, the data loaded: "
                f"its {rebuilt.test_metrics.n} test patients were set aside again from the split seed and "
                "test fraction it records, so Results shows how it does on them. Next: Results or Predict."
            )
        else:
            self.results_page.clear()
            self.predict_page.set_model(self.model, self.dataset, self.threshold)
            self.network_page.set_model(self.model)
            self.network_page.set_patient(self.predict_page.patient)
            trained_on = f", trained on {saved.data_name}" if saved.data_name else ""
            message = f"Opened the model {name}{trained_on}.{why_not} Next: Predict."
        self._settings().setValue(_KEY_LAST_FOLDER, str(Path(path).parent))
        self.statusBar().showMessage(message)
        self._update_enabled()
        self._update_model_note()
        self.show_page(PAGE_PREDICT)
        self.model_opened.emit(saved)
        return True

    def _rebuilt_result(self, saved: Any) -> tuple[Any, str]:
        """The Results of an opened model whose own data is loaded, and otherwise why there are none."""
        if self.dataset is None:
            return None, " Results need the data it was trained on: open that file, then the model again."
        if saved.data_sha256 != self.dataset.provenance.sha256:
            return (
                None,
                f" It has no Results here: it was not trained on {self.dataset.provenance.file_name}.",
            )
        if saved.settings is None:
            return None, " Its file does not record how its test patients were chosen, so it has no Results."
        from heartgui.core.training import rebuilt_result

        try:
            return rebuilt_result(self.dataset, saved.model, saved.settings), ""
        except ValueError as exc:
            return None, f" Its test patients could not be set aside again ({exc}), so it has no Results."

    # ----------------------------------------------------------------------------------------------
    # many patients, reports
    @Slot()
    def open_batch_dialog(self) -> None:
        """Predict a CSV of patients with the current model and threshold."""
        if self.model is None:
            return
        from heartgui.gui.batch_dialog import BatchDialog

        BatchDialog(self.model, self.threshold, parent=self).exec()

    @Slot()
    def open_validate_dialog(self) -> None:
        """Score the current model on another labelled file (the model's own patients set apart)."""
        if self.model is None:
            return
        from heartgui.gui.validate_dialog import ValidateDialog

        ValidateDialog(
            self.model, self.threshold, self.model_fingerprints(), self._model_data[0], parent=self
        ).exec()

    @Slot()
    def save_training_report(self) -> None:
        """Write a PDF of the current training session (asks where)."""
        if self.result is None:
            return
        from heartgui.gui.report_actions import save_training_report

        # The run's own data file (another may have been opened since) and the Results page's threshold.
        save_training_report(
            self,
            self.result,
            self.result_provenance,
            threshold=self.threshold,
            threshold_source="the threshold chosen on the Results page",
        )

    @Slot()
    def save_patient_report(self) -> None:
        """Write a PDF of the Predict page's patient (asks where)."""
        if self.model is None:
            return
        from heartgui.core.evaluation import Metrics, evaluate
        from heartgui.gui.report_actions import save_patient_report

        # The test figures at the threshold in use (the report leaves out figures at another threshold).
        test_metrics = None
        if self.result is not None and self.result.model is self.model:
            test_metrics = evaluate(self.result.split.y_test, self.result.test_risk, self.threshold)
        elif self._opened_metrics is not None:
            try:
                test_metrics = Metrics(**self._opened_metrics)
            except TypeError:  # a file with other fields: say nothing rather than something wrong
                test_metrics = None
        save_patient_report(
            self,
            self.model,
            self.predict_page.patient,
            self.threshold,
            spread=self.predict_page.spread(),
            settings=self.model_settings,
            test_metrics=test_metrics,
            data_name=self._model_data[1],
            training=self.predict_page.training_facts,
            cholesterol_unit=self.predict_page.form.cholesterol_unit,
        )

    # ----------------------------------------------------------------------------------------------
    # about, settings, closing
    @Slot()
    def show_help(self, term: str | None = None) -> Any:
        """Open the Help window (not modal) at the current page's step, or at ``term``'s entry."""
        from heartgui.gui.help_dialog import HelpDialog

        if self._help_dialog is None:
            self._help_dialog = HelpDialog(self)
        dialog = self._help_dialog
        dialog.show()  # first: a text can only be scrolled to an anchor once it is laid out at its size
        if QApplication.platformName() != "offscreen":  # (which cannot raise a window, and warns)
            dialog.raise_()
        dialog.activateWindow()
        if term is None or not dialog.show_term(term):
            dialog.show_step(_PAGE_TITLES[max(self.sidebar.currentRow(), 0)].split()[-1])
        return dialog

    @Slot()
    def show_about(self) -> None:
        from heartgui.core.schema import DATA_CITATION

        QMessageBox.about(
            self,
            "About heartgui",
            f"<h3>heartgui {heartgui.__version__}</h3>"
            "<p>A teaching tool: a small neural network, written from scratch in NumPy, learns to predict "
            "heart-disease risk from 13 clinical findings.</p>"
            "<p><b>Teaching tool — not for clinical decisions.</b></p>"
            f"<p><b>Data.</b> {DATA_CITATION}</p>",
        )

    @Slot()
    def reset_settings(self) -> None:
        """Ask, then forget every remembered setting and show the defaults (files are not touched)."""
        answer = QMessageBox.question(
            self,
            "Reset settings",
            "Forget the window size, the recent files, the last folder and the training settings, "
            "and go back to the recommended settings?\n\n"
            "Your data files, models and reports are not touched.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes or self.training:
            return
        stored_settings.reset(self._settings())
        self._stored_settings_bad = False
        if self.pages_ready:
            from heartgui.core.presets import RECOMMENDED

            self.train_page.set_settings(RECOMMENDED)
        self.resize(1200, 800)
        self.splitter.setSizes([170, 1030])
        self.statusBar().showMessage("Settings reset: heartgui starts as it did the first time.")

    def _restore_window(self) -> None:
        settings = self._settings()
        geometry = stored_settings.byte_array(settings, _KEY_GEOMETRY)
        # restoreGeometry returns False for a blob Qt cannot read: the preferred size is used then.
        restored = geometry is not None and self.restoreGeometry(geometry)
        maximised = Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen
        if not self.windowState() & maximised:
            # The first size fits the screen: a laptop's 1280 × 720 has no room for 1200 × 800, and a size
            # saved on a large monitor may not fit the screen the window opens on now.
            wanted = self.geometry() if restored else PREFERRED_SIZE
            screen = (
                QGuiApplication.screenAt(self.geometry().center()) if restored else None
            ) or self.screen()
            self.setGeometry(fit_to_screen(screen.availableGeometry(), wanted, self.minimumSize()))
        splitter = stored_settings.byte_array(settings, _KEY_SPLITTER)
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([170, 1030])

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop every job and wait for its thread, so closing during training exits cleanly."""
        self._closing = True
        for job in list(self._jobs.values()):
            job.stop_and_wait()
        if self.model_pages_built:
            self.results_page.shutdown()  # its comparison and cross-validation threads
            self.predict_page.shutdown()  # the "How sure" ensemble thread
        from heartgui.gui import report_actions, workers
        from heartgui.gui.collector import thaw_survivors

        report_actions.wait_for_reports()  # a PDF being written finishes (about a second)
        workers.stop_orphaned_jobs()  # dialogs (many patients, validation) closed while reading
        thaw_survivors()
        self._training_run = None
        self._load_run = None
        settings = self._settings()
        settings.setValue(_KEY_GEOMETRY, self.saveGeometry())
        settings.setValue(_KEY_SPLITTER, self.splitter.saveState())
        settings.sync()
        event.accept()
        super().closeEvent(event)
        QTimer.singleShot(0, self._drop_finished_jobs)

    @Slot()
    def _drop_finished_jobs(self) -> None:
        for run_id in list(self._jobs):
            self._on_job_done(run_id)
