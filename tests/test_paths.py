"""Where the app finds its icons and the UCI sample: a checkout, an installed wheel, a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from heartgui import paths


def test_a_checkout_uses_its_own_resources_folder():
    root = Path(__file__).resolve().parents[1]
    assert paths.resources_dir() == root / "resources"
    icon = paths.resource("icons/heartgui.svg")
    assert icon is not None and icon.read_bytes().startswith(b"<")


def test_an_installed_wheel_finds_the_icons_under_its_prefix(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"  # the package alone, as a wheel installs it
    site.mkdir()
    share = tmp_path / "prefix" / "share" / "heartgui" / "resources" / "icons"
    share.mkdir(parents=True)
    (share / "heartgui.svg").write_text("<svg/>")
    monkeypatch.setattr(paths, "app_root", lambda: site)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert paths.resources_dir() == tmp_path / "prefix" / "share" / "heartgui" / "resources"
    assert paths.resource("icons/heartgui.svg") == share / "heartgui.svg"
    assert paths.resource("icons/missing.png") is None


def test_without_any_resources_the_app_still_asks_in_the_usual_place(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "app_root", lambda: tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "nowhere"))
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.resource("icons/heartgui.svg") is None


def test_the_wheel_declares_every_icon():
    """pyproject.toml's data-files entry covers the icons the window and the .desktop file use."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["data-files"]["share/heartgui/resources/icons"]
    declared = {p for pattern in patterns for p in root.glob(pattern)}
    assert declared == set((root / "resources" / "icons").iterdir())


def test_a_checkout_offers_its_own_uci_sample():
    root = Path(__file__).resolve().parents[1]
    assert paths.data_dir() == root / "data"
    assert paths.sample_data() == root / "data" / "heart.dat"


def test_an_installed_wheel_finds_the_sample_under_its_prefix(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    site.mkdir()
    share = tmp_path / "prefix" / "share" / "heartgui" / "data"
    share.mkdir(parents=True)
    (share / "heart.dat").write_text("70 1 4 130 322 0 2 109 0 2.4 2 3 3 2\n")
    monkeypatch.setattr(paths, "app_root", lambda: site)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert paths.sample_data() == share / "heart.dat"
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "nowhere"))
    assert paths.sample_data() is None  # the app then starts on "open your file"


def test_the_wheel_and_the_binary_ship_every_data_file():
    """pyproject.toml's data-files and build.spec's DATA_FILES both name every file of data/."""
    import ast
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    in_wheel = {Path(p).name for p in config["tool"]["setuptools"]["data-files"]["share/heartgui/data"]}
    spec = ast.parse((root / "build.spec").read_text())
    (in_binary,) = (
        {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
        for node in ast.walk(spec)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DATA_FILES"
    )
    shipped = {p.name for p in (root / "data").iterdir() if p.is_file()}
    assert in_wheel == shipped
    assert in_binary == shipped


def test_the_data_readme_gives_each_file_s_true_hash():
    """data/README.md is the provenance record: every hash it quotes is the file's own."""
    import hashlib
    import re

    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "README.md").read_text(encoding="utf-8")
    quoted = dict(re.findall(r"^\| `([^`]+)` \|.*\| ([0-9a-f]{16}) \|$", text, flags=re.MULTILINE))
    assert len(quoted) == 7
    for name, prefix in quoted.items():
        assert hashlib.sha256((root / "data" / name).read_bytes()).hexdigest()[:16] == prefix, name
