"""The entry point of the Windows ``heartgui.exe``: the window, or, for ``heartgui-cli.exe``, the CLI.

``heartgui.exe`` is a windowed program and holds every Python module the app needs. ``heartgui-cli.exe``
(``cli_launcher.py`` beside this file) is a small console program that runs this exe with the console's
input and output and :data:`CLI_FLAG` first, so the command-line tool needs no second copy of NumPy,
pandas, scikit-learn and matplotlib. Without that flag this is exactly ``python -m heartgui``.
"""

from __future__ import annotations

import sys

#: First argument with which ``heartgui-cli.exe`` asks for ``heartgui-cli`` (kept equal in cli_launcher.py).
CLI_FLAG = "--run-heartgui-cli"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if argv[1:2] == [CLI_FLAG]:
        from heartgui.cli import main as cli_main

        return cli_main(argv[2:])
    from heartgui.__main__ import main as gui_main

    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
