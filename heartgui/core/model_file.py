"""Model files that are safe to share: a trained model as plain numbers, never code.

A ``.heartmodel`` file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) holding

* ``meta`` — UTF-8 JSON text as a ``uint8`` array: format and versions, the 13 feature names, the model's
  parameters, the training ranges and defaults, the training settings, the test metrics, the data's
  SHA-256 and name, the save time, and a SHA-256 checksum over everything else; optionally (files saved
  since validation on other files came) ``patient_fingerprints``: a hash of each training and test
  patient (:class:`~heartgui.core.overlap.PatientFingerprints`), so that a validation can tell which
  patients of another file the model has already seen, without the file holding any patient's values;
* ``W0``, ``b0``, ``W1``, ``b1``, … — the weights and biases of every layer (float64);
* ``pre_scaler_mean``, ``pre_scaler_scale``, ``pre_scaler_var`` — the fitted standardisation (float64);
* ``novelty_mean``, ``novelty_precision``, ``novelty_threshold`` — how far a patient may be from the
  training patients before the app warns (:mod:`heartgui.core.novelty`); optional, for older files.

:func:`load_model` reads it with ``allow_pickle=False`` and checks every member before building the model,
so a file from a classmate can at worst be refused with a :class:`ModelFileError`, never run code.
:func:`save_model` writes atomically: an interrupted save leaves any earlier file untouched.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import heartgui
from heartgui.core.evaluation import Metrics
from heartgui.core.model import HeartModel
from heartgui.core.network import MLP
from heartgui.core.novelty import NoveltyReference
from heartgui.core.overlap import PatientFingerprints
from heartgui.core.preprocessing import Preprocessor
from heartgui.core.presets import TrainingSettings
from heartgui.core.safe_io import FileRefused, atomic_write, describe_size, read_regular_file
from heartgui.core.schema import FEATURE_NAMES, SCHEMA_VERSION, check_features

#: The suggested file extension.
EXTENSION = ".heartmodel"
#: Written into every file; a file with a higher number was made by a newer heartgui.
FORMAT_VERSION = 1
_FORMAT_NAME = "heartgui-model"
#: Far above any model a student can train; bounds memory before anything is parsed.
MAX_FILE_BYTES = 256 * 1024 * 1024
_MAX_LAYERS = 64
#: Unpacked bytes allowed beyond twice the file's size (room for a small re-zipped file).
_UNPACK_SLACK = 1024 * 1024
_PRE_KEYS = ("scaler_mean", "scaler_scale", "scaler_var")
_PRE_PREFIX = "pre_"
_NOVELTY_KEYS = ("mean", "precision", "threshold")
_NOVELTY_PREFIX = "novelty_"
_META = "meta"
_HEX64 = re.compile(r"[0-9a-f]{64}")

_ADVICE_CHOOSE = "Choose a model file saved by heartgui (File → Save model)."
_ADVICE_RESAVE = "The file is damaged: train and save the model again, or ask for a fresh copy."
_ADVICE_UPDATE = "Update heartgui to open it."


class ModelFileError(ValueError):
    """The one exception :func:`load_model` raises: the file cannot be used, and why.

    Attributes
    ----------
    path : the file that was read.
    problem : what is wrong, in words a student understands.
    advice : what to do about it.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str, advice: str = _ADVICE_CHOOSE) -> None:
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        super().__init__(self.path, problem, advice)

    def __str__(self) -> str:
        name = os.path.basename(self.path) or self.path
        return f"Cannot open the model file '{name}': {self.problem}. {self.advice}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problem, self.advice))


@dataclass(frozen=True, eq=False)
class SavedModel:
    """A model read back from a file, with what was recorded about how it was made."""

    model: HeartModel
    settings: TrainingSettings | None
    metrics: dict[str, float] | None
    data_sha256: str | None
    data_name: str | None
    app_version: str
    saved_at: str
    path: str
    #: Which patients the model was made from; ``None`` for files saved before this was kept.
    fingerprints: PatientFingerprints | None = None


