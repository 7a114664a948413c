"""Model files: a faithful round trip; any damaged, crafted or foreign file refused with ModelFileError."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

import heartgui
from heartgui.core import model_file
from heartgui.core.model import HeartModel
from heartgui.core.model_file import ModelFileError, SavedModel, load_model, save_model
from heartgui.core.presets import PRESETS, TUTORIAL
from heartgui.core.schema import FEATURE_NAMES
from heartgui.core.training import train


@pytest.fixture(scope="module")
def results(heart):
    return {name: train(heart, settings) for name, settings in PRESETS.items()}


@pytest.fixture(scope="module")
def good_bytes(results, tmp_path_factory) -> bytes:
    """The bytes of a valid model file (tutorial preset)."""
    path = tmp_path_factory.mktemp("good") / "good.heartmodel"
    result = results["tutorial"]
    save_model(path, result.model, settings=result.settings, metrics=result.test_metrics)
    return path.read_bytes()


@pytest.fixture
def good_file(tmp_path, good_bytes) -> Path:
    path = tmp_path / "model.heartmodel"
    path.write_bytes(good_bytes)
    return path


def _members(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    return meta, arrays


def _rewrite(path: Path, meta: dict, arrays: dict[str, np.ndarray], *, recompute: bool = True) -> None:
    """Write a (tampered) model file; with ``recompute`` its checksum is made valid again."""
    if recompute:
        meta = {**meta, "checksum": model_file._checksum(meta, arrays)}
    text = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as handle:
        np.savez(handle, meta=text, **arrays)


def _refused(path: Path, *words: str) -> ModelFileError:
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert path.name in message
    assert "\n" not in message
    for word in words:
        assert word in message, message
    return info.value


# --------------------------------------------------------------------------------------------------
# round trip


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_round_trip_predicts_bit_for_bit(results, heart, tmp_path, preset):
    result = results[preset]
    path = tmp_path / f"{preset}.heartmodel"
    save_model(
        path,
        result.model,
        settings=result.settings,
        metrics=result.test_metrics,
        data_sha256=result.data_sha256,
        data_name="heart.dat",
    )
    saved = load_model(path)
    assert isinstance(saved, SavedModel)
    assert np.array_equal(saved.model.predict_risk(heart.X), result.model.predict_risk(heart.X))
    assert (saved.model.predict_risk(heart.X) == result.model.predict_risk(heart.X)).all()
    assert saved.model.get_params() == result.model.get_params()
    assert saved.model.training_ranges_ == result.model.training_ranges_
    assert saved.model.training_defaults_ == result.model.training_defaults_
    assert saved.model.n_train_rows_ == result.model.n_train_rows_ == 216
    assert saved.model.feature_names_out_ == result.model.feature_names_out_
    assert saved.settings == result.settings
    assert saved.metrics == pytest.approx(result.test_metrics.as_dict(), nan_ok=True)
    assert saved.data_sha256 == heart.provenance.sha256
    assert saved.data_name == "heart.dat"
    assert saved.app_version == heartgui.__version__
    assert saved.saved_at.endswith("+00:00")
    assert saved.path == str(path)
    patient = heart.row(0)
    assert saved.model.out_of_range(patient) == result.model.out_of_range(patient)


def test_threshold_and_optional_fields_survive(results, heart, tmp_path):
    model = results["recommended"].model
    model.threshold = 1 / 6
    try:
        path = tmp_path / "m.heartmodel"
        save_model(path, model)
        saved = load_model(path)
    finally:
        model.threshold = 0.5
    assert saved.model.threshold == 1 / 6
    assert saved.settings is None and saved.metrics is None and saved.data_sha256 is None
    assert (saved.model.predict(heart.X) == (saved.model.predict_risk(heart.X) >= 1 / 6)).all()


def test_the_file_holds_no_pickle(good_file):
    with zipfile.ZipFile(good_file) as archive:
        names = archive.namelist()
    assert "meta.npy" in names and "W0.npy" in names and "pre_scaler_mean.npy" in names
    with np.load(good_file, allow_pickle=False) as npz:
        for name in npz.files:
            assert npz[name].dtype.kind in "fu", name
    meta, _ = _members(good_file)
    assert meta["feature_names"] == list(FEATURE_NAMES)
    assert meta["format_version"] == model_file.FORMAT_VERSION


def test_an_untrained_model_is_not_saved(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(tmp_path / "m.heartmodel", HeartModel())
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------------
# code in a file is never run


class _Payload:
    """Unpickling this creates a marker file: proof that pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_an_object_array_member_is_refused_and_never_run(good_file, tmp_path):
    marker = tmp_path / "pwned"
    meta, arrays = _members(good_file)
    evil = io.BytesIO()
    np.save(evil, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(good_file, "a") as archive:
        archive.writestr("evil.npy", evil.getvalue())
    _refused(good_file)
    # The same payload in place of a weight matrix.
    arrays["W0"] = np.array([_Payload(marker)], dtype=object)
    with open(good_file, "wb") as handle:
        np.savez(handle, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    _refused(good_file, "not a heartgui model")
    assert not marker.exists()


def test_a_plain_pickle_renamed_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.heartmodel"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    _refused(path, "not a heartgui model")
    assert not marker.exists()


# --------------------------------------------------------------------------------------------------
# damaged and foreign files


@pytest.mark.parametrize("keep", [1, 4, 30, 100, 1000, 0.5, -22, -1])
def test_a_truncated_file_is_refused(good_file, good_bytes, keep):
    cut = int(len(good_bytes) * keep) if isinstance(keep, float) else keep % len(good_bytes)
    good_file.write_bytes(good_bytes[:cut])
    _refused(good_file)


def test_flipped_bytes_in_the_weights_are_detected(good_file, good_bytes):
    with zipfile.ZipFile(good_file) as archive:
        info = archive.getinfo("W0.npy")
    # Local header (30 bytes + name + extra), then the .npy header (128 bytes), then the numbers.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 128
    for offset in (0, 7, 50):
        data = bytearray(good_bytes)
        data[start + offset] ^= 0x10
        good_file.write_bytes(bytes(data))
        _refused(good_file, "damaged")


def test_a_changed_weight_fails_the_checksum(good_file):
    meta, arrays = _members(good_file)
    arrays["W0"][0, 0] += 0.001
    _rewrite(good_file, meta, arrays, recompute=False)
    _refused(good_file, "damaged (checksum mismatch)", "save the model again")


def test_a_changed_threshold_fails_the_checksum(good_file):
    meta, arrays = _members(good_file)
    meta["params"]["threshold"] = 0.1
    _rewrite(good_file, meta, arrays, recompute=False)
    _refused(good_file, "checksum mismatch")


def test_wrong_shapes_are_refused_even_with_a_valid_checksum(good_file):
    meta, arrays = _members(good_file)
    arrays["W0"] = np.zeros((13, 9))
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "invalid model", "b0 has shape (8,), expected (9,)")
    arrays["W0"] = np.zeros((12, 8))
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "layer 1 has weights of shape (12, 8), expected (13, …)")


