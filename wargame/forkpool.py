"""Forked worker pools that end by letting their workers finish.

`multiprocessing.Pool`'s context manager ends with `terminate()`: it signals workers that may be
blocked holding the task queue's lock, and a worker that dies holding it leaves its siblings
waiting on that lock forever (a hang seen under pytest-xdist). A pool that ran its work to the
end needs no signal: `close()` then `join()` hands each worker its stop sentinel. Only a failure
or an interrupt terminates. Fork, not the default spawn (Mesa makes spawn the default): workers
inherit the loaded scenarios.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.pool import Pool


@contextlib.contextmanager
def fork_pool(processes: int, initializer: Callable[[], None] | None = None) -> Iterator[Pool]:
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=initializer)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
