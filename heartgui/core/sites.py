"""The data files heartgui ships, recognised by their SHA-256: where their patients came from.

A report can then say which hospital a file's patients were seen at (TRIPOD+AI item 6a) without guessing
from a file name: a renamed copy is still recognised, an edited one is not (and is then "not known").
The facts are those of ``data/README.md``; ``tests/core/test_sites.py`` checks every hash against the
files in ``data/``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KNOWN_FILES", "KnownFile", "known_file"]


@dataclass(frozen=True)
class KnownFile:
    """One of the UCI heart-disease files, as shipped in ``data/``."""

    file_name: str
    site: str
    note: str = ""


KNOWN_FILES: dict[str, KnownFile] = {
    "f5f3b4204c285bafadd85cb735f38b47689f2be7047feb172dcbeab648110bf9": KnownFile(
        "heart.dat",
        "the Statlog (Heart) data set; its documentation does not name the hospital",
        "All 270 of its patients are also in the Cleveland Clinic Foundation file of the UCI Heart "
        "Disease data, with the same diagnosis (found by heartgui: core/overlap.py). So these "
        "are Cleveland Clinic patients, and a model trained on this file must not be 'validated' on the "
        "Cleveland file.",
    ),
    "a74b7efa387bc9d108d7d0115d831fe9b414b29ae7124f331b622b4efa0427c8": KnownFile(
        "processed.cleveland.data",
        "Cleveland Clinic Foundation, Cleveland, Ohio (USA)",
        "It contains every patient of the Statlog heart.dat file.",
    ),
    "d1ad108f785768cd3d7e82dc522e6f5a61eea93cccfb3a46ee8076f73fc3d796": KnownFile(
        "processed.hungarian.data",
        "Hungarian Institute of Cardiology, Budapest (Hungary)",
        "Most patients lack slope, ca and thal.",
    ),
    "834a405ccf5b66ab4056bb77794adc8df0b7125186454c0a1d002d33c6c3b314": KnownFile(
        "processed.switzerland.data",
        "University Hospitals of Zurich and Basel (Switzerland)",
        "Cholesterol was not recorded (0 for every patient); 93.5 % have the disease.",
    ),
    "e7c93d8d0d2acdadfa4c5e8de768e2191e7f618b952e29623f1f0d5949ff6b8f": KnownFile(
        "processed.va.data",
        "V.A. Medical Center, Long Beach, California (USA)",
        "Cholesterol is 0 (not recorded) for 49 patients; 74.5 % have the disease.",
    ),
}


def known_file(sha256: str) -> KnownFile | None:
    """The shipped file with this SHA-256, or ``None`` for any other file."""
    return KNOWN_FILES.get(sha256.lower())
