"""`analyze`: path -> discovery -> facts (cache + process pool) -> link -> Analysis, or with
`render`: -> incremental link (cached module units) -> analysis.json's text.

This is the API the CLI calls; it never prints. Progress is reported through a small protocol so
the CLI can draw a bar and tests can pass nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from decompose.analysis import collector
from decompose.analysis.cache import FactCache
from decompose.analysis.discovery import Discovery, DiscoveryError, discover
from decompose.analysis.linkstore import shape_key
from decompose.analysis.runner import Fingerprint, RunStats, collect_facts, fingerprint
from decompose.analysis.sources import DEFAULT_MAX_BYTES
from decompose.analysis.sql import SqlCatalog, catalog
from decompose.analysis.versions import analysis_version
from decompose.errors import UserError

if TYPE_CHECKING:  # the linker is imported when there is something to link (see `_rendered`)
    from decompose.analysis.incremental import LinkStats
    from decompose.analysis.linkstore import Stored
    from decompose.analysis.model import Analysis
    from decompose.analysis.render import Rendered


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


@dataclass(frozen=True)
class AnalyzeOptions:
    cache_path: Path | None = None  # None: no cache
    jobs: int | None = None  # None: one worker per core
    max_bytes: int = DEFAULT_MAX_BYTES
    exclude: tuple[str, ...] = ()
    unchanged_since: str | None = None  # digest of an analysis the caller already holds
    render: bool = False  # return analysis.json's text (linked incrementally with a cache), not objects


@dataclass(frozen=True)
class AnalyzeResult:
    analysis: Analysis | None  # None: the tree still has digest `options.unchanged_since`, or rendered
    digest: str  # identifies the tree's content and the analyzer's code
    stats: RunStats
    seconds: float
    rendered: Rendered | None = None  # with `options.render`, unless unchanged
    link: LinkStats | None = None  # with `options.render`: how much was linked again


def analyze(path: Path, options: AnalyzeOptions = AnalyzeOptions(), progress: Progress | None = None) -> AnalyzeResult:
    started = time.perf_counter()
    bar = progress or NoProgress()
    try:
        found = discover(path, options.exclude)
    except DiscoveryError as error:
        raise UserError(str(error), "give a package folder, a project root or a .py file") from None
    if not found.sources and not found.failures:
        raise UserError(f"{path}: no Python files found", "point at the folder that holds your application's packages")
    root = _display_root(found.root)
    cache = FactCache(options.cache_path)
    try:
        prints = fingerprint(found.sources, options.max_bytes, cache.stats())
        sql = catalog(found.sql, found.sources)
        sql_key = (sql.digest(),) if sql.files else ()  # a changed .sql file changes the tables: link again
        digest = prints.digest(analysis_version(), (root, *(f"{f.path}:{f.kind}" for f in found.failures), *sql_key))
        if digest == options.unchanged_since:
            stats = RunStats(len(found.sources), len(prints.keyed), 0, 0)
            return AnalyzeResult(None, digest, stats, time.perf_counter() - started)
        bar.start(len(found.sources))
        if options.render:
            return _rendered(root, found, prints, cache, options, bar, started, digest, sql)
        facts, stats = collect_facts(found.sources, cache, options.jobs, options.max_bytes, bar.advance, prints)
        results = facts.all()
    finally:
        cache.close()
    from decompose.analysis.link import link

    analysis = link(root, found.sources, results, found.failures, sql)
    return AnalyzeResult(analysis, digest, stats, time.perf_counter() - started)


def _rendered(root: str, found: Discovery, prints: Fingerprint, cache: FactCache, options: AnalyzeOptions,
              bar: Progress, started: float, digest: str, sql: SqlCatalog) -> AnalyzeResult:
    """Facts, then the incremental link; the previous link is read from the cache while the
    workers parse."""
    store = cache.link_store()
    key = shape_key(root, found.sources, prints.failures, found.failures, sql.digest() if sql.files else "")
    previous: list[Stored | None] = [None]

    def load_previous() -> None:
        import decompose.analysis.incremental  # noqa: F401 - imported while the workers parse

        previous[0] = store.load(key) if store is not None else None

    with collector.paused():  # parser workers turn it back on (see runner._parser_worker)
        facts, stats = collect_facts(found.sources, cache, options.jobs, options.max_bytes, bar.advance, prints, load_previous)
        from decompose.analysis.incremental import link_json

        jobs = options.jobs or os.cpu_count() or 1
        rendered, linked = link_json(root, found.sources, facts, found.failures, store, key, previous[0], jobs, sql)
    return AnalyzeResult(None, digest, stats, time.perf_counter() - started, rendered, linked)


def _display_root(root: Path) -> str:
    """The root as given relative to the working directory when inside it, for stable artefacts."""
    try:
        return root.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return root.as_posix()
