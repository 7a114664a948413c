"""The window's start says in one line which display libraries are missing, before Qt aborts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heartgui import display_check
from heartgui.display_check import XCB_LIBRARIES, display_problem, missing_libraries

ROOT = Path(__file__).resolve().parents[1]
X11 = {"DISPLAY": ":0"}
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is Linux's")


def _plugin() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"


@linux_only
def test_the_table_covers_every_x11_library_the_xcb_plugin_links_to():
    """ldd on Qt's own plugin: each xcb/X11/xkb/GL library it needs is in the table (a new Qt may add one)."""
    plugin = _plugin()
    qpa = next((plugin.parents[2] / "lib").glob("libQt6XcbQpa.so*"))
    needed: set[str] = set()
    for lib in (plugin, qpa):
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, check=True).stdout
        needed |= {line.split()[0] for line in out.splitlines() if "=>" in line}
    x11 = {n for n in needed if n.startswith(("libxcb", "libX11", "libxkbcommon", "libEGL", "libGL."))}
    assert x11, "ldd found no X11 library: the test would prove nothing"
    assert x11 <= set(XCB_LIBRARIES)


@linux_only
def test_every_library_qt_needs_loads_on_this_machine():
    # CI installs the list README.md names; a library missing here means the list is incomplete.
    assert missing_libraries() == []


@linux_only
def test_missing_libraries_are_named_by_their_debian_packages():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}
    line = display_problem(X11, loads=lambda name: name not in absent)
    assert line is not None and "\n" not in line
    assert line.endswith("sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1")


@linux_only
def test_no_display_is_said_in_words():
    line = display_problem({}, loads=lambda name: True)
    assert line is not None and "no graphical display" in line


@linux_only
@pytest.mark.parametrize(
    "environ",
    [
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"},
    ],
)
def test_other_platforms_are_not_checked(environ):
    assert display_problem(environ, loads=lambda name: False) is None


@linux_only
def test_xcb_asked_for_explicitly_is_checked():
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, loads=lambda n: False) is not None


def test_a_frozen_app_counts_its_bundled_copies(tmp_path, monkeypatch):
    for name in XCB_LIBRARIES:
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(display_check.ctypes, "CDLL", lambda name: (_ for _ in ()).throw(OSError(name)))
    assert missing_libraries() == []


@linux_only
def test_the_heartgui_command_prints_one_line_and_exits_1_without_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.pop("XDG_SESSION_TYPE", None)
    done = subprocess.run(
        [sys.executable, "-m", "heartgui"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [display_problem(env)]
    assert "no graphical display" in done.stderr


def test_the_readme_apt_line_installs_every_library_the_check_looks_for():
    """README.md's `sudo apt install` line (which .ci/run installs too) names each package of the table."""
    lines = [
        line.split("sudo apt install", 1)[1].split()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("    $ sudo apt install ")
    ]
    assert len(lines) == 1
    assert {"python3-venv", *XCB_LIBRARIES.values()} <= set(lines[0])
