"""heartgui-cli: real results on heart.dat, and every user mistake as one stderr line with exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from heartgui import cli
from heartgui.core.model_file import load_model
from heartgui.core.schema import FEATURE_NAMES

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
EXAMPLE_PATIENT = ROOT / "data" / "example_patient.json"
EXAMPLE_PAIRS = ["age=58", "sex=1", "cp=4", "trestbps=140", "chol=260", "fbs=0", "restecg=2"] + [
    "thalach=130",
    "exang=1",
    "oldpeak=2.0",
    "slope=2",
    "ca=1",
    "thal=7",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("heartgui-cli: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def model_path(heart_dat, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "tutorial.heartmodel"
    assert cli.main(["train", str(heart_dat), "--out", str(path)]) == 0
    return path


# --------------------------------------------------------------------------------------------------
# check


def test_check_reports_what_was_read(capsys, heart_dat, heart):
    code, out, err = run(capsys, "check", heart_dat)
    assert code == 0 and err == ""
    assert "Format:   statlog" in out
    assert "270 kept of 270 read" in out and "A model on all 13 findings uses 270 rows." in out
    assert "150 absent, 120 present" in out
    assert "Dropped:  none" in out
    assert heart.provenance.sha256 in out


def test_check_lists_the_rows_a_model_on_all_13_leaves_out(capsys, shared_data):
    summary = run_json(capsys, "check", shared_data / "processed.cleveland.data", "--json")
    assert summary["format"] == "cleveland"
    assert summary["rows_read"] == 303 and summary["rows_kept"] == 303 and summary["rows_used"] == 297
    assert summary["classes"] == {"absent": 164, "present": 139}
    assert summary["dropped"] == []
    assert [d["line"] for d in summary["left_out"]] == [88, 167, 193, 267, 288, 303]
    assert all(d["reason"] in ("ca missing", "thal missing") for d in summary["left_out"])
    assert summary["not_recorded"] == {"ca": 4, "thal": 2}
    code, out, _ = run(capsys, "check", shared_data / "processed.cleveland.data")
    assert code == 0
    assert "Left out by a model on all 13 findings: 6 rows" in out and "line 88: thal missing" in out
    # without ca and thal a model keeps every row
    summary = run_json(
        capsys,
        "check",
        shared_data / "processed.cleveland.data",
        "--json",
        "--features",
        "age,sex,cp,oldpeak",
    )
    assert summary["rows_used"] == 303 and summary["left_out"] == []


def test_check_of_a_broken_file_lists_the_problems_and_fails(capsys):
    code, out, err = run(capsys, "check", FILES / "broken_rows.dat")
    assert_one_line_error(code, err, "'broken_rows.dat'", "line 2", "'two' is not a number", "1 more problem")
    assert "line 3" in out and "'abc' is not a number" in out


# --------------------------------------------------------------------------------------------------
# train


def test_train_tutorial_reproduces_the_notebook(capsys, heart_dat, heart):
    result = run_json(capsys, "train", heart_dat, "--preset", "tutorial")
    assert result["preset"] == "tutorial"
    assert result["epochs_run"] == 100
    assert result["train_accuracy"] == pytest.approx(188 / 216)  # 0.87037...
    assert result["test_accuracy"] == pytest.approx(41 / 54)  # 0.75925...
    assert result["final_train_loss"] == pytest.approx(0.27831, abs=5e-6)
    assert result["threshold"] == 0.5
    assert result["data_sha256"] == heart.provenance.sha256
    confusion = result["test_confusion"]
    assert sum(confusion.values()) == 54
    assert (confusion["tp"] + confusion["tn"]) / 54 == pytest.approx(result["test_accuracy"])
    assert result["test_statlog_cost"] == pytest.approx((5 * confusion["fn"] + confusion["fp"]) / 54)
    assert 0.5 < result["test_auc"] <= 1
    assert result["settings"]["learning_rate"] == 0.001 and result["settings"]["hidden_layers"] == [8]
    assert result["model_file"] is None


def test_any_option_makes_the_settings_custom(capsys, heart_dat):
    result = run_json(
        capsys, "train", heart_dat, "--preset", "recommended", "--epochs", "7", "--hidden", "6,3",
        "--threshold", "0.2", "--seed", "3", "--test-size", "0.3", "--lr", "0.05",
    )  # fmt: skip
    assert result["preset"] == "custom"
    settings = result["settings"]
    assert settings["preset"] == "custom"
    assert settings["hidden_layers"] == [6, 3] and settings["epochs"] == 7 and settings["seed"] == 3
    assert settings["learning_rate"] == 0.05 and settings["test_size"] == 0.3
    assert settings["l2"] == 0.02 and settings["one_hot"] is True  # the rest of the recommended preset
    assert result["epochs_run"] == 7
    assert result["threshold"] == 0.2
    assert result["n_test"] == 81


def test_train_out_then_predict_gives_the_risk_of_the_loaded_model(capsys, model_path):
    saved = load_model(model_path)
    assert saved.settings is not None and saved.settings.preset == "tutorial"
    assert saved.data_name == "heart.dat"
    patient = json.loads(EXAMPLE_PATIENT.read_text())
    expected = float(saved.model.predict_risk(patient)[0])

    from_file = run_json(capsys, "predict", model_path, "--patient", EXAMPLE_PATIENT)
    from_pairs = run_json(capsys, "predict", model_path, *EXAMPLE_PAIRS)
    assert from_file["risk"] == from_pairs["risk"] == expected
    assert 0 <= expected <= 1
    assert from_file["threshold"] == 0.5
    assert from_file["decision"] == ("flagged" if expected >= 0.5 else "not flagged")
    assert from_file["patient"] == {n: float(patient[n]) for n in FEATURE_NAMES}
    assert from_file["out_of_range"] == {}


def test_predict_names_features_outside_the_training_range(capsys, model_path):
    saved = load_model(model_path)
    low, high = saved.model.training_ranges_["age"]
    assert high < 99
    result = run_json(capsys, "predict", model_path, "--patient", EXAMPLE_PATIENT, "age=99")
    assert result["patient"]["age"] == 99
    assert result["out_of_range"] == {"age": {"value": 99.0, "low": low, "high": high}}
    patient = {**json.loads(EXAMPLE_PATIENT.read_text()), "age": 99}
    assert result["risk"] == float(saved.model.predict_risk(patient)[0])


def test_predict_uses_the_models_threshold(capsys, heart_dat, tmp_path):
    path = tmp_path / "low.heartmodel"
    trained = run_json(capsys, "train", heart_dat, "--threshold", "0.999", "--out", path)
    assert trained["model_file"] == str(path)
    result = run_json(capsys, "predict", path, *EXAMPLE_PAIRS)
    assert result["threshold"] == 0.999
    assert result["decision"] == ("flagged" if result["risk"] >= 0.999 else "not flagged")


# --------------------------------------------------------------------------------------------------
# evaluate


def test_evaluate_prints_the_cross_validation_table(capsys, heart, heart_dat):
    from heartgui.core.crossval import cross_validate

    records = run_json(capsys, "evaluate", heart_dat, "--folds", "3", "--repeats", "1", "--json")
    methods = [r["method"] for r in records]
    assert "Neural network (tutorial)" in methods and "Logistic regression" in methods
    assert all(r["folds"] == 3 for r in records)
    direct = cross_validate(heart, folds=3, repeats=1).summary()
    for record in records:
        assert record["roc_auc_mean"] == pytest.approx(direct.loc[record["method"], "roc_auc_mean"])
        assert record["cost_at_optimal_mean"] == pytest.approx(
            direct.loc[record["method"], "cost_at_optimal_mean"]
        )
    code, out, err = run(capsys, "evaluate", heart_dat, "--folds", "2", "--repeats", "1")
    assert code == 0 and err == ""
    assert "Stratified 2-fold cross-validation, repeated once" in out
    assert "Neural network (recommended)" in out and " ± " in out


def test_evaluate_refuses_impossible_folds(capsys, heart_dat):
    code, _, err = run(capsys, "evaluate", heart_dat, "--folds", "1")
    assert_one_line_error(code, err, "cannot cross-validate 'heart.dat'", "1 folds")


# --------------------------------------------------------------------------------------------------
# user mistakes: exit 2 and one line


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", "missing.dat"], ["cannot load 'missing.dat'", "does not exist"]),
        (["check", FILES], ["'files'", "folder"]),
        (["train", FILES / "broken_rows.dat"], ["line 2", "1 more problem", "heartgui-cli check"]),
        (["train", "HEART", "--lr", "abc"], ["--lr", "'abc' is not a number"]),
        (["train", "HEART", "--lr", "-1"], ["--lr", "greater than 0"]),
        (["train", "HEART", "--lr", "nan"], ["--lr", "not a finite number"]),
        (["train", "HEART", "--hidden", "8,0"], ["--hidden", "at least 1 unit"]),
        (["train", "HEART", "--hidden", "eight"], ["--hidden", "e.g. 8 or 8,4"]),
        (["train", "HEART", "--epochs", "0"], ["--epochs", "at least 1"]),
        (["train", "HEART", "--test-size", "1.5"], ["--test-size", "between 0 and 1"]),
        (["train", "HEART", "--threshold", "2"], ["--threshold", "between 0 and 1"]),
        (["train", "HEART", "--preset", "fast"], ["--preset", "invalid choice"]),
        (["train", "HEART", "--lr", "50"], ["Training diverged at epoch", "learning rate (50) is too high"]),
        (["train", "HEART", "--out", "/nonexistent-folder/m.heartmodel"], ["does not exist"]),
        (["train", "HEART", "--out", FILES], ["it is a folder"]),
        (
            ["train", "HEART", "--out", FILES / "broken_rows.dat" / "m.heartmodel"],
            ["is a file, not a folder"],
        ),
        (["train", "HEART", "--bogus"], ["unrecognized arguments: --bogus"]),
        (["fly"], ["invalid choice: 'fly'"]),
        ([], ["required: COMMAND"]),
        (["predict", "MODEL"], ["give the patient"]),
        (["predict", "MODEL", "--patient", FILES / "broken_patient.json"], ["line 4, column 9"]),
        (["predict", "MODEL", "--patient", "nobody.json"], ["'nobody.json'", "does not exist"]),
        (["predict", "MODEL", "--patient", FILES], ["is a folder"]),
        (["predict", "MODEL", "--patient", FILES / "broken_rows.dat"], ["not valid JSON", "line 1"]),
        (["predict", "MODEL", "age=63"], ["missing features sex, cp, trestbps", "all 13 are needed"]),
        (["predict", "MODEL", "PAIRS", "age=abc"], ["age=abc", "'abc' is not a number"]),
        (["predict", "MODEL", "PAIRS", "age"], ["'age' is not NAME=VALUE"]),
        (["predict", "MODEL", "PAIRS", "weight=80"], ["unknown feature 'weight'", "age, sex"]),
        (["predict", "MODEL", "PAIRS", "cp=5"], ["cp has code 5", "not one of the documented codes"]),
        (["predict", "MODEL", "PAIRS", "age=300"], ["age is 300 years", "1–120"]),
        (["predict", "MODEL", "ALL_PAIRS", "ca=1"], ["ca is given twice"]),
        (["predict", "missing.heartmodel", "PAIRS"], ["'missing.heartmodel'", "does not exist"]),
        (["predict", FILES / "broken_rows.dat", "PAIRS"], ["'broken_rows.dat'", "not a heartgui model"]),
    ],
)
def test_user_mistakes_exit_2_with_one_line(capsys, heart_dat, model_path, argv, words):
    values = {"HEART": str(heart_dat), "MODEL": str(model_path)}
    given = {str(a).split("=")[0] for a in argv}
    expanded: list[str] = []
    for arg in argv:
        if arg == "ALL_PAIRS":
            expanded += EXAMPLE_PAIRS
        elif arg == "PAIRS":  # the example patient, without the features this case sets itself
            expanded += [p for p in EXAMPLE_PAIRS if p.split("=")[0] not in given]
        else:
            expanded.append(values.get(str(arg), str(arg)))
    code, out, err = run(capsys, *expanded)
    assert_one_line_error(code, err, *words)
    assert out == "" or argv[0] == "check"


def test_a_patient_file_that_is_not_an_object_or_holds_text(capsys, model_path, tmp_path):
    listing = tmp_path / "list.json"
    listing.write_text("[63, 1]")
    assert_one_line_error(*run(capsys, "predict", model_path, "--patient", listing)[::2], "one JSON object")
    text = tmp_path / "text.json"
    text.write_text(json.dumps({**json.loads(EXAMPLE_PATIENT.read_text()), "age": "sixty"}))
    assert_one_line_error(*run(capsys, "predict", model_path, "--patient", text)[::2], 'age is "sixty"')
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({**json.loads(EXAMPLE_PATIENT.read_text()), "weight": 80}))
    assert_one_line_error(
        *run(capsys, "predict", model_path, "--patient", unknown)[::2], "in 'unknown.json'", "weight"
    )


def test_a_damaged_model_file_is_one_line(capsys, model_path, tmp_path):
    damaged = tmp_path / "damaged.heartmodel"
    damaged.write_bytes(model_path.read_bytes()[:-100])
    assert_one_line_error(*run(capsys, "predict", damaged, *EXAMPLE_PAIRS)[::2], "'damaged.heartmodel'")


def test_a_failing_save_is_one_line(capsys, heart_dat, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("heartgui.core.model_file.save_model", refuse)
    code, out, err = run(capsys, "train", heart_dat, "--out", tmp_path / "m.heartmodel")
    assert_one_line_error(code, err, "cannot save the model", "Permission denied")
    assert out == ""


def test_an_internal_error_exits_1_with_one_line(capsys, heart_dat, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr("heartgui.core.training.train", broken)
    code, _, err = run(capsys, "train", heart_dat)
    assert code == 1
    assert err.splitlines() == [
        "heartgui-cli: error: internal error (RuntimeError: something unexpected); please report this"
    ]


def test_help_and_version_exit_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "predict" in out and "evaluate" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("heartgui-cli ")


# --------------------------------------------------------------------------------------------------
# the real entry points, in a fresh process


def _process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )


def test_python_m_heartgui_cli_trains_and_predicts(heart_dat, tmp_path):
    model = tmp_path / "m.heartmodel"
    done = _process("-m", "heartgui.cli", "train", str(heart_dat), "--out", str(model))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["test_accuracy"] == pytest.approx(41 / 54)
    done = _process("-m", "heartgui.cli", "predict", str(model), "--patient", str(EXAMPLE_PATIENT))
    assert done.returncode == 0, done.stderr
    risk = json.loads(done.stdout)["risk"]
    assert risk == float(load_model(model).model.predict_risk(json.loads(EXAMPLE_PATIENT.read_text()))[0])
    assert np.isfinite(risk)


def _console_script(name: str) -> Path:
    """The script pip installed for ``name`` beside this interpreter, after checking what it runs."""
    from importlib.metadata import entry_points

    (entry,) = entry_points(group="console_scripts", name=name)
    assert entry.value == "heartgui.cli:main"
    folder = Path(sys.executable).parent
    script = folder / (f"{name}.exe" if sys.platform == "win32" else name)
    assert script.is_file(), f"{name} is not installed beside {sys.executable}: pip install -e '.[test]'"
    return script


def test_the_console_script_entry_point_exits_2_on_bad_input():
    # The installed `heartgui-cli` command itself, not a re-creation of what it runs.
    script = _console_script("heartgui-cli")
    done = subprocess.run(
        [str(script), "predict", "nowhere.heartmodel", "age=63"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "heartgui-cli: error: missing features sex, cp, trestbps, chol, fbs, restecg, thalach, exang, "
        "oldpeak, slope, ca, thal: all 13 are needed"
    ]
    done = _process("-m", "heartgui.cli", "check", "nowhere.dat")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "heartgui-cli: error: cannot load 'nowhere.dat': the file does not exist"


def test_the_cli_loads_no_qt_and_no_matplotlib():
    code = (
        "import sys, heartgui.cli\n"
        "heartgui.cli.main(['check', sys.argv[1]])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print('BAD:' + ','.join(bad))\n"
    )
    done = _process("-c", code, str(FILES / "broken_rows.dat"))
    assert done.stdout.strip().endswith("BAD:")


# --------------------------------------------------------------------------------------------------
# nothing written over the file being read, nor over a file of another kind


@pytest.mark.parametrize("command", ["train", "report"])
def test_out_may_not_be_the_data_file_being_read(capsys, heart_dat, tmp_path, command):
    data = tmp_path / "heart.dat"
    data.write_bytes(heart_dat.read_bytes())
    before = data.read_bytes()
    for out in (data, tmp_path / "." / "heart.dat"):
        for extra in ([], ["--force"]):  # not even --force: the data would be gone
            code, out_text, err = run(capsys, command, data, "--out", out, *extra)
            assert_one_line_error(code, err, "heart.dat", "the file being read")
            assert out_text == ""
    assert data.read_bytes() == before


def test_out_may_not_be_a_hard_link_of_the_data_file(capsys, heart_dat, tmp_path):
    data = tmp_path / "heart.dat"
    data.write_bytes(heart_dat.read_bytes())
    link = tmp_path / "heart.heartmodel"
    os.link(data, link)
    assert_one_line_error(*run(capsys, "train", data, "--out", link)[::2], "the file being read")
    assert data.read_bytes() == heart_dat.read_bytes()


@pytest.mark.parametrize(("command", "name"), [("train", "notes.heartmodel"), ("report", "notes.pdf")])
def test_an_existing_file_of_another_kind_is_kept_unless_forced(capsys, heart_dat, tmp_path, command, name):
    other = tmp_path / name
    other.write_text("my notes for tomorrow's lecture\n")
    code, out, err = run(capsys, command, heart_dat, "--out", other)
    assert_one_line_error(code, err, name, "not a", "--force")
    assert out == "" and other.read_text() == "my notes for tomorrow's lecture\n"
    # Said on purpose: replaced, and the new file is of its own kind.
    result = run_json(capsys, command, heart_dat, "--out", other, "--force")
    assert other.read_bytes()[:4] == (b"PK\x03\x04" if command == "train" else b"%PDF")
    assert Path(result.get("model_file") or result["report_file"]) == other.resolve()


def test_an_older_model_or_report_is_replaced_without_force(capsys, heart_dat, model_path, tmp_path):
    older = tmp_path / "older.heartmodel"
    older.write_bytes(model_path.read_bytes())
    run_json(capsys, "train", heart_dat, "--preset", "recommended", "--out", older)
    assert load_model(older).settings.preset == "recommended"


def test_out_may_not_be_a_pipe(capsys, heart_dat, tmp_path):
    # A pipe made for the test, never a real device: running as root, the old code replaced /dev/null.
    pipe = tmp_path / "pipe.heartmodel"
    os.mkfifo(pipe)
    assert_one_line_error(*run(capsys, "train", heart_dat, "--out", pipe)[::2], "a pipe")
    assert pipe.is_fifo()


def test_a_model_whose_arithmetic_overflows_never_decides(capsys, model_path, tmp_path):
    from tests.core.test_model_file import _members, _overflowing, _rewrite

    meta, arrays = _members(model_path)
    huge = tmp_path / "huge.heartmodel"
    _rewrite(huge, meta, _overflowing(arrays))
    code, out, err = run(capsys, "predict", huge, *EXAMPLE_PAIRS)
    assert_one_line_error(code, err, "'huge.heartmodel'", "overflow")
    assert out == "" and "RuntimeWarning" not in err


# --------------------------------------------------------------------------------------------------
# patient files: every odd JSON is a clear "bad value", never an internal error


def _patient_json(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patient.json"
    path.write_text(text, encoding="utf-8")
    return path


def _example_with(chol: str) -> str:
    values = json.loads(EXAMPLE_PATIENT.read_text(encoding="utf-8"))
    body = ", ".join(f'"{k}": {json.dumps(v)}' for k, v in values.items() if k != "chol")
    return "{" + body + f', "chol": {chol}' + "}"


def test_a_duplicate_key_in_the_patient_file_is_refused(capsys, model_path, tmp_path):
    text = EXAMPLE_PATIENT.read_text(encoding="utf-8").rstrip().rstrip("}") + ', "age": 30}'
    path = _patient_json(tmp_path, text)
    code, out, err = run(capsys, "predict", model_path, "--patient", path)
    assert_one_line_error(code, err, "'patient.json'", "age", "twice")
    assert out == ""


@pytest.mark.parametrize(
    ("chol", "words"),
    [
        ("2" * 5000, ["chol", "5000 digits"]),
        ("1" + "0" * 400, ["chol", "401 digits"]),
        ("1e999", ["chol", "not a finite number"]),
        ("NaN", ["chol", "not a finite number"]),
        ("-Infinity", ["chol", "not a finite number"]),
        ("[" * 10_000 + "]" * 10_000, ["nested too deeply"]),
        ('{"a": ' * 5000 + "1" + "}" * 5000, ["nested too deeply"]),
    ],
)
def test_odd_numbers_in_the_patient_file_are_bad_values(capsys, model_path, tmp_path, chol, words):
    path = _patient_json(tmp_path, _example_with(chol))
    code, out, err = run(capsys, "predict", model_path, "--patient", path)
    assert_one_line_error(code, err, "'patient.json'", *words)
    assert "internal error" not in err and out == ""


# --------------------------------------------------------------------------------------------------
# pipes and devices are refused at once, never read (a pipe with no writer hung the CLI forever)


@pytest.mark.parametrize("which", ["model", "patient", "data"])
def test_a_pipe_given_as_a_file_is_refused_at_once(heart_dat, model_path, tmp_path, which):
    pipe = tmp_path / f"{which}.fifo"
    os.mkfifo(pipe)
    argv = {
        "model": ["predict", str(pipe), "--patient", str(EXAMPLE_PATIENT)],
        "patient": ["predict", str(model_path), "--patient", str(pipe)],
        "data": ["check", str(pipe)],
    }[which]
    try:  # in a fresh process with a timeout, so that a regression fails instead of hanging the suite
        done = _process("-m", "heartgui.cli", *argv, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"heartgui-cli {' '.join(argv)} hung on a pipe")
    assert done.returncode == 2, done.stderr
    assert "pipe" in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_dev_zero_as_a_patient_or_model_file_is_refused(capsys, model_path):
    code, out, err = run(capsys, "predict", model_path, "--patient", "/dev/zero")
    assert_one_line_error(code, err, "/dev/zero", "a device")
    assert out == ""
    code, out, err = run(capsys, "predict", "/dev/zero", "--patient", EXAMPLE_PATIENT)
    assert_one_line_error(code, err, "'zero'", "a device")
    assert out == ""


# --------------------------------------------------------------------------------------------------
# what actually happened, said: divergence in the cross-validation, a network too large to start


def test_evaluate_says_on_which_folds_the_network_diverged(capsys, heart, heart_dat, monkeypatch):
    from heartgui.core import crossval
    from heartgui.core.presets import TUTORIAL

    # The tutorial network with a learning rate at which it diverges on some of heart.dat's folds.
    methods = (
        crossval.network_method(TUTORIAL.replace(learning_rate=0.014), "Neural network (tutorial)"),
        crossval.BASELINE_METHODS[0],
    )
    monkeypatch.setattr(crossval, "DEFAULT_METHODS", methods)
    frame = crossval.cross_validate(heart, folds=9, repeats=1).to_frame()
    diverged = frame[frame["note"] != ""]
    assert 0 < len(diverged) < 9 and set(diverged["method"]) == {"Neural network (tutorial)"}
    epochs = sorted({int(n.split()[-1]) for n in diverged["note"]})

    code, out, err = run(capsys, "evaluate", heart_dat, "--folds", "9", "--repeats", "1")
    assert code == 0 and err == ""
    note = [line for line in out.splitlines() if line.startswith("Note:")]
    assert note == [
        f"Note: Neural network (tutorial) diverged on {len(diverged)} of 9 folds (at epoch "
        f"{', '.join(map(str, epochs))}); those folds were scored with the weights of the last epoch "
        "before the loss stopped being a finite number."
    ], out
    records = run_json(capsys, "evaluate", heart_dat, "--folds", "9", "--repeats", "1", "--json")
    assert {r["method"]: r["diverged_folds"] for r in records} == {
        "Neural network (tutorial)": len(diverged),
        crossval.DEFAULT_RULE: 0,
    }


def test_a_network_that_cannot_start_does_not_blame_the_learning_rate(capsys, heart_dat):
    # 5000 hidden units with N(0, 1) weights: the very first forward pass, before any learning step,
    # already gives some patients a probability below the clip for their true class.
    code, out, err = run(capsys, "train", heart_dat, "--hidden", "5000", "--epochs", "3")
    assert_one_line_error(code, err, "before any learning step", "5000", "fewer hidden units")
    assert "learning rate (0.001) is too high" not in err and "10 times smaller" not in err
    assert out == ""


def test_hidden_layers_too_large_for_memory_are_a_clear_message(capsys, heart_dat):
    # 10 billion weights (80 GB): refused before anything is allocated (check_architecture), never an
    # internal error.
    code, out, err = run(capsys, "train", heart_dat, "--hidden", "100000,100000")
    assert_one_line_error(
        code, err, "100000, 100000", "10,001,600,001 weights and biases", "at most 1,000,000"
    )
    assert "internal error" not in err and out == ""


def test_a_closed_output_pipe_is_not_an_internal_error(tmp_path):
    # `heartgui-cli check broken.dat | head -1`: the reader is gone before the long listing is written.
    rows = FILES.joinpath("broken_rows.dat").read_text().splitlines()
    broken = tmp_path / "broken.dat"
    broken.write_text("\n".join(rows[:1] + [rows[1]] * 3000) + "\n")
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe now fails with EPIPE, at once
    try:
        done = subprocess.run(
            [sys.executable, "-m", "heartgui.cli", "check", str(broken)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == 141


def test_predict_never_decides_on_a_risk_that_is_not_a_number(capsys, heart, monkeypatch):
    # No risk, so no decision (before: "decision": "present" with "risk": null, exit 0).
    from heartgui.core import model_file
    from heartgui.core.presets import TUTORIAL
    from heartgui.core.training import train

    model = train(heart, TUTORIAL).model
    # The loader refuses such a model; one in memory (as the window holds it) may still be asked:
    # an output bias that is not a number makes every risk NaN, which rounds to an arbitrary integer.
    model.network_.intercepts_[-1][:] = np.nan
    row = 0
    saved = model_file.SavedModel(
        model=model,
        settings=None,
        metrics=None,
        data_sha256=None,
        data_name=None,
        app_version="test",
        saved_at="2026-01-01T00:00:00",
        path="/models/huge.heartmodel",
    )
    monkeypatch.setattr(model_file, "load_model", lambda path: saved)
    pairs = [f"{name}={value:g}" for name, value in heart.row(row).items()]
    code, out, err = run(capsys, "predict", "huge.heartmodel", *pairs)
    assert_one_line_error(code, err, "'huge.heartmodel'", "cannot compute a risk", "no decision")
    assert out == "" and "RuntimeWarning" not in err


# --------------------------------------------------------------------------------------------------
# backprop: one step of learning, every number


def test_backprop_json_is_the_tutorial_s_step_in_its_names_and_shapes(capsys, heart_dat):
    import sys as _sys

    _sys.path.insert(0, str(ROOT / "bench"))
    from sklearn.preprocessing import StandardScaler
    from tutorial_loop import tutorial_backprop, tutorial_fit

    from heartgui.core.dataset import load_dataset
    from heartgui.core.training import split_dataset

    out = run_json(capsys, "backprop", heart_dat, "--preset", "tutorial", "--epoch", "5", "--json")
    split = split_dataset(load_dataset(heart_dat), 0.2, 2)
    X = StandardScaler().fit(split.X_train).transform(split.X_train)
    y = split.y_train.reshape(-1, 1).astype(float)
    reference = tutorial_backprop(tutorial_fit(X, y, iterations=4)[0], X, y)
    for name in ("W1", "b1", "W2", "b2", "Z1", "A1", "Z2", "yhat", "dl_wrt_yhat", "dl_wrt_sig", "dl_wrt_z2",
                 "dl_wrt_A1", "dl_wrt_w2", "dl_wrt_b2", "dl_wrt_z1", "dl_wrt_w1", "dl_wrt_b1",
                 "W1_next", "b1_next", "W2_next", "b2_next"):  # fmt: skip
        mine = np.asarray(out[name])
        assert mine.size == np.asarray(reference[name]).size, name
        np.testing.assert_allclose(
            mine.ravel(), np.ravel(reference[name]), rtol=1e-12, atol=1e-9, err_msg=name
        )
    assert np.shape(out["Z1"]) == (216, 8) and np.shape(out["dl_wrt_w1"]) == (13, 8)
    assert (
        out["epoch"] == 5 and out["preset"] == "tutorial" and out["loss"] == pytest.approx(reference["loss"])
    )


def test_backprop_for_one_patient_and_a_deeper_network(capsys, heart_dat):
    batch = run_json(capsys, "backprop", heart_dat, "--hidden", "6,4", "--epoch", "3", "--json")
    one = run_json(
        capsys, "backprop", heart_dat, "--hidden", "6,4", "--epoch", "3", "--patient", "7", "--json"
    )
    assert {"W3", "b3", "Z3", "dl_wrt_z3", "dl_wrt_A2", "dl_wrt_w3", "W3_next"} <= set(one)
    assert np.shape(one["Z1"]) == (1, 6) and one["Z1"][0] == batch["Z1"][7]
    assert one["W1_next"] == batch["W1_next"]  # the update is the whole batch's
    x = np.asarray(batch["Z1"])  # (rows of A1 come from Z1: the patient's share of dl_wrt_w2)
    a1 = np.maximum(x[7], 0)
    share = np.outer(a1, np.asarray(batch["dl_wrt_z2"])[7])
    np.testing.assert_allclose(one["dl_wrt_w2"], share, rtol=1e-12)


def test_backprop_in_words_and_its_bad_input(capsys, heart_dat):
    code, out, err = run(capsys, "backprop", heart_dat, "--epoch", "2")
    assert code == 0 and err == ""
    assert "Epoch 2: one step of gradient descent" in out and "dl_wrt_w1 = dL/dW1 = Xᵀ · dL/dZ1" in out
    assert "learning rate 0.001" in out
    code, _, err = run(capsys, "backprop", heart_dat, "--patient", "216")
    assert_one_line_error(code, err, "patient must be between 0 and 215")
    code, _, err = run(capsys, "backprop", heart_dat, "--lr", "10", "--epoch", "50")
    assert_one_line_error(code, err, "diverged at epoch")


def test_redirected_output_in_a_code_page_without_the_tutorials_letters_is_written(tmp_path):
    """On Windows, `heartgui-cli backprop … > out.txt` writes in cp1252, which has no "ŷ": the command
    stopped with an encoding error. Redirected output is written as UTF-8."""
    done = subprocess.run(
        [sys.executable, "-m", "heartgui.cli", "backprop", "data/heart.dat", "--patient", "3"],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = done.stdout.decode("utf-8")
    assert "ŷ" in text and "dl_wrt_" in text