# --------------------------------------------------------------------------------------------------
# saving


def save_model(
    path: str | os.PathLike[str],
    model: HeartModel,
    *,
    settings: TrainingSettings | None = None,
    metrics: Metrics | None = None,
    data_sha256: str | None = None,
    data_name: str | None = None,
    fingerprints: PatientFingerprints | None = None,
) -> None:
    """Write a trained ``model`` (and what is known about how it was made) to ``path``, atomically.

    ``fingerprints`` (e.g. ``PatientFingerprints.of(split.X_train, split.X_test)``) lets a later
    validation on another file find the patients this model was trained and tested on.

    The file is written to a temporary file in the same folder, flushed to disk, then renamed over
    ``path``; on any error the temporary file is removed and an existing file at ``path`` is untouched.

    Raises
    ------
    sklearn.exceptions.NotFittedError : the model is not trained.
    ValueError : the model holds numbers that are not finite (a diverged run).
    OSError : the file cannot be written (folder missing, no permission, disk full): a
        :class:`~heartgui.core.safe_io.WriteError` saying so; any file at ``path`` is unchanged.
    """
    model._check_fitted()
    arrays = _model_arrays(model)
    for name, array in arrays.items():
        if not np.all(np.isfinite(array)):
            raise ValueError(f"the model's {name} holds numbers that are not finite; it cannot be saved")
    meta = _model_meta(model, settings, metrics, data_sha256, data_name)
    if fingerprints is not None:
        # An extra key only: heartgui versions that do not know it still open the file.
        meta["patient_fingerprints"] = fingerprints.as_dict()
    meta["checksum"] = _checksum(meta, arrays)
    members = {_META: np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8), **arrays}
    _write_atomically(Path(path), members)


def _model_arrays(model: HeartModel) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for i, (w, b) in enumerate(zip(model.network_.coefs_, model.network_.intercepts_)):
        arrays[f"W{i}"] = np.array(w, dtype=np.float64, order="C")
        arrays[f"b{i}"] = np.array(b, dtype=np.float64, order="C")
    for key, value in model.preprocessor_.state().items():
        arrays[_PRE_PREFIX + key] = np.array(value, dtype=np.float64, order="C")
    novelty = getattr(model, "novelty_reference_", None)
    if novelty is not None:
        for key, value in novelty.state().items():
            arrays[_NOVELTY_PREFIX + key] = np.array(value, dtype=np.float64, order="C")
    return arrays


def _model_meta(
    model: HeartModel,
    settings: TrainingSettings | None,
    metrics: Metrics | None,
    data_sha256: str | None,
    data_name: str | None,
) -> dict[str, Any]:
    params = model.get_params()
    params["hidden_layers"] = list(params["hidden_layers"])
    params["features"] = None if params["features"] is None else list(check_features(params["features"]))
    network_params = model.network_.get_params()
    network_params["hidden_layers"] = [int(h) for h in network_params["hidden_layers"]]  # type: ignore[attr-defined]
    return {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": heartgui.__version__,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
        "feature_names": list(FEATURE_NAMES),
        # The findings the model uses (files written before features could be chosen have none: all 13).
        "features": list(model.features_),
        "feature_names_out": list(model.feature_names_out_),
        "one_hot": bool(model.preprocessor_.one_hot),
        "n_layers": len(model.network_.coefs_),
        "params": params,
        "network_params": network_params,
        "training_ranges": {n: [float(lo), float(hi)] for n, (lo, hi) in model.training_ranges_.items()},
        "training_defaults": {n: float(v) for n, v in model.training_defaults_.items()},
        "n_train_rows": int(model.n_train_rows_),
        "settings": None if settings is None else settings.as_dict(),
        "metrics": None if metrics is None else {k: _json_number(v) for k, v in metrics.as_dict().items()},
        "data_sha256": data_sha256,
        "data_name": data_name,
    }


