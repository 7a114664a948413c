"""The Train page: choose the settings, start and stop training, and watch the loss fall.

The page only edits :class:`~heartgui.core.presets.TrainingSettings` and shows progress; the window owns
the worker thread. Every field refuses invalid values, so :meth:`TrainPage.settings` always returns
settings the core accepts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.core.network import MAX_PARAMETERS, MAX_TRAINING_MB, EpochReport, check_architecture
from heartgui.core.presets import PRESETS, RECOMMENDED, TrainingSettings
from heartgui.gui.widgets.loss_plot import LossPlot

__all__ = ["TrainPage", "format_layers", "parse_layers"]

_LAYERS_PATTERN = r"\s*[1-9]\d{0,3}(\s*,\s*[1-9]\d{0,3}){0,4}\s*"
_PRESET_TITLES = {
    "tutorial": "Tutorial (the notebook's run)",
    "recommended": "Recommended",
    "custom": "Custom",
}


def parse_layers(text: str) -> tuple[int, ...]:
    """``"16, 8"`` → ``(16, 8)``; raises ValueError for anything else."""
    if not re.fullmatch(_LAYERS_PATTERN, text):
        raise ValueError(f"not a list of layer sizes: {text!r}")
    return tuple(int(part) for part in text.split(","))


def format_layers(layers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in layers)


def _format_seconds(seconds: float) -> str:
    if seconds < 1:
        return "less than a second"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.0f} min"


#: Seconds between two updates of the progress bar and the loss label during a run.
PROGRESS_INTERVAL_S = 0.1


class TrainPage(QWidget):
    """Settings form, Start/Stop/Reset buttons, a progress bar and the live loss plot.

    Signals
    -------
    start_requested(TrainingSettings) : the student pressed Start with valid settings.
    stop_requested() : the student pressed Stop.
    settings_changed(TrainingSettings) : a field changed (the window remembers the last settings).
    """

    start_requested = Signal(object)
    stop_requested = Signal()
    settings_changed = Signal(object)

    def __init__(self, settings: TrainingSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last_progress_shown = 0.0
        self._runs_ended = 0
        # The plot shows the empty axes of the next run while the student is still choosing, so that run
        # starts from their pixels (see LossPlot.plan); typing a number of epochs redraws them once, when
        # the typing pauses, not on every digit.
        self._plan_timer = QTimer(self)
        self._plan_timer.setSingleShot(True)
        self._plan_timer.setInterval(300)
        self._plan_timer.timeout.connect(self._plan_plot)
        self.setAccessibleName("Train page")
        self._filling = False
        self._running = False
        self._has_data = False
        self._base = settings or RECOMMENDED
        self._build()
        self.set_settings(self._base)
        self._update_buttons()

    # ----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        self.preset = QComboBox()
        for key in ("tutorial", "recommended", "custom"):
            self.preset.addItem(_PRESET_TITLES[key], key)
        self._describe(
            self.preset,
            "Preset",
            "Ready-made settings: the tutorial's run exactly, or choices that generalise better. "
            "Changing any field makes the settings custom.",
        )
        self.preset.activated.connect(self._on_preset_chosen)

        self.layers = QLineEdit()
        self.layers.setValidator(
            QRegularExpressionValidator(QRegularExpression(_LAYERS_PATTERN), self.layers)
        )
        self.layers.setPlaceholderText("e.g. 8 or 16, 8")
        self._describe(
            self.layers,
            "Hidden layers",
            "How many artificial neurons each hidden layer has, separated by commas (e.g. 8, or 16, 8). "
            f"At most 5 layers of up to 9999; the whole network may have at most {MAX_PARAMETERS:,} weights "
            f"and need at most {MAX_TRAINING_MB} MB of memory to train.",
        )
        # Why the layers cannot be trained (too large), right under the field; hidden while they can.
        self.layers_problem = QLabel()
        self.layers_problem.setWordWrap(True)
        self.layers_problem.setAccessibleName("Hidden layers problem")
        self.layers_problem.setStyleSheet("color: #b71c1c;")
        self.layers_problem.hide()
        self._dataset_rows = 0

        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setRange(1e-5, 10.0)
        self.learning_rate.setDecimals(5)
        self.learning_rate.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._describe(
            self.learning_rate,
            "Learning rate",
            "How big a step the network takes to correct itself after each epoch: too small learns slowly, "
            "too large never settles.",
        )

        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setGroupSeparatorShown(True)
        self._describe(self.epochs, "Epochs", "How many times the network studies all training patients.")

        self.seed = QSpinBox()
        self.seed.setRange(0, 2_147_483_647)
        self._describe(
            self.seed,
            "Seed",
            "The number that fixes the random starting weights, so the same settings give the same result.",
        )

        self.test_size = QDoubleSpinBox()
        self.test_size.setRange(0.1, 0.5)
        self.test_size.setDecimals(2)
        self.test_size.setSingleStep(0.05)
        self._describe(
            self.test_size,
            "Test fraction",
            "Share of patients kept aside, never seen in training, to test the finished model honestly.",
        )

        self.validation = QDoubleSpinBox()
        self.validation.setRange(0.0, 0.4)
        self.validation.setDecimals(2)
        self.validation.setSingleStep(0.05)
        self._describe(
            self.validation,
            "Validation fraction",
            "Share of training patients held back to watch, epoch by epoch, whether the network overfits.",
        )

        self.l2 = QDoubleSpinBox()
        self.l2.setRange(0.0, 1.0)
        self.l2.setDecimals(4)
        self.l2.setSingleStep(0.01)
        self._describe(
            self.l2,
            "Weight decay (L2)",
            "A penalty on large weights that keeps the network simple, so it works on new patients too.",
        )

        self.one_hot = QCheckBox("One column per code (chest pain, ECG, thallium)")
        self._describe(
            self.one_hot,
            "One-hot encoding",
            "Give each chest-pain type, ECG finding and thallium result its own input, "
            "instead of treating their codes as numbers.",
        )

        self.init = QComboBox()
        self.init.addItem("Normal (the tutorial's)", "normal")
        self.init.addItem("He (scaled to each layer)", "he")
        self._describe(
            self.init,
            "Initial weights",
            "How the random starting weights are drawn; He scales them to the layer size, which trains "
            "more reliably.",
        )

        self.gradient = QComboBox()
        self.gradient.addItem("Sum over patients (the tutorial's)", "sum")
        self.gradient.addItem("Mean over patients", "mean")
        self._describe(
            self.gradient,
            "Gradient",
            "Whether each correction adds up every patient's error or averages it; the average makes the "
            "learning rate independent of how many patients there are.",
        )

        self.patience = QSpinBox()
        self.patience.setRange(0, 100_000)
        self.patience.setSpecialValueText("never stop early")
        self._describe(
            self.patience,
            "Patience",
            "Stop when the validation loss has not improved for this many epochs (needs a validation "
            "fraction above 0).",
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for widget, text in (
            (self.preset, "&Preset:"),
            (self.layers, "&Hidden layers:"),
            (self.learning_rate, "&Learning rate:"),
            (self.epochs, "&Epochs:"),
            (self.seed, "See&d:"),
            (self.test_size, "&Test fraction:"),
            (self.validation, "&Validation fraction:"),
            (self.l2, "Weight decay (L&2):"),
            (self.one_hot, "&One-hot:"),
            (self.init, "&Initial weights:"),
            (self.gradient, "&Gradient:"),
            (self.patience, "P&atience:"),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.insertRow(2, self.layers_problem)
        settings_box = QGroupBox("Settings")
        settings_box.setLayout(form)

        self.start_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Start")
        self._describe(self.start_button, "Start training", "Train a new network with these settings (F5).")
        self.start_button.clicked.connect(self._on_start)
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop")
        self._describe(
            self.stop_button,
            "Stop training",
            "Stop after the current epoch and keep what was learnt so far (Esc).",
        )
        self.stop_button.clicked.connect(self.stop_requested)
        self.reset_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogResetButton), "Reset"
        )
        self._describe(self.reset_button, "Reset settings", "Put every field back to the recommended preset.")
        self.reset_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.reset_button)

        self.hint = QLabel("Open a data file first (Data page).")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Training hint")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(settings_box)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.hint)
        left_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(390)
        scroll.setMaximumWidth(470)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not started")
        self.progress.setTextVisible(True)
        self._describe(
            self.progress, "Training progress", "Which epoch the network is at, and the time left."
        )
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Training status")
        # A fixed height: a label that grew by a line would resize the plot, and a resize is a full redraw.
        self.status.setFixedHeight(self.status.fontMetrics().lineSpacing() * 2 + 4)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.plot = LossPlot()

        right = QVBoxLayout()
        right.addWidget(self.progress)
        right.addWidget(self.status)
        right.addWidget(self.plot, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(right, 1)

        for box in (self.learning_rate, self.test_size, self.validation, self.l2):
            box.valueChanged.connect(self._on_edited)
        for spin in (self.epochs, self.seed, self.patience):
            spin.valueChanged.connect(self._on_edited)
        for combo in (self.init, self.gradient):
            combo.currentIndexChanged.connect(self._on_edited)
        self.one_hot.toggled.connect(self._on_edited)
        self.layers.textEdited.connect(self._on_edited)

    @staticmethod
    def _describe(widget: QWidget, name: str, tip: str) -> None:
        widget.setAccessibleName(name)
        widget.setToolTip(tip)
        widget.setAccessibleDescription(tip)

    # ----------------------------------------------------------------------------------------------
    def set_settings(self, settings: TrainingSettings) -> None:
        """Fill every field from ``settings`` (and select its preset)."""
        self._filling = True
        try:
            self._base = settings
            self.layers.setText(format_layers(settings.hidden_layers))
            self.learning_rate.setValue(settings.learning_rate)
            self.epochs.setValue(settings.epochs)
            self.seed.setValue(settings.seed)
            self.test_size.setValue(settings.test_size)
            self.validation.setValue(settings.validation_fraction)
            self.l2.setValue(settings.l2)
            self.one_hot.setChecked(settings.one_hot)
            self.init.setCurrentIndex(max(self.init.findData(settings.init), 0))
            self.gradient.setCurrentIndex(max(self.gradient.findData(settings.gradient), 0))
            self.patience.setValue(settings.patience or 0)
            preset = settings.preset if settings.preset in _PRESET_TITLES else "custom"
            self.preset.setCurrentIndex(self.preset.findData(preset))
        finally:
            self._filling = False
        self._update_buttons()
        self._plan_plot()

    def settings(self) -> TrainingSettings:
        """The settings the fields show (raises ValueError if the layer sizes are incomplete)."""
        preset = self.preset.currentData()
        values = {
            "hidden_layers": parse_layers(self.layers.text()),
            "learning_rate": self.learning_rate.value(),
            "epochs": self.epochs.value(),
            "seed": self.seed.value(),
            "test_size": self.test_size.value(),
            "validation_fraction": self.validation.value(),
            "l2": self.l2.value(),
            "one_hot": self.one_hot.isChecked(),
            "init": self.init.currentData(),
            "gradient": self.gradient.currentData(),
            "patience": self.patience.value() or None,
        }
        if preset in PRESETS:
            return PRESETS[preset].replace(preset=preset, **values)
        return self._base.replace(preset="custom", **values)

    def reset(self) -> None:
        self.set_settings(RECOMMENDED)
        self.settings_changed.emit(self.settings())

    def set_dataset_rows(self, n_rows: int) -> None:
        """The number of patients in the data file: training needs memory in proportion to it."""
        self._dataset_rows = int(n_rows)
        self._update_buttons()

    def architecture_problem(self, settings: TrainingSettings | None = None) -> str | None:
        """Why the hidden layers of ``settings`` (default: the fields') are too large to train, or None.

        The check of :func:`~heartgui.core.network.check_architecture`, with the input width of the
        encoding chosen and every patient of the file (an upper bound of the training patients).
        """
        if settings is None:
            if not self.layers.hasAcceptableInput():
                return None
            layers, one_hot = parse_layers(self.layers.text()), self.one_hot.isChecked()
        else:
            layers, one_hot = tuple(settings.hidden_layers), settings.one_hot
        inputs = len(schema.FEATURE_NAMES)
        if one_hot:
            inputs += sum(len(schema.BY_NAME[n].codes or {}) - 1 for n in schema.NOMINAL_NAMES)
        try:
            check_architecture([inputs, *layers, 1], self._dataset_rows)
        except ValueError as exc:
            return str(exc)
        return None

    def set_data_available(self, available: bool) -> None:
        self._has_data = available
        self._update_buttons()

    def _on_preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key in PRESETS:
            self.set_settings(PRESETS[key])
            self.settings_changed.emit(self.settings())

    def _on_edited(self, *_: object) -> None:
        if self._filling:
            return
        if self.preset.currentData() != "custom":
            self.preset.setCurrentIndex(self.preset.findData("custom"))
        self._update_buttons()
        self._plan_timer.start()
        if self.layers.hasAcceptableInput():
            self.settings_changed.emit(self.settings())

    def _plan_plot(self) -> None:
        if not self._running:
            self.plot.plan(self.epochs.value())

    def _on_start(self) -> None:
        if self.start_button.isEnabled():
            self.start_requested.emit(self.settings())

    def _update_buttons(self) -> None:
        problem = self.architecture_problem()
        self.layers_problem.setText(problem or "")
        self.layers_problem.setVisible(problem is not None)
        valid = self.layers.hasAcceptableInput() and problem is None
        self.start_button.setEnabled(self._has_data and valid and not self._running)
        self.stop_button.setEnabled(self._running)
        self.reset_button.setEnabled(not self._running)
        for widget in self._fields():
            widget.setEnabled(not self._running)
        if not self._has_data:
            self.hint.setText("Open a data file first (Data page).")
        elif problem is not None:
            self.hint.setText("The network is too large to train: see under Hidden layers.")
        elif not valid:
            self.hint.setText("Type the hidden layer sizes as whole numbers separated by commas, e.g. 16, 8.")
        elif self._running:
            self.hint.setText("Training… press Stop (Esc) to keep what was learnt so far.")
        elif self._runs_ended:
            self.hint.setText("Change a setting and press Start (F5) to train again, or go on to Results.")
        else:
            self.hint.setText("Press Start (F5) to train.")

    def _fields(self) -> tuple[QWidget, ...]:
        return (
            self.preset,
            self.layers,
            self.learning_rate,
            self.epochs,
            self.seed,
            self.test_size,
            self.validation,
            self.l2,
            self.one_hot,
            self.init,
            self.gradient,
            self.patience,
        )

    # ----------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def training_started(self, settings: TrainingSettings) -> None:
        self._running = True
        self._last_progress_shown = 0.0
        self.plot.clear(settings.epochs)
        self.progress.setRange(0, settings.epochs)
        self.progress.setValue(0)
        self.progress.setFormat(f"Epoch 0 of {settings.epochs:,}")
        self.status.setText("Splitting the patients and starting…")
        self._update_buttons()

    def add_reports(self, reports: Sequence[EpochReport]) -> None:
        """Show a batch of epoch reports (the last one is the latest)."""
        if not reports:
            return
        self.plot.add_reports(reports)
        last = reports[-1]
        # The progress bar and the loss label repaint (and re-lay out) the page: ~10 times a second is
        # plenty for the eye, and leaves the interpreter to the training worker.
        now = time.perf_counter()
        if now - self._last_progress_shown < PROGRESS_INTERVAL_S and last.epoch < last.n_epochs:
            return
        self._last_progress_shown = now
        self.progress.setMaximum(last.n_epochs)
        self.progress.setValue(last.epoch)
        left = last.elapsed / last.epoch * (last.n_epochs - last.epoch)
        self.progress.setFormat(f"Epoch {last.epoch:,} of {last.n_epochs:,} — {_format_seconds(left)} left")
        text = f"Training loss {last.train_loss:.5f}"
        if last.validation_loss is not None:
            text += f", validation loss {last.validation_loss:.5f}"
        self.status.setText(text)

    def training_ended(self, message: str, epochs_run: int | None = None) -> None:
        """Training finished, stopped, failed or was cancelled; ``message`` says which."""
        self._running = False
        self._runs_ended += 1
        self.plot.finish()
        if epochs_run is not None:
            self.progress.setValue(min(epochs_run, self.progress.maximum()))
            self.progress.setFormat(f"Epoch {epochs_run:,} of {self.progress.maximum():,} — done")
        else:
            self.progress.setFormat(f"Stopped at epoch {self.progress.value():,}")
        self.status.setText(message)
        self._update_buttons()
