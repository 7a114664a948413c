"""Reading and writing files so that nothing is lost and nothing hangs.

Three promises, shared by every loader and writer of heartgui (the command line and the window alike):

* :func:`read_regular_file` reads an ordinary file only, and at most a stated number of bytes: a pipe
  (FIFO), a device such as ``/dev/zero``, a socket or a folder is refused before a byte is read, so a
  wrong file can neither hang the program nor fill its memory.
* :func:`check_output_path` refuses, before any work is done, to write over the file being read, over
  something that is not a file, or over a file that is not of the kind being written (a data file given
  as the PDF to write) unless the user said so.
* :func:`atomic_write` writes to a temporary file in the same folder and renames it over the target only
  when everything was written and flushed to disk; any failure (a full disk) leaves the old file as it
  was and raises :class:`WriteError`, whose message says so.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "OUTPUT_KINDS",
    "FileRefused",
    "OutputKind",
    "OutputPathError",
    "WriteError",
    "atomic_write",
    "check_output_path",
    "describe_size",
    "read_regular_file",
]


# --------------------------------------------------------------------------------------------------
# Reading


class FileRefused(ValueError):
    """A file that is not read at all: not an ordinary file, or larger than the limit.

    Attributes
    ----------
    path : the file.
    problem : what is wrong, in words for a student ("this is a pipe (FIFO), not a file").
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(self.path, problem)

    def __str__(self) -> str:
        return f"cannot read '{self.path}': {self.problem}"


def describe_size(n_bytes: int) -> str:
    """``"300 MB"``, ``"12 KB"``, ``"17 bytes"``: a size a student reads at a glance."""
    if n_bytes >= 2**20:
        return f"{n_bytes / 2**20:.0f} MB"
    if n_bytes >= 2**10:
        return f"{n_bytes / 2**10:.0f} KB"
    return f"{n_bytes} byte{'s' if n_bytes != 1 else ''}"


