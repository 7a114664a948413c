"""The toolbar over every plot: reset the view, move, zoom, and save the picture — nothing more.

matplotlib's own Qt toolbar also offers back/forward, "configure subplots" and a "figure options" dialog
(which prints matplotlib warnings and lets a student restyle axes into a misleading picture), and its save
dialog lists a dozen formats and changes the global ``rcParams``. This one keeps what a student uses and
saves PNG, PDF or SVG through :meth:`PlotToolbar.save_figure`, with a message box naming the file when the
save fails. Importing this module imports matplotlib.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import NavigationToolbar2QT
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

__all__ = ["PICTURE_FILTER", "PlotToolbar", "save_picture"]

#: The formats a saved plot can have: the extension chooses it.
_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
PICTURE_FILTER = "PNG picture (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)"

#: (matplotlib's method, the button's text, its tooltip); the icons are matplotlib's.
_TOOLS = {
    "home": ("Reset view", "Back to the whole plot, as it was drawn."),
    "pan": ("Move", "Drag the plot to move it (right button: stretch an axis)."),
    "zoom": ("Zoom", "Drag a rectangle to zoom into it."),
    "save_figure": ("Save picture", "Save the plot as a PNG picture, a PDF or an SVG drawing."),
}


def save_picture(figure: Any, path: str | Path) -> None:
    """Write ``figure`` to ``path`` as PNG, PDF or SVG (chosen by the extension; none: PNG).

    Raises OSError or ValueError when the file cannot be written. Written to a temporary file beside it
    first, so a failed save leaves no half-written picture (and an old one intact). The saved picture has
    the figure's own background, so a plot from a dark theme stays readable.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path.name}: save the picture as .png, .pdf or .svg")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            figure.savefig(file, format=fmt, dpi=150, facecolor=figure.get_facecolor())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a picture is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class PlotToolbar(NavigationToolbar2QT):
    """matplotlib's Qt toolbar with only Reset view, Move, Zoom and Save picture."""

    toolitems = [  # noqa: RUF012 (matplotlib's class attribute, read by its __init__)
        (_TOOLS[callback][0], _TOOLS[callback][1], image, callback)
        for _, _, image, callback in NavigationToolbar2QT.toolitems
        if callback in _TOOLS
    ]  # type: ignore[assignment]

    def __init__(self, canvas: Any, parent: QWidget | None = None) -> None:
        super().__init__(canvas, parent)
        self.save_action = self._actions["save_figure"]
        self.last_folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation
        ) or str(Path.home())

    def save_figure(self, *args: object) -> str | None:
        """Ask where, then save the plot there; returns the file written (None if cancelled or failed)."""
        suggested = str(Path(self.last_folder) / "plot.png")
        path, _ = QFileDialog.getSaveFileName(self.parentWidget(), "Save the plot", suggested, PICTURE_FILTER)
        if not path:
            return None
        if not Path(path).suffix:
            path += ".png"
        from heartgui.gui.save_guard import PICTURE, confirm_save

        if not confirm_save(self, path, PICTURE):
            return None
        try:
            save_picture(self.canvas.figure, path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(
                self.parentWidget(), "Cannot save the picture", f"The plot was not saved to {path}.\n\n{exc}"
            )
            return None
        self.last_folder = str(Path(path).parent)
        return path