def test_a_network_that_does_not_end_in_one_output_is_refused(good_file):
    meta, arrays = _members(good_file)
    arrays["W1"], arrays["b1"] = np.zeros((8, 2)), np.zeros(2)
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "2 units instead of 1")


def test_a_scaler_of_the_wrong_length_is_refused(good_file):
    meta, arrays = _members(good_file)
    arrays["pre_scaler_mean"] = np.zeros(12)
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "pre_scaler_mean has shape (12,)")


@pytest.mark.parametrize("name", ["W1", "b0", "pre_scaler_mean"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_numbers_are_refused(good_file, name, bad):
    meta, arrays = _members(good_file)
    arrays[name].flat[0] = bad
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "not finite")


def test_a_zero_scale_is_refused(good_file):
    meta, arrays = _members(good_file)
    arrays["pre_scaler_scale"][3] = 0.0
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "spread")


def test_integer_weights_are_refused(good_file):
    meta, arrays = _members(good_file)
    arrays["W0"] = arrays["W0"].astype(np.int64)
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "float64")


def test_a_file_from_a_newer_format_asks_for_an_update(good_file):
    meta, arrays = _members(good_file)
    meta["format_version"] = model_file.FORMAT_VERSION + 1
    meta["app_version"] = "9.0"
    _rewrite(good_file, meta, arrays)
    _refused(good_file, f"made by heartgui 9.0; this is {heartgui.__version__}", "Update heartgui")


