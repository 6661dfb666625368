"""Work in two processes: a forked worker beside this one, when the machine has two cores.

Generic: it knows nothing of decks or backends, so any stage may use it without a cycle."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

# The worker's job. It is set just before the fork and read only by the child, which
# inherits it through copy-on-write memory: neither the job nor the deck it closes over
# is pickled; only the result travels back.
_job: Callable[[], object] | None = None


def can_fork_workers() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and len(os.sched_getaffinity(0)) > 1


def run_beside(elsewhere: Callable[[], R], here: Callable[[], S]) -> tuple[S, R]:
    """(here(), elsewhere()), with elsewhere() computed at the same time in a forked worker."""
    global _job
    _job = elsewhere
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_run_job)
            return here(), future.result()
    finally:
        _job = None


def _run_job() -> object:
    return _job()


def map_halves(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """function(items) computed as two halves, the second in a forked worker process."""
    middle = len(items) // 2
    first, second = run_beside(lambda: function(items[middle:]), lambda: function(items[:middle]))
    return first + second
