"""``heartgui-cli``: check a data file, train, evaluate and predict from a terminal, without the window.

Every subcommand uses the core only (no Qt, no matplotlib), except ``report``, which loads matplotlib to
write a PDF (:mod:`heartgui.reports`). Results go to stdout (``train`` and
``predict`` print one JSON object); a user mistake (missing file, bad JSON, impossible value, damaged
model file) prints ONE line ``heartgui-cli: error: ...`` on stderr and exits with status 2; an unexpected
internal error exits with status 1, also in one line, never with a traceback.

Examples::

    heartgui-cli check heart.dat
    heartgui-cli train heart.dat --preset recommended --out heart.heartmodel
    heartgui-cli train processed.cleveland.data --features age,sex,cp,trestbps,restecg,thalach,exang,oldpeak
    heartgui-cli evaluate heart.dat --folds 9 --repeats 5
    heartgui-cli predict heart.heartmodel --patient example_patient.json
    heartgui-cli predict heart.heartmodel age=63 sex=1 cp=4 trestbps=145 ...
    heartgui-cli report heart.dat --preset recommended --out report.pdf
    heartgui-cli validate heart.heartmodel processed.cleveland.data
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

PROG = "heartgui-cli"
EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2
#: As a shell reports a command ended by SIGPIPE (128 + 13): its output was no longer read.
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """A user mistake: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as a :class:`UsageError` (one line) instead of usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


# --------------------------------------------------------------------------------------------------
# argument types (each raises ArgumentTypeError with a readable message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (e.g. 0.2)")
    return value


def _probability(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (e.g. 0.5)")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} must be between 0 and 4294967295")
    return value


def _features(text: str) -> tuple[str, ...]:
    from heartgui.core.schema import check_features

    try:
        return check_features([p for p in text.split(",") if p.strip()])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _hidden_layers(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",")]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of layer sizes (e.g. 8 or 8,4)") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every layer needs at least 1 unit")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="heartgui without the window: check data, train, evaluate, predict heart-disease risk.",
    )
    from heartgui import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="validate a data file and say what was read")
    check.add_argument("data", metavar="DATA", help="heart.dat, processed.cleveland.data or a CSV file")
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.add_argument(
        "--features",
        type=_features,
        metavar="age,sex,...",
        help="list the rows a model on these findings leaves out (default: all 13)",
    )

    train = commands.add_parser("train", help="train on a data file and print the results as JSON")
    _add_training_options(train)
    train.add_argument("--out", metavar="MODEL", help="save the trained model to this .heartmodel file")
    _add_force(train, "a heartgui model")

    evaluate = commands.add_parser("evaluate", help="cross-validate the network against simple baselines")
    evaluate.add_argument("data", metavar="DATA")
    evaluate.add_argument("--folds", type=_positive_int, default=9)
    evaluate.add_argument(
        "--repeats", type=_positive_int, help="shuffles of the folds (default 5; 1 for the lessons below)"
    )
    evaluate.add_argument("--json", action="store_true", help="print the table as JSON records")
    lesson = evaluate.add_mutually_exclusive_group()
    lesson.add_argument(
        "--seeds",
        type=_positive_int,
        metavar="N",
        help="seed lottery: the network from seeds 1..N on the same folds",
    )
    lesson.add_argument(
        "--learning-curve",
        action="store_true",
        help="AUC and cost with 25/50/75/100 %% of each training fold",
    )
    lesson.add_argument(
        "--permutations", type=_positive_int, metavar="N", help="the network on N shuffles of the diagnoses"
    )
    evaluate.add_argument(
        "--preset",
        choices=("tutorial", "recommended"),
        default="recommended",
        help="the network of --seeds, --learning-curve and --permutations (default recommended)",
    )

    predict = commands.add_parser("predict", help="the risk of one patient, from a model file")
    predict.add_argument("model", metavar="MODEL", help="a .heartmodel file saved by heartgui")
    predict.add_argument("--patient", metavar="FILE.json", help="the patient's 13 features as a JSON object")
    predict.add_argument("values", nargs="*", metavar="NAME=VALUE", help="features, e.g. age=63 sex=1")

    report = commands.add_parser("report", help="train on a data file and write a PDF training report")
    _add_training_options(report)
    report.add_argument("--out", metavar="REPORT.pdf", required=True, help="the PDF to write")
    report.add_argument(
        "--validate",
        metavar="OTHER",
        help="also evaluate the model on another labelled file (e.g. another hospital's), as its own section",
    )
    _add_force(report, "a PDF")

    backprop = commands.add_parser(
        "backprop", help="one step of learning, every number: the backward pass and the update of one epoch"
    )
    _add_training_options(backprop)
    backprop.add_argument(
        "--epoch", type=_positive_int, default=1, metavar="N", help="1-based: the weights after N - 1 updates"
    )
    backprop.add_argument(
        "--patient", type=_count, metavar="K", help="training patient K alone (0-based, in the split's order)"
    )
    backprop.add_argument("--json", action="store_true", help="print every quantity as JSON (nested lists)")
    _add_validate(commands)
    return parser