def test_a_file_from_a_newer_schema_asks_for_an_update(good_file):
    meta, arrays = _members(good_file)
    meta["schema_version"] += 1
    meta["app_version"] = "2.3.1"
    # Even with a stale checksum the message is about the version, which the newer file may compute apart.
    _rewrite(good_file, meta, arrays, recompute=False)
    _refused(good_file, "made by heartgui 2.3.1", "schema version", "Update heartgui")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m.update(feature_names=[*FEATURE_NAMES[:-1], "thalium"]), "13 features"),
        (lambda m: m["params"].update(threshold=1.5), "threshold 1.5"),
        (lambda m: m["params"].update(threshold="high"), "threshold"),
        (lambda m: m["params"].update(hidden_layers=[9]), "hidden_layers"),
        (lambda m: m["params"].update(evil="os.system('x')"), "parameters"),
        (lambda m: m.update(one_hot=True), "invalid model"),
        (lambda m: m.update(n_layers=3), "missing"),
        (lambda m: m.update(n_train_rows=True), "n_train_rows"),
        (lambda m: m["training_ranges"].update(age=[80, 30]), "range of age"),
        (lambda m: m["training_defaults"].pop("chol"), "defaults"),
        (lambda m: m.update(settings={"epochs": "many"}), "settings"),
        (lambda m: m.update(settings={"unknown": 1}), "settings"),
        (lambda m: m.update(metrics=["accuracy"]), "metrics"),
        (lambda m: m.update(data_sha256="abc"), "SHA-256"),
        (lambda m: m.update(saved_at="yesterday"), "saved_at"),
        (lambda m: m.update(format="something-else"), "not a heartgui model"),
        (lambda m: m.update(format_version="1"), "format_version"),
        (lambda m: m.update(features=["age", "sexx"]), "unknown feature 'sexx'"),
        (lambda m: m.update(features=["sex", "age"]), "schema's order"),
        (lambda m: m.update(features="age"), "features"),
        # fewer features than its preprocessing and weights were made for
        (lambda m: m.update(features=["age", "sex"]), "invalid model"),
        (lambda m: m["params"].update(features=["age", "sex"]), "features"),
    ],
)
def test_invalid_metadata_is_refused_even_with_a_valid_checksum(good_file, change, words):
    meta, arrays = _members(good_file)
    change(meta)
    _rewrite(good_file, meta, arrays)
    _refused(good_file, words)


def test_a_missing_member_is_refused(good_file):
    meta, arrays = _members(good_file)
    del arrays["b1"]
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "b1")


def test_metadata_that_is_not_json_is_refused(good_file):
    _, arrays = _members(good_file)
    with open(good_file, "wb") as handle:
        np.savez(handle, meta=np.frombuffer(b"{not json", dtype=np.uint8), **arrays)
    _refused(good_file, "damaged")


def test_a_zip_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "notes.heartmodel"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    _refused(path, "not a heartgui model")
    np.savez(path.with_suffix(".npz"), x=np.arange(3))
    path.with_suffix(".npz").replace(path)
    _refused(path, "not a heartgui model")


def test_an_empty_file_a_folder_and_a_missing_file_are_refused(tmp_path):
    empty = tmp_path / "empty.heartmodel"
    empty.write_bytes(b"")
    _refused(empty, "empty")
    folder = tmp_path / "folder.heartmodel"
    folder.mkdir()
    _refused(folder, "folder")
    _refused(tmp_path / "nowhere.heartmodel", "does not exist")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def test_a_png_renamed_is_refused(tmp_path):
    path = tmp_path / "heart.heartmodel"
    path.write_bytes(_png())
    _refused(path, "not a heartgui model", "Choose a model file saved by heartgui")


def test_the_error_is_a_value_error_and_pickles():
    error = ModelFileError("/x/m.heartmodel", "the file is empty")
    assert isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert str(error).startswith("Cannot open the model file 'm.heartmodel': the file is empty.")


# --------------------------------------------------------------------------------------------------
# atomic saving


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


def _half_savez(handle, **arrays):
    handle.write(b"PK\x03\x04 half a file")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize(
    "target",
    [(np, "savez", _half_savez), (np, "savez", _boom), (os, "fsync", _boom), (os, "replace", _boom)],
    ids=["savez-midway", "savez", "fsync", "replace"],
)
def test_a_failed_save_leaves_the_previous_file_intact(results, good_file, good_bytes, monkeypatch, target):
    module, name, replacement = target
    monkeypatch.setattr(module, name, replacement)
    with pytest.raises(OSError, match="No space"):
        save_model(good_file, results["recommended"].model)
    monkeypatch.undo()
    assert good_file.read_bytes() == good_bytes
    assert [p.name for p in good_file.parent.iterdir()] == [good_file.name]
    load_model(good_file)


