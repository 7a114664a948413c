"""One training run on a dataset: the train/test split, the per-epoch reports, and what came out.

A :class:`TrainingSession` is what a window's worker thread drives::

    session = TrainingSession(dataset, PRESETS["recommended"])
    for report in session.epochs():      # one EpochReport per epoch
        if stop_requested:
            break                          # the weights reached so far are kept
    result = session.finish()            # metrics on the held-out test patients
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heartgui.core.dataset import Dataset
from heartgui.core.evaluation import Metrics, evaluate
from heartgui.core.model import HeartModel
from heartgui.core.network import STEP_BACK, EpochReport, TrainingDiverged, parameter_count
from heartgui.core.presets import TrainingSettings

if TYPE_CHECKING:
    from heartgui.core.overlap import PatientFingerprints


@dataclass(frozen=True, eq=False)
class Split:
    """The patients used to train and those kept aside to test, with their file lines."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    lines_train: np.ndarray
    lines_test: np.ndarray

    @functools.cached_property
    def fingerprints(self) -> PatientFingerprints:
        """Which patients were trained and tested on (over all 13 findings), for a model file: computed
        once per split, by the first caller — the window's training worker, so saving a model of a
        200,000-row file does not hold the window for the second the digests take."""
        from heartgui.core.overlap import PatientFingerprints

        return PatientFingerprints.of(self.X_train, self.X_test)


def shuffled_split(n_rows: int, test_size: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): the positions ``train_test_split(..., test_size=test_size,
    random_state=random_state)`` picks, without stratification.

    The same steps as scikit-learn's ``ShuffleSplit``: ``ceil(test_size · n)`` test rows, the first ones
    of ``RandomState(random_state).permutation(n)``, the rest for training, in that order.
    Written here so that training does not import scikit-learn (a second, which the window's first
    training waited for); ``tests/core/test_training_run.py`` checks it against ``train_test_split``.
    """
    n_test = math.ceil(test_size * n_rows)
    n_train = n_rows - n_test
    if n_train <= 0 or n_test <= 0:
        raise ValueError(f"test_size {test_size:g} of {n_rows} rows leaves no training or no test rows")
    permutation = np.random.RandomState(random_state).permutation(n_rows)
    return permutation[n_test:], permutation[:n_test]


def split_dataset(dataset: Dataset, test_size: float = 0.2, random_state: int = 2) -> Split:
    """``train_test_split`` as the tutorial calls it (not stratified), keeping each row's file line."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    train, test = shuffled_split(dataset.n_rows, test_size, random_state)
    y, lines = np.asarray(dataset.y), np.asarray(dataset.lines)
    X_tr, X_te = dataset.X.iloc[train], dataset.X.iloc[test]
    y_tr, y_te, l_tr, l_te = y[train], y[test], lines[train], lines[test]
    for part, name in ((y_tr, "training"), (y_te, "test")):
        if len(np.unique(part)) < 2:
            raise ValueError(
                f"The {name} part of the split has patients of one class only; "
                "use a larger test fraction or a larger file."
            )
    return Split(X_tr.reset_index(drop=True), X_te.reset_index(drop=True), y_tr, y_te, l_tr, l_te)


class DivergedAtStart(TrainingDiverged):
    """The loss of the initial weights, before any learning step, is already not usable.

    Epoch 1's loss is computed before the first gradient step, so the learning rate cannot be the cause:
    the network's size and initial weights are (many units with N(0, 1) weights add up to outputs so
    large that some patient gets a probability below the clip for their true class, or overflows).
    """

    def __init__(self, settings: TrainingSettings) -> None:
        self.epoch = 1
        self.learning_rate = float(settings.learning_rate)
        self.hidden_layers = tuple(int(h) for h in settings.hidden_layers)
        self.init = str(settings.init)
        layers = ",".join(map(str, self.hidden_layers))
        weights = (
            "weights drawn from N(0, 1) (the tutorial's initialisation)"
            if self.init == "normal"
            else "its initial weights"
        )
        advice = (
            "Use fewer hidden units, or He initialisation (as the recommended preset does)."
            if self.init == "normal"
            else "Use fewer hidden units or layers."
        )
        ArithmeticError.__init__(
            self,
            "Training could not start: with its initial weights, before any learning step, the network "
            "is already certain and wrong about some training patients (its outputs are too large to "
            f"give a usable loss). The learning rate is not the cause: hidden layers {layers} with "
            f"{weights} make outputs that large. {advice}",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_diverged_at_start, (self.args, self.learning_rate, self.hidden_layers, self.init))


