"""Work in two processes: a forked worker beside this one, where forking is safe and pays.

Generic: it knows nothing of decks or backends, so any stage may use it without a cycle.
A plain fork and a pipe, not a process pool: the worker inherits the job through
copy-on-write memory (nothing is pickled but the result), uses no temporary file, ignores
Ctrl-C (the parent handles it and kills the worker), and exits by itself when its parent
dies, so it can never be left behind.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

PARENT_POLL_SECONDS = 0.2


class WorkerError(RuntimeError):
    """The worker process died without an answer (killed, out of memory): a bug to report."""


def can_fork_workers() -> bool:
    """Fork only on Linux (macOS system libraries are not fork-safe, and there a spawned
    worker would spend longer importing than it saves), with two cores to use, and while no
    other thread runs: a fork copies locks that another thread may be holding."""
    return (sys.platform.startswith("linux") and hasattr(os, "sched_getaffinity")
            and len(os.sched_getaffinity(0)) > 1 and threading.active_count() == 1)


def run_beside(elsewhere: Callable[[], R], here: Callable[[], S]) -> tuple[S, R]:
    """(here(), elsewhere()), with elsewhere() computed at the same time in a forked worker.

    An exception in either is raised here, the worker's after this process's own work.
    """
    read_end, write_end = os.pipe()
    parent = os.getpid()
    # Ctrl-C or SIGTERM during the fork would raise inside fork hooks, where Python can only
    # print "Exception ignored": hold them until both processes have their handlers.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(read_end)
            _work(elsewhere, write_end, parent, held)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write_end)
    try:
        mine = here()
        theirs = _receive(read_end, pid)
    except BaseException:
        _stop(pid)
        raise
    finally:
        _close_quietly(read_end)
    return mine, theirs


def map_halves(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """function(items) computed as two halves, the second in a forked worker process."""
    middle = len(items) // 2
    first, second = run_beside(lambda: function(items[middle:]), lambda: function(items[:middle]))
    return first + second


def _work(job: Callable[[], object], write_end: int, parent: int, held: set) -> None:
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
        try:
            answer: tuple[str, object] = ("ok", job())
        except BaseException as problem:  # noqa: B036 - every failure travels to the parent
            answer = ("error", problem)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(_pickled(answer))
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


def _pickled(answer: tuple[str, object]) -> bytes:
    try:
        return pickle.dumps(answer)
    except Exception:  # an exception that cannot cross: keep its text
        return pickle.dumps(("error", RuntimeError(repr(answer[1]))))


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _receive(read_end: int, pid: int) -> object:
    with os.fdopen(os.dup(read_end), "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise WorkerError(f"the render worker died (wait status {status})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
