"""Turn discovered files into facts: fingerprint every file in this process (hash it, or reuse its
recorded hash when its size and mtime are unchanged), answer hits from the cache, parse the misses
in worker processes (one per core), store them back.
"""

from __future__ import annotations

import faulthandler
import gc
import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from decompose.analysis.cache import FactCache, cache_key
from decompose.analysis.sources import DEFAULT_MAX_BYTES, ParseFailure, SourceFile, read_source

if TYPE_CHECKING:
    from decompose.analysis.cache import Result

Progress = Callable[[int], None]
POOL_THRESHOLD = 24  # fewer misses than this use a single worker process
# Last-resort limits of a parser worker, for what the lexical budget (budget.py) does not foresee.
# The budget decides, from the bytes, deterministically; these only keep a surprise from taking
# the machine: address space above the worker's own at start-up, and CPU seconds per file.
WORKER_MEMORY = 4 << 30
FILE_CPU_SECONDS = 120
UNCACHED = ("out-of-memory", "parser-crash")  # a worker's death or limit, not a verdict on the file: tried again next run


@dataclass(frozen=True)
class RunStats:
    files: int
    cache_hits: int
    parsed: int
    jobs: int


RACY_NS = 2_000_000_000  # stats of files modified this recently are not recorded (git's "racy" rule)


@dataclass(frozen=True)
class Fingerprint:
    """Every file's cache key, before any parsing. Bytes are None where the file's size and mtime
    matched its recorded stat, so its recorded hash was used without reading it."""

    keyed: tuple[tuple[str, SourceFile, bytes | None], ...]  # (cache key, source, bytes or None)
    failures: tuple[ParseFailure, ...]  # files that could not even be read
    stats: dict[str, tuple[int, int, str]]  # path -> (size, mtime_ns, sha256), to record

    def digest(self, version: str, extra: tuple[str, ...] = ()) -> str:
        h = hashlib.sha256(version.encode())
        for part in (*extra, *(k for k, _, _ in self.keyed), *(f"{f.path}:{f.kind}" for f in self.failures)):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()


def fingerprint(sources: tuple[SourceFile, ...], max_bytes: int = DEFAULT_MAX_BYTES,
                known: dict[str, tuple[int, int, str]] | None = None) -> Fingerprint:
    keyed: list[tuple[str, SourceFile, bytes | None]] = []
    failures: list[ParseFailure] = []
    stats: dict[str, tuple[int, int, str]] = {}
    known = known or {}
    now = time.time_ns()
    for source in sources:
        stamp = _stat(source.path)
        recorded = known.get(source.path)
        if stamp and recorded and recorded[:2] == stamp and stamp[0] <= max_bytes:
            keyed.append((cache_key(source, recorded[2]), source, None))
            stats[source.path] = recorded
            continue
        data = read_source(source, max_bytes)
        if isinstance(data, ParseFailure):
            failures.append(data)
            continue
        sha = hashlib.sha256(data).hexdigest()
        keyed.append((cache_key(source, sha), source, data))
        if stamp and now - stamp[1] > RACY_NS:  # a fresh file could change again within its mtime tick
            stats[source.path] = (*stamp, sha)
    return Fingerprint(tuple(keyed), tuple(failures), stats)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Facts:
    """Every discovered file's result by module: parsed in this run, or unpickled from the cache the
    first time it is asked for, so a run that re-links a few modules loads only what it reads."""

    def __init__(self, sources: tuple[SourceFile, ...], prints: Fingerprint, parsed: dict[str, Result],
                 cache: FactCache, reparse: Callable[[str], Result]) -> None:
        self.sources = sources
        self.keys = {source.module: key for key, source, _ in prints.keyed}  # files that could be read
        self.read_failures = prints.failures
        self.read_modules = {f.module for f in prints.failures if f.module}
        self._loaded: dict[str, Result] = {f.module or f.path: f for f in prints.failures}
        self._loaded.update(parsed)
        self._cache, self._reparse = cache, reparse

    def get(self, module: str) -> Result:
        if module not in self._loaded:
            found = self._cache.get_many([self.keys[module]]).get(self.keys[module])
            self._loaded[module] = found if found is not None else self._reparse(module)  # unreadable pickle
        return self._loaded[module]

    def all(self) -> list[Result]:
        """Every result in the order of `sources`, loading the cached ones in one pass."""
        wanted = {self.keys[m]: m for m in self.keys if m not in self._loaded}
        for key, result in self._cache.get_many(wanted).items():
            self._loaded[wanted[key]] = result
        return [self.get(s.module) for s in self.sources if s.module in self._loaded or s.module in self.keys]


def collect_facts(
    sources: tuple[SourceFile, ...],
    cache: FactCache,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    prints: Fingerprint | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Facts, RunStats]:
    """Parse the files the cache does not hold; the others stay in the cache until asked for.
    `meanwhile` runs in this thread while the workers parse (it must not touch progress)."""
    tick = progress or (lambda n: None)
    prints = prints or fingerprint(sources, max_bytes)
    hits = cache.has_many(k for k, _, _ in prints.keyed)
    misses = [(k, s, d if d is not None else _read(s, max_bytes)) for k, s, d in prints.keyed if k not in hits]
    tick(len(sources) - len(misses))
    workers = _workers(jobs, len(misses))
    out = _parse_all(misses, workers, tick, meanwhile or (lambda: None))
    cache.put_blobs((key, out.blobs[source.module]) for key, source, _ in misses if source.module not in out.uncached)
    parsed = out.results
    cache.put_stats(prints.stats)
    cache.prune({k for k, _, _ in prints.keyed})
    by_module = {source.module: (key, source) for key, source, _ in prints.keyed}

    def reparse(module: str) -> Result:
        key, source = by_module[module]
        return _parse_all([(key, source, _read(source, max_bytes))], 1, lambda n: None).results[module]

    facts = Facts(sources, prints, parsed, cache, reparse)
    return facts, RunStats(len(sources), len(hits), len(misses), workers)