def _diverged_at_start(
    args: tuple[object, ...], learning_rate: float, hidden_layers: tuple[int, ...], init: str
) -> DivergedAtStart:
    error = DivergedAtStart.__new__(DivergedAtStart)
    ArithmeticError.__init__(error, *args)
    error.epoch, error.learning_rate, error.hidden_layers, error.init = 1, learning_rate, hidden_layers, init
    return error


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """What a finished (or stopped) run produced.

    ``train_metrics`` and ``test_metrics`` are at the model's threshold. ``stopped_early`` is true when the
    run was stopped before its planned epochs; ``stop_reason`` says how it ended (``"finished"``,
    ``"early-stopping"`` or ``"stopped"`` by the user, see :data:`heartgui.core.network.STOP_REASONS`), and
    ``kept_epoch`` whose weights the model holds: the best validation epoch under early stopping (also
    after a Stop), else the last one. A result rebuilt for a model opened from a file
    (:func:`rebuilt_result`) has ``stop_reason`` ``"opened"``, no loss curves and ``epochs_run`` 0: model
    files do not record how training went.
    """

    settings: TrainingSettings
    model: HeartModel
    split: Split
    train_metrics: Metrics
    test_metrics: Metrics
    test_risk: np.ndarray
    loss_curve: tuple[float, ...]
    validation_loss_curve: tuple[float, ...]
    epochs_run: int
    stopped_early: bool
    data_sha256: str
    stop_reason: str = "finished"
    kept_epoch: int = 0
    #: The test patients' loss per epoch, recorded during a run without a validation split (never
    #: learnt from); empty otherwise.
    test_loss_curve: tuple[float, ...] = ()
    #: How many epochs the session that made this result could still take back (Step back).
    steps_back: int = 0

    @property
    def final_train_loss(self) -> float:
        return self.loss_curve[-1]


#: How many of the last epochs a session can take back (Step back), at most; fewer for a large network,
#: so the kept weight vectors stay under :data:`HISTORY_MB`.
HISTORY_EPOCHS = 200
HISTORY_MB = 50


