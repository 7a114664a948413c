"""heartgui.core.safe_io: nothing written over what is read, no read that hangs, nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heartgui.core.safe_io import OutputPathError, check_output_path

# --------------------------------------------------------------------------------------------------
# check_output_path


def test_the_file_being_read_is_never_an_output(heart_dat, tmp_path):
    data = tmp_path / "heart.dat"
    data.write_bytes(heart_dat.read_bytes())
    link = tmp_path / "link.pdf"
    link.symlink_to(data)
    for out in (data, link, tmp_path / "sub" / ".." / "heart.dat"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputPathError) as caught:
            check_output_path(out, kind="pdf", inputs=[data], force=True)
        assert "the file being read" in str(caught.value) and not caught.value.forcible


def _model_like(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.npy", b"")
        archive.writestr("W0.npy", b"")


@pytest.mark.parametrize("kind", ["model", "pdf"])
def test_only_a_file_of_its_own_kind_is_replaced_without_force(heart_dat, tmp_path, kind):
    mine = tmp_path / "old"
    if kind == "model":
        _model_like(mine)
    else:
        mine.write_bytes(b"%PDF-1.4\n")
    assert check_output_path(mine, kind=kind, inputs=[heart_dat]) == mine
    foreign = tmp_path / "foreign"
    foreign.write_bytes(heart_dat.read_bytes())
    with pytest.raises(OutputPathError) as caught:
        check_output_path(foreign, kind=kind, inputs=[tmp_path / "missing.dat"])
    assert caught.value.forcible and "would be overwritten" in caught.value.reason
    assert check_output_path(foreign, kind=kind, force=True) == foreign
    empty = tmp_path / "empty"
    empty.touch()
    assert check_output_path(empty, kind=kind) == empty  # nothing in it to lose
    assert check_output_path(tmp_path / "new.pdf", kind=kind) == tmp_path / "new.pdf"


def test_folders_pipes_and_missing_folders_are_refused(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    cases = {
        tmp_path: "a folder",
        pipe: "a pipe",
        tmp_path / "nowhere" / "x.pdf": "does not exist",
        pipe / "x.pdf": "is a file, not a folder",
    }
    for out, words in cases.items():
        with pytest.raises(OutputPathError) as caught:
            check_output_path(out, kind="pdf", force=True)
        assert words in caught.value.reason, caught.value.reason
        assert not caught.value.forcible
    assert pipe.is_fifo()


def test_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(OutputPathError, match="not writable"):
        check_output_path(tmp_path / "x.pdf", kind="pdf")


# --------------------------------------------------------------------------------------------------
# atomic_write


def test_atomic_write_replaces_only_when_everything_was_written(tmp_path):
    from heartgui.core.safe_io import WriteError, atomic_write

    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with atomic_write(path) as handle:
        handle.write(b"new")
        assert path.read_bytes() == b"old"  # nothing replaced until the block ends
    assert path.read_bytes() == b"new"

    class Bug(Exception):
        pass

    with pytest.raises(Bug), atomic_write(path) as handle:  # a bug is no write failure: it passes
        handle.write(b"half")
        raise Bug
    assert path.read_bytes() == b"new"

    import zlib

    full = pytest.raises(WriteError, match="No space left on device; nothing was changed")
    with full as caught, atomic_write(path):
        try:
            raise OSError(28, "No space left on device")
        except OSError:
            raise zlib.error("Error -2 while flushing: inconsistent stream state") from None
    assert caught.value.errno == 28 and isinstance(caught.value, OSError)
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_zip_that_is_not_a_model_is_not_replaced_as_one(tmp_path, heart_dat):
    import zipfile

    document = tmp_path / "lecture.docx"  # a Word document is a zip archive
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(OutputPathError) as caught:
        check_output_path(document, kind="model")
    assert caught.value.forcible and "not a heartgui model file" in caught.value.reason
    model = tmp_path / "old.heartmodel"
    _model_like(model)
    assert check_output_path(model, kind="model") == model


# --------------------------------------------------------------------------------------------------
# read_regular_file


def test_read_regular_file_reads_at_most_its_limit(tmp_path):
    from heartgui.core.safe_io import FileRefused, read_regular_file

    path = tmp_path / "data.txt"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100) == b"x" * 100
    with pytest.raises(
        FileRefused, match="it is 100 bytes, more than the 99 bytes heartgui reads from a file"
    ):
        read_regular_file(path, 99)
    for special, words in ((tmp_path, "a folder"), (Path("/dev/zero"), "a device")):
        with pytest.raises(FileRefused, match=words):
            read_regular_file(special, 10)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing", 10)
