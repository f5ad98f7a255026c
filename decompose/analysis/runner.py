"""Turn discovered files into facts: read and hash in this process, answer hits from the cache,
parse the misses in a process pool (one worker per core), store them back.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from decompose.analysis.cache import FactCache, Result, cache_key
from decompose.analysis.facts import ParseFailure, SourceFile
from decompose.analysis.parse import DEFAULT_MAX_BYTES, facts_from_bytes, read_source

Progress = Callable[[int], None]
POOL_THRESHOLD = 24  # fewer misses than this parse faster in-process than through a pool


@dataclass(frozen=True)
class RunStats:
    files: int
    cache_hits: int
    parsed: int
    jobs: int


def collect_facts(
    sources: tuple[SourceFile, ...],
    cache: FactCache,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> tuple[list[Result], RunStats]:
    tick = progress or (lambda n: None)
    keyed: list[tuple[str, SourceFile, bytes]] = []
    results: dict[str, Result] = {}
    for source in sources:
        data = read_source(source, max_bytes)
        if isinstance(data, ParseFailure):
            results[source.module] = data
            continue
        keyed.append((cache_key(source, hashlib.sha256(data).hexdigest()), source, data))
    hits = cache.get_many(k for k, _, _ in keyed)
    misses = [(k, s, d) for k, s, d in keyed if k not in hits]
    for key, source, _ in keyed:
        if key in hits:
            results[source.module] = hits[key]
    tick(len(sources) - len(misses))
    workers = _workers(jobs, len(misses))
    parsed = _parse_all(misses, workers, tick)
    cache.put_many((key, parsed[source.module]) for key, source, _ in misses)
    cache.prune({k for k, _, _ in keyed})
    results.update(parsed)
    ordered = [results[s.module] for s in sources if s.module in results]
    return ordered, RunStats(len(sources), len(hits), len(misses), workers)


def _workers(jobs: int | None, misses: int) -> int:
    if misses < POOL_THRESHOLD:
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, misses))


def _parse_one(item: tuple[SourceFile, bytes, str]) -> Result:
    source, data, sha = item
    return facts_from_bytes(source, data, sha)


def _parse_all(misses: list[tuple[str, SourceFile, bytes]], workers: int, tick: Progress) -> dict[str, Result]:
    items = [(source, data, key.split(":")[1]) for key, source, data in misses]
    out: dict[str, Result] = {}
    if workers == 1:
        for item in items:
            out[item[0].module] = _parse_one(item)
            tick(1)
        return out
    chunk = max(1, min(32, len(items) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for item, result in zip(items, pool.map(_parse_one, items, chunksize=chunk)):
            out[item[0].module] = result
            tick(1)
    return out