def _add_validate(commands: Any) -> None:
    validate = commands.add_parser(
        "validate", help="score a saved model on another hospital's labelled file (external validation)"
    )
    validate.add_argument("model", metavar="MODEL", help="a .heartmodel file saved by heartgui")
    validate.add_argument("data", metavar="DATA", help="a labelled data file from another site")
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.add_argument(
        "--threshold",
        type=_probability,
        metavar="RISK",
        help="judge decisions at this risk instead of the model's own threshold",
    )


def _add_force(command: argparse.ArgumentParser, kind: str) -> None:
    command.add_argument(
        "--force",
        action="store_true",
        help=f"replace --out even when it is an existing file that is not {kind} (never the data file)",
    )


def _add_training_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("data", metavar="DATA")
    command.add_argument("--preset", choices=("tutorial", "recommended"), default="tutorial")
    command.add_argument("--hidden", type=_hidden_layers, metavar="8[,4]", help="hidden layer sizes")
    (
        command.add_argument(
            "--features",
            type=_features,
            metavar="age,sex,...",
            help="the findings the model uses (names as in heart.doc's order: age, sex, cp, trestbps, chol, "
            "fbs, restecg, thalach, exang, oldpeak, slope, ca, thal); default all 13. Patients lacking one "
            "of them are left out",
        ),
    )
    command.add_argument("--lr", type=_positive_number, metavar="RATE", help="learning rate")
    command.add_argument("--epochs", type=_positive_int, metavar="N")
    command.add_argument("--seed", type=_seed, metavar="N", help="seed of the initial weights")
    command.add_argument("--test-size", type=_fraction, metavar="FRACTION", help="share kept aside to test")
    command.add_argument(
        "--threshold",
        type=_probability,
        metavar="RISK",
        help="risk at or above which a patient is flagged for further testing",
    )


# --------------------------------------------------------------------------------------------------
# helpers


def _json_value(value: Any) -> Any:
    """Plain JSON: NumPy numbers become Python numbers, NaN becomes null."""
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _print_json(obj: Any) -> None:
    print(json.dumps(_json_value(obj), indent=2, allow_nan=False))


def _data_error(error: Any, *, hint: bool = True) -> str:
    """A DataFileError in one self-contained line: the file, its first problem, how many more."""
    name = os.path.basename(error.path) or error.path
    first = str(error.problems[0]) if error.problems else "it cannot be used"
    more = error.total - 1
    listed = f"; run '{PROG} check' to list them" if hint else ", listed above"
    tail = f" (and {more} more problem{'s' if more != 1 else ''}{listed})" if more else ""
    return f"cannot load '{name}': {first}{tail}"


def _load_data(path: str) -> Any:
    from heartgui.core.dataset import DataFileError, load_dataset

    try:
        return load_dataset(path)
    except DataFileError as error:
        raise UsageError(_data_error(error)) from None


