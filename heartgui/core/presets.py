"""Training settings and the two presets: the tutorial's run, exactly, and the recommended one.

Every choice is a visible field of :class:`TrainingSettings`, so the window can show it and a student can
switch each one on or off to see what it does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model (and scikit-learn) load only when a model is made
    from heartgui.core.model import HeartModel


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that decides a training run.

    Attributes
    ----------
    preset : the preset these settings came from (``"tutorial"``, ``"recommended"``, ``"custom"``).
    hidden_layers : sizes of the hidden layers.
    learning_rate : gradient-descent step size.
    epochs : maximum number of full-batch updates.
    init : ``"normal"`` (N(0, 1), the tutorial's) or ``"he"`` (scaled to each layer's width).
    gradient : ``"sum"`` over patients (the tutorial's) or ``"mean"``.
    l2 : weight decay, which keeps weights small so the model generalises.
    one_hot : encode chest pain, resting ECG and thallium as one column per code.
    validation_fraction : share of training patients held back to watch for overfitting.
    patience : stop after this many epochs without a better validation loss (``None``: never).
    seed : seed of the initial weights and of the validation split.
    test_size : share of patients kept aside to test the final model.
    split_seed : seed of the train/test split (the tutorial's ``random_state=2``).
    threshold : risk at or above which the model says "disease present".
    features : the findings the model uses, in the schema's order; ``None`` = all 13.
    """

    preset: str = "custom"
    hidden_layers: tuple[int, ...] = (8,)
    learning_rate: float = 0.001
    epochs: int = 100
    init: str = "normal"
    gradient: str = "sum"
    l2: float = 0.0
    one_hot: bool = False
    validation_fraction: float = 0.0
    patience: int | None = None
    seed: int = 1
    test_size: float = 0.2
    split_seed: int = 2
    threshold: float = 0.5
    features: tuple[str, ...] | None = None

    @property
    def used_features(self) -> tuple[str, ...]:
        """The findings a model with these settings uses (all 13 when ``features`` is ``None``)."""
        from heartgui.core.schema import FEATURE_NAMES, check_features

        return FEATURE_NAMES if self.features is None else check_features(self.features)

    def replace(self, **changes: object) -> TrainingSettings:
        """A copy with ``changes``; it is no longer a preset unless ``preset`` is given."""
        changes.setdefault("preset", "custom")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def model(self) -> HeartModel:
        """An untrained :class:`HeartModel` with these settings."""
        from heartgui.core.model import HeartModel

        return HeartModel(
            self.hidden_layers,
            learning_rate=self.learning_rate,
            epochs=self.epochs,
            init=self.init,
            gradient=self.gradient,
            l2=self.l2,
            patience=self.patience,
            one_hot=self.one_hot,
            validation_fraction=self.validation_fraction,
            threshold=self.threshold,
            random_state=self.seed,
            features=self.features,
        )

    def as_dict(self) -> dict[str, object]:
        d = dataclasses.asdict(self)
        d["hidden_layers"] = list(self.hidden_layers)
        d["features"] = None if self.features is None else list(self.features)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> TrainingSettings:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - fields
        if unknown:
            raise ValueError(f"unknown training settings: {', '.join(sorted(unknown))}")
        values = dict(d)
        if "hidden_layers" in values:
            values["hidden_layers"] = tuple(int(h) for h in values["hidden_layers"])  # type: ignore[attr-defined]
        if values.get("features") is not None:
            from heartgui.core.schema import check_features

            values["features"] = check_features(values["features"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


#: The notebook's run: np.random.seed(1) normal weights, summed gradients, lr 0.001, 100 iterations,
#: train_test_split(test_size=0.2, random_state=2), StandardScaler on the training part.
TUTORIAL = TrainingSettings(preset="tutorial")

#: Honest choices that generalise: He initialisation, averaged gradients, weight decay and one-hot nominal
#: features, trained for a fixed, short number of epochs (which is itself a form of early stopping).
#: Chosen on the Statlog protocol (9 stratified folds × 5 shuffles on heart.dat, ``bench/bench_quality.py``);
#: a validation split with early stopping is available but, with 240 training patients, costs more data
#: than it saves there.
RECOMMENDED = TrainingSettings(
    preset="recommended",
    hidden_layers=(8,),
    learning_rate=0.2,
    epochs=300,
    init="he",
    gradient="mean",
    l2=0.02,
    one_hot=True,
    validation_fraction=0.0,
    patience=None,
    seed=1,
)

PRESETS: dict[str, TrainingSettings] = {"tutorial": TUTORIAL, "recommended": RECOMMENDED}
