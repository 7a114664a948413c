"""The Train page: choose the settings, start and stop training, and watch the loss fall.

The page only edits :class:`~heartgui.core.presets.TrainingSettings` and shows progress; the window owns
the worker thread. Every field refuses invalid values, so :meth:`TrainPage.settings` always returns
settings the core accepts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from heartgui.core import schema
from heartgui.core.network import MAX_PARAMETERS, MAX_TRAINING_MB, EpochReport, check_architecture
from heartgui.core.presets import PRESETS, RECOMMENDED, TrainingSettings
from heartgui.gui.widgets.checked_spin import CheckedIntSpinBox, CheckedSpinBox, with_message
from heartgui.gui.widgets.feature_checklist import FeatureChecklist
from heartgui.gui.widgets.helper_text import soften
from heartgui.gui.widgets.loss_plot import MAX_PAST_RUNS, TEST_LABEL, LossPlot

#: How many epochs Step back can take back at most (heartgui.core.training.HISTORY_EPOCHS, which is
#: not imported at start-up: it imports scikit-learn).
HISTORY_EPOCHS = 200

if TYPE_CHECKING:  # (heartgui.core.training imports scikit-learn: not at start-up)
    from heartgui.core.training import TrainingResult

__all__ = [
    "SPEEDS",
    "TrainPage",
    "ending_words",
    "format_layers",
    "parse_layers",
    "paused_words",
    "run_label",
]

#: The speed control's choices: (text, epochs per second; ``None`` = as fast as the computer can).
SPEEDS: tuple[tuple[str, float | None], ...] = (
    ("Full speed", None),
    ("100 epochs/s", 100.0),
    ("30 epochs/s", 30.0),
    ("10 epochs/s (slow motion)", 10.0),
    ("5 epochs/s (slow motion)", 5.0),
    ("2 epochs/s (slow motion)", 2.0),
)

_LAYERS_PATTERN = r"\s*[1-9]\d{0,3}(\s*,\s*[1-9]\d{0,3}){0,4}\s*"
_PRESET_TITLES = {
    "tutorial": "Tutorial (the original lesson's run)",
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


#: One plain line under each setting (by the field's accessible name); the tooltip says more.
SETTING_DESCRIPTIONS = {
    "Preset": "Ready-made settings; changing a field makes them Custom.",
    "Hidden layers": "Units per hidden layer: 8 is one layer; 16, 8 is two.",
    "Learning rate": "Step size: too small learns slowly, too large never settles.",
    "Epochs": "How many times the network goes through the training patients.",
    "Seed": "Fixes the random starting weights, so a run can be repeated.",
    "Test fraction": "Share of patients set aside, never trained on, for the test.",
    "Validation fraction": "Share of training patients held back to watch for overfitting.",
    "Weight decay (L2)": "A penalty on large weights: keeps the network simpler.",
    "One input per category (one-hot encoding)": "A 0/1 input per category instead of a code number.",
    "Initial weights": "Random starting weights; scaled to the layer trains more reliably.",
    "Gradient": "Add up or average the patients' errors in each correction.",
    "Patience": "Stop after this many epochs without a better validation loss.",
}

#: Seconds between two updates of the progress bar and the loss label during a run.
PROGRESS_INTERVAL_S = 0.1


#: Why Start is refused when a patience is set without validation patients.
PATIENCE_NEEDS_VALIDATION = (
    "Patience needs a validation fraction above 0: early stopping watches the loss on the validation "
    "patients. Set a validation fraction (e.g. 0.2), or set patience to “never stop early”."
)


def ending_words(result: TrainingResult) -> str:
    """How a finished or stopped run ended, and which epoch's weights the model keeps, in plain words."""
    settings = result.settings
    if result.stop_reason == "opened":
        return (
            f"Opened from a model file, which does not record how its training went. Its "
            f"{len(result.split.y_test)} test patients were set aside again from the test fraction "
            f"({settings.test_size:g}) and split seed ({settings.split_seed}) the file records."
        )
    planned, ran, kept = int(settings.epochs), result.epochs_run, result.kept_epoch
    restores = settings.patience is not None and bool(result.validation_loss_curve)
    best = (
        f" The model keeps the weights of epoch {kept:,}, which had the lowest validation loss"
        f" ({result.validation_loss_curve[kept - 1]:.5f})"
        if restores and 1 <= kept <= len(result.validation_loss_curve)
        else ""
    )
    if result.stop_reason == "early-stopping":
        return (
            f"Early stopping at epoch {ran:,} of {planned:,}: the validation loss had not improved for "
            f"{settings.patience:,} epochs.{best}."
        )
    if result.stop_reason == "stopped":
        kept_words = f"{best} so far." if best and kept != ran else " The model keeps the weights reached."
        return f"Stopped by you at epoch {ran:,} of {planned:,}.{kept_words}"
    finished = f"Finished all {planned:,} epochs: final training loss {result.final_train_loss:.5f}."
    return f"{finished}{best}." if best and kept != ran else finished


