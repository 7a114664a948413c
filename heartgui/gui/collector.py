"""Python's garbage collector, run by the window between events instead of wherever it happens to trigger.

Python frees most objects at once, by reference counting; only objects caught in reference cycles wait for
the cyclic garbage collector, which runs whenever enough objects have been allocated — at any line of
any thread. A Qt window in such a cycle (a page that keeps a reference to its host window, a dialog and
its slots) is then destroyed wherever the collector happens to run: in the middle of one of its own
paint or resize events (Qt then calls into freed memory and the process dies), or in a worker thread
(Qt widgets may only be deleted in the GUI thread). Both were seen in the tests (a segmentation fault
inside ``QTableView::sizeHintForRow``, with the collector freeing the view's window from inside the
view's own model).

:class:`MainThreadCollector` turns the automatic collector off and collects from a timer of the GUI
thread, between events, generation by generation as Python would (the thresholds of ``gc.get_threshold``),
so the same objects are freed as before, only at a safe moment. :func:`collected_between_events` does the
same for one stretch of code (the tests use it around each test).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

__all__ = ["MainThreadCollector", "collected_between_events", "freeze_survivors", "thaw_survivors"]

#: How often the window looks at the allocation counts (ms): cheap when nothing is due.
INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Disable the automatic collector and collect from a GUI-thread timer instead (until :meth:`stop`)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold; return it (None: none due)."""
        counts = gc.get_count()
        due = None
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                due = generation
                break
        if due is not None:
            gc.collect(due)
        return due

    def stop(self) -> None:
        """Stop the timer, collect what is left and give the collector back to Python."""
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()


@contextmanager
def collected_between_events() -> Iterator[None]:
    """Inside the block the automatic collector is off; afterwards Qt's deferred deletions run and the
    cycles left are collected, at that one known moment."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if was_enabled:
            gc.enable()


def freeze_survivors() -> None:
    """Move every object alive now to the collector's permanent generation (``gc.freeze``).

    A full (generation 2) collection walks every object the program holds: with the model pages built
    (matplotlib figures, Qt wrappers, pandas) that took 225–250 ms of the window whenever one fell due —
    the random 100–270 ms gaps of the heartbeat tests. The pages live as long as the window, so their
    objects need no collecting; what is made afterwards is still collected as before.
    """
    gc.freeze()


def thaw_survivors() -> None:
    """Undo :func:`freeze_survivors` (the window closes: what it held may be collected again)."""
    gc.unfreeze()
