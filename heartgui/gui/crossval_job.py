"""Jobs for the Results page's comparisons, run by :class:`heartgui.gui.workers.Job` off the UI thread.

* :func:`comparison_job` trains the baselines (and the tutorial preset) on the split the student's model
  was trained on and scores them on the same test patients (a second or two).
* :func:`crossval_job` runs the Statlog protocol (stratified folds × shuffles) on the same patients,
  reporting each fold (a ``FoldReport``) and stopping between folds when asked.

Both rebuild the dataset from the result's split (:func:`dataset_of_split`), so what is compared is
always the data the model was trained on, in the file's row order (the same folds as
``heartgui-cli evaluate`` on that file).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from heartgui.gui.workers import Cancelled, Worker

__all__ = ["comparison_job", "comparison_methods", "crossval_job", "crossval_methods", "dataset_of_split"]

#: The name of the student's own model in the tables.
THIS_NETWORK = "This network (your run)"
YOUR_SETTINGS = "Neural network (your settings)"


def dataset_of_split(split: Any) -> Any:
    """The patients of ``split`` (training and test) back in file order, as a ``Dataset``."""
    import numpy as np
    import pandas as pd

    from heartgui.core.dataset import dataset_from_frame

    X = pd.concat([split.X_train, split.X_test], ignore_index=True)
    y = np.concatenate([split.y_train, split.y_test])
    order = np.argsort(np.concatenate([split.lines_train, split.lines_test]), kind="stable")
    # A finding the model does not use may be not recorded (NaN) for some of its patients.
    return dataset_from_frame(
        X.iloc[order].reset_index(drop=True), y[order], name="the model's data", allow_missing=True
    )


def _is_a_preset(settings: Any) -> bool:
    from heartgui.core.presets import PRESETS

    return any(settings.replace(preset=p.preset, threshold=p.threshold) == p for p in PRESETS.values())


def comparison_methods(settings: Any) -> list[Any]:
    """The tutorial preset, then the baselines; the MLPClassifier gets ``settings``' hidden layers."""
    from heartgui.core.crossval import (
        BASELINE_METHODS,
        Method,
        PreprocessedClassifier,
        network_method,
        sklearn_mlp,
    )
    from heartgui.core.presets import RECOMMENDED, TUTORIAL

    methods = [network_method(TUTORIAL)]
    layers = tuple(int(n) for n in settings.hidden_layers)
    for method in BASELINE_METHODS:
        if method.name.startswith("scikit-learn MLPClassifier") and layers != tuple(
            RECOMMENDED.hidden_layers
        ):
            estimator = sklearn_mlp(layers)
            name = f"scikit-learn MLPClassifier ({', '.join(map(str, layers))})"
            method = Method(name, partial(PreprocessedClassifier, estimator, one_hot=True))
        methods.append(method)
    return methods


def crossval_methods(settings: Any | None) -> list[Any]:
    """Both presets and every baseline; plus the student's settings when they are not a preset."""
    from heartgui.core.crossval import DEFAULT_METHODS, network_method

    methods = list(DEFAULT_METHODS)
    if settings is not None and not _is_a_preset(settings):
        methods.insert(0, network_method(settings, YOUR_SETTINGS))
    return methods


def comparison_job(result: Any) -> Callable[[Worker], Any]:
    """Score the other methods on ``result``'s split; returns a ``SplitComparison`` (baselines only)."""

    def run(worker: Worker) -> Any:
        from heartgui.core.crossval import baselines_on_split

        rows: list[Any] = []
        for method in comparison_methods(result.settings):
            if worker.stop_requested:
                raise Cancelled
            # on the findings the model uses: the split's patients may lack the others
            rows.extend(
                baselines_on_split(result.split, methods=[method], features=result.model.used_features).rows
            )
        return _comparison(rows)

    return run


def _comparison(rows: list[Any]) -> Any:
    from heartgui.core.crossval import SplitComparison
    from heartgui.core.schema import STATLOG_COST_FALSE_ALARM, STATLOG_COST_MISSED

    return SplitComparison(tuple(rows), float(STATLOG_COST_MISSED), float(STATLOG_COST_FALSE_ALARM))


def crossval_job(split: Any, settings: Any | None, *, folds: int, repeats: int) -> Callable[[Worker], Any]:
    """Cross-validate on ``split``'s patients; each ``FoldReport`` goes to :meth:`Worker.report`, paired
    with its result's ``summary()`` table, worked out here so the UI thread only has to show it.

    A stop request is honoured between folds and during the stacked training of the networks (all of
    a small file's shuffles train as one stack; raises :class:`Cancelled`); returns the ``CrossValResult``.
    """

    def run(worker: Worker) -> Any:
        from heartgui.core.crossval import iter_cross_validate

        dataset = dataset_of_split(split)
        reports = iter_cross_validate(
            dataset,
            folds=folds,
            repeats=repeats,
            methods=crossval_methods(settings),
            should_stop=lambda: worker.stop_requested,
            features=None if settings is None else settings.used_features,
        )
        last = None
        try:
            while not worker.stop_requested:
                report = next(reports, None)
                if report is None:
                    break
                last = report
                worker.report((report, report.result.summary()))
        finally:
            reports.close()
        if last is None or not last.result.complete:
            raise Cancelled
        return last.result

    return run
