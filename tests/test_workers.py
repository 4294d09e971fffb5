"""feeder.workers: results in order from real forked processes, errors carried back, and
workers that die or are left behind never hang or outlive a build."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from feeder.errors import FeederError
from feeder.workers import mapping, parallel_map


def _square(offset: int, n: int) -> int:
    return n * n + offset


def _pid(_: object, n: int) -> int:
    return os.getpid()


def _fail_at(bad: int, n: int) -> int:
    if n == bad:
        raise ValueError(f"item {n} is bad")
    return n


class Unpicklable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.handle = threading.Lock()      # a lock does not pickle

    def __reduce__(self) -> object:
        raise TypeError("no")


def _unpicklable_at(bad: int, n: int) -> int:
    if n == bad:
        raise Unpicklable(f"item {n} went wrong")
    return n


def _die_at(bad: int, n: int) -> int:
    if n == bad:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def _slow(_: object, n: int) -> int:
    time.sleep(0.01)
    return os.getpid()


@pytest.fixture(autouse=True)
def two_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDER_JOBS", "2")


@pytest.mark.parametrize("count", [1, 7, 8, 9, 50, 1001])
def test_results_come_in_item_order_whatever_the_chunking(count: int) -> None:
    items = list(range(count))
    got = list(parallel_map(_square, 3, items, min_parallel=1, chunksize=8))
    assert got == [n * n + 3 for n in items]


def test_the_work_is_done_in_other_processes_on_every_core() -> None:
    pids = set(parallel_map(_pid, None, range(400), min_parallel=1, chunksize=10))
    assert len(pids) == 2
    assert os.getpid() not in pids


def test_few_items_are_done_here_without_workers() -> None:
    assert set(parallel_map(_pid, None, range(10), min_parallel=200)) == {os.getpid()}


def test_an_error_in_a_worker_arrives_after_the_results_before_it() -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="item 57 is bad") as raised:
        got.extend(parallel_map(_fail_at, 57, range(200), min_parallel=1, chunksize=10))
    assert got == list(range(50))       # the chunks before the failing one, in order
    assert any("in a worker process" in note for note in raised.value.__notes__)


def test_an_error_that_does_not_pickle_arrives_as_its_text() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable: item 13 went wrong"):
        list(parallel_map(_unpicklable_at, 13, range(100), min_parallel=1, chunksize=10))


def test_a_worker_killed_midway_is_an_error_not_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(FeederError, match="worker process ended before sending its results"):
        list(parallel_map(_die_at, 33, range(100), min_parallel=1, chunksize=10))
    assert time.monotonic() - started < 30


def test_leaving_early_stops_the_workers() -> None:
    with mapping(_slow, None, range(2000), min_parallel=1, chunksize=1) as results:
        pids = {next(results), next(results)}
    for pid in pids:                   # reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_with_threads_running_workers_start_from_a_clean_server_process() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        got = list(parallel_map(_square, 1, range(300), min_parallel=1, chunksize=16))
    finally:
        stop.set()
        thread.join()
    assert got == [n * n + 1 for n in range(300)]
