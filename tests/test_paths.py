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
