"""The loaders read a file in blocks of rows (so that no single call holds the interpreter for long on a
large file): the blocks change nothing of what is read or said. Each test reads the same file with blocks
of 7 rows (heart.dat's 270 rows in 39 blocks, problems on both sides of block borders) and with one block.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from heartgui.core import dataset as dataset_module
from heartgui.core.dataset import DataFileError, load_dataset, load_patients

HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,class"


def _both(monkeypatch, read):
    """``read()`` with blocks of 7 rows, then with the default (larger than the file)."""
    with monkeypatch.context() as patch:
        patch.setattr(dataset_module, "_BLOCK_ROWS", 7)
        small = read()
    assert dataset_module._BLOCK_ROWS > 1000
    return small, read()


def _error(read):
    with pytest.raises(DataFileError) as caught:
        read()
    return caught.value


def test_a_good_file_reads_the_same_in_blocks(monkeypatch, heart_dat):
    small, whole = _both(monkeypatch, lambda: load_dataset(heart_dat))
    assert small.n_rows == whole.n_rows == 270
    np.testing.assert_array_equal(small.X.to_numpy(), whole.X.to_numpy())
    np.testing.assert_array_equal(small.y, whole.y)
    np.testing.assert_array_equal(small.lines, whole.lines)
    assert small.provenance == whole.provenance


def _damaged(heart_dat: Path, folder: Path) -> Path:
    """heart.dat with bad values, missing values and short rows around block borders (rows of 7)."""
    rows = [line.split() for line in heart_dat.read_text().splitlines() if line.strip()]
    rows[6][4] = "abc"  # cholesterol, last row of the first block
    rows[7][2] = "7"  # chest pain type, first row of the second block
    rows[13][11] = "?"  # a missing value
    rows[14][12] = "-9"  # UCI's missing marker
    rows[20] = rows[20][:13]  # a field short
    rows[100][0] = "200"  # an age out of range
    text = "\n".join(" ".join(row) for row in rows[:150])
    path = folder / "damaged.dat"
    path.write_text(text + "\n\n" + "\n".join(" ".join(row) for row in rows[150:]) + "\n")
    return path


def test_a_damaged_file_is_refused_with_the_same_problems_in_blocks(monkeypatch, heart_dat, tmp_path):
    path = _damaged(heart_dat, tmp_path)
    small, whole = _both(monkeypatch, lambda: _error(lambda: load_dataset(path)))
    assert small.problems == whole.problems and str(small) == str(whole)
    lines = {p.line for p in whole.problems}
    assert {7, 8, 21, 101} <= lines  # the blank line after row 150 moves no line number before it
    strict = _both(monkeypatch, lambda: _error(lambda: load_dataset(path, drop_missing=False)))
    assert strict[0].problems == strict[1].problems
    assert {14, 15} <= {p.line for p in strict[1].problems}


def test_missing_values_are_kept_the_same_in_blocks(monkeypatch, heart_dat, tmp_path):
    rows = [line.split() for line in heart_dat.read_text().splitlines() if line.strip()]
    for i in (0, 6, 7, 13, 14, 269):
        rows[i][11] = "?"
    path = tmp_path / "missing.dat"
    path.write_text("\r\n".join(" ".join(row) for row in rows) + "\r\n")
    small, whole = _both(monkeypatch, lambda: load_dataset(path))
    # Kept with "not recorded" (NaN), listed as incomplete: left out only of a model that uses ca.
    assert small.provenance.incomplete == whole.provenance.incomplete
    assert [row.line for row in whole.provenance.incomplete] == [1, 7, 8, 14, 15, 270]
    np.testing.assert_array_equal(small.X.to_numpy(), whole.X.to_numpy())  # NaN where "?" was


def test_a_patients_file_reads_the_same_in_blocks(monkeypatch, heart_dat, tmp_path):
    rows = [line.split() for line in heart_dat.read_text().splitlines() if line.strip()]
    rows[5][4] = "12,5"
    rows[8][0] = ""
    path = tmp_path / "patients.csv"
    path.write_text("\n".join([HEADER, *(",".join(row) for row in rows)]) + "\n")
    small, whole = _both(monkeypatch, lambda: load_patients(path))
    assert small.rejected == whole.rejected and len(whole.rejected) == 2
    np.testing.assert_array_equal(small.X.to_numpy(), whole.X.to_numpy())
    np.testing.assert_array_equal(small.lines, whole.lines)
    np.testing.assert_array_equal(small.outcome, whole.outcome)


def test_the_text_is_split_into_the_same_lines_in_pieces():
    pieces = ["12", "a b", " ", "\r", "\n", "\r\n", "\n\n", "\r\r"]
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        expected = dataset_module._LINE_BREAK.split(text)
        for chunk in (1, 2, 3, 5, 16):
            assert dataset_module._split_lines(text, chunk) == expected, (text, chunk)
