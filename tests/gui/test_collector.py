"""The cyclic garbage collector runs between GUI events, never inside one (heartgui.gui.collector)."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QWidget

from heartgui.gui.collector import MainThreadCollector


class _Holder:
    """A Python object in a reference cycle with a window, as a page that keeps its host."""

    def __init__(self) -> None:
        self.window = QWidget()
        self.me = self


def test_windows_in_cycles_are_freed_by_the_timer_not_by_the_allocator(qtbot):
    gc.enable()  # as in the app before the collector takes over
    collector = MainThreadCollector(interval_ms=60_000)  # its check is called by hand below
    try:
        assert not gc.isenabled()
        gc.collect()  # counts back to zero: the holder below is in the youngest generation
        destroyed = []
        holder = _Holder()
        holder.window.destroyed.connect(lambda: destroyed.append(True))
        del holder
        # Far more new containers than generation 0's threshold (kept, as a program's data is): the
        # automatic collector would have run somewhere in here, freeing the window at whatever line.
        data = [[i] for i in range(5 * gc.get_threshold()[0])]
        qtbot.wait(1)  # events processed: still nothing freed it
        assert destroyed == []
        assert collector.check() is not None  # the timer's check: a generation was due, and collected
        assert destroyed == [True]
        assert len(data) > 0
        assert collector.check() is None  # nothing due right after a collection
    finally:
        collector.stop()
    assert gc.isenabled()  # given back as it was
    gc.disable()  # (this test module runs with the collector off, see conftest)


def test_the_timer_runs_in_the_gui_thread_and_stops(qtbot):
    collector = MainThreadCollector(interval_ms=5)
    try:
        calls = []
        collector.timer.timeout.connect(lambda: calls.append(True))
        qtbot.waitUntil(lambda: len(calls) >= 2, timeout=5_000)
        from PySide6.QtWidgets import QApplication

        assert collector.thread() is QApplication.instance().thread()
    finally:
        collector.stop()
    assert not collector.timer.isActive()