# --------------------------------------------------------------------------------------------------
# check


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _check(args: argparse.Namespace) -> int:
    from heartgui.core.dataset import DataFileError, load_dataset

    try:
        dataset = load_dataset(args.data)
    except DataFileError as error:
        # check is the command that lists problems: the details go to stdout, the one-line error to stderr.
        print(str(error))
        raise UsageError(_data_error(error, hint=False)) from None
    from heartgui.core.schema import ALL_SITES_FEATURES, FEATURE_NAMES

    prov = dataset.provenance
    counts = dataset.class_counts
    absent, present = counts.get(0, 0), counts.get(1, 0)
    chosen = args.features or FEATURE_NAMES
    left_out = dataset.left_out(chosen)
    not_recorded = {n: int(c) for n, c in dataset.X.isna().sum().items() if int(c)}
    summary = {
        "file": prov.path,
        "format": prov.format,
        "target_coding": prov.target_coding,
        "rows_read": prov.rows_read,
        "rows_kept": dataset.n_rows,
        "classes": {"absent": absent, "present": present},
        "dropped": [{"line": d.line, "reason": d.reason} for d in prov.dropped],
        "not_recorded": not_recorded,
        "rows_with_all_13": dataset.n_complete(),
        "rows_with_all_sites_features": dataset.n_complete(ALL_SITES_FEATURES),
        "features": list(chosen),
        "rows_used": dataset.n_rows - len(left_out),
        "left_out": [{"line": d.line, "reason": d.reason} for d in left_out],
        "sha256": prov.sha256,
    }
    if args.json:
        _print_json(summary)
        return EXIT_OK
    print(f"File:     {prov.path}")
    print(f"Format:   {prov.format} (class coded {prov.target_coding})")
    print(f"Rows:     {dataset.n_rows} kept of {prov.rows_read} read")
    print(f"Classes:  {absent} absent, {present} present")
    if prov.dropped:
        print(f"Dropped:  {_rows(len(prov.dropped))} (left out of every model)")
        for row in prov.dropped:
            print(f"  line {row.line}: {row.reason}")
    else:
        print("Dropped:  none")
    if not_recorded:
        shown = ", ".join(f"{n} {c}" for n, c in sorted(not_recorded.items(), key=lambda kv: -kv[1]))
        print(f"Not recorded (rows): {shown}")
    else:
        print("Not recorded: nothing, every row has all 13 findings")
    print(f"A model on all 13 findings uses {_rows(dataset.n_complete())}.")
    sites = ", ".join(ALL_SITES_FEATURES)
    print(
        f"A model on the 8 findings measured at all four sites ({sites}) uses "
        f"{_rows(dataset.n_complete(ALL_SITES_FEATURES))}."
    )
    which = "all 13 findings" if args.features is None else ", ".join(chosen)
    if left_out:
        print(f"Left out by a model on {which}: {_rows(len(left_out))}")
        for row in left_out:
            print(f"  line {row.line}: {row.reason}")
    else:
        print(f"Left out by a model on {which}: none")
    print(f"SHA-256:  {prov.sha256}")
    return EXIT_OK


# --------------------------------------------------------------------------------------------------
# train


def _settings(args: argparse.Namespace) -> Any:
    from heartgui.core.presets import PRESETS

    base = PRESETS[args.preset]
    options = {
        "hidden_layers": args.hidden,
        "learning_rate": args.lr,
        "epochs": args.epochs,
        "seed": args.seed,
        "test_size": args.test_size,
        "threshold": args.threshold,
        "features": getattr(args, "features", None),
    }
    changes = {key: value for key, value in options.items() if value is not None}
    return base.replace(**changes) if changes else base


def _train(args: argparse.Namespace) -> int:
    settings = _settings(args)
    out = Path(args.out) if args.out else None
    if out is not None:
        _check_out(out, args, "model", "the model")
    dataset = _load_data(args.data)
    result = _train_checked(dataset, settings)
    if out is not None:
        _save(out, result, dataset)
    test, tr = result.test_metrics, result.train_metrics
    _print_json(
        {
            "preset": settings.preset,
            "settings": settings.as_dict(),
            "data_file": dataset.provenance.path,
            "data_sha256": result.data_sha256,
            "features": list(result.model.features_),
            # patients of the file lacking a finding the model uses
            "n_left_out": dataset.n_rows - int(tr.n) - int(test.n),
            "n_train": int(tr.n),
            "n_test": int(test.n),
            "epochs_run": result.epochs_run,
            "stopped_early": result.stopped_early,
            "final_train_loss": result.final_train_loss,
            "threshold": result.model.threshold,
            "train_accuracy": tr.accuracy,
            "test_accuracy": test.accuracy,
            "test_auc": test.roc_auc,
            "test_sensitivity": test.sensitivity,
            "test_specificity": test.specificity,
            "test_statlog_cost": test.statlog_cost,
            "test_confusion": {"tp": test.tp, "fn": test.fn, "fp": test.fp, "tn": test.tn},
            "model_file": None if out is None else str(out.resolve()),
        }
    )
    return EXIT_OK


