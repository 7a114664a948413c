"""One check before every save of the window: never over the files in use, never silently over another kind.

Every save dialog of the window (the model, the two PDF reports, the many-patients export, a plot's
picture) calls :func:`confirm_save` with the path the student chose, before anything is written:

* the data file loaded, the data file the current model was trained on, the model file opened, and the
  patients file of the many-patients dialog are refused outright, with a message box naming the file
  (the same file under another name — a link, ``..`` — included);
* an existing file that is not of the kind being saved (a PDF where a model goes, a text file named
  ``.pdf``) is replaced only if the student says so in a second question;
* a folder is refused.

Which files are in use is asked of the widgets: any window up the parent chain with a
``protected_files()`` method (the main window, the many-patients dialog) lists its own as (path, what it
is) pairs. The file dialog itself asks before replacing a file of the same kind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["CSV_TABLE", "MODEL", "PDF_REPORT", "PICTURE", "FileKind", "confirm_save", "protected_files"]

_SNIFF_BYTES = 4096


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head


@dataclass(frozen=True)
class FileKind:
    """What a save writes: its name in words, its extensions, and how a file of that kind begins."""

    name: str
    extensions: tuple[str, ...]
    begins_like: Callable[[bytes], bool]

    def matches(self, path: Path) -> bool:
        """Whether the existing file at ``path`` is of this kind (by its extension and first bytes)."""
        if path.suffix.lower() not in self.extensions:
            return False
        try:
            with path.open("rb") as file:
                head = file.read(_SNIFF_BYTES)
        except OSError:
            return False
        return self.begins_like(head)


MODEL = FileKind("heartgui model", (".heartmodel",), lambda head: head.startswith(b"PK\x03\x04"))
PDF_REPORT = FileKind("PDF report", (".pdf",), lambda head: head.startswith(b"%PDF"))
CSV_TABLE = FileKind("CSV table", (".csv", ".tsv", ".txt"), _is_text)
PICTURE = FileKind(
    "picture",
    (".png", ".pdf", ".svg"),
    lambda head: head.startswith((b"\x89PNG", b"%PDF")) or (_is_text(head) and b"<svg" in head),
)


def protected_files(widget: QWidget | None) -> list[tuple[str, str]]:
    """The files in use, as (path, what it is), from ``widget``'s window and every window above it."""
    found: list[tuple[str, str]] = []
    seen: set[int] = set()
    while widget is not None:
        window = widget.window()
        if id(window) in seen:
            break
        seen.add(id(window))
        listing = getattr(window, "protected_files", None)
        if callable(listing):
            found.extend((str(path), str(what)) for path, what in listing() if path)
        widget = window.parentWidget()
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def confirm_save(
    parent: QWidget, path: str | Path, kind: FileKind, also_protected: Iterable[tuple[str, str]] = ()
) -> bool:
    """Whether the ``kind`` of file may be written to ``path``; says why not (a message box) when not.

    Parameters
    ----------
    parent : QWidget
        The widget asking; the files in use are found from it (see :func:`protected_files`).
    path : str or Path
        The file the student chose.
    kind : FileKind
        What is about to be written there.
    also_protected : iterable of (path, what it is)
        Files in use that no window lists.
    """
    target = Path(path)
    for used, what in [*protected_files(parent), *also_protected]:
        if _same_file(target, Path(used)):
            QMessageBox.warning(
                parent,
                f"Cannot save the {kind.name} there",
                f"{target} is {what}: saving the {kind.name} there would destroy it. Nothing was saved; "
                "choose another name.",
            )
            return False
    if target.is_dir():
        QMessageBox.warning(
            parent,
            f"Cannot save the {kind.name} there",
            f"{target} is a folder. Nothing was saved; choose a file name inside it.",
        )
        return False
    if target.exists() and not kind.matches(target):
        answer = QMessageBox.question(
            parent,
            f"Replace a file that is not a {kind.name}?",
            f"{target} already exists and is not a {kind.name}. Replacing it with the {kind.name} "
            "deletes what it holds now.\n\nReplace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
    return True
