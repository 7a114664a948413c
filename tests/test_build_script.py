"""The build scripts' pure logic: the Windows pins, Wine paths, the smoke-test judge, the zip.

The builds themselves (PyInstaller, Wine) run in CI (.ci/run), not here: they take minutes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


build = _load("heartgui_build_script", ROOT / "scripts" / "build.py")
wine_build = _load("heartgui_wine_build", ROOT / "scripts" / "windows" / "wine_build.py")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
HEART_SHA256 = hashlib.sha256((ROOT / "data" / "heart.dat").read_bytes()).hexdigest()


# --- the Windows pins --------------------------------------------------------------------------------


def windows_pins() -> dict[str, str]:
    text = wine_build.REQUIREMENTS.read_text(encoding="utf-8")
    return {wine_build.canonical_name(p.name): p.version for p in wine_build.parse_pins(text)}


def test_every_windows_wheel_is_pinned_with_a_hash():
    pins = wine_build.parse_pins(wine_build.REQUIREMENTS.read_text(encoding="utf-8"))
    assert len(pins) >= 20  # the app's dependency tree plus PyInstaller's
    assert all(p.hashes for p in pins)


@pytest.mark.parametrize(
    "requirement",
    PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["build"],
)
def test_windows_pins_satisfy_pyproject(requirement):
    """Every dependency of the app (and PyInstaller) is pinned for Windows, within pyproject's range."""
    wanted = Requirement(requirement)
    pins = windows_pins()
    name = wine_build.canonical_name(wanted.name)
    assert name in pins, f"{wanted.name} has no pin in {wine_build.REQUIREMENTS}"
    assert wanted.specifier.contains(pins[name], prereleases=True), (
        f"{wanted.name}=={pins[name]} is outside pyproject's {wanted.specifier}"
    )


def test_pyinstallers_windows_only_dependencies_are_pinned():
    """pip on the Linux host skips ``sys_platform == 'win32'`` requirements: they must be named."""
    assert {"pefile", "pywin32-ctypes"} <= windows_pins().keys()


def test_pins_without_a_hash_or_an_exact_version_are_refused_with_their_line():
    good = "numpy==2.4.6 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    assert wine_build.parse_pins(good)[0] == wine_build.Pin("numpy", "2.4.6", ("a" * 64,))
    with pytest.raises(ValueError, match=r"reqs.txt, line 4: 'pandas>=2' is not pinned"):
        wine_build.parse_pins(good + "# a comment\npandas>=2 --hash=sha256:" + "b" * 64, "reqs.txt")
    with pytest.raises(ValueError, match=r"line 4: scipy needs --hash=sha256"):
        wine_build.parse_pins(good + "\nscipy==1.18.1\n")
    with pytest.raises(ValueError, match=r"line 1: scipy needs --hash=sha256"):
        wine_build.parse_pins("scipy==1.18.1 --hash=sha256:abc\n")
    with pytest.raises(ValueError, match="numpy pinned more than once"):
        wine_build.parse_pins(good + good.replace("numpy", "NumPy"))
    # A carriage return copied from a wheel's METADATA is caught here, not by pip after the downloads.
    with pytest.raises(ValueError, match="line 1"):
        wine_build.parse_pins("fonttools\r==4.68.0\r --hash=sha256:" + "c" * 64)


# --- Wine ----------------------------------------------------------------------------------------------


def test_windows_path_is_drive_z():
    assert wine_build.windows_path(Path("/work/wt/a b/heartgui.exe")) == r"Z:\work\wt\a b\heartgui.exe"
    with pytest.raises(ValueError, match="not an absolute path"):
        wine_build.windows_path("dist/heartgui")