def _kind_words(mode: int) -> str | None:
    """What a file that is not an ordinary file is ("a pipe (FIFO)"); ``None`` for an ordinary file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something other than a file"


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, an ordinary file of at most ``limit`` bytes.

    The file is opened without blocking (a pipe cannot make the call wait for a writer), its kind is
    checked on the open file itself (it cannot be swapped after the check), and at most ``limit + 1``
    bytes are read, so a file that grows while being read is refused too.

    Parameters
    ----------
    path : the file.
    limit : the most bytes accepted; the message says it.
    what : what the file should be, for the message ("model file", "patient file").

    Raises
    ------
    FileRefused : a folder, pipe, device or socket, or a file larger than ``limit``.
    OSError : the file cannot be opened or read (``FileNotFoundError``, ``PermissionError``, ...).
    """
    # Checked before opening too: Windows cannot open a folder (it says "permission denied").
    kind = _kind_words(os.stat(path).st_mode)
    if kind is not None:
        raise FileRefused(path, f"this is {kind}, not a file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise FileRefused(path, "this is a folder, not a file") from None
    try:
        info = os.fstat(fd)
        kind = _kind_words(info.st_mode)
        if kind is not None:
            raise FileRefused(path, f"this is {kind}, not a file")
        if info.st_size > limit:
            raise FileRefused(path, _too_large(info.st_size, limit, what))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb", buffering=0) as handle:
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = handle.read(min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    if len(data) > limit:  # it grew while being read
        raise FileRefused(path, _too_large(len(data), limit, what))
    return data


def _too_large(size: int, limit: int, what: str) -> str:
    shown, most = describe_size(size), describe_size(limit)
    if shown == most:  # just over the limit: the rounded sizes would read the same
        shown = f"{size:,} bytes"
    return (
        f"it is {shown}, more than the {most} heartgui reads from a {what}; check that this is the right file"
    )


# --------------------------------------------------------------------------------------------------
# Where to write


@dataclass(frozen=True)
class OutputKind:
    """A kind of file heartgui writes, and how to recognise one already on disk.

    ``magic`` is how every such file begins; ``words`` name the kind in a sentence.
    """

    words: str
    suffix: str
    magic: bytes


#: The kinds of files heartgui writes: a model file is a zip archive, a report a PDF, an export of
#: predictions a CSV whose header begins with its ``line`` column.
OUTPUT_KINDS: dict[str, OutputKind] = {
    "model": OutputKind("a heartgui model file", ".heartmodel", b"PK\x03\x04"),
    "pdf": OutputKind("a PDF", ".pdf", b"%PDF"),
    "csv": OutputKind("a table of predictions exported by heartgui", ".csv", b"line,"),
}


class OutputPathError(ValueError):
    """A file that must not be written: the reason in one line.

    Attributes
    ----------
    path : the file that was asked for.
    reason : why it is refused.
    forcible : true when the user may insist (an existing file of another kind); false when nothing
        may override the refusal (the file being read, a folder, a device).
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, *, forcible: bool = False) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        self.forcible = forcible
        super().__init__(self.path, reason)

    def __str__(self) -> str:
        return f"will not write '{self.path}': {self.reason}"


def _same_file(a: Path, b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _holds_a_model(path: Path) -> bool:
    """Whether a zip archive is a heartgui model (its listing only: a Word document or a folder of
    photos is a zip archive too, and must not pass for an older model)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "meta.npy" in names and all(name.endswith(".npy") for name in names)


def check_output_path(
    out: str | os.PathLike[str],
    *,
    kind: str,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
) -> Path:
    """Check, before any work is done, that ``out`` may be written as a file of ``kind``.

    Refused, always: ``out`` is one of ``inputs`` (the files being read; found with
    :func:`os.path.samefile`, so another name, a link or a hard link of the same file counts), a
    folder, a device or pipe, or in a folder that does not exist or cannot be written.
    Refused unless ``force``: ``out`` exists, is not empty and does not begin as a file of ``kind``
    begins (:data:`OUTPUT_KINDS`; for a model, also a zip archive of ``.npy`` parts with the model's
    description, since a Word document is a zip too) — a data file or a document given by mistake
    would be lost. An
    existing file of the same kind (an older report) may be replaced: that is what saving does.

    Parameters
    ----------
    out : the file to write.
    kind : a key of :data:`OUTPUT_KINDS`: ``"model"``, ``"pdf"`` or ``"csv"``.
    inputs : the files the command reads.
    force : the user said an existing file of another kind may be replaced.

    Returns
    -------
    pathlib.Path
        ``out`` as a path.

    Raises
    ------
    OutputPathError : with the reason; ``forcible`` says whether ``force`` would have allowed it.
    """
    expected = OUTPUT_KINDS[kind]
    path = Path(out)
    for source in inputs:
        if _same_file(path, source):
            raise OutputPathError(
                path, "it is the file being read, and writing would destroy it; choose another name"
            )
    folder = path.parent if str(path.parent) else Path(".")
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # the folder checks below say why
        info = None
    except OSError as exc:
        raise OutputPathError(path, f"it cannot be checked ({exc.strerror or exc})") from None
    if info is not None:
        what = _kind_words(info.st_mode)
        if what is not None:
            advice = "; give a file name" if stat.S_ISDIR(info.st_mode) else ", not a file"
            raise OutputPathError(path, f"it is {what}{advice}")
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(path, f"'{folder}' is a file, not a folder")
    if not folder.is_dir():
        raise OutputPathError(path, f"the folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputPathError(path, f"the folder '{folder}' is not writable")
    if info is not None and info.st_size > 0 and not force:
        try:
            with open(path, "rb") as handle:
                start = handle.read(len(expected.magic))
        except OSError as exc:
            raise OutputPathError(path, f"it exists and cannot be checked ({exc.strerror or exc})") from None
        if start != expected.magic or (kind == "model" and not _holds_a_model(path)):
            raise OutputPathError(
                path,
                f"it exists and is not {expected.words}, so it would be overwritten and lost",
                forcible=True,
            )
    return path


# --------------------------------------------------------------------------------------------------
# Writing


class WriteError(OSError):
    """A file that could not be written; the file that was there before is unchanged.

    An :class:`OSError` (its ``errno`` and ``strerror`` are those of the failure), so code that catches
    ``OSError`` keeps working; its message is one sentence for a student.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, code: int | None = None) -> None:
        super().__init__(code if code is not None else errno.EIO, reason)
        self.path = os.fspath(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"could not write '{self.path}': {self.reason}; nothing was changed"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.reason, self.errno))


def _os_error_in(exc: BaseException) -> OSError | None:
    """The first :class:`OSError` in ``exc``'s chain.

    A failed write often surfaces as another error: matplotlib's PDF writer, when the disk fills,
    raises zlib's "Error -2 while flushing" while cleaning up after the OSError that caused it.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _open_temporary(path: Path) -> tuple[Path, BinaryIO]:
    """A new temporary file beside ``path`` (same folder, so the rename cannot cross disks)."""
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # 0o666 lets the umask decide the permissions, as for any file the user saves.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    return tmp, os.fdopen(fd, "wb")


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, nor needed, on Windows."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, replacing ``path`` only when all of it was written.

    The handle is a temporary file in the same folder; when the ``with`` block ends normally it is
    flushed, synced to disk and renamed over ``path`` (:func:`os.replace`, atomic). When anything fails
    the temporary file is removed and ``path`` is left exactly as it was.

    Raises
    ------
    WriteError : the writing failed for a reason of the disk or folder (full, read-only, removed,
        permission): an ``OSError`` anywhere in the failure, even when another error hid it.
    Any other exception of the block itself (a bug) passes unchanged, after the clean-up.
    """
    target = Path(path)
    try:
        tmp, handle = _open_temporary(target)
    except OSError as exc:
        raise WriteError(target, exc.strerror or str(exc), exc.errno) from exc
    try:
        try:
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except WriteError:
        raise
    except Exception as exc:
        cause = _os_error_in(exc)
        if cause is None:
            raise
        raise WriteError(target, cause.strerror or str(cause), cause.errno) from exc
    _fsync_folder(target.parent)