def history_length(parameters: int) -> int:
    """How many weight vectors of ``parameters`` numbers a session keeps for Step back."""
    return max(1, min(HISTORY_EPOCHS, HISTORY_MB * 2**20 // (8 * max(int(parameters), 1))))


class TrainingSession:
    """Split ``dataset`` as ``settings`` say, train, and evaluate on the held-out patients.

    Drive it with :meth:`epochs` (a whole run), or one epoch at a time with :meth:`step` and
    :meth:`step_back`; :meth:`finish` gives the model as it is after any epoch. Without a validation
    split, the test patients' loss is recorded each epoch too (``EpochReport.test_loss``): they are
    watched, never learnt from.
    """

    def __init__(self, dataset: Dataset, settings: TrainingSettings) -> None:
        # The patients who have every finding the model uses; the others are listed as left out.
        self.dataset = dataset.complete(settings.used_features)
        dataset = self.dataset
        self.settings = settings
        self.split = split_dataset(dataset, settings.test_size, settings.split_seed)
        self.model = settings.model()
        self._run: Generator[EpochReport, str | None, None] | None = None
        self._over = False
        self.last_report: EpochReport | None = None

    def _start(self) -> Generator[EpochReport, str | None, None]:
        split = self.split
        watch = self.settings.validation_fraction <= 0
        n_inputs = self._n_inputs()
        sizes = [n_inputs, *self.settings.hidden_layers, 1]
        return self.model.iter_fit(
            split.X_train,
            split.y_train,
            X_test=split.X_test if watch else None,
            y_test=split.y_test if watch else None,
            history=history_length(parameter_count(sizes)),
        )

    def _n_inputs(self) -> int:
        from heartgui.core import schema

        inputs = len(schema.FEATURE_NAMES)
        if self.settings.one_hot:
            inputs += sum(len(schema.BY_NAME[n].codes or {}) - 1 for n in schema.NOMINAL_NAMES)
        return inputs

    def _advance(self, command: str | None) -> EpochReport | None:
        if self._over or (command is None and self.over):
            return None  # (at the last epoch the generator is kept: Step back can still go back)
        try:
            if self._run is None:
                self._run = self._start()
                report = next(self._run)
            else:
                report = self._run.send(command)
        except StopIteration:
            self._over = True
            return None
        except TrainingDiverged as exc:
            self._over = True
            if exc.epoch == 1 and not isinstance(exc, DivergedAtStart):
                raise DivergedAtStart(self.settings) from exc
            raise
        self.last_report = report
        return report

    def step(self) -> EpochReport | None:
        """Run one epoch (forward pass, backward pass, update); ``None`` when the run is over (all
        epochs done, or early stopping) and nothing ran.

        Raises
        ------
        DivergedAtStart : the first forward pass, before any learning step, already failed.
        TrainingDiverged : the loss stopped being a finite number later (the learning rate).
        """
        return self._advance(None)

    def step_back(self) -> EpochReport | None:
        """Return to the weights before the last epoch; the report of the epoch now last (``epoch`` 0:
        back at the start), or ``None`` when no epoch can be taken back (:attr:`steps_back`)."""
        if self._run is None or self._over or not self.steps_back:
            return None
        return self._advance(STEP_BACK)

    @property
    def epochs_run(self) -> int:
        network = getattr(self.model, "network_", None)
        return int(getattr(network, "n_epochs_", 0)) if self._run is not None else 0

    @property
    def steps_back(self) -> int:
        """How many epochs :meth:`step_back` can still take back (a bounded history)."""
        network = getattr(self.model, "network_", None)
        if self._over or self._run is None or network is None:
            return 0
        return int(getattr(network, "steps_back_", 0))

    @property
    def over(self) -> bool:
        """True once the run cannot go forward: all epochs done, early stopping, divergence, or closed
        (after all epochs or early stopping, :meth:`step_back` still can go back)."""
        if self._over:
            return True
        network = getattr(self.model, "network_", None)
        return self._run is not None and network is not None and network.stop_reason_ != "stopped"

    def epochs(self) -> Generator[EpochReport, None, None]:
        """Train, yielding one report per epoch; stop iterating to stop training.

        Raises
        ------
        DivergedAtStart : the first forward pass, before any learning step, already failed.
        TrainingDiverged : the loss stopped being a finite number later (the learning rate).
        """
        while (report := self.step()) is not None:
            yield report

    def close(self) -> None:
        """End the run: no more steps (the model keeps its weights)."""
        self._over = True
        if self._run is not None:
            self._run.close()

    def finish(self) -> TrainingResult:
        """Evaluate the model as it is now (after all epochs, after a stop, or after any step).

        The result's model is a frozen copy: further steps of this session do not change it.
        """
        model, split = self.model, self.split
        network = model.network_
        if not network.loss_curve_:
            raise ValueError("Training was stopped before the first epoch finished.")
        model = model.frozen()
        test_risk = model.predict_risk(split.X_test)
        return TrainingResult(
            settings=self.settings,
            model=model,
            split=split,
            train_metrics=evaluate(split.y_train, model.predict_risk(split.X_train), model.threshold),
            test_metrics=evaluate(split.y_test, test_risk, model.threshold),
            test_risk=test_risk,
            loss_curve=tuple(network.loss_curve_),
            validation_loss_curve=tuple(network.validation_loss_curve_),
            epochs_run=network.n_epochs_,
            stopped_early=network.n_epochs_ < int(self.settings.epochs),
            data_sha256=self.dataset.provenance.sha256,
            stop_reason=network.stop_reason_,
            kept_epoch=network.best_epoch_,
            test_loss_curve=tuple(getattr(network, "test_loss_curve_", ())),
            steps_back=self.steps_back,
        )


def train(dataset: Dataset, settings: TrainingSettings) -> TrainingResult:
    """Run a whole training session without stopping."""
    session = TrainingSession(dataset, settings)
    for _ in session.epochs():
        pass
    return session.finish()


def rebuilt_result(dataset: Dataset, model: HeartModel, settings: TrainingSettings) -> TrainingResult:
    """The test figures of a model opened from a file, on the data it was trained on.

    The train/test split is made again from the test fraction and split seed ``settings`` record (it is
    deterministic), and the model is scored on those test patients at its threshold. The caller checks
    that ``dataset`` is the file the model was trained on (same SHA-256).

    Raises
    ------
    ValueError
        When the rebuilt training part does not have as many patients as the model was trained on (the
        settings do not describe this model's split).
    """
    dataset = dataset.complete(model.used_features)
    split = split_dataset(dataset, settings.test_size, settings.split_seed)
    trained_on = getattr(model, "n_train_rows_", None)
    if trained_on is not None and int(trained_on) != len(split.y_train):
        raise ValueError(
            f"the model was trained on {int(trained_on)} patients, but its recorded test fraction "
            f"({settings.test_size:g}) leaves {len(split.y_train)} for training"
        )
    test_risk = model.predict_risk(split.X_test)
    return TrainingResult(
        settings=settings,
        model=model,
        split=split,
        train_metrics=evaluate(split.y_train, model.predict_risk(split.X_train), model.threshold),
        test_metrics=evaluate(split.y_test, test_risk, model.threshold),
        test_risk=test_risk,
        loss_curve=(),
        validation_loss_curve=(),
        epochs_run=0,
        stopped_early=False,
        data_sha256=dataset.provenance.sha256,
        stop_reason="opened",
        kept_epoch=0,
    )