def _train_checked(dataset: Any, settings: Any) -> Any:
    from heartgui.core.network import TrainingDiverged
    from heartgui.core.training import train

    try:
        return train(dataset, settings)
    except TrainingDiverged as error:
        raise UsageError(str(error)) from None
    except ValueError as error:  # e.g. a split with one class only, a network too large to build
        raise UsageError(f"cannot train on '{dataset.provenance.file_name}': {error}") from None
    except MemoryError:
        raise UsageError(_too_large(settings)) from None


def _too_large(settings: Any) -> str:
    """A network whose weights do not fit in memory, in numbers a student can act on."""
    sizes = [13, *settings.hidden_layers, 1]  # the network's inputs are at least the 13 features
    weights = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    layers = ",".join(map(str, settings.hidden_layers))
    return (
        f"cannot train with hidden layers {layers}: the network has about {weights:,} weights, "
        f"{weights * 8 / 1e9:,.0f} GB for each copy training needs, more memory than this computer has; "
        "use fewer units (the presets use 8)"
    )


def _check_out(out: Path, args: argparse.Namespace, kind: str, what: str) -> None:
    """Refuse an --out path that must not be written, before spending time on training.

    Never the data file being read; never a folder, device or pipe; an existing file of another kind
    only with --force (:func:`heartgui.core.safe_io.check_output_path`).
    """
    from heartgui.core.safe_io import OutputPathError, check_output_path

    try:
        check_output_path(out, kind=kind, inputs=[args.data], force=args.force)
    except OutputPathError as error:
        hint = " (add --force to replace it)" if error.forcible else ""
        raise UsageError(f"cannot save {what} to '{out}': {error.reason}{hint}") from None


def _write_failure(out: Path, what: str, error: OSError) -> str:
    """One line for a failed write: the core's WriteError already says that nothing was changed."""
    from heartgui.core.safe_io import WriteError

    if isinstance(error, WriteError):
        return str(error)
    return f"cannot save {what} to '{out}': {error.strerror or error}"


def _save(out: Path, result: Any, dataset: Any) -> None:
    from heartgui.core.model_file import save_model

    try:
        save_model(
            out,
            result.model,
            settings=result.settings,
            metrics=result.test_metrics,
            data_sha256=result.data_sha256,
            data_name=dataset.provenance.file_name,
            fingerprints=result.split.fingerprints,
        )
    except OSError as error:
        raise UsageError(_write_failure(out, "the model", error)) from None


# --------------------------------------------------------------------------------------------------
# evaluate