_NO_EARLIER = f"Step back: no earlier weights kept (only the last {HISTORY_EPOCHS} epochs' are)."


def paused_words(result: TrainingResult) -> str:
    """What the page says when a run waits between steps (after Step, Step back or a pause)."""
    ran = result.epochs_run
    if ran <= 1:
        back = "Step back: not before epoch 1."
    elif result.steps_back:
        back = "Step back: the weights before the last epoch."
    else:
        back = _NO_EARLIER
    return _paused(ran, int(result.settings.epochs), back)


#: As long as what the window adds to the pause message (the test accuracy at the threshold and where
#: the threshold comes from), for the room the status label reserves before the first Step.
_PAUSE_TAIL = (
    " On the 1,000 test patients the model was right 100% of the time at the decision threshold of "
    "16.7 % (the threshold chosen on the Results page), which a new training keeps."
)


def longest_paused_words(planned: int) -> str:
    """The longest :func:`paused_words` of a run of ``planned`` epochs (the page reserves its room)."""
    return _paused(planned, planned, _NO_EARLIER)


def _paused(ran: int, planned: int, back: str) -> str:
    updates = "update" if ran == 1 else "updates"
    return (
        f"Paused at epoch {ran:,} of {planned:,}: the model has the weights after {ran:,} {updates} "
        f"(Results, Predict and Inside use them). Step: one more epoch. {back} Start (F5): go on."
    )


def run_label(earlier: TrainingSettings, current: TrainingSettings, outcome: str = "") -> str:
    """The legend of an earlier run's curve: what differed from the current run's settings, then the
    earlier run's preset (if it was one and the current is not) and whether it diverged."""
    words = {
        "learning_rate": lambda v: f"lr {v:g}",
        "hidden_layers": lambda v: f"layers {format_layers(v)}",
        "epochs": lambda v: f"{v:,} epochs",
        "init": lambda v: "normal init" if v == "normal" else "He init",
        "gradient": lambda v: f"{v} gradient",
        "l2": lambda v: f"L2 {v:g}",
        "one_hot": lambda v: "one-hot" if v else "no one-hot",
        "validation_fraction": lambda v: f"validation {v:g}",
        "patience": lambda v: f"patience {v}" if v else "no early stop",
        "seed": lambda v: f"seed {v}",
        "test_size": lambda v: f"test {v:g}",
        "split_seed": lambda v: f"split seed {v}",
    }
    parts = [
        text(getattr(earlier, name))  # type: ignore[no-untyped-call]
        for name, text in words.items()
        if getattr(earlier, name) != getattr(current, name)
    ]
    label = ", ".join(parts[:3]) + (" …" if len(parts) > 3 else "") if parts else "same settings"
    if earlier.preset in PRESETS and earlier.preset != current.preset:
        label += f" — {earlier.preset}"
    if outcome:
        label += f" — {outcome}"
    return label


