"""``heartgui-cli.exe``: the console program beside the windowed ``heartgui.exe`` in the Windows folder.

Windows gives a windowed program no console: started from a Command Prompt, ``heartgui.exe`` returns at
once and what it prints is lost. This console program runs ``heartgui.exe`` (beside it) with the
console's own input and output, waits for it and exits with its exit code::

    heartgui-cli.exe --smoke-test [DATA]     the window's smoke test; its JSON line shows in the console
    heartgui-cli.exe check heart.dat         any other arguments: heartgui-cli, the command-line tool

It is built from the standard library alone (a separate PyInstaller analysis in build.spec, sharing the
``_internal`` folder), so it adds 1.7 MB (PyInstaller's own start-up modules, mostly), not a second copy
of the app's modules, which are bundled once, in ``heartgui.exe``, whose entry point
(``heartgui_exe.py``) runs the CLI when it is given :data:`CLI_FLAG` first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

#: Kept equal to heartgui_exe.CLI_FLAG (tests/test_build_script.py checks it).
CLI_FLAG = "--run-heartgui-cli"
#: Arguments that belong to the window's command line, not to heartgui-cli.
WINDOW_OPTIONS = ("--smoke-test",)


def child_command(app: str, args: Sequence[str]) -> list[str]:
    """The command line of ``heartgui.exe`` for this program's arguments ``args``."""
    if any(arg in WINDOW_OPTIONS for arg in args):
        return [app, *args]
    return [app, CLI_FLAG, *args]


def _stream(stream: object) -> object:
    # A console program may have no stdin (started detached); the child then reads from the null device.
    return stream if stream is not None else subprocess.DEVNULL


def main() -> int:
    # os.path, not pathlib: this program should import as little as possible (it starts before the app).
    app = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "heartgui.exe")
    if not os.path.isfile(app):
        print(
            f"heartgui-cli: error: {app} is missing; keep this program in its heartgui folder",
            file=sys.stderr,
        )
        return 1
    # The child gets this console's handles explicitly: a windowed program does not inherit them by itself.
    child = subprocess.Popen(
        child_command(app, sys.argv[1:]),
        stdin=_stream(sys.stdin),
        stdout=_stream(sys.stdout),
        stderr=_stream(sys.stderr),
    )
    try:
        return child.wait()
    except KeyboardInterrupt:
        # Ctrl+C reaches the console program only (the windowed child has no console of its own).
        child.terminate()
        child.wait()
        return 130


if __name__ == "__main__":
    sys.exit(main())
