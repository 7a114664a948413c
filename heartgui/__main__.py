"""``python -m heartgui [DATA]`` and the ``heartgui`` command: open the window."""

from __future__ import annotations

import sys


def main() -> int:
    from heartgui.gui.app import main as run_app

    return run_app(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
