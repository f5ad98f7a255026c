"""Link incrementally: re-link only the modules whose products can have changed, reuse the others'
cached units, and render analysis.json from all of them. The result is byte for byte what a full
link of the same tree writes; whenever that cannot be shown from what was recorded, everything is
linked.

A module's unit depends on its own facts, on the resolution interface of the modules its names
resolved through, on the context keys it looked up (a model's table, a table name, the classes of
a name; recorded by `link.ContextReads`), on the set of module names, and on nothing else; these
are its `deps`. The context depends on the context interface of every module. So, for the modules
whose facts changed since the stored link (`dirty`):

- the tree's shape (files, module names, failures to read, analyzer version: the state key) must
  be the same, and no module may have gone from parsed to failed or back; otherwise: full link;
- if the context interface of every dirty module is unchanged, the stored context holds, and facts
  are loaded only for the modules being re-linked and those their names resolve through;
- else the context is recomputed from every module's facts, and its changed keys noted;
- re-linked: the dirty modules, and every module whose deps include a dirty module whose
  resolution interface changed or a context key whose answer changed. Hazards' `in_request_path`
  is recomputed from every unit when rendering.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from decompose.analysis.facts import FileFacts
from decompose.analysis.forked import fork_map
from decompose.analysis.index import Index
from decompose.analysis.interface import context_digest, resolution_digest
from decompose.analysis.link import Context, context, link_module, migration_helpers, modules
from decompose.analysis.linkstore import Entry, LinkStore, Stored
from decompose.analysis.render import Rendered, render
from decompose.analysis.runner import Facts
from decompose.analysis.sources import ParseFailure, SourceFile
from decompose.analysis.sql import SqlCatalog
from decompose.analysis.units import Unit, encode

FORK_MIN = 200  # fewer modules to link than this: linked here (forking costs more than it saves)


@dataclass(frozen=True)
class LinkStats:
    full: bool
    relinked: int  # modules linked in this run


def link_json(root: str, sources: tuple[SourceFile, ...], facts: Facts, discovery_failures: tuple[ParseFailure, ...],
              store: LinkStore | None, key: str, stored: Stored | None, jobs: int = 1,
              sql: SqlCatalog = SqlCatalog()) -> tuple[Rendered, LinkStats]:
    """`key`: `shape_key(...)` of this tree (the .sql files' digest included, so `sql` is the same
    whenever a stored link is reused); `stored`: what `store.load(key)` returned (the caller loads it
    while the workers parse); `jobs`: processes that may link at once."""
    plan = _plan(stored, facts) if stored is not None else None
    if plan is None:
        return _full(root, sources, facts, discovery_failures, store, key, jobs, sql)
    return _incremental(root, sources, facts, discovery_failures, store, key, stored, plan, jobs, sql)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Plan:
    dirty: dict[str, FileFacts | ParseFailure]  # new results of the modules whose facts changed
    context_changed: bool
    resolution_changed: frozenset[str]


def _plan(stored: Stored, facts: Facts) -> Plan | None:
    """What changed since the stored link, or None if it cannot be reused at all."""
    if set(stored.entries) != set(facts.keys):
        return None
    dirty = {m: facts.get(m) for m, key in facts.keys.items() if stored.entries[m][0] != key}
    if any(isinstance(result, ParseFailure) != (stored.entries[m][1] is None) for m, result in dirty.items()):
        return None  # a module appeared in or vanished from the index
    parsed = {m: f for m, f in dirty.items() if isinstance(f, FileFacts)}
    return Plan(
        dirty=dirty,
        context_changed=any(context_digest(f) != stored.entries[m][1] for m, f in parsed.items()),
        resolution_changed=frozenset(m for m, f in parsed.items() if resolution_digest(f) != stored.entries[m][2]),
    )


def _incremental(root: str, sources: tuple[SourceFile, ...], facts: Facts, discovery_failures: tuple[ParseFailure, ...],
                 store: LinkStore, key: str, stored: Stored, plan: Plan, jobs: int = 1,
                 sql: SqlCatalog = SqlCatalog()) -> tuple[Rendered, LinkStats]:
    with_facts = [s.module for s in sources if s.module in stored.entries and stored.entries[s.module][1] is not None]
    index = Index(LazyFiles(with_facts, facts))
    ctx, changed = stored.ctx, set(plan.resolution_changed)
    if plan.context_changed:
        facts.all()  # one bulk read rather than one per module
        ctx = context(index, sql)  # reads every module's facts
        changed |= stored.ctx.changed_keys(ctx)
    relink = {m for m, f in plan.dirty.items() if isinstance(f, FileFacts)}
    if changed:
        relink |= {m for m, deps in store.deps().items() if deps & changed}
    values = dict(stored.values)
    linker = Linker(index, ctx, facts, sources, discovery_failures)
    entries = linker.entries([m for m in with_facts if m in relink], jobs)
    entries += [Entry(m, facts.keys[m], None, None, frozenset(), f) for m, f in plan.dirty.items() if isinstance(f, ParseFailure)]
    values.update((e.module, e.value) for e in entries)
    store.save(key, ctx, entries, replace_all=False)
    return _render(root, sources, facts, discovery_failures, ctx, values), LinkStats(False, len(relink))


def _full(root: str, sources: tuple[SourceFile, ...], facts: Facts, discovery_failures: tuple[ParseFailure, ...],
          store: LinkStore | None, key: str, jobs: int = 1, sql: SqlCatalog = SqlCatalog()) -> tuple[Rendered, LinkStats]:
    results = facts.all()
    files = [r for r in results if isinstance(r, FileFacts)]
    index = Index(files)
    ctx = context(index, sql)
    linker = Linker(index, ctx, facts, sources, discovery_failures, digests=store is not None)
    entries = linker.entries([f.module for f in files], jobs)
    entries += [Entry(r.module, facts.keys[r.module], None, None, frozenset(), r) for r in results
                if isinstance(r, ParseFailure) and r.module in facts.keys]
    if store is not None:
        store.save(key, ctx, entries, replace_all=True)
    values = {e.module: e.value for e in entries}
    return _render(root, sources, facts, discovery_failures, ctx, values), LinkStats(True, len(files))


class Linker:
    """Links one module into its cache entry: unit (with its module record) and digests."""

    def __init__(self, index: Index, ctx: Context, facts: Facts, sources: tuple[SourceFile, ...],
                 discovery_failures: tuple[ParseFailure, ...], digests: bool = True) -> None:
        self.index, self.ctx, self.facts, self.digests = index, ctx, facts, digests  # digests: only to store
        self.sources = {s.module: s for s in sources}
        self.failures = list(discovery_failures)  # a duplicate module name marks the kept file too

    def entries(self, modules: list[str], jobs: int = 1) -> list[Entry]:
        """Every module's entry, in order; with `jobs` > 1 and at least `FORK_MIN` modules, linked
        by forked children that share this process's facts, index and context (see `forked`)."""
        if jobs > 1 and len(modules) >= FORK_MIN:
            size = max(1, -(-len(modules) // (jobs * 8)))  # small chunks: neither child waits long
            done = fork_map(self._pickled, [modules[i:i + size] for i in range(0, len(modules), size)], jobs)
            if done is not None:
                return [Entry(*fields, pickle.loads(blob), blob) for chunk in done for *fields, blob in chunk]
        return [self.entry(m) for m in modules]

    def _pickled(self, modules: list[str]) -> list[tuple]:
        """A forked child's entries, each value pickled once: the parent keeps those bytes for the
        store instead of pickling every unit again after loading it (0.11 s of serial work on Saleor)."""
        return [(e.module, e.facts_key, e.context_digest, e.resolution_digest, e.deps,
                 pickle.dumps(e.value, protocol=pickle.HIGHEST_PROTOCOL)) for e in map(self.entry, modules)]

    def entry(self, module: str) -> Entry:
        found = self.facts.get(module)
        assert isinstance(found, FileFacts)
        linked = link_module(self.index, self.ctx, found)
        source = self.sources[module]
        info = modules((source,), {module: (found.lines, found.sha256)}, self.failures, {module: linked.externals},
                       migration_helpers((source,), (found,)))[0]
        unit = encode(linked, info)
        if not self.digests:
            return Entry(module, self.facts.keys[module], "", "", unit.deps, unit)
        return Entry(module, self.facts.keys[module], context_digest(found), resolution_digest(found), unit.deps, unit)


def _render(root: str, sources: tuple[SourceFile, ...], facts: Facts, discovery_failures: tuple[ParseFailure, ...],
            ctx: Context, values: dict[str, Unit | ParseFailure]) -> Rendered:
    units = [v for s in sources if isinstance(v := values.get(s.module), Unit)]
    failed = [values[s.module] if s.module in facts.keys else facts.get(s.module)  # else: could not be read
              for s in sources if s.module in facts.read_modules or isinstance(values.get(s.module), ParseFailure)]
    failures = sorted([*discovery_failures, *failed], key=lambda f: f.path)
    return render(root, sources, failures, ctx, units)


class LazyFiles(Mapping[str, FileFacts]):
    """The modules that have facts, each loaded from the cache when the index first reads it."""

    def __init__(self, modules: list[str], facts: Facts) -> None:
        self._modules = dict.fromkeys(modules)
        self._facts = facts

    def __getitem__(self, module: str) -> FileFacts:
        if module not in self._modules:
            raise KeyError(module)
        found = self._facts.get(module)
        assert isinstance(found, FileFacts)
        return found

    def __contains__(self, module: object) -> bool:
        return module in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)