def _evaluate(args: argparse.Namespace) -> int:
    try:
        from heartgui.core.crossval import cross_validate
    except ImportError:  # pragma: no cover - only while crossval is being written
        raise UsageError("evaluate is not available in this build of heartgui") from None

    dataset = _load_data(args.data)
    try:
        # The patients with all 13 findings, which every method of the table (and each lesson) uses: the
        # out-of-fold risks below are theirs.
        dataset = dataset.complete()
    except ValueError as error:
        raise UsageError(f"cannot cross-validate '{dataset.provenance.file_name}': {error}") from None
    if args.seeds or args.learning_curve or args.permutations:
        return _lesson(args, dataset)
    args.repeats = 5 if args.repeats is None else args.repeats
    try:
        result = cross_validate(dataset, folds=args.folds, repeats=args.repeats, progress=_progress())
    except ValueError as error:  # e.g. more folds than patients of a class
        raise UsageError(f"cannot cross-validate '{dataset.provenance.file_name}': {error}") from None
    table = result.summary()
    table.index.name = "method"
    diverged = _diverged_folds(result)
    if args.json:
        from heartgui.core.crossval import out_of_fold_clinical

        table["diverged_folds"] = [len(diverged.get(m, [])) for m in table.index]
        records = table.reset_index().to_dict(orient="records")
        # Calibration and net benefit from each patient's out-of-fold risk, at the cost-optimal threshold.
        clinical = out_of_fold_clinical(result, dataset.y, result.optimal_threshold)
        _print_json([{**record, **clinical.get(str(record["method"]), {})} for record in records])
    else:
        times = "once" if args.repeats == 1 else f"{args.repeats} times"
        print(
            f"Stratified {args.folds}-fold cross-validation, repeated {times}, on "
            f"{dataset.provenance.file_name} ({dataset.n_rows} patients). Cost = average Statlog cost per "
            f"patient (missed disease {result.cost_missed:g}, false alarm {result.cost_false_alarm:g}); "
            f"'optimal' calls disease from risk {result.optimal_threshold:.3g}."
        )
        print(_compact(table).to_string())
        for method, epochs in diverged.items():
            folds = sum(1 for row in result.rows if row.method == method)
            print(_divergence_note(method, epochs, folds))
    return EXIT_OK


def _lesson(args: argparse.Namespace, dataset: Any) -> int:
    """``evaluate --seeds / --learning-curve / --permutations``: one of the lessons of many networks."""
    from heartgui.core import lessons
    from heartgui.core.presets import PRESETS

    settings = PRESETS[args.preset]
    every = {"folds": args.folds, "repeats": 1 if args.repeats is None else args.repeats}
    common = {"data_file": dataset.provenance.path, "preset": settings.preset, **every}
    try:
        if args.seeds:
            lottery = lessons.seed_lottery(dataset, settings, range(1, args.seeds + 1), **every)
            out: dict[str, Any] = {
                "lesson": "seed lottery",
                **common,
                "chosen_seed": lottery.chosen_seed,
                "seeds": [
                    {"seed": seed, "cost": cost, "auc": auc}
                    for seed, cost, auc in zip(lottery.seeds, lottery.costs, lottery.aucs, strict=True)
                ],
                "words": lottery.words(),
            }
        elif args.learning_curve:
            curve = lessons.learning_curve(dataset, settings, **every)
            out = {
                "lesson": "learning curve",
                **common,
                "points": [
                    {
                        "fraction": fraction,
                        "n_train": curve.n_train[fraction],
                        **{
                            method: {"auc": curve.auc[method][i], "cost": curve.cost[method][i]}
                            for method in curve.methods
                        },
                    }
                    for i, fraction in enumerate(curve.fractions)
                ],
                "words": curve.words(),
            }
        else:
            test = lessons.permutation_test(dataset, settings, args.permutations, **every)
            out = {
                "lesson": "label permutation",
                **common,
                "real_auc": test.real_auc,
                "shuffled_aucs": list(test.shuffled_aucs),
                "p_value": test.p_value,
                "words": test.words(),
            }
    except ValueError as error:  # e.g. more folds than patients of a class
        raise UsageError(f"cannot cross-validate '{dataset.provenance.file_name}': {error}") from None
    if args.json:
        _print_json(out)
    else:
        print(out["words"])
    return EXIT_OK


def _diverged_folds(result: Any) -> dict[str, list[int]]:
    """For each method that diverged on some folds, the epoch at which it did, one per such fold."""
    out: dict[str, list[int]] = {}
    for row in result.rows:
        found = re.search(r"diverged at epoch (\d+)", row.note)
        if found:
            out.setdefault(row.method, []).append(int(found.group(1)))
    return out


def _divergence_note(method: str, epochs: list[int], folds: int) -> str:
    """The table's figures for these folds are not those of a trained network: say it under the table."""
    at = ", ".join(str(e) for e in sorted(set(epochs)))
    start = " (at epoch 1: the untrained initial weights)" if 1 in epochs else ""
    return (
        f"Note: {method} diverged on {len(epochs)} of {folds} folds (at epoch {at}); those folds were "
        f"scored with the weights of the last epoch before the loss stopped being a finite number{start}."
    )