def _json_number(value: Any) -> int | float:
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _write_atomically(path: Path, members: Mapping[str, np.ndarray]) -> None:
    with atomic_write(path) as handle:
        np.savez(handle, **members)  # type: ignore[arg-type]


def _checksum(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the metadata (without its checksum) and every array's name, type, shape and bytes."""
    digest = hashlib.sha256()
    body = {k: v for k, v in meta.items() if k != "checksum"}
    digest.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"\n{name}|{array.dtype.str}|{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------
# loading


def load_model(path: str | os.PathLike[str]) -> SavedModel:
    """Read and check a model file written by :func:`save_model`.

    The file is opened with ``allow_pickle=False``; every array and every metadata field is checked
    before the model is built, and the rebuilt model predicts exactly as the saved one did.

    Raises
    ------
    ModelFileError : the file cannot be used; nothing else escapes.
    """
    path_text = os.fspath(path)
    try:
        return _load(str(path_text))
    except ModelFileError:
        raise
    except Exception as exc:  # the promise: whatever the bytes, only a ModelFileError escapes
        raise ModelFileError(
            path_text, f"the file could not be read ({type(exc).__name__}: {exc})", _ADVICE_RESAVE
        ) from exc


def _load(path: str) -> SavedModel:
    data = _read_file(path)
    members = _read_members(path, data)
    meta = _read_meta(path, members.pop(_META))
    _check_versions(path, meta)
    if meta.get("checksum") != _checksum(meta, members):
        raise ModelFileError(path, "the file is damaged (checksum mismatch)", _ADVICE_RESAVE)
    return _build(path, meta, members)


def _read_file(path: str) -> bytes:
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, "model file")
    except FileRefused as exc:
        raise ModelFileError(path, exc.problem, _ADVICE_CHOOSE) from None
    except FileNotFoundError:
        raise ModelFileError(path, "the file does not exist", "Check the file name and folder.") from None
    except PermissionError:
        raise ModelFileError(
            path, "you are not allowed to read this file", "Copy it to a folder of your own and try again."
        ) from None
    except OSError as exc:
        raise ModelFileError(
            path, f"the file could not be read ({exc.strerror or exc})", _ADVICE_CHOOSE
        ) from exc
    if not data:
        raise ModelFileError(path, "the file is empty", _ADVICE_RESAVE)
    return data


def _read_members(path: str, data: bytes) -> dict[str, np.ndarray]:
    """Every array of the archive, read without pickle after checking its header against its size.

    Nothing is unpacked before its size is known to be bounded: heartgui stores the arrays uncompressed,
    so all parts together hold no more than the file itself (with room for a re-zipped file); a
    compressed part that would unpack to more (a "zip bomb") is refused before a byte is unpacked.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise ModelFileError(path, "this file is not a heartgui model", _ADVICE_CHOOSE)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ModelFileError(path, "the file is damaged (not a complete archive)", _ADVICE_RESAVE) from None
    members: dict[str, np.ndarray] = {}
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names) or not all(n.endswith(".npy") for n in names):
            raise ModelFileError(
                path, "this file is not a heartgui model (unexpected contents)", _ADVICE_CHOOSE
            )
        if f"{_META}.npy" not in names:
            raise ModelFileError(
                path, "this file is not a heartgui model (no model description)", _ADVICE_CHOOSE
            )
        unpacked = sum(info.file_size for info in infos)
        if unpacked > min(MAX_FILE_BYTES, 2 * len(data) + _UNPACK_SLACK) or len(infos) > 2 * _MAX_LAYERS + 8:
            raise ModelFileError(
                path,
                f"the file is too large to be a heartgui model (its parts would unpack to "
                f"{describe_size(unpacked)} from {describe_size(len(data))})",
                _ADVICE_CHOOSE,
            )
        for info in infos:
            try:
                with archive.open(info) as stream:
                    header = _array_header(stream)
                    _check_array_header(path, info.filename, header, info.file_size)
                raw = archive.read(info)
            except ModelFileError:
                raise
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
                raise ModelFileError(path, f"the file is damaged ({exc})", _ADVICE_RESAVE) from None
            members[info.filename[: -len(".npy")]] = _read_array(path, info.filename, raw)
    return members


_Header = tuple[tuple[int, ...], np.dtype, int]


def _array_header(stream: Any) -> _Header | None:
    """``(shape, dtype, header size)`` of a .npy stream, from its header alone; ``None`` if unreadable."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            return None
    except ValueError:
        return None
    return tuple(shape), dtype, stream.tell()


