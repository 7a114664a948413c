"""``python -m heartgui [DATA]`` and the ``heartgui`` command: open the window."""

from __future__ import annotations

import sys


def main() -> int:
    from heartgui.display_check import display_problem

    problem = display_problem()
    if problem is not None:
        # One readable line instead of Qt's paragraph about "xcb" and an abort (core dump).
        print(problem, file=sys.stderr)
        return 1

    from heartgui.gui.app import main as run_app

    return run_app(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
