"""Run a function over many items on every core (fork-started processes), in order.

Used for the cold-start work that is pure CPU per item: reading articles and cleaning bodies.
Small batches run in this process: starting workers costs more than they would save.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_shared: Any = None


def _init(shared: Any) -> None:
    global _shared
    _shared = shared
    gc.set_threshold(20_000, 50, 100)   # workers allocate fast and keep little


def _run(job: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    fn, item = job
    return fn(_shared, item)


def cores() -> int:
    """How many processes to use: ``FEEDER_JOBS`` if set, else the usable cores."""
    jobs = os.environ.get("FEEDER_JOBS", "")
    if jobs.isdigit() and int(jobs) > 0:
        return int(jobs)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def parallel_map(fn: Callable[[Any, T], R], shared: Any, items: Sequence[T],
                 min_parallel: int = 200, chunksize: int = 32) -> Iterator[R]:
    """``fn(shared, item)`` for each item, in order; in worker processes when there are at
    least ``min_parallel`` items and more than one core."""
    with mapping(fn, shared, items, min_parallel, chunksize) as results:
        yield from results


@contextmanager
def mapping(fn: Callable[[Any, T], R], shared: Any, items: Sequence[T],
            min_parallel: int = 200, chunksize: int = 32) -> Iterator[Iterator[R]]:
    """``parallel_map`` with its workers already at work inside the ``with`` block, so that
    this process can do something else before it takes the results. Serially, the work is
    done as the results are taken."""
    workers = min(cores(), 8)
    if len(items) < min_parallel or workers < 2 or not hasattr(os, "fork"):
        yield (fn(shared, item) for item in items)
        return
    import multiprocessing
    import threading

    # forking a process that runs threads (the daemon, the server) can copy a lock held by
    # another thread into the child: there, start workers from a clean server process instead
    context = multiprocessing.get_context("fork" if threading.active_count() == 1
                                          else "forkserver")
    gc.freeze()     # what exists now is shared with the workers: keep the GC off those pages
    try:
        with context.Pool(workers, initializer=_init, initargs=(shared,)) as pool:
            jobs: Iterable[tuple[Callable[[Any, T], R], T]] = ((fn, item) for item in items)
            yield pool.imap(_run, jobs, chunksize=chunksize)
    finally:
        gc.unfreeze()