def _check_array_header(path: str, member: str, header: _Header | None, size: int) -> None:
    """Refuse a part that holds no numbers, or whose header promises other than the ``size`` bytes it
    holds, before anything is unpacked or allocated."""
    damaged = f"the file is damaged (the part '{member}' cannot be read)"
    if header is None:
        raise ModelFileError(path, damaged, _ADVICE_RESAVE)
    shape, dtype, header_size = header
    if dtype.hasobject or dtype.kind not in "fiub":
        raise ModelFileError(
            path,
            f"this file is not a heartgui model (the part '{member}' holds {dtype} data, not numbers)",
            _ADVICE_CHOOSE,
        )
    if math.prod(shape) * dtype.itemsize != size - header_size:
        raise ModelFileError(path, damaged, _ADVICE_RESAVE)


def _read_array(path: str, member: str, raw: bytes) -> np.ndarray:
    _check_array_header(path, member, _array_header(io.BytesIO(raw)), len(raw))
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError:
        damaged = f"the file is damaged (the part '{member}' cannot be read)"
        raise ModelFileError(path, damaged, _ADVICE_RESAVE) from None


def _read_meta(path: str, array: np.ndarray) -> dict[str, Any]:
    not_model = "this file is not a heartgui model (its description is unreadable)"
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ModelFileError(path, not_model, _ADVICE_CHOOSE)
    try:
        meta = json.loads(array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(
            path, "the file is damaged (its description is unreadable)", _ADVICE_RESAVE
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT_NAME:
        raise ModelFileError(path, "this file is not a heartgui model", _ADVICE_CHOOSE)
    return meta


def _check_versions(path: str, meta: Mapping[str, Any]) -> None:
    """A newer heartgui may store things this one does not know: say so before anything else."""
    made_by = meta.get("app_version")
    made_by = made_by if isinstance(made_by, str) and len(made_by) < 40 else "a newer version"
    for key, current in (("format_version", FORMAT_VERSION), ("schema_version", SCHEMA_VERSION)):
        version: Any = meta.get(key)
        if not _is_int(version) or version < 1:
            raise ModelFileError(path, f"the file is damaged (its {key} is {version!r})", _ADVICE_RESAVE)
        if version > current:
            raise ModelFileError(
                path,
                f"it was made by heartgui {made_by}; this is {heartgui.__version__} "
                f"({key.replace('_', ' ')} {version}, this heartgui reads up to {current})",
                _ADVICE_UPDATE,
            )


# --------------------------------------------------------------------------------------------------
# checking the contents and building the model


class _Invalid(Exception):
    """A field that is not what a heartgui model holds (turned into a ModelFileError by :func:`_build`)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(what: str, value: Any) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise _Invalid(f"{what} is {value!r}, not a finite number")
    return float(value)


def _field(meta: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in meta:
        raise _Invalid(f"{key} is missing")
    value = meta[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        raise _Invalid(f"{key} has the wrong type ({type(value).__name__})")
    return value


def _optional_str(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is not None and not isinstance(value, str):
        raise _Invalid(f"{key} has the wrong type ({type(value).__name__})")
    return value


def _build(path: str, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> SavedModel:
    try:
        return _build_checked(path, meta, arrays)
    except _Invalid as exc:
        raise ModelFileError(path, f"the file holds an invalid model ({exc})", _ADVICE_RESAVE) from None


def _build_checked(path: str, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> SavedModel:
    if _field(meta, "feature_names", list) != list(FEATURE_NAMES):
        raise _Invalid("its features are not heartgui's 13 features")
    one_hot = _field(meta, "one_hot", bool)
    features = _check_features(meta)

    # Preprocessing: one finite mean, positive scale and non-negative variance per scaled feature.
    n_scaled = len(Preprocessor(one_hot=one_hot, features=features).scaled_names)
    state = {}
    for key in _PRE_KEYS:
        array = _float_array(arrays, _PRE_PREFIX + key, (n_scaled,))
        state[key] = array
    if not np.all(state["scaler_scale"] > 0) or not np.all(state["scaler_var"] >= 0):
        raise _Invalid("the standardisation has a zero or negative spread")
    preprocessor = Preprocessor.from_state(one_hot, state, features)
    names_out = _field(meta, "feature_names_out", list)
    if names_out != list(preprocessor.feature_names_out_):
        raise _Invalid("its network inputs do not match its preprocessing")

    # Layers chain from the network inputs to one output.
    n_layers = _field(meta, "n_layers", int)
    if not 1 <= n_layers <= _MAX_LAYERS:
        raise _Invalid(f"n_layers is {n_layers}")
    expected = {_PRE_PREFIX + k for k in _PRE_KEYS} | {f"{p}{i}" for i in range(n_layers) for p in "Wb"}
    # The distance-from-training reference is optional: files saved before it was kept have none.
    novelty_members = {_NOVELTY_PREFIX + k for k in _NOVELTY_KEYS}
    if novelty_members & set(arrays):
        expected |= novelty_members
    if set(arrays) != expected:
        missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
        raise _Invalid(f"parts missing: {missing}, unexpected parts: {extra}")
    weights, biases = [], []
    width = len(names_out)
    for i in range(n_layers):
        w = arrays[f"W{i}"]
        if w.ndim != 2 or w.shape[0] != width:
            raise _Invalid(f"layer {i + 1} has weights of shape {w.shape}, expected ({width}, …)")
        width = w.shape[1]
        if width < 1:
            raise _Invalid(f"layer {i + 1} has no units")
        weights.append(_float_array(arrays, f"W{i}", w.shape))
        biases.append(_float_array(arrays, f"b{i}", (width,)))
    if width != 1:
        raise _Invalid(f"the output layer has {width} units instead of 1")

    params = _check_params(
        _field(meta, "params", dict), [w.shape[1] for w in weights[:-1]], one_hot, features
    )
    network_params = _check_network_params(_field(meta, "network_params", dict), params)
    network = MLP.from_weights(weights, biases, **network_params)

    ranges = _field(meta, "training_ranges", dict)
    defaults = _field(meta, "training_defaults", dict)
    if sorted(ranges) != sorted(features) or sorted(defaults) != sorted(features):
        raise _Invalid("the training ranges or defaults do not name the model's features")
    training_ranges = {}
    for name in features:
        pair = ranges[name]
        if not isinstance(pair, list) or len(pair) != 2:
            raise _Invalid(f"the training range of {name} is {pair!r}")
        low, high = (_finite(f"training range of {name}", v) for v in pair)
        if low > high:
            raise _Invalid(f"the training range of {name} is empty")
        training_ranges[name] = (low, high)
    training_defaults = {name: _finite(f"training default of {name}", defaults[name]) for name in features}
    n_train_rows = _field(meta, "n_train_rows", int)
    if n_train_rows < 1:
        raise _Invalid(f"n_train_rows is {n_train_rows}")

    novelty = None
    if novelty_members <= set(arrays):
        try:
            novelty = NoveltyReference.from_state(
                {
                    k: _float_array(arrays, _NOVELTY_PREFIX + k, arrays[_NOVELTY_PREFIX + k].shape)
                    for k in _NOVELTY_KEYS
                },
                features,
            )
        except ValueError as exc:
            raise _Invalid(str(exc)) from None

    model = HeartModel.from_fitted(
        params,
        preprocessor,
        network,
        training_ranges=training_ranges,
        training_defaults=training_defaults,
        n_train_rows=n_train_rows,
        novelty_reference=novelty,
    )
    _check_arithmetic(model, novelty)

    return SavedModel(
        model=model,
        settings=_check_settings(meta.get("settings")),
        metrics=_check_metrics(meta.get("metrics")),
        data_sha256=_check_sha(meta),
        data_name=_optional_str(meta, "data_name"),
        app_version=_field(meta, "app_version", str),
        saved_at=_check_time(meta),
        path=os.path.abspath(path),
        fingerprints=_check_fingerprints(meta.get("patient_fingerprints")),
    )


def _reference_patients(model: HeartModel, novelty: NoveltyReference | None) -> pd.DataFrame:
    """Ordinary patients by the model's own record: its typical training patient, the same with each
    feature in turn at its lowest and highest training value, and the novelty reference's mean."""
    typical = dict(model.training_defaults_)
    rows = [typical]
    for name, (low, high) in model.training_ranges_.items():
        rows += [{**typical, name: low}, {**typical, name: high}]
    if novelty is not None:
        rows.append({**typical, **{n: float(v) for n, v in zip(novelty.names, novelty.mean)}})
    return pd.DataFrame(rows, columns=list(FEATURE_NAMES))


def _check_arithmetic(model: HeartModel, novelty: NoveltyReference | None) -> None:
    """Refuse a network whose numbers overflow on ordinary patients (finite but absurd weights).

    Such a file cannot come from training (a diverging run is stopped before its weights grow so), and
    its risks would be NaN, which no decision may be taken on.
    """
    inputs = model.transform(_reference_patients(model, novelty))
    with np.errstate(all="ignore"):
        steps = model.network_.forward_steps(inputs)
    for layer, (z, a) in enumerate(steps, start=1):
        if not (np.isfinite(z).all() and np.isfinite(a).all()):
            raise _Invalid(
                f"its arithmetic overflows in layer {layer} for ordinary patients (such as its typical "
                "training patient): the weights are far too large to come from training"
            )


def _float_array(arrays: Mapping[str, np.ndarray], name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in arrays:
        raise _Invalid(f"the part {name} is missing")
    array = arrays[name]
    if array.dtype != np.float64:
        raise _Invalid(f"{name} holds {array.dtype} numbers instead of float64")
    if array.shape != shape:
        raise _Invalid(f"{name} has shape {array.shape}, expected {shape}")
    if not np.all(np.isfinite(array)):
        raise _Invalid(f"{name} holds numbers that are not finite")
    return array


_PARAM_KEYS = frozenset(HeartModel().get_params())


def _check_features(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """The model's features; a file written before they could be chosen has none: all 13."""
    if "features" not in meta:
        return FEATURE_NAMES
    features = _field(meta, "features", list)
    if not all(isinstance(n, str) for n in features):
        raise _Invalid(f"its features are {features!r}")
    try:
        checked = check_features(features)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    if list(checked) != features:
        raise _Invalid("its features are not in the schema's order")
    return checked


def _check_params(
    params: dict[str, Any], hidden: list[int], one_hot: bool, features: tuple[str, ...] = FEATURE_NAMES
) -> dict[str, Any]:
    params = dict(params)
    if "features" not in params:  # written before features could be chosen: all 13
        params["features"] = None
    chosen = params["features"]
    if chosen is not None and (not isinstance(chosen, list) or tuple(chosen) != features):
        raise _Invalid(f"its parameters name the features {chosen!r}, its preprocessing {list(features)}")
    if chosen is None and features != FEATURE_NAMES:
        raise _Invalid("its parameters name all 13 features, its preprocessing fewer")
    if set(params) != _PARAM_KEYS:
        raise _Invalid("the model parameters are not those of a heartgui model")
    layers = params["hidden_layers"]
    if not isinstance(layers, list) or not all(_is_int(h) for h in layers) or layers != hidden:
        raise _Invalid(f"hidden_layers {layers!r} do not match the weights {hidden}")
    lr = _finite("learning_rate", params["learning_rate"])
    if lr <= 0:
        raise _Invalid(f"learning_rate is {lr}")
    if not _is_int(params["epochs"]) or params["epochs"] < 1:
        raise _Invalid(f"epochs is {params['epochs']!r}")
    if params["init"] not in ("normal", "he") or params["gradient"] not in ("sum", "mean"):
        raise _Invalid("init or gradient is unknown")
    if _finite("l2", params["l2"]) < 0:
        raise _Invalid("l2 is negative")
    patience = params["patience"]
    if patience is not None and (not _is_int(patience) or patience < 1):
        raise _Invalid(f"patience is {patience!r}")
    if params["one_hot"] is not one_hot:
        raise _Invalid("one_hot does not match the preprocessing")
    if not 0.0 <= _finite("validation_fraction", params["validation_fraction"]) < 0.9:
        raise _Invalid("validation_fraction is outside [0, 0.9)")
    threshold = _finite("threshold", params["threshold"])
    if not 0.0 <= threshold <= 1.0:
        raise _Invalid(f"the threshold {threshold} is not between 0 and 1")
    seed = params["random_state"]
    if seed is not None and not _is_int(seed):
        raise _Invalid(f"random_state is {seed!r}")
    return {
        **params,
        "hidden_layers": tuple(layers),
        "features": None if chosen is None else tuple(chosen),
    }


def _check_network_params(network_params: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    if set(network_params) != set(MLP().get_params()):
        raise _Invalid("the network parameters are not those of a heartgui network")
    for key in ("learning_rate", "epochs", "init", "gradient", "l2", "patience", "random_state"):
        if network_params[key] != params[key] or type(network_params[key]) is not type(params[key]):
            raise _Invalid(f"the network's {key} differs from the model's")
    if network_params["hidden_layers"] != list(params["hidden_layers"]):
        raise _Invalid("the network's hidden_layers differ from the model's")
    clip = _finite("clip", network_params["clip"])
    if not 0.0 < clip < 0.5:
        raise _Invalid(f"clip is {clip}")
    return {**network_params, "hidden_layers": tuple(params["hidden_layers"])}


def _check_settings(value: Any) -> TrainingSettings | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Invalid("the training settings are not a table")
    try:
        settings = TrainingSettings.from_dict(value)
        settings.model()._network()._check_params()
    except (TypeError, ValueError, AttributeError) as exc:
        raise _Invalid(f"the training settings are invalid ({exc})") from None
    return settings


def _check_metrics(value: Any) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) and _is_number(v) for k, v in value.items()):
        raise _Invalid("the test metrics are not a table of numbers")
    return dict(value)


def _check_fingerprints(value: Any) -> PatientFingerprints | None:
    if value is None:  # saved before fingerprints were kept
        return None
    try:
        return PatientFingerprints.from_dict(value)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _check_sha(meta: Mapping[str, Any]) -> str | None:
    sha = _optional_str(meta, "data_sha256")
    if sha is not None and not _HEX64.fullmatch(sha):
        raise _Invalid("data_sha256 is not a SHA-256")
    return sha


def _check_time(meta: Mapping[str, Any]) -> str:
    saved_at = _field(meta, "saved_at", str)
    try:
        datetime.fromisoformat(saved_at)
    except ValueError:
        raise _Invalid(f"saved_at is {saved_at!r}, not a time") from None
    return saved_at