def test_an_interrupted_save_leaves_no_file_when_there_was_none(results, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", _boom)
    with pytest.raises(OSError):
        save_model(tmp_path / "new.heartmodel", results["tutorial"].model)
    assert list(tmp_path.iterdir()) == []


def test_saving_into_a_missing_folder_is_an_os_error(results, tmp_path):
    import errno

    with pytest.raises(OSError, match="No such file or directory; nothing was changed") as caught:
        save_model(tmp_path / "missing" / "m.heartmodel", results["tutorial"].model)
    assert caught.value.errno == errno.ENOENT


def test_saving_over_a_model_replaces_it(results, good_file, heart):
    save_model(good_file, results["recommended"].model, settings=PRESETS["recommended"])
    saved = load_model(good_file)
    assert saved.settings == PRESETS["recommended"]
    assert (saved.model.predict_risk(heart.X) == results["recommended"].model.predict_risk(heart.X)).all()


# --------------------------------------------------------------------------------------------------
# fuzzing


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_loads_or_raises_model_file_error(good_bytes, heart, tmp_path, data):
    mutated = bytearray(good_bytes)
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        position = data.draw(st.integers(0, len(mutated) - 1), label="position")
        mutated[position] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        mutated = mutated[: data.draw(st.integers(0, len(mutated)), label="length")]
    path = tmp_path / "fuzzed.heartmodel"
    path.write_bytes(bytes(mutated))
    try:
        saved = load_model(path)
    except ModelFileError:
        return
    risk = saved.model.predict_risk(heart.X)
    assert np.all(np.isfinite(risk)) and np.all((risk >= 0) & (risk <= 1))


def test_the_tutorial_settings_are_what_was_saved(good_file):
    assert load_model(good_file).settings == TUTORIAL


# --------------------------------------------------------------------------------------------------
# the distance-from-training reference


def test_the_novelty_reference_survives_the_file(results, heart, tmp_path):
    result = results["recommended"]
    path = tmp_path / "novel.heartmodel"
    save_model(path, result.model)
    loaded = load_model(path).model.novelty_reference_
    original = result.model.novelty_reference_
    assert loaded is not None and loaded.threshold == original.threshold
    np.testing.assert_array_equal(loaded.distances(heart.X), original.distances(heart.X))


def test_a_file_without_a_novelty_reference_still_opens(good_file, heart):
    meta, arrays = _members(good_file)
    for key in [k for k in arrays if k.startswith("novelty_")]:
        del arrays[key]
    _rewrite(good_file, meta, arrays)
    model = load_model(good_file).model
    assert model.novelty_reference_ is None
    assert np.isfinite(model.predict_risk(heart.X)).all()


def test_a_broken_novelty_reference_is_refused(good_file):
    meta, arrays = _members(good_file)
    arrays["novelty_precision"] = np.zeros((3, 3))
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "invalid model", "novelty reference has the wrong shapes")
    meta, arrays = _members(good_file)
    del arrays["novelty_mean"]
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "invalid model", "novelty_mean")


def test_a_novelty_reference_that_is_not_a_distance_is_refused(good_file, heart):
    # A negative precision makes every distance the square root of a negative number (NaN), and NaN is
    # never "far": the warning about unusual patients would silently turn off.
    meta, arrays = _members(good_file)
    arrays["novelty_precision"] = -arrays["novelty_precision"]
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "invalid model", "novelty reference")
    meta, arrays = _members(good_file)
    precision = arrays["novelty_precision"].copy()
    precision[0, 0] = -abs(precision[0, 0]) * 100  # one direction negative: still not a distance
    arrays["novelty_precision"] = precision
    _rewrite(good_file, meta, arrays)
    _refused(good_file, "invalid model", "novelty reference")


