"""One BLAS thread for small problems.

NumPy's and scikit-learn's matrix products go to OpenBLAS, which by default starts one thread per core.
On heart.dat's 240 × 22 matrices each product takes microseconds, and waking, synchronising and
spinning a second thread costs more than it saves: the threads fight over the machine's two cores (on
this machine logistic regression's 45 folds took 3.4 s with two threads, most of it that fight). A
cross-validation or an ensemble of small networks therefore runs with one BLAS thread, set once for the
whole run (setting it costs about a millisecond, so not per fold).

The limit is process-wide (OpenBLAS has one thread pool), so another job running meanwhile also gets
one BLAS thread; for the problems this app trains that is not slower. Overlapping blocks in several
threads are counted, so the original setting comes back when the last one ends.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["SMALL_PROBLEM_ROWS", "one_blas_thread_if_small"]

#: Up to this many patients a problem counts as small: its matrix products are too short for a second
#: BLAS thread to pay.
SMALL_PROBLEM_ROWS = 20_000


_lock = threading.Lock()
_holders = 0  # blocks (in any thread) inside one_blas_thread_if_small right now
_limiter: Any = None  # threadpoolctl's limiter while _holders > 0; it restores the original on exit
_controller: Any = None  # threadpoolctl's view of the loaded libraries (see _blas_controller)
_controller_modules = -1  # len(sys.modules) when it was made


@contextlib.contextmanager
def one_blas_thread_if_small(n_rows: int) -> Iterator[None]:
    """Inside the block, BLAS uses one thread when ``n_rows`` is at most :data:`SMALL_PROBLEM_ROWS`.

    Blocks may overlap in several threads (a cross-validation and How sure in the window): the first
    to enter sets the limit and the last to leave restores what was there before, so the setting never
    ends up changed for good, whatever the order they end in.
    """
    global _holders, _limiter
    if n_rows > SMALL_PROBLEM_ROWS:
        yield
        return
    with _lock:
        if _holders == 0:
            _release_control()
            _limiter = _blas_controller().limit(limits=1, user_api="blas")
            _release_control()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                _release_control()
                _limiter.restore_original_limits()
                _release_control()
                _limiter = None


def _blas_controller() -> Any:
    """threadpoolctl's controller of the loaded libraries, made again only when a module has been
    imported since (a new BLAS library is loaded by an extension module's import).

    Making one scans every loaded library: ~2.4 ms once scikit-learn and SciPy are loaded, about a
    twentieth of How sure (10 networks), which enters this block on every run.
    """
    global _controller, _controller_modules
    # threadpoolctl ships with scikit-learn but imports none of it (nor is it slow to import).
    from threadpoolctl import ThreadpoolController

    if _controller is None or len(sys.modules) != _controller_modules:
        _controller = ThreadpoolController()
        _controller_modules = len(sys.modules)
    return _controller


def _release_control() -> None:
    """Let the next call set OpenBLAS's threads, from whichever thread it comes.

    threadpoolctl lets only the first thread that set OpenBLAS's (process-wide) thread count set it
    again, until that thread's ``with threadpool_limits`` ends; other threads' calls silently do nothing.
    Here the first and last of overlapping blocks may be different threads (a worker that has ended, or
    the main thread of a test), so the control is released around each change, under ``_lock``.
    """
    try:
        from threadpoolctl import OpenBLASController
    except ImportError:  # pragma: no cover - an older threadpoolctl has no controlling thread
        return
    OpenBLASController.clear_controlling_thread(force=True)
