"""Run a function over chunks of work in forked children that inherit this process's memory.

Linking reads every module's facts, the index and the project context: hundreds of megabytes that
a spawned process would have to load again, but a forked child shares them (copy-on-write). Fork is
used only where it is safe: on Linux, and when this process runs no other thread (a child forked
while another thread holds a lock could wait on it forever). Elsewhere `fork_map` returns None and
the caller does the work itself.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_JOB: list[Callable] = []  # the function the children run: inherited, never pickled


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


def fork_map(fn: Callable[[T], R], chunks: Sequence[T], jobs: int) -> list[R] | None:
    """`[fn(c) for c in chunks]`, computed by `jobs` forked children; None when fork is not safe
    here. Results come back pickled, in the order of `chunks`."""
    if jobs < 2 or len(chunks) < 2 or not can_fork():
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _JOB[:] = [fn]
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run, chunks))
    finally:
        _JOB.clear()


def _run(chunk: T) -> R:  # type: ignore[type-var]
    return _JOB[0](chunk)
