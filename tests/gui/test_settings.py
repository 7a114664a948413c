"""Stored settings are read defensively: a corrupt value never stops the window from opening.

Each test writes bad values into the test's own QSettings (tests/gui/conftest.py points it at a fresh
folder), then builds the real window and checks that it opened with the defaults, said so, and that
"Reset settings" (the menu action and ``--reset-settings``) empties the store.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMessageBox

from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.gui import stored_settings
from heartgui.gui.main_window import MainWindow


def _store_training(**changes: object) -> None:
    values = RECOMMENDED.as_dict()
    values.update(changes)
    QSettings().setValue(stored_settings.KEY_TRAINING, json.dumps(values))
    QSettings().sync()


def _built(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.finish_startup()
    return window


BAD_TRAINING = [
    pytest.param({"learning_rate": "fast"}, id="learning-rate-as-text"),
    pytest.param({"learning_rate": float("nan")}, id="learning-rate-nan"),
    pytest.param({"learning_rate": 0.0}, id="learning-rate-zero"),
    pytest.param({"epochs": -5}, id="negative-epochs"),
    pytest.param({"epochs": 10**12}, id="epochs-overflow"),
    pytest.param({"epochs": 12.5}, id="epochs-fraction"),
    pytest.param({"epochs": True}, id="epochs-bool"),
    pytest.param({"hidden_layers": "abc"}, id="layers-text"),
    pytest.param({"hidden_layers": [8, -1]}, id="layers-negative"),
    pytest.param({"hidden_layers": []}, id="layers-empty"),
    pytest.param({"init": 3}, id="init-number"),
    pytest.param({"gradient": "median"}, id="gradient-unknown"),
    pytest.param({"patience": "x"}, id="patience-text"),
    pytest.param({"test_size": 0.99}, id="test-size-out-of-range"),
    pytest.param({"threshold": 2.0}, id="threshold-out-of-range"),
    pytest.param({"seed": -1}, id="negative-seed"),
    pytest.param({"one_hot": "yes"}, id="one-hot-text"),
    pytest.param({"wings": 2}, id="unknown-field"),
]


@pytest.mark.parametrize("changes", BAD_TRAINING)
def test_a_corrupt_training_setting_falls_back_to_the_recommended_preset(qtbot, changes):
    _store_training(**changes)
    window = _built(qtbot)
    try:
        assert window.train_page.settings() == RECOMMENDED
        assert "could not be read" in window.statusBar().currentMessage()
    finally:
        window.close()


@pytest.mark.parametrize("stored", ["{not json", "[1, 2]", "null", "7"])
def test_training_settings_that_are_not_a_json_object_fall_back(qtbot, stored):
    QSettings().setValue(stored_settings.KEY_TRAINING, stored)
    window = _built(qtbot)
    try:
        assert window.train_page.settings() == RECOMMENDED
    finally:
        window.close()


def test_a_preset_name_with_other_values_is_not_shown_as_that_preset(qtbot):
    # "recommended" with 5 epochs is not the recommended preset: the page must not call it that.
    _store_training(epochs=5)
    window = _built(qtbot)
    try:
        settings = window.train_page.settings()
        assert settings.epochs == 5
        assert settings.preset == "custom"
    finally:
        window.close()


def test_good_stored_settings_are_kept(qtbot):
    good = TUTORIAL.replace(epochs=250, hidden_layers=(16, 8), learning_rate=0.01)
    QSettings().setValue(stored_settings.KEY_TRAINING, json.dumps(good.as_dict()))
    window = _built(qtbot)
    try:
        assert window.train_page.settings() == good
        assert "could not be read" not in window.statusBar().currentMessage()
    finally:
        window.close()


@pytest.mark.parametrize(
    "geometry, splitter",
    [
        (QByteArray(b"\x01\xd9\xd0\xcb\x00\x03\x00\x00junkjunkjunk"), QByteArray(b"\x00\x00\x00\xffjunk")),
        ("junk", 5),
        (12, "x"),
    ],
    ids=["junk-blobs", "text-and-number", "number-and-text"],
)
def test_a_junk_geometry_gives_the_default_window(qtbot, geometry, splitter):
    settings = QSettings()
    settings.setValue(stored_settings.KEY_GEOMETRY, geometry)
    settings.setValue(stored_settings.KEY_SPLITTER, splitter)
    settings.sync()
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        # The first size a window with nothing stored gets: the preferred size fitted to this screen.
        from heartgui.gui.main_window import PREFERRED_SIZE, fit_to_screen

        available = window.screen().availableGeometry()
        expected = fit_to_screen(available, PREFERRED_SIZE, window.minimumSize())
        if isinstance(geometry, QByteArray):
            # A blob with Qt's header may pass restoreGeometry: whatever it gave is fitted to the screen.
            assert available.contains(window.geometry())
        else:
            assert window.size() == expected.size()
        assert window.width() >= 700 and window.height() >= 480  # never a sliver
        assert window.splitter.sizes()[0] > 0
    finally:
        window.close()


@pytest.mark.parametrize("recent, folder", [(7, 12), ({"a": 1}, ""), ("", None)])
def test_junk_recent_files_and_folder_are_ignored(qtbot, tmp_path, recent, folder):
    settings = QSettings()
    settings.setValue(stored_settings.KEY_RECENT, recent)
    settings.setValue(stored_settings.KEY_LAST_FOLDER, folder)
    settings.sync()
    window = _built(qtbot)
    try:
        assert window.recent_files() == []
        assert Path(window.last_folder()).is_dir()
        window.recent_menu.aboutToShow.emit()
    finally:
        window.close()


def test_a_last_folder_that_is_gone_is_not_offered(qtbot, tmp_path):
    QSettings().setValue(stored_settings.KEY_LAST_FOLDER, str(tmp_path / "gone"))
    window = _built(qtbot)
    try:
        assert window.last_folder() == str(Path.home())
    finally:
        window.close()


def test_reset_settings_asks_then_empties_the_store(qtbot, monkeypatch, heart_dat):
    _store_training(epochs=5)
    QSettings().setValue(stored_settings.KEY_RECENT, [str(heart_dat)])
    window = _built(qtbot)
    try:
        asked: list = []

        def answer(button):
            def question(*args, **kwargs):
                asked.append(args)
                return button

            return staticmethod(question)

        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
        window.reset_settings_action.trigger()
        assert len(asked) == 1
        assert QSettings().contains(stored_settings.KEY_TRAINING)  # "No" changed nothing
        assert window.train_page.settings().epochs == 5

        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
        window.reset_settings_action.trigger()
        assert len(asked) == 2
        assert QSettings().allKeys() == []
        assert window.recent_files() == []
        assert window.train_page.settings() == RECOMMENDED
    finally:
        window.close()


def test_reset_settings_flag_empties_the_store_before_the_window_reads_it(monkeypatch, capsys, qapp):
    # heartgui.gui.app.main as the command runs it; the window class records what it finds, and the
    # event loop returns at once (the real window is covered by the tests above).
    from heartgui.gui import app, main_window

    _store_training(learning_rate="fast")
    QSettings().setValue(stored_settings.KEY_GEOMETRY, "junk")
    QSettings().sync()
    found: list = []

    class Recorder:
        def __init__(self) -> None:
            found.append(QSettings().allKeys())

        def show(self) -> None:
            pass

        def begin_startup(self, data_file) -> None:
            found.append(data_file)

    monkeypatch.setattr(main_window, "MainWindow", Recorder)
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    assert app.main(["heartgui", "--reset-settings"]) == 0
    assert found == [[]]
    out = capsys.readouterr().out
    assert "settings were reset" in out and QSettings().fileName() in out


def test_the_train_page_ranges_are_the_ones_the_reader_checks(qtbot):
    # One truth for the ranges: the reader's table must match the Train page's fields.
    from heartgui.gui.pages.train_page import TrainPage

    page = TrainPage()
    qtbot.addWidget(page)
    for name, widget in (
        ("learning_rate", page.learning_rate),
        ("epochs", page.epochs),
        ("seed", page.seed),
        ("test_size", page.test_size),
        ("validation_fraction", page.validation),
        ("l2", page.l2),
    ):
        low, high = stored_settings.RANGES[name]
        assert (low, high) == (widget.minimum(), widget.maximum()), name
    assert stored_settings.RANGES["patience"] == (page.patience.minimum() + 1, page.patience.maximum())
