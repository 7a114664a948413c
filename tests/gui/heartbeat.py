"""Shared by the heartbeat tests: the limit, and when a heartbeat cannot be measured at all."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterator

import pytest

#: A 10 ms timer in the UI thread must never wait longer than this between two ticks.
LIMIT_SECONDS = 0.100


def cpus_already_busy() -> bool:
    """True when other processes keep every CPU busy: then a gap measures them, not the window."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5
    except OSError:
        return False


skip_when_cpus_busy = pytest.mark.skipif(
    cpus_already_busy(), reason="every CPU is already busy: responsiveness not measurable"
)


def collect_leftovers() -> None:
    """Destroy and collect what earlier tests left (closed windows waiting for ``deleteLater``, figures,
    20,000-point curves) now, so that work does not land inside the measured stretch and count against
    the window under test."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


class Heartbeat:
    """The gaps between the ticks of a 10 ms ``QTimer`` in the UI thread, counted while ``counting()``.

    Use :meth:`running` around the work: it clears earlier tests' leftovers, starts the timer (the first
    gap is measured from the moment the block's body starts) and stops it afterwards.
    """

    def __init__(self, counting: Callable[[], bool] = lambda: True) -> None:
        self.counting = counting
        self.gaps: list[float] = []
        self._last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.counting():
            self.gaps.append(now - self._last)
        self._last = now

    @contextlib.contextmanager
    def running(self) -> Iterator[Heartbeat]:
        from PySide6.QtCore import QTimer

        collect_leftovers()
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(self._tick)
        timer.start()
        self._last = time.perf_counter()
        try:
            yield self
        finally:
            timer.stop()

    @property
    def largest(self) -> float:
        return max(self.gaps)

    def report(self, record_property: Callable[[str, object], None], what: str) -> None:
        """Record the largest gap as the test property ``largest_gap_ms`` and print it with the long ones."""
        record_property("largest_gap_ms", round(self.largest * 1000, 1))
        largest_ms = self.largest * 1000
        print(
            f"largest gap between 10 ms ticks during {what}: {largest_ms:.1f} ms over {len(self.gaps)} ticks"
        )
        print(
            "gaps over 40 ms (tick index, ms):",
            [(i, round(g * 1000)) for i, g in enumerate(self.gaps) if g > 0.04],
        )
