"""Shared by the heartbeat tests: the limit, and when a heartbeat cannot be measured at all."""

from __future__ import annotations

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
