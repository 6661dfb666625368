"""Render independent backends in two processes when the machine and the deck make it pay."""

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

# What a forked worker renders from. It is set just before the fork and read only by the
# child, which inherits it through copy-on-write memory: the deck is never pickled.
_shared: tuple[Deck, BuildContext] | None = None
_shared_items: tuple[Callable, Sequence] | None = None
T = TypeVar("T")
R = TypeVar("R")


def can_run_in_parallel(backends: tuple[Backend, ...] = ("two", "tasks")) -> bool:
    return (len(backends) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and len(os.sched_getaffinity(0)) > 1)


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
    global _shared
    here, there = split(backends)
    _shared = (deck, context)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_render_group, tuple(b.name for b in there))
            results = _render_each(deck, context, here)
            results.update(future.result())
    finally:
        _shared = None
    for backend in backends:
        if isinstance(results[backend.name], ContentError):
            raise results[backend.name]
    return results


def _render_each(deck: Deck, context: BuildContext, backends) -> dict[str, bytes | ContentError]:
    results: dict[str, bytes | ContentError] = {}
    for backend in backends:
        try:
            results[backend.name] = backend.render(deck, context)
        except ContentError as problem:
            results[backend.name] = problem
    return results


def map_halves(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """function(items) computed as two halves, the second in a forked worker process.

    The worker reads its half from memory inherited at the fork; only results travel back.
    """
    global _shared_items
    middle = len(items) // 2
    _shared_items = (function, items[middle:])
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            second = pool.submit(_map_shared_items)
            first = function(items[:middle])
            return first + second.result()
    finally:
        _shared_items = None


def _map_shared_items() -> list:
    function, items = _shared_items
    return function(items)


def _render_group(names: tuple[str, ...]) -> dict[str, bytes]:
    from .backends import BACKENDS

    deck, context = _shared
    return _render_each(deck, context, [b for b in BACKENDS if b.name in names])