_SHOWN_FIGURES = {
    "cost_at_optimal": "cost (optimal)",
    "cost_at_half": "cost (risk 0.5)",
    "roc_auc": "ROC AUC",
    "accuracy_at_half": "accuracy (risk 0.5)",
}


def _compact(table: Any) -> Any:
    """The summary as 'mean ± sd' columns that fit a terminal."""
    import pandas as pd

    out = pd.DataFrame(index=table.index)
    for figure, title in _SHOWN_FIGURES.items():
        means, sds = table[f"{figure}_mean"], table[f"{figure}_sd"]
        out[title] = [f"{m:.3f} ± {s:.3f}" if s == s else f"{m:.3f}" for m, s in zip(means, sds)]
    out["folds"] = table["folds"]
    out["seconds"] = [f"{v:.1f}" for v in table["total_seconds"]]
    return out


def _progress() -> Any:
    """Fold-by-fold progress on an interactive terminal only (stderr stays clean when redirected)."""
    if not sys.stderr.isatty():
        return None

    def show(report: Any) -> None:
        end = "\n" if report.done == report.total else ""
        print(f"\rfold {report.done} of {report.total}", end=end, file=sys.stderr, flush=True)

    return show


# --------------------------------------------------------------------------------------------------
# predict


def _feature_lookup() -> dict[str, str]:
    from heartgui.core.schema import FEATURES

    names: dict[str, str] = {}
    for feature in FEATURES:
        names[feature.name.lower()] = feature.name
        for alias in feature.aliases:
            names[alias.lower()] = feature.name
    return names


#: A patient file is a few hundred bytes; anything this large is the wrong file.
MAX_PATIENT_FILE_BYTES = 1024 * 1024
#: More digits than any float has; longer integers are refused before Python converts them.
_MAX_JSON_DIGITS = 400


class _BadNumber:
    """A JSON number that is no usable value (kept until its key is known, to name it)."""

    def __init__(self, why: str) -> None:
        self.why = why


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _json_int(text: str) -> int | _BadNumber:
    digits = len(text.lstrip("-"))
    too_large = _BadNumber(f"a number with {digits} digits, far beyond any possible value")
    if digits > _MAX_JSON_DIGITS:
        return too_large
    value = int(text)
    try:
        float(value)
    except OverflowError:
        return too_large
    return value


def _json_float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(f"{_shorten(text)}, not a finite number")