def test_wine_gets_no_linux_python_or_pip_settings(tmp_path):
    base = {
        "PATH": "/usr/bin",
        "PYTHONPATH": "/work/wt/x",
        "PIP_FIND_LINKS": "/opt/wheels",
        "QT_QPA_PLATFORM": "offscreen",
        "WINEDEBUG": "+all",
        "VIRTUAL_ENV": "/work/venv",
    }
    env = wine_build.wine_environment(base, tmp_path)
    assert env["PATH"] == "/usr/bin"
    assert "PYTHONPATH" not in env and "PIP_FIND_LINKS" not in env and "VIRTUAL_ENV" not in env
    assert "QT_QPA_PLATFORM" not in env  # Wine drops it anyway; the prefix's registry sets it
    assert env["WINEPREFIX"] == str(tmp_path) and env["WINEDEBUG"] == "-all"
    # The prefix's own ucrtbase.dll first: the test-only shim once it is there, else Wine's builtin.
    assert "ucrtbase=n,b" in env["WINEDLLOVERRIDES"].split(";")


# --- the test-only ucrtbase shim -----------------------------------------------------------------------

#: Microsoft's C99 complex functions in ucrtbase.dll (<complex.h>): 22 functions in double, float
#: ("f") and long double ("l"), and the helpers that build and multiply complex numbers.
MICROSOFT_COMPLEX = {
    f"{name}{suffix}"
    for name in [
        "cabs",
        "cacos",
        "cacosh",
        "carg",
        "casin",
        "casinh",
        "catan",
        "catanh",
        "ccos",
        "ccosh",
        "cexp",
        "cimag",
        "clog",
        "conj",
        "cpow",
        "cproj",
        "creal",
        "csin",
        "csinh",
        "csqrt",
        "ctan",
        "ctanh",
    ]
    for suffix in ("", "f", "l")
} | {f"_{p}C{op}" for p in ("", "F", "L") for op in ("build", "mulcc", "mulcr")}

OBJDUMP_EXPORTS = """
[Ordinal/Name Pointer] Table
\t[   0] _Cbuild
\t[   1] _CreateFrameInfo
\t[   2] cexp
\t[   3] malloc

The Function Table (interpreted .pdata section contents)
"""


def _shim_functions(source: str) -> set[str]:
    """The names ucrt_complex.c defines, read from its macros and its shim_ definitions."""
    names = set()
    for macro, suffixes in (("UNARY", ("", "f", "l")), ("TO_REAL", ("", "f", "l"))):
        for name in re.findall(rf"\b{macro}\((\w+)\)", source.split("#define TO_REAL")[1]):
            names |= {name + s for s in suffixes}
    names |= set(re.findall(r"^\w+ shim_(\w+)\(", source, re.MULTILINE))
    return names


def test_the_shim_implements_every_complex_function_of_microsofts_c_runtime():
    source = wine_build.SHIM_SOURCE.read_text(encoding="utf-8")
    assert len(MICROSOFT_COMPLEX) == 75
    assert _shim_functions(source) == MICROSOFT_COMPLEX


def test_the_shims_definition_forwards_what_it_does_not_implement():
    exports = wine_build.export_names(OBJDUMP_EXPORTS)
    assert exports == ["_Cbuild", "_CreateFrameInfo", "cexp", "malloc"]
    many = exports + [f"f{i}" for i in range(1000)]
    definition = wine_build.shim_definition(many, ["cexp", "_Cbuild"]).splitlines()
    assert definition[:6] == [
        "LIBRARY ucrtbase.dll",
        "EXPORTS",
        "    _Cbuild = shim__Cbuild",
        "    _CreateFrameInfo = ucrtwine._CreateFrameInfo",
        "    cexp = shim_cexp",
        "    malloc = ucrtwine.malloc",
    ]
    assert len(definition) == 2 + len(many)  # every export of Wine's, no other


def test_the_shims_definition_refuses_names_wine_does_not_export_or_an_unread_table():
    exports = [f"f{i}" for i in range(1000)]
    with pytest.raises(ValueError, match=r"implements cexpp, which Wine's ucrtbase\.dll does not export"):
        wine_build.shim_definition(exports, ["cexpp"])
    with pytest.raises(ValueError, match="lists 4 exports"):
        wine_build.shim_definition(wine_build.export_names(OBJDUMP_EXPORTS), ["cexp"])


