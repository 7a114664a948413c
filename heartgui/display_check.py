"""Say in one readable line why the window cannot open, before Qt aborts with its own message.

On Linux, Qt's X11 ("xcb") platform plugin needs a handful of system libraries that a fresh Debian or
Ubuntu machine may lack. Without them Qt prints a paragraph about "xcb" and aborts the process (core
dump), naming one library at most. This module, which imports only the standard library, looks for every
library the plugin loads and names the Debian packages that bring the missing ones.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["XCB_LIBRARIES", "display_problem", "missing_libraries"]

#: Each shared library Qt 6's xcb platform plugin (libqxcb.so and libQt6XcbQpa.so.6) links to, beyond
#: those every desktop has, with the Debian/Ubuntu package that ships it (found with ``ldd`` on the
#: plugin of PySide6 6.11).
XCB_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(name: str) -> bool:
    """True when the dynamic linker finds ``name`` (a bundled copy in a frozen app counts)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / name).is_file():
        return True
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def missing_libraries(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The Debian packages whose libraries the xcb plugin needs and the linker cannot find, sorted."""
    return sorted({package for name, package in XCB_LIBRARIES.items() if not loads(name)})


def _uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will pick its X11 plugin: Linux, no other platform asked for, not a Wayland session."""
    if not sys.platform.startswith("linux"):
        return False
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    return not (environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland")


def display_problem(
    environ: Mapping[str, str] | None = None, loads: Callable[[str], bool] = _loads
) -> str | None:
    """One line saying why the window cannot open here, or ``None`` when nothing is known to be wrong.

    Only the X11 case is checked (a Wayland session, Windows and macOS bring what Qt needs); the
    ``offscreen`` platform of the smoke test needs no display at all.
    """
    environ = os.environ if environ is None else environ
    if not _uses_xcb(environ):
        return None
    if not environ.get("DISPLAY"):
        return (
            "heartgui cannot open its window: no graphical display was found (DISPLAY is not set). "
            "Start it from a desktop session."
        )
    missing = missing_libraries(loads)
    if not missing:
        return None
    return (
        "heartgui cannot open its window: this system lacks the display libraries Qt needs. "
        f"Install them and try again: sudo apt install {' '.join(missing)}"
    )