def _json_constant(text: str) -> _BadNumber:
    return _BadNumber(f"{text}, not a finite number")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object in which each key appears once (json keeps the last one silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_patient_file(path: str) -> dict[str, Any]:
    from heartgui.core.safe_io import FileRefused, read_regular_file

    name = os.path.basename(path) or path
    try:
        raw = read_regular_file(path, MAX_PATIENT_FILE_BYTES, "patient file")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"cannot read the patient file '{path}': it does not exist") from None
    except FileRefused as error:
        folder = "it is a folder" if "a folder" in error.problem else error.problem
        raise UsageError(f"cannot read the patient file '{path}': {folder}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read the patient file '{name}': it is not a UTF-8 text file") from None
    except OSError as error:
        raise UsageError(f"cannot read the patient file '{path}': {error.strerror or error}") from None
    try:
        data = json.loads(
            text,
            object_pairs_hook=_json_object,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as error:
        raise UsageError(
            f"'{name}' is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except _DuplicateKey as error:
        raise UsageError(
            f"'{name}': the key \"{_shorten(error.key)}\" is given twice; give each once"
        ) from None
    except RecursionError:
        raise UsageError(
            f"'{name}' is nested too deeply to be a patient; it must hold one JSON object like "
            '{"age": 63, "sex": 1, ...}'
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f'\'{name}\' must hold one JSON object like {{"age": 63, "sex": 1, ...}}')
    values = {}
    for key, value in data.items():
        if isinstance(value, _BadNumber):
            raise UsageError(f"'{name}': {_shorten(key)} is {value.why}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = "a list or object" if isinstance(value, (list, dict)) else json.dumps(value)
            raise UsageError(f"'{name}': {_shorten(key)} is {_shorten(shown, 40)}, not a number")
        values[str(key)] = float(value)
    return values


def _parse_pairs(pairs: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"'{pair}' is not NAME=VALUE (e.g. age=63)")
        try:
            value = float(text)
        except ValueError:
            raise UsageError(f"{pair}: '{text}' is not a number") from None
        if key.strip() in values:
            raise UsageError(f"{key.strip()} is given twice")
        values[key.strip()] = value
    return values


def _patient(args: argparse.Namespace) -> dict[str, float]:
    """The 13 canonical features from --patient and NAME=VALUE pairs (pairs win), each checked."""
    from heartgui.core.schema import BY_NAME, FEATURE_NAMES

    if args.patient is None and not args.values:
        raise UsageError("give the patient: --patient FILE.json or NAME=VALUE pairs (e.g. age=63 sex=1 ...)")
    lookup = _feature_lookup()
    patient: dict[str, float] = {}
    sources = []
    if args.patient is not None:
        sources.append((f"in '{os.path.basename(args.patient)}': ", _read_patient_file(args.patient), False))
    if args.values:
        sources.append(("", _parse_pairs(args.values), True))
    for where, values, override in sources:
        seen: dict[str, str] = {}
        for key, value in values.items():
            name = lookup.get(key.strip().lower())
            if name is None:
                raise UsageError(
                    f"{where}unknown feature '{key}'; the features are {', '.join(FEATURE_NAMES)}"
                )
            if name in seen:
                raise UsageError(f"{where}{name} is given twice (as '{seen[name]}' and '{key}')")
            seen[name] = key
            problem = BY_NAME[name].check(value)
            if problem is not None:
                raise UsageError(f"{where}{name} {problem}")
            if override or name not in patient:
                patient[name] = value
    missing = [n for n in FEATURE_NAMES if n not in patient]
    if missing:
        raise UsageError(
            f"missing feature{'s' if len(missing) != 1 else ''} {', '.join(missing)}: all 13 are needed"
        )
    return {n: patient[n] for n in FEATURE_NAMES}


def _predict(args: argparse.Namespace) -> int:
    from heartgui.core.model_file import ModelFileError, load_model

    patient = _patient(args)
    try:
        saved = load_model(args.model)
    except ModelFileError as error:
        raise UsageError(str(error)) from None
    from heartgui.core.model import RiskNotComputable
    from heartgui.core.schema import DECISION_WORDS

    model = saved.model
    risk = float(model.predict_risk(patient)[0])
    try:
        flagged = bool(model.predict(patient)[0])
    except RiskNotComputable as error:  # never a decision on a risk that is not a number
        raise UsageError(f"'{os.path.basename(args.model)}': {error}") from None
    _print_json(
        {
            "risk": risk,
            "decision": DECISION_WORDS[int(flagged)],
            "threshold": model.threshold,
            "out_of_range": {
                name: {"value": patient[name], "low": low, "high": high}
                for name, (low, high) in model.out_of_range(patient).items()
            },
            "patient": patient,
            "model_file": saved.path,
        }
    )
    return EXIT_OK


# --------------------------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse cannot take NAME=VALUE pairs after --patient FILE: collect them here.
    if args.command == "predict":
        args.values += [e for e in extra if "=" in e and not e.startswith("-")]
        extra = [e for e in extra if e not in args.values]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


# --------------------------------------------------------------------------------------------------
# report


def _report(args: argparse.Namespace) -> int:
    settings = _settings(args)
    out = Path(args.out)
    if not out.suffix:
        out = out.with_suffix(".pdf")
    _check_out(out, args, "pdf", "the report")
    dataset = _load_data(args.data)
    other = _load_data(args.validate) if args.validate else None  # a bad file is said before training
    result = _train_checked(dataset, settings)
    from heartgui.reports import training_report

    validation = None
    if other is not None:
        from heartgui.core.overlap import PatientFingerprints
        from heartgui.core.validation import NothingToScore, model_features, validate

        split = result.split
        prints = PatientFingerprints.of(split.X_train, split.X_test, model_features(result.model))
        try:
            validation = validate(
                result.model,
                other,
                fingerprints=prints,
                threshold=settings.threshold,
                model_data_sha256=result.data_sha256,
            )
        except NothingToScore as error:
            raise UsageError(str(error)) from None
    try:
        pages = training_report(
            out,
            result,
            provenance=dataset.provenance,
            threshold=settings.threshold,
            threshold_source="the threshold of the training settings",
            validation=validation,
        )
    except OSError as error:
        raise UsageError(_write_failure(out, "the report", error)) from None
    _print_json(
        {
            "report_file": str(out.resolve()),
            "pages": pages,
            "preset": settings.preset,
            "data_file": dataset.provenance.path,
            "data_sha256": result.data_sha256,
            "test_accuracy": result.test_metrics.accuracy,
            "test_auc": result.test_metrics.roc_auc,
            **(
                {}
                if validation is None
                else {"validated_on": validation.data_name, "validation_warnings": validation.warnings()}
            ),
        }
    )
    return EXIT_OK


# --------------------------------------------------------------------------------------------------


def _backprop(args: argparse.Namespace) -> int:
    from heartgui.core.backprop import describe, step_of_run

    settings = _settings(args)
    if args.epochs is None and args.epoch > settings.epochs:  # a step beyond the preset's run
        settings = settings.replace(epochs=args.epoch)
    dataset = _load_data(args.data)
    try:
        step = step_of_run(dataset, settings, args.epoch, patient=args.patient)
    except ValueError as error:
        raise UsageError(f"cannot show that step on '{dataset.provenance.file_name}': {error}") from None
    if args.json:
        _print_json({"preset": settings.preset, "data_file": dataset.provenance.path, **step.as_json()})
    else:
        print(describe(step))
    return EXIT_OK


# --------------------------------------------------------------------------------------------------
# validate


def _validate(args: argparse.Namespace) -> int:
    from heartgui.core.model_file import ModelFileError, load_model

    try:
        saved = load_model(args.model)
    except ModelFileError as error:
        raise UsageError(str(error)) from None
    dataset = _load_data(args.data)
    from heartgui.core.validation import NothingToScore, describe, validate

    try:
        result = validate(
            saved.model,
            dataset,
            fingerprints=saved.fingerprints,
            threshold=args.threshold,
            model_data_sha256=saved.data_sha256,
        )
    except NothingToScore as error:
        raise UsageError(str(error)) from None
    if args.json:
        _print_json({"model_file": saved.path, "model_data": saved.data_name, **result.as_json()})
        return EXIT_OK
    trained_on = f" (trained on {saved.data_name})" if saved.data_name else ""
    print(describe(result, f"{os.path.basename(args.model)}{trained_on}"), end="")
    return EXIT_OK


_COMMANDS = {
    "check": _check,
    "train": _train,
    "evaluate": _evaluate,
    "predict": _predict,
    "report": _report,
    "backprop": _backprop,
    "validate": _validate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``heartgui-cli`` with ``argv`` (default: the process's arguments); return the exit status."""
    _writable_output()
    try:
        args = _parse(argv)
        return _COMMANDS[args.command](args)
    except UsageError as error:
        _fail(str(error))
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # the reader of stdout is gone (`... | head`): nothing left to say
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as error:  # never a traceback for the user; one line that can be reported
        _fail(f"internal error ({type(error).__name__}: {error}); please report this")
        return EXIT_INTERNAL


#: Characters the commands print (the tutorial's ŷ, a minus sign, ≤, arrows, a Greek sigma).
_OUR_CHARACTERS = "ŷ−≤→σ×"


def _writable_output() -> None:
    """Make stdout and stderr able to write what the commands print.

    Redirected to a file or a pipe on Windows, Python writes in the ANSI code page (cp1252), which has
    no "ŷ": ``backprop > out.txt`` stopped with an encoding error. Redirected output is then written as
    UTF-8; a terminal that cannot show a character gets a "?" for it rather than an error.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            _OUR_CHARACTERS.encode(stream.encoding or "ascii")
            continue
        except (UnicodeEncodeError, LookupError, AttributeError):
            pass
        try:
            if stream.isatty():
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
            else:
                stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            pass  # not a text stream we can change (e.g. replaced by a caller)


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _fail(message: str) -> None:
    sys.stdout.flush()
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
