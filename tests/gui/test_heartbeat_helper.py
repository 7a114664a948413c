"""The heartbeat helper can fail: a gap over the limit on a quiet machine is a failure, and only work by
other processes measured during the heartbeat turns it into a skip (never the load before the test)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.gui.heartbeat import LIMIT_SECONDS, OTHERS_CPU_LIMIT, Heartbeat


def measured(gaps: list[float], others: float | None) -> Heartbeat:
    beat = Heartbeat()
    beat.gaps = gaps
    beat.others_cpus = others
    return beat


def no_record(name: str, value: object) -> None:
    pass


def test_a_long_gap_on_a_quiet_machine_fails():
    with pytest.raises(AssertionError):
        measured([0.01, LIMIT_SECONDS + 0.02], 0.0).check(no_record, "a test")
    with pytest.raises(AssertionError):
        measured([LIMIT_SECONDS + 0.02], None).check(no_record, "a test")  # unknown: not an excuse


def test_a_long_gap_while_others_worked_is_skipped_with_the_figures():
    with pytest.raises(pytest.skip.Exception, match=r"a 120 ms gap while other processes used 1\.50 CPUs"):
        measured([0.12], 1.5).check(no_record, "a test")


def test_short_gaps_pass_whatever_the_others_did():
    measured([0.01, LIMIT_SECONDS - 0.01], 2.0).check(no_record, "a test")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux's")
def test_work_by_another_process_during_the_heartbeat_is_measured(qtbot):
    beat = Heartbeat()
    with beat.running():
        # Another process spins for 0.4 s of CPU while this one waits for it: its work is theirs.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import time\nt=time.process_time()\nwhile time.process_time()-t<0.4: pass",
            ],
            check=True,
        )
    assert beat.others_cpus is not None
    # At least the child's 0.4 CPU-seconds over the wall time of the block (which the child's run
    # bounds from above, plus start-up): well over the skip threshold, and this process's own CPU is not
    # counted in it.
    assert beat.others_cpus > OTHERS_CPU_LIMIT