def _overflowing(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weights that are finite but whose products overflow for ordinary patients."""
    out = dict(arrays)
    out["W0"] = arrays["W0"] * 1e300
    out["W1"] = arrays["W1"] * 1e300
    return out


def test_weights_whose_arithmetic_overflows_are_refused_on_load(good_file, heart):
    meta, arrays = _members(good_file)
    huge = _overflowing(arrays)
    assert all(np.isfinite(a).all() for a in huge.values())
    _rewrite(good_file, meta, huge)
    _refused(good_file, "invalid model", "overflow")


# --------------------------------------------------------------------------------------------------
# files that would cost memory or hang


def test_a_device_or_a_pipe_is_refused_without_reading(tmp_path):
    _refused(Path("/dev/zero"), "a device")
    pipe = tmp_path / "pipe.heartmodel"
    os.mkfifo(pipe)
    # Opened without blocking: a pipe with no writer cannot make the load wait.
    _refused(pipe, "a pipe")


def test_the_size_limit_is_said(tmp_path):
    path = tmp_path / "huge.heartmodel"
    with open(path, "wb") as handle:
        handle.truncate(model_file.MAX_FILE_BYTES + 1)  # sparse: no disk space used
    _refused(path, "256 MB")


def _npy_header(shape: tuple[int, ...]) -> bytes:
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return stream.getvalue()


def test_a_zip_bomb_costs_no_memory(good_file, tmp_path):
    # A valid model plus one deflated member of 200 MB of zeros: a few hundred KB on disk.
    n = 25_000_000
    bomb = tmp_path / "bomb.heartmodel"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(bomb, "w") as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        member_info = zipfile.ZipInfo("W9.npy")
        member_info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(member_info, "w", force_zip64=True) as member:
            member.write(_npy_header((n,)))
            zeros = bytes(8 * 1_000_000)
            for _ in range(n // 1_000_000):
                member.write(zeros)
    assert bomb.stat().st_size < 2_000_000
    import tracemalloc

    tracemalloc.start()
    try:
        _refused(bomb, "too large")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"loading a {bomb.stat().st_size} byte file took {peak / 2**20:.0f} MB"


def test_an_npy_header_promising_more_than_its_part_holds_is_refused_before_reading(good_file, tmp_path):
    crafted = tmp_path / "crafted.heartmodel"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(crafted, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "W0.npy":
                data = _npy_header((10**12,)) + data[len(_npy_header((1,))) :]
            out.writestr(info, data)
    _refused(crafted, "damaged")


# --------------------------------------------------------------------------------------------------
# patient fingerprints (for validation on another file)


def test_the_fingerprints_of_the_training_and_test_patients_survive(results, heart, tmp_path):
    from heartgui.core.overlap import PatientFingerprints, fingerprints

    result = results["tutorial"]
    path = tmp_path / "m.heartmodel"
    prints = PatientFingerprints.of(result.split.X_train, result.split.X_test)
    save_model(path, result.model, fingerprints=prints)
    saved = load_model(path)
    assert saved.fingerprints == prints
    assert sorted(saved.fingerprints.train) == sorted(fingerprints(result.split.X_train))
    assert sorted(saved.fingerprints.test) == sorted(fingerprints(result.split.X_test))
    assert saved.fingerprints.features == FEATURE_NAMES
    # Hashes only: no patient's values are in the file's description.
    meta, _ = _members(path)
    stored = meta["patient_fingerprints"]
    assert set(stored["train"] + stored["test"]) <= set("0123456789abcdef")
    assert len(stored["train"]) == 64 * len(result.split.X_train)
    assert len(stored["test"]) == 64 * len(result.split.X_test)


def test_a_model_file_without_fingerprints_still_loads(good_file):
    meta, _ = _members(good_file)
    assert "patient_fingerprints" not in meta  # as files were written before they were kept
    assert load_model(good_file).fingerprints is None


@pytest.mark.parametrize(
    "prints, words",
    [
        ({"features": ["age"], "train": "xyz", "test": ""}, "not SHA-256"),
        ({"features": ["age"], "train": "0" * 63, "test": ""}, "not SHA-256"),
        ({"features": ["age"], "train": ["0" * 64], "test": ""}, "not SHA-256"),
        ({"features": ["height"], "train": "0" * 64, "test": ""}, "unknown features"),
        ({"features": ["age"], "train": "", "test": ""}, "no training patient"),
        (["0" * 64], "not a table"),
    ],
)
def test_damaged_fingerprints_are_refused(good_file, prints, words):
    meta, arrays = _members(good_file)
    _rewrite(good_file, {**meta, "patient_fingerprints": prints}, arrays)
    _refused(good_file, "invalid model", words)
