"""Showing one page on its own in the headless tests."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QLayout, QVBoxLayout, QWidget


def shown(qtbot, widget: QWidget, size: tuple[int, int] = (1200, 800)) -> QWidget:
    """Show ``widget`` in a top-level window of ``size`` and return that window.

    The host's layout puts no size constraint on the window: the offscreen platform warns ("does not
    support propagateSizeHints") whenever a shown window's minimum size changes, and Qt warnings fail tests.
    """
    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    qtbot.addWidget(host)
    host.resize(*size)
    host.show()
    qtbot.waitExposed(host)
    return host


def inside_page(qtbot, result, patient: dict[str, float]) -> tuple[QWidget, QWidget]:
    """The Inside page alone at 1280 × 720, with ``result``'s model, its training patients and
    ``patient``; returns ``(page, host)`` (close the host at teardown)."""
    from heartgui.gui.pages.network_page import NetworkPage

    page = NetworkPage()
    host = shown(qtbot, page, (1280, 720))
    page.set_model(result.model)
    page.set_training_data(result.split.X_train, result.split.y_train)
    page.set_patient(patient)
    return page, host


def patch_save_dialog(monkeypatch, path) -> list:
    """``QFileDialog.getSaveFileName`` answers ``path``; returns the list of calls seen."""
    seen: list = []

    def dialog(*args, **kwargs):
        seen.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    return seen