def test_only_temp_and_cache_folders_may_be_written():
    written = [
        "AppData/Local/Temp/heartgui-smoke-1/model.npz",
        "Temp/heartgui-smoke-2/model.npz",  # Wine's %TEMP% is C:\users\<user>\Temp
        "AppData/Local/heartgui/cache/matplotlib/fontlist.json",
        "AppData/Roaming/heartgui/settings.ini",
        "Documents/model.npz",
        "AppData/Local/cache",  # a file called cache, not a cache folder
    ]
    assert wine_build.outside_allowed(written) == written[3:]


def test_files_written_are_the_new_and_the_changed_ones(tmp_path):
    (tmp_path / "old").write_text("1")
    (tmp_path / "kept").write_text("1")
    before = wine_build.snapshot(tmp_path)
    (tmp_path / "new").write_text("2")
    old = tmp_path / "old"
    old.write_text("3")
    stat = old.stat()
    os.utime(old, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert wine_build.files_written(before, wine_build.snapshot(tmp_path)) == ["new", "old"]


def test_zip_holds_the_folder_under_its_name_and_unzips_to_the_same_files(tmp_path):
    folder = tmp_path / "dist" / "heartgui"
    (folder / "_internal" / "data").mkdir(parents=True)
    (folder / "heartgui.exe").write_bytes(b"MZ" + bytes(range(256)) * 10)
    (folder / "_internal" / "data" / "heart.dat").write_bytes((ROOT / "data" / "heart.dat").read_bytes())
    zip_path = wine_build.make_zip(folder, tmp_path / "heartgui-0.1.0-windows.zip")
    assert not (tmp_path / "heartgui-0.1.0-windows.zip.partial").exists()
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == ["heartgui/_internal/data/heart.dat", "heartgui/heartgui.exe"]
    wine_build.unzip(zip_path, tmp_path / "out")
    for path in folder.rglob("*"):
        if path.is_file():
            copy = tmp_path / "out" / "heartgui" / path.relative_to(folder)
            assert copy.read_bytes() == path.read_bytes()


def test_unzip_refuses_paths_that_leave_the_folder(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("heartgui/../../outside.txt", "x")
    with pytest.raises(SystemExit, match="unsafe path"):
        wine_build.unzip(evil, tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


# --- the smoke-test judge, shared by the Linux and Windows builds -----------------------------------------


def _report(**changes: object) -> str:
    report = {
        "ok": True,
        "frozen": True,
        "data": "heart.dat",
        "data_sha256": HEART_SHA256,
        "final_loss": 0.2,
        "modules": build.HEARTGUI_MODULES,
    }
    report.update(changes)
    return json.dumps(report) + "\n"


def test_judge_passes_a_clean_run_and_returns_its_report():
    report = build.judge_smoke_output(0, _report(), "", None, [], binary="heartgui.exe", frozen=True)
    assert report["data_sha256"] == HEART_SHA256


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "written", "reason"),
    [
        (3, _report(), "", [], "exit code 3"),
        (0, _report(), "Qt: QFont::fromString: Invalid description\n", [], "unexpected output on stderr"),
        (0, _report() + _report(), "", [], "expected one JSON line on stdout, got 2"),
        (0, "trained\n", "", [], "stdout is not JSON"),
        (0, _report(), "", ["Documents/x.npz"], "wrote files outside the cache folder"),
        (0, _report(data_sha256="0" * 64), "", [], "not the bundled heart.dat"),
        (0, _report(frozen=False), "", [], '"frozen": true'),
        (0, _report(ok=False), "", [], '"ok": true'),
        (0, _report(modules=build.HEARTGUI_MODULES - 1), "", [], "of heartgui's"),
        (0, _report(modules=None), "", [], "of heartgui's"),
    ],
)
def test_judge_fails_with_the_reason(returncode, stdout, stderr, written, reason):
    with pytest.raises(SystemExit, match="FAILED") as failed:
        build.judge_smoke_output(
            returncode, stdout, stderr, None, written, binary="heartgui.exe", frozen=True
        )
    assert reason in str(failed.value)


def test_judge_of_an_unfrozen_run_does_not_ask_for_frozen():
    """``--installed`` smoke-tests a pip-installed app: not frozen, and that is right there."""
    report = build.judge_smoke_output(0, _report(frozen=False), "", None, [], binary="heartgui")
    assert report["frozen"] is False


def test_a_given_data_file_need_not_be_the_sample():
    data = ROOT / "data" / "processed.cleveland.data"
    build.judge_smoke_output(0, _report(data_sha256="1" * 64), "", data, [], binary="x", frozen=True)


def test_windows_target_builds_the_one_folder_app_only():
    with pytest.raises(SystemExit, match="one-folder app only"):
        build.main(["--target", "windows", "--mode", "both"])


def test_layout_check_finds_what_the_spec_leaves_out_of_the_windows_wheel(tmp_path):
    """The Windows wheel keeps Qt's translations and opengl32sw.dll where the Linux filter did not look."""
    folder = tmp_path / "heartgui"
    (folder / "_internal" / "PySide6" / "plugins" / "platforms").mkdir(parents=True)
    (folder / "_internal" / "PySide6" / "plugins" / "platforms" / "qwindows.dll").write_bytes(b"MZ")
    wine_build.check_layout(folder)
    (folder / "_internal" / "PySide6" / "translations").mkdir()
    (folder / "_internal" / "PySide6" / "translations" / "qtbase_de.qm").write_bytes(b"qm")
    (folder / "_internal" / "PySide6" / "opengl32sw.dll").write_bytes(b"MZ")
    with pytest.raises(SystemExit, match="leaves out") as failed:
        wine_build.check_layout(folder)
    assert str(failed.value).splitlines()[1:] == [
        "_internal/PySide6/opengl32sw.dll",
        "_internal/PySide6/translations/qtbase_de.qm",
    ]


def test_layout_check_finds_the_test_only_ucrtbase_shim(tmp_path):
    folder = tmp_path / "heartgui"
    (folder / "_internal").mkdir(parents=True)
    (folder / "_internal" / "UCRTBASE.dll").write_bytes(b"MZ")
    (folder / "ucrtwine.dll").write_bytes(b"MZ")
    with pytest.raises(SystemExit, match="leaves out") as failed:
        wine_build.check_layout(folder)
    assert str(failed.value).splitlines()[1:] == ["_internal/UCRTBASE.dll", "ucrtwine.dll"]


def test_wine_output_goes_through_pipes_and_the_api_set_warnings_are_counted(capsys):
    """Windows Python under this Wine aborts when stdout is a file: _run always hands it pipes."""
    script = (
        'test -p /proc/self/fd/1 && echo "stdout is a pipe"; '
        'echo "1234 WARNING: Library not found: could not resolve api-ms-win-crt-heap-l1-1-0.dll" >&2; '
        "echo done >&2; exit 3"
    )
    proc = wine_build._run(["sh", "-c", script])
    assert proc.returncode == 3
    assert "stdout is a pipe" in proc.stdout and "done" in proc.stdout  # stderr joined, in order
    printed = capsys.readouterr().out
    output_lines = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert output_lines[:2] == ["stdout is a pipe", "done"]  # the warning is not among them
    assert "(1 warnings about api-ms-win-* DLLs" in printed
    apart = wine_build._run(["sh", "-c", "test -p /proc/self/fd/2 && echo pipe >&2"], echo=False)
    assert (apart.stdout, apart.stderr) == ("", "pipe\n")
    with pytest.raises(SystemExit, match=r"(?s)the step failed \(exit code 3\):\n.*done$"):
        wine_build._check(proc, "the step")


# --- matplotlib's font cache, the console program's CLI check, the size log -----------------------------


def test_judge_asks_for_matplotlibs_font_cache_in_the_users_cache_folder():
    """A first start must leave the font cache behind, or every start scans the system's fonts again."""
    kept = [".cache/heartgui/heartgui/matplotlib/fontlist-v390.json", ".cache/heartgui/heartgui/x.ini"]
    build.judge_smoke_output(0, _report(), "", None, [], binary="heartgui", frozen=True, cache_files=kept)
    windows = ["AppData/Local/heartgui/heartgui/cache/matplotlib/fontlist-v3.11.0.json"]
    build.judge_smoke_output(0, _report(), "", None, [], binary="heartgui.exe", cache_files=windows)
    with pytest.raises(SystemExit, match="font cache was not written"):
        build.judge_smoke_output(
            0, _report(), "", None, [], binary="heartgui", cache_files=[".cache/heartgui/heartgui/x.ini"]
        )


def _check_output() -> str:
    return json.dumps({"file": "heart.dat", "rows_used": 270, "sha256": HEART_SHA256}, indent=2) + "\n"


def test_cli_check_judge_passes_the_sample_and_fails_with_the_reason():
    heart = ROOT / "data" / "heart.dat"
    assert wine_build.judge_cli_check(0, _check_output(), "", heart, [])["rows_used"] == 270
    for returncode, stdout, stderr, data, reason in [
        (2, _check_output(), "heartgui-cli: error: no such file\n", heart, "exit code 2"),
        (0, _check_output(), "a warning\n", heart, "unexpected output on stderr"),
        (0, "File: heart.dat\n", "", heart, "not one JSON object"),
        (0, _check_output(), "", ROOT / "data" / "processed.cleveland.data", "not "),
        (0, _check_output().replace("270", "0"), "", heart, "no rows were read"),
    ]:
        with pytest.raises(SystemExit, match="check FAILED") as failed:
            wine_build.judge_cli_check(returncode, stdout, stderr, data, [])
        assert reason in str(failed.value)


def test_cli_report_judge_asks_for_a_pdf_with_pages(tmp_path):
    """heartgui-cli.exe report: the PDF it names must be there, a PDF, and the report must have pages."""
    pdf = tmp_path / "report.pdf"
    judge = wine_build.judge_cli_report(pdf)
    stdout = json.dumps({"report_file": str(pdf), "pages": 10}) + "\n"
    with pytest.raises(SystemExit, match="wrote no PDF"):
        judge(0, stdout, "", None, [])
    pdf.write_bytes(b"not a pdf")
    with pytest.raises(SystemExit, match="wrote no PDF"):
        judge(0, stdout, "", None, [])
    pdf.write_bytes(b"%PDF-1.4\n")
    assert judge(0, stdout, "", None, [])["pages"] == 10
    assert judge(0, stdout, "", None, ["AppData/Local/matplotlib/fontlist-v3.11.0.json"])["pages"] == 10
    for returncode, out, stderr, written, reason in [
        (1, stdout, "heartgui-cli: error: internal error\n", [], "exit code 1"),
        (0, stdout, "a warning\n", [], "unexpected output on stderr"),
        (0, stdout, "", ["Documents/r.pdf"], "outside the cache folder"),
        (0, json.dumps({"pages": 0}), "", [], "no pages"),
    ]:
        with pytest.raises(SystemExit, match="report FAILED") as failed:
            judge(returncode, out, stderr, None, written)
        assert reason in str(failed.value)


def test_largest_parts_name_the_big_files_and_the_internal_folders(tmp_path):
    folder = tmp_path / "heartgui"
    (folder / "_internal" / "numpy.libs").mkdir(parents=True)
    (folder / "_internal" / "numpy.libs" / "openblas.dll").write_bytes(b"x" * 3_000_000)
    (folder / "_internal" / "numpy.libs" / "msvcp140.dll").write_bytes(b"x" * 500_000)
    (folder / "_internal" / "python312.dll").write_bytes(b"x" * 2_000_000)
    (folder / "heartgui.exe").write_bytes(b"x" * 1_000_000)
    assert wine_build.largest_parts(folder, count=2) == [
        ("_internal/numpy.libs/", 3.5),
        ("_internal/python312.dll", 2.0),
    ]


def test_a_build_over_the_classroom_size_targets_is_named_as_a_failure():
    assert wine_build.sizes_missed(199.1, 84.0) == []
    assert wine_build.sizes_missed(200.0, 90.0) == []
    assert wine_build.sizes_missed(200.1, 90.5) == [
        "the folder is 200.1 MB unpacked (target <= 200 MB)",
        "the zip is 90.5 MB (target <= 90 MB)",
    ]
    assert wine_build.sizes_missed(float("nan"), 84.0) != []  # no folder measured is no pass
