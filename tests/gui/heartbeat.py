"""Shared by the heartbeat tests: the limit, and when a heartbeat cannot be measured at all."""

from __future__ import annotations

import gc
import os

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