def _ending_bar(result: TrainingResult) -> str:
    planned, ran, kept = int(result.settings.epochs), result.epochs_run, result.kept_epoch
    kept_words = f" — weights of epoch {kept:,} kept" if kept != ran else ""
    if result.stop_reason == "early-stopping":
        return f"Early stopping at epoch {ran:,} of {planned:,}{kept_words}"
    if result.stop_reason == "stopped":
        return f"Stopped by you at epoch {ran:,} of {planned:,}{kept_words}"
    return f"Epoch {ran:,} of {planned:,} — done{kept_words}"


class _StatusLabel(QLabel):
    """The training status: word-wrapped, and at every width as tall as the longest text it reserves
    room for (``reserve()``) or the text it shows, whichever needs more; shorter again when widened."""

    def __init__(self, reserve: Callable[[], str], parent: QWidget) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._reserve = reserve
        self._ruler = QLabel()  # never shown: measures the reserved text's wrapping at this width
        self._ruler.setWordWrap(True)
        # The reserved room for (width, reserved text, font): measured once, not at every status of a run.
        self._reserved: tuple[tuple[int, str, str], int] | None = None

    #: The most lines reserved for a text not shown (a narrow window would otherwise ask for a tall one).
    MOST_RESERVED_LINES = 6

    def fit(self) -> None:
        width = self.width()
        if not self.isVisible() or width < 100:
            return  # not laid out yet: a 1-pixel-wide label "needs" hundreds of lines
        self._ruler.setFont(self.font())
        key = (width, self._reserve(), self.font().key())
        if self._reserved is None or self._reserved[0] != key:
            self._ruler.setText(key[1])
            most = self.fontMetrics().lineSpacing() * self.MOST_RESERVED_LINES
            self._reserved = (key, min(self._ruler.heightForWidth(width), most))
        reserved = self._reserved[1]
        self._ruler.setText(self.text())  # (the label's own heightForWidth never goes below its minimum)
        needed = max(reserved, self._ruler.heightForWidth(width))
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.fit()  # (its first resize comes before it is visible: the room is reserved before a paint)


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
    step_requested = Signal(object)  # settings: run one epoch (of the paused run, or of a new one)
    step_back_requested = Signal()
    speed_changed = Signal(object)  # epochs per second, or None for full speed

    def __init__(self, settings: TrainingSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last_progress_shown = 0.0
        self._last_epoch = 0  # the last epoch reported in this run (the bar itself is throttled)
        self._planned = 0
        self._runs_ended = 0
        # The run the plot shows (its settings, and "diverged" if it did), and earlier ones to compare.
        self._shown_run: TrainingSettings | None = None
        self._shown_outcome = ""
        self._past_runs: list[tuple[list[int], list[float], TrainingSettings, str]] = []
        # A run waiting between steps: its epoch (0: none), and how many epochs Step back can take back.
        self._paused_epoch = 0
        self._steps_back = 0
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
            "Ready-made settings: the original lesson's run exactly (a well-known teaching notebook), or "
            "choices that do better on new patients. Changing any field makes the settings custom.",
        )
        self.preset.activated.connect(self._on_preset_chosen)

        self.layers = QLineEdit()
        self.layers.setValidator(
            QRegularExpressionValidator(QRegularExpression(_LAYERS_PATTERN), self.layers)
        )
        self.layers.setPlaceholderText("e.g. 8 or 16, 8")
        # The validator refuses a keystroke that cannot be part of a list of sizes: say so, not silently.
        self._layers_refused = False
        self.layers.inputRejected.connect(self._on_layers_rejected)
        self.layers.editingFinished.connect(self._on_layers_left)
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

        self.learning_rate = CheckedSpinBox("The learning rate")
        self.learning_rate.setRange(1e-5, 10.0)
        self.learning_rate.setDecimals(5)
        self.learning_rate.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._describe(
            self.learning_rate,
            "Learning rate",
            "How big a step the network takes to correct itself after each epoch: too small learns slowly, "
            "too large never settles.",
        )

        self.epochs = CheckedIntSpinBox("The number of epochs")
        self.epochs.setRange(1, 100_000)
        self.epochs.setGroupSeparatorShown(True)
        self._describe(self.epochs, "Epochs", "How many times the network studies all training patients.")

        self.seed = CheckedIntSpinBox("The seed")
        self.seed.setRange(0, 2_147_483_647)
        self._describe(
            self.seed,
            "Seed",
            "The number that fixes the random starting weights, so the same settings give the same result.",
        )

        self.test_size = CheckedSpinBox("The test fraction")
        self.test_size.setRange(0.1, 0.5)
        self.test_size.setDecimals(2)
        self.test_size.setSingleStep(0.05)
        self._describe(
            self.test_size,
            "Test fraction",
            "Share of patients kept aside, never seen in training, to test the finished model honestly.",
        )

        self.validation = CheckedSpinBox("The validation fraction")
        self.validation.setRange(0.0, 0.4)
        self.validation.setDecimals(2)
        self.validation.setSingleStep(0.05)
        self._describe(
            self.validation,
            "Validation fraction",
            "Share of training patients held back to watch, epoch by epoch, whether the network overfits.",
        )

        self.l2 = CheckedSpinBox("The weight decay")
        self.l2.setRange(0.0, 1.0)
        self.l2.setDecimals(4)
        self.l2.setSingleStep(0.01)
        self._describe(
            self.l2,
            "Weight decay (L2)",
            "A penalty on large weights (their sum of squares, hence “L2”) that keeps the network simple, "
            "so it works on new patients too. 0 means no penalty.",
        )

        self.one_hot = QCheckBox("Chest pain, resting ECG, thallium scan")
        self._describe(
            self.one_hot,
            "One input per category (one-hot encoding)",
            "Give each chest-pain type, ECG finding and thallium result its own input, 1 for the "
            "patient's category and 0 for the others (one-hot encoding), instead of treating their codes "
            "as numbers (as if thallium code 7 were more than 6).",
        )

        self.init = QComboBox()
        self.init.addItem("Normal (the tutorial's)", "normal")
        self.init.addItem("Scaled to each layer (He)", "he")
        self._describe(
            self.init,
            "Initial weights",
            "How the random starting weights are drawn: from a normal distribution with sd 1 (the "
            "tutorial's), or multiplied by √(2 ÷ the layer's inputs) (He initialisation, after Kaiming "
            "He), which keeps each layer's sums in a sensible range and trains more reliably.",
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

        self.patience = CheckedIntSpinBox("The patience")
        self.patience.setRange(0, 100_000)
        self.patience.setSpecialValueText("never stop early")
        self._describe(
            self.patience,
            "Patience",
            "Stop when the validation loss has not improved for this many epochs (needs a validation "
            "fraction above 0).",
        )

        settings_box = QGroupBox("Settings")
        form = QFormLayout(settings_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(2)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        for widget, text in (
            (self.preset, "&Preset:"),
            (self.layers, "&Hidden layers:"),
            (self.learning_rate, "&Learning rate:"),
            (self.epochs, "&Epochs:"),
            (self.seed, "See&d:"),
            (self.test_size, "&Test fraction:"),
            (self.validation, "&Validation fraction:"),
            (self.l2, "Weight decay (L&2):"),
            (self.one_hot, "&One input per category:"),
            (self.init, "&Initial weights:"),
            (self.gradient, "&Gradient:"),
            (self.patience, "P&atience:"),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            # A number typed out of range is said under its field, not silently cut (CheckedSpinBox).
            field = (
                with_message(widget) if isinstance(widget, (CheckedSpinBox, CheckedIntSpinBox)) else widget
            )
            form.addRow(label, field)
            # A plain line under each setting, across the whole row, on the page (a tooltip is missed).
            description = soften(QLabel(SETTING_DESCRIPTIONS[widget.accessibleName()]))
            description.setObjectName(f"{widget.accessibleName()} description")
            description.setWordWrap(True)
            description.setFont(small)
            description.setContentsMargins(0, 0, 0, 4)
            form.addRow(description)
        # The reason a network is too large, right under Hidden layers (after its row: preset, its line,
        # layers).
        form.insertRow(3, self.layers_problem)

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
        self.step_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Step")
        self._describe(
            self.step_button,
            "Step one epoch",
            "Run exactly one epoch (forward pass, backward pass, one update of the weights) and wait. "
            "During a run, pause it after the current epoch.",
        )
        self.step_button.clicked.connect(self._on_step)
        self.step_back_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward), "Step back"
        )
        self._describe(
            self.step_back_button,
            "Step back one epoch",
            "Return to the weights before the last epoch (the weights of the last 200 epochs are kept).",
        )
        self.step_back_button.clicked.connect(self.step_back_requested)
        self.speed = QComboBox()
        for text, rate in SPEEDS:
            self.speed.addItem(text, rate)
        self._describe(
            self.speed,
            "Speed",
            "Epochs per second while training runs: slow motion lets you watch a run of 300 epochs.",
        )
        self.speed.currentIndexChanged.connect(lambda _: self.speed_changed.emit(self.epochs_per_second()))
        self.speed.currentIndexChanged.connect(self._follow_speed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.reset_button)
        steps = QHBoxLayout()
        steps.addWidget(self.step_button)
        steps.addWidget(self.step_back_button)
        speed_label = QLabel("S&peed:")
        speed_label.setBuddy(self.speed)
        steps.addWidget(speed_label)
        steps.addWidget(self.speed, 1)

        self.hint = QLabel("Open a data file first (Data page).")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Training hint")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        # The findings the model uses (issue 12), first: what the network sees, then how it learns.
        self.features = FeatureChecklist()
        self.features.changed.connect(self._on_edited)
        left_layout.addWidget(self.features)
        left_layout.addWidget(settings_box)
        left_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Never narrower than the settings need, with room for the vertical scroll bar of a short window:
        # without a horizontal scroll bar, a narrower area cut off the Reset button and the box's edge.
        needed = left.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(max(390, needed))
        scroll.setMaximumWidth(max(470, needed))
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Start, Stop and Reset (and why Start is greyed) above the settings and outside their scroll
        # area: always in sight, however long the settings' descriptions and messages make the column.
        column = QVBoxLayout()
        column.addLayout(buttons)
        column.addLayout(steps)
        column.addWidget(self.hint)
        column.addWidget(scroll, 1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not started")
        self.progress.setTextVisible(True)
        self._describe(
            self.progress, "Training progress", "Which epoch the network is at, and the time left."
        )
        # As tall as the longest pause message needs at the label's width (measured at every resize),
        # so a run's one-line loss and the message at its end or at a pause do not resize the plot: a
        # resize is a full redraw (each Step would pay it), and the next run could not start from the
        # pixels of its empty axes. No taller, or the page shows empty lines above the plot.
        self.status = _StatusLabel(lambda: longest_paused_words(int(self.epochs.value())) + _PAUSE_TAIL, self)
        self.status.setAccessibleName("Training status")
        self.epochs.valueChanged.connect(self.status.fit)  # "epoch 20,000 of 20,000" is longer
        self.plot = LossPlot()
        self._follow_speed()
        self.plot.past_runs_cleared.connect(self._past_runs.clear)

        right = QVBoxLayout()
        right.addWidget(self.progress)
        right.addWidget(self.status)
        right.addWidget(self.plot, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(column)
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
            self.features.set_features(settings.features)
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
            "features": self.features.features(),
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
        if key in PRESETS:  # a preset chooses the network, not the findings: those stay
            self.set_settings(PRESETS[key].replace(preset=key, features=self.features.features()))
            self.settings_changed.emit(self.settings())

    #: What the hint says after a keystroke the hidden-layer field refused.
    LAYERS_REFUSED = (
        "That key was not typed in: hidden layers take whole numbers from 1 to 9999 separated by commas, "
        "at most 5 layers (e.g. 16, 8)."
    )

    def _on_layers_rejected(self) -> None:
        # Said until the student leaves the field: the next digit typed must not hide it at once.
        self._layers_refused = True
        self._update_buttons()

    def _on_layers_left(self) -> None:
        if self._layers_refused:
            self._layers_refused = False
            self._update_buttons()

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
            validation = self.validation.value() > 0
            self.plot.plan(self.epochs.value(), held_out=None if validation else TEST_LABEL)

    def _on_start(self) -> None:
        if self.start_button.isEnabled():
            self.start_requested.emit(self.settings())

    def _on_step(self) -> None:
        if self.step_button.isEnabled():
            self.step_requested.emit(self.settings())

    def _follow_speed(self, _index: int = 0) -> None:
        """The loss axis grows with a run watched in slow motion; at full speed it spans the planned
        epochs (see :data:`heartgui.gui.widgets.loss_plot.FIRST_SPAN`). A run going on keeps its axis."""
        if not self._running:
            self.plot.grows = self.epochs_per_second() is not None

    def epochs_per_second(self) -> float | None:
        """The speed chosen: epochs per second, or ``None`` for full speed."""
        rate = self.speed.currentData()
        return None if rate is None else float(rate)

    @property
    def paused_epoch(self) -> int:
        """The epoch a run waits at between steps (0 when no run waits)."""
        return self._paused_epoch

    def _update_buttons(self) -> None:
        problem = self.architecture_problem()
        self.layers_problem.setText(problem or "")
        self.layers_problem.setVisible(problem is not None)
        valid = (
            self.layers.hasAcceptableInput() and problem is None and not self.patience_without_validation()
        )
        self.start_button.setEnabled(self._has_data and valid and not self._running)
        self.stop_button.setEnabled(self._running or self._paused_epoch > 0)
        self.reset_button.setEnabled(not self._running)
        self.step_button.setEnabled(self._has_data and valid)
        self.step_back_button.setEnabled(
            not self._running and self._paused_epoch > 1 and self._steps_back > 0
        )
        for widget in self._fields():
            widget.setEnabled(not self._running)
        if not self._has_data:
            self.hint.setText("Open a data file first (Data page).")
        elif problem is not None:
            self.hint.setText("The network is too large to train: see under Hidden layers.")
        elif self._layers_refused and not self._running:
            self.hint.setText(self.LAYERS_REFUSED)
        elif self.patience_without_validation():
            self.hint.setText(PATIENCE_NEEDS_VALIDATION)
        elif not valid:
            self.hint.setText("Type the hidden layer sizes as whole numbers separated by commas, e.g. 16, 8.")
        elif self._running:
            self.hint.setText("Training… press Stop (Esc) to keep what was learnt so far, or Step to pause.")
        elif self._paused_epoch:
            self.hint.setText(
                f"Paused at epoch {self._paused_epoch:,}: Step, Step back, or Start (F5) to go on. "
                "Changing a setting ends this run."
            )
        elif self._runs_ended:
            self.hint.setText("Change a setting and press Start (F5) to train again, or go on to Results.")
        else:
            self.hint.setText("Press Start (F5) to train.")

    def patience_without_validation(self) -> bool:
        """True when a patience is set but no validation patients: early stopping could never happen."""
        return self.patience.value() > 0 and self.validation.value() == 0

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
            self.features,
        )

    # ----------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def training_started(self, settings: TrainingSettings) -> None:
        self._running = True
        self._paused_epoch = self._steps_back = 0
        self._last_progress_shown = 0.0
        self._last_epoch, self._planned = 0, int(settings.epochs)
        if self._shown_run is not None and self.plot.epochs:
            self._past_runs.append(
                (list(self.plot.epochs), list(self.plot.train_losses), self._shown_run, self._shown_outcome)
            )
            del self._past_runs[:-MAX_PAST_RUNS]
        self._shown_run, self._shown_outcome = settings, ""
        self.plot.set_past_runs(
            (epochs, losses, run_label(earlier, settings, outcome))
            for epochs, losses, earlier, outcome in self._past_runs
        )
        validation = settings.validation_fraction > 0
        self.plot.clear(settings.epochs, held_out=None if validation else TEST_LABEL)
        self.progress.setRange(0, settings.epochs)
        self.progress.setValue(0)
        self.progress.setFormat(f"Epoch 0 of {settings.epochs:,}")
        self._set_status("Splitting the patients and starting…")
        self._update_buttons()

    def training_resumed(self) -> None:
        """The paused run goes on (Start, or a Step): its curve continues."""
        self._running = True
        self._last_progress_shown = 0.0
        self._update_buttons()

    def training_paused(self, result: TrainingResult, message: str) -> None:
        """The run waits between steps with a model (after Step, Step back, or Step during a run)."""
        self._paused_epoch, self._steps_back = result.epochs_run, result.steps_back
        self._last_epoch = result.epochs_run
        if len(self.plot.epochs) > result.epochs_run:
            self.plot.truncate(result.epochs_run)  # Step back
        self.progress.setMaximum(int(result.settings.epochs))
        self.progress.setValue(result.epochs_run)
        self.progress.setFormat(f"Epoch {result.epochs_run:,} of {int(result.settings.epochs):,} — paused")
        self._running = False
        # The plot stays as during a run (new points blitted, ~1 ms; its axes grown if the points left
        # them): fitting it to the curve is a full draw with the automatic layout, ~100 ms a step, done
        # when the run ends.
        self.plot.redraw()
        # (The status label already has the room of the longest pause message: see _StatusLabel.)
        self._set_status(message)
        self._update_buttons()

    def session_ended(self) -> None:
        """No run waits any more (Stop, a changed setting, another model or data file)."""
        if self._paused_epoch:
            self._paused_epoch = self._steps_back = 0
            self._runs_ended += 1
            self.plot.finish()
            self.progress.setFormat(f"Epoch {self._last_epoch:,} of {self._planned:,} — run ended")
            self._update_buttons()

    def add_reports(self, reports: Sequence[EpochReport]) -> None:
        """Show a batch of epoch reports (the last one is the latest)."""
        if not reports:
            return
        self.plot.add_reports(reports)
        last = reports[-1]
        self._last_epoch = last.epoch
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
        self._set_status(text)

    def training_finished(self, result: TrainingResult, message: str) -> None:
        """The run ended with a model (all epochs, early stopping or the student's Stop)."""
        self._paused_epoch, self._steps_back = 0, 0
        self.progress.setMaximum(int(result.settings.epochs))
        self.progress.setValue(result.epochs_run)
        self.progress.setFormat(_ending_bar(result))
        if result.kept_epoch != result.epochs_run and result.validation_loss_curve:
            self.plot.mark_kept(result.kept_epoch)  # early stopping restored an earlier epoch's weights
        self._ended(message)

    def training_failed(self, message: str, *, diverged: bool = False) -> None:
        """The run ended without a model; ``diverged``: the loss of the epoch after the last one shown
        was not finite (the plot then marks that epoch)."""
        self.progress.setMaximum(max(self._planned, 1))
        self.progress.setValue(self._last_epoch)
        self._paused_epoch = self._steps_back = 0
        if diverged:
            epoch = self._last_epoch + 1
            self._shown_outcome = "diverged"
            self.plot.mark_divergence(epoch)
            self.progress.setFormat(f"Diverged at epoch {epoch:,} of {self._planned:,} — no model")
        else:
            self.progress.setFormat(
                f"Failed after epoch {self._last_epoch:,} of {self._planned:,} — no model"
            )
        self._ended(message)

    def training_cancelled(self, message: str) -> None:
        """Stopped before the first epoch finished: nothing was learnt."""
        self._paused_epoch = self._steps_back = 0
        self.progress.setValue(0)
        self.progress.setFormat("Stopped before the first epoch — no model")
        self._ended(message)

    def _ended(self, message: str) -> None:
        self._running = False
        self._runs_ended += 1
        self.plot.finish()
        self._set_status(message)
        self._update_buttons()

    def _set_status(self, text: str) -> None:
        """Show ``text`` under the progress bar (the label grows for an unusually long one)."""
        self.status.setText(text)
        self.status.fit()
