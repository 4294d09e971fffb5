"""Run a function over many items on every core (forked processes), results in order.

Used for the cold-start work that is pure CPU per item: reading articles, cleaning bodies,
rendering feeds. Small batches run in this process: starting workers costs more than they
would save.

Not ``multiprocessing.Pool``: its helper threads cost this process 0.2-0.3 s of CPU per 1,000
results (its worker-handler thread spins while results wait in the pipe), and every item was
pickled on the way out. Here each worker inherits the items when it forks, takes every n-th
chunk of them, and sends back only results, over its own pipe; one thread here reads
whichever pipe is ready.
"""

from __future__ import annotations

import gc
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from feeder.errors import FeederError

T = TypeVar("T")
R = TypeVar("R")


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
    done as the results are taken. Leaving the block stops the workers."""
    workers = min(cores(), 8, -(-len(items) // chunksize))
    if len(items) < min_parallel or workers < 2 or not hasattr(os, "fork"):
        yield (fn(shared, item) for item in items)
        return
    import multiprocessing
    import threading

    # forking a process that runs threads (the daemon, the server) can copy a lock held by
    # another thread into the child: there, start workers from a clean server process instead
    context: Any = multiprocessing.get_context("fork" if threading.active_count() == 1
                                          else "forkserver")
    processes, pipes = [], []
    results: _Results | None = None
    gc.freeze()     # what exists now is shared with the workers: keep the GC off those pages
    try:
        for k in range(workers):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_work, daemon=True, args=(
                fn, shared, items, chunksize, k, workers, writer))
            processes.append(process)
            process.start()
            writer.close()
            pipes.append(reader)
        results = _Results(pipes, processes, -(-len(items) // chunksize))
        yield iter(results)
    finally:
        gc.unfreeze()
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        if results is not None:
            results.reader.join()       # every pipe has reached its end: the thread is done
        for pipe in pipes:
            pipe.close()


def _work(fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], chunksize: int,
          first: int, step: int, pipe: Any) -> None:
    """A worker: chunks ``first``, ``first + step``, … of ``items``, each sent as
    (chunk number, results, None) or, on an exception, (chunk number, None, exception)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)    # the parent stops its workers so
    gc.set_threshold(20_000, 50, 100)                # workers allocate fast and keep little
    for chunk in range(first, -(-len(items) // chunksize), step):
        try:
            results = [fn(shared, item) for item in
                       items[chunk * chunksize:(chunk + 1) * chunksize]]
        except Exception as e:
            e.add_note("in a worker process:\n" + traceback.format_exc().rstrip())
            try:
                pipe.send((chunk, None, e))
            except Exception:       # an exception that does not pickle: its text does
                pipe.send((chunk, None, RuntimeError(f"{type(e).__name__}: {e}")))
            return
        pipe.send((chunk, results, None))


class _Results:
    """The workers' results in item order. A thread reads them as they come, from whichever
    pipe has some, so that no worker waits on a full pipe while this process is busy with
    the results before (writing files, say)."""

    def __init__(self, pipes: list[Any], processes: list[Any], chunks: int) -> None:
        import threading

        self.processes = processes
        self.chunks = chunks
        self.arrived: dict[int, tuple[Any, BaseException | None]] = {}
        self.ready = threading.Condition()
        self.finished = False
        self.reader = threading.Thread(target=self._read, args=(list(pipes),), daemon=True)
        self.reader.start()

    def _read(self, pipes: list[Any]) -> None:
        from multiprocessing.connection import wait

        try:
            while pipes:
                ready: list[Any] = wait(pipes)
                for pipe in ready:
                    try:
                        number, results, error = pipe.recv()
                    except (EOFError, OSError):     # that worker is done, or died
                        pipes.remove(pipe)
                        continue
                    with self.ready:
                        self.arrived[number] = (results, error)
                        self.ready.notify()
        finally:
            with self.ready:
                self.finished = True
                self.ready.notify()

    def __iter__(self) -> Iterator[Any]:
        for chunk in range(self.chunks):
            with self.ready:
                while chunk not in self.arrived and not self.finished:
                    self.ready.wait()
                if chunk not in self.arrived:
                    codes = ", ".join(str(p.exitcode) for p in self.processes if p.exitcode)
                    raise FeederError(f"a worker process ended before sending its results "
                                      f"(exit code {codes or 'unknown'}); out of memory?")
                results, error = self.arrived.pop(chunk)
            if error is not None:
                raise error
            yield from results