def _read(source: SourceFile, max_bytes: int) -> bytes:
    data = read_source(source, max_bytes)
    return data if isinstance(data, bytes) else b""  # vanished since it was fingerprinted: parses empty


def _workers(jobs: int | None, misses: int) -> int:
    if misses < POOL_THRESHOLD:
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, misses))


def _parse_one(item: tuple[SourceFile, bytes, str]) -> bytes:
    """Facts pickled in the worker: the parent stores these bytes in the cache as they are and
    unpickles them once, instead of unpickling the transfer and pickling again for the cache."""
    from decompose.analysis.parse import facts_from_bytes

    source, data, sha = item
    _limit_cpu(FILE_CPU_SECONDS)
    try:
        result = facts_from_bytes(source, data, sha)
    except MemoryError:  # over WORKER_MEMORY: this file is reported, the worker goes on with the next
        result = ParseFailure(source.rel, source.module, "out-of-memory",
                              f"parsing needed over the worker's {WORKER_MEMORY >> 30} GiB safety limit; not analysed")
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _limit_cpu(seconds: int) -> None:
    """Let the next file use `seconds` of CPU: past them the kernel ends the worker (SIGXCPU), and
    the file is reported as a parser crash (see `_parse_all`). A soft limit: raised again per file."""
    try:
        import resource

        used = resource.getrusage(resource.RUSAGE_SELF)
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = int(used.ru_utime + used.ru_stime) + seconds
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):  # no such limit here (Windows): the budget alone bounds the parse
        pass


def _limit_memory(extra: int) -> None:
    """Cap the worker's address space at what it uses now plus `extra`: libcst then raises
    MemoryError (or the worker dies) rather than the machine swapping or the OOM killer choosing."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not Linux: the budget alone bounds the parse
        pass


Item = tuple[SourceFile, bytes, str]


class Parsed:
    """The workers' results as they arrive: each is unpickled at once, while the workers go on
    parsing, rather than all of them after the last (on NetBox that was 0.45 s of serial work)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}  # stored in the cache as they are
        self.results: dict[str, Result] = {}
        self.uncached: set[str] = set()  # modules whose result must not be cached (UNCACHED kinds)

    def __contains__(self, module: str) -> bool:
        return module in self.blobs

    def add(self, module: str, blob: bytes) -> None:
        self.blobs[module] = blob
        self.results[module] = result = pickle.loads(blob)
        if isinstance(result, ParseFailure) and result.kind in UNCACHED:
            self.uncached.add(module)


def _parse_all(misses: list[tuple[str, SourceFile, bytes]], workers: int, tick: Progress,
               meanwhile: Callable[[], object] = lambda: None) -> Parsed:
    """Parse in worker processes, always: a native crash in the parser (libcst segfaults on some
    pathological files) must cost one file, not the run. After a crash the unfinished files are
    parsed one by one in a fresh single worker, so the culprit is the first without a result.
    `meanwhile` runs here once the workers have started (see `_run_pool`). Largest files first, in
    small chunks: the last chunks are small files, so neither worker waits long for the other."""
    items: list[Item] = [(source, data, key.split(":")[1]) for key, source, data in misses]
    items.sort(key=lambda item: -len(item[1]))  # stable: equal sizes keep discovery order
    out = Parsed()
    if not items:
        meanwhile()
        return out
    chunk = max(1, min(8, len(items) // (workers * 8)))
    pending = _run_pool(items, workers, chunk, out, tick, meanwhile)
    while pending:
        pending = _run_pool(pending, 1, 1, out, tick)
        if pending:
            culprit = pending.pop(0)
            crash = ParseFailure(culprit[0].rel, culprit[0].module, "parser-crash",
                                 f"the parser worker died on this file (a native crash, or over its memory or {FILE_CPU_SECONDS} s CPU safety limit)")
            out.add(culprit[0].module, pickle.dumps(crash))
            tick(1)
    return out


def _parser_worker() -> None:
    """A worker that dies in native code is reported as a finding: no fault dump on the terminal.
    The parent pauses the garbage collector while it loads facts (`collector.paused`); a worker
    parses with it on, as any libcst user does (`parse.facts_from_bytes` pauses it for the walk only).
    A worker builds its trees without libcst's per-node validation (`parse.skip_node_validation`),
    and runs under a memory and a per-file CPU limit (WORKER_MEMORY, FILE_CPU_SECONDS)."""
    from decompose.analysis.parse import skip_node_validation  # libcst loads in the workers only

    faulthandler.disable()
    gc.enable()
    skip_node_validation()
    _limit_memory(WORKER_MEMORY)


def _run_pool(items: list[Item], workers: int, chunk: int, out: Parsed, tick: Progress,
              meanwhile: Callable[[], object] = lambda: None) -> list[Item]:
    """Parse `items`; return those left unfinished because a worker died. `map` submits every item
    at once, which forks the workers from this thread; then this thread runs `meanwhile` (the
    parent's own work overlaps the workers' start-up: importing libcst takes a quarter second)
    and collects the results. No other thread of ours exists when the workers are forked: a fork
    while another thread holds the import lock would leave the child unable to import."""
    from concurrent.futures import ProcessPoolExecutor  # only when something is parsed: a warm run never is
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_parser_worker) as pool:
            results = pool.map(_parse_one, items, chunksize=chunk)
            meanwhile()
            for item, result in zip(items, results):
                out.add(item[0].module, result)
                tick(1)
    except BrokenProcessPool:
        return [item for item in items if item[0].module not in out]
    return []
