"""Render independent backends in two processes when the machine and the deck make it pay."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from .backends import Backend, BuildContext
from .model import Deck

# Rough relative cost of each backend, measured on synthetic decks (benchmarks/): the
# flashcards and the cheat sheet are the two heavy ones, so they go to different processes.
COST = {"flashcards": 5, "pdf": 4, "anki": 1, "handbook": 1}

# What a forked worker renders from. It is set just before the fork and read only by the
# child, which inherits it through copy-on-write memory: the deck is never pickled.
_shared: tuple[Deck, BuildContext] | None = None


def can_run_in_parallel(backends: tuple[Backend, ...]) -> bool:
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
    """Bytes per backend name; a ContentError in the worker is raised here."""
    global _shared
    here, there = split(backends)
    _shared = (deck, context)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_render_group, tuple(b.name for b in there))
            rendered = {b.name: b.render(deck, context) for b in here}
            rendered.update(future.result())
    finally:
        _shared = None
    return rendered


def _render_group(names: tuple[str, ...]) -> dict[str, bytes]:
    from .backends import BACKENDS

    deck, context = _shared
    return {b.name: b.render(deck, context) for b in BACKENDS if b.name in names}
