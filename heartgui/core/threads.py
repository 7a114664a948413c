"""One BLAS thread for small problems.

NumPy's and scikit-learn's matrix products go to OpenBLAS, which by default starts one thread per core.
On heart.dat's 240 × 22 matrices each product takes microseconds, and waking, synchronising and
spinning a second thread costs more than it saves: the threads fight over the machine's two cores (on
this machine logistic regression's 45 folds took 3.4 s with two threads, most of it that fight). A
cross-validation or an ensemble of small networks therefore runs with one BLAS thread, set once for the
whole run (setting it costs about a millisecond, so not per fold).

The limit is process-wide (OpenBLAS has one thread pool), so another job running meanwhile also gets
one BLAS thread; for the problems this app trains that is not slower.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["SMALL_PROBLEM_ROWS", "one_blas_thread_if_small"]

#: Up to this many patients a problem counts as small: its matrix products are too short for a second
#: BLAS thread to pay.
SMALL_PROBLEM_ROWS = 20_000


@contextlib.contextmanager
def one_blas_thread_if_small(n_rows: int) -> Iterator[None]:
    """Inside the block, BLAS uses one thread when ``n_rows`` is at most :data:`SMALL_PROBLEM_ROWS`."""
    if n_rows > SMALL_PROBLEM_ROWS:
        yield
        return
    # threadpoolctl ships with scikit-learn but imports none of it (nor is it slow to import).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
