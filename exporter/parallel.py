"""Work in two processes: a forked worker beside this one, when the machine has two cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from .backends import Backend, BuildContext
from .diagnostics import ContentError
from .model import Deck

# Rough relative cost of each backend, measured on synthetic decks (benchmarks/): the
# flashcards and the cheat sheet are the two heavy ones, so they go to different processes.
COST = {"flashcards": 5, "pdf": 4, "anki": 1, "handbook": 1}

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


def split(backends: tuple[Backend, ...]) -> tuple[list[Backend], list[Backend]]:
    """Two groups of about equal cost: (rendered here, rendered in the worker)."""
    here: list[Backend] = []
    there: list[Backend] = []
    for backend in sorted(backends, key=lambda b: -COST.get(b.name, 1)):
        cost_here = sum(COST.get(b.name, 1) for b in here)
        cost_there = sum(COST.get(b.name, 1) for b in there)
        (there if cost_there < cost_here else here).append(backend)
    return here, there


def render_in_parallel(deck: Deck, context: BuildContext,
                       backends: tuple[Backend, ...]) -> dict[str, bytes]:
    """Bytes per backend name.

    Both groups run to the end and the first failure in the backends' own order is raised,
    so the error a user sees is the one a serial build reports, whichever process found it.
    """
    here, there = split(backends)
    mine, theirs = run_beside(lambda: _render_each(deck, context, there),
                              lambda: _render_each(deck, context, here))
    results = {**mine, **theirs}
    for backend in backends:
        if isinstance(results[backend.name], ContentError):
            raise results[backend.name]
    return results


def _render_each(deck: Deck, context: BuildContext,
                 backends: list[Backend]) -> dict[str, bytes | ContentError]:
    results: dict[str, bytes | ContentError] = {}
    for backend in backends:
        try:
            results[backend.name] = backend.render(deck, context)
        except ContentError as problem:
            results[backend.name] = problem
    return results


def map_halves(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """function(items) computed as two halves, the second in a forked worker process."""
    middle = len(items) // 2
    first, second = run_beside(lambda: function(items[middle:]), lambda: function(items[:middle]))
    return first + second
