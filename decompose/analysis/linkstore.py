"""The previous run's link products, in the same SQLite file as the facts: one row per module (the
facts key it was linked from, its interface digests, the modules it resolved through, its unit or
parse failure) and one row of state (the key of the tree's shape it belongs to, and the project
context). Rows are written in one transaction, so units and state never disagree; table names carry a
version, so a later layout never reads an earlier one.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from decompose.analysis.sources import ParseFailure, SourceFile
from decompose.analysis.versions import analysis_version

if TYPE_CHECKING:  # the linker loads when a stored link is unpickled, or when linking
    from decompose.analysis.link import Context
    from decompose.analysis.units import Unit

    Value = Unit | ParseFailure


@dataclass(frozen=True)
class Entry:
    """What one module was linked from. Digests are None for a module that failed to parse."""

    module: str
    facts_key: str
    context_digest: str | None
    resolution_digest: str | None
    deps: frozenset[str]
    value: Value
    blob: bytes | None = field(default=None, compare=False, repr=False)  # `value` pickled, if a child did it


@dataclass(frozen=True)
class Stored:
    ctx: Context
    entries: dict[str, tuple[str, str | None, str | None]]  # module -> (facts key, context, resolution)
    values: dict[str, Value]  # module -> unit or parse failure


class LinkStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.execute("CREATE TABLE IF NOT EXISTS link_state_v1 (id INTEGER PRIMARY KEY CHECK (id = 0), key TEXT, ctx BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS link_units_v1 (module TEXT PRIMARY KEY, facts_key TEXT, "
                   "context TEXT, resolution TEXT, deps TEXT, value BLOB)")

    def load(self, key: str) -> Stored | None:
        """The stored products if they were linked for a tree of this shape (`key`), else None."""
        row = self._db.execute("SELECT key, ctx FROM link_state_v1").fetchone()
        if row is None or row[0] != key:
            return None
        entries, values = {}, {}
        try:
            ctx = pickle.loads(row[1])
            for m, k, c, r, blob in self._db.execute("SELECT module, facts_key, context, resolution, value FROM link_units_v1"):
                entries[m] = (k, c, r)
                values[m] = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - an unreadable row is no stored link
            return None
        return Stored(ctx, entries, values)

    def deps(self) -> dict[str, frozenset[str]]:
        return {m: frozenset(d.split("\n")) if d else frozenset() for m, d in self._db.execute("SELECT module, deps FROM link_units_v1")}

    def save(self, key: str, ctx: Context, entries: Iterable[Entry], replace_all: bool) -> None:
        rows = [(e.module, e.facts_key, e.context_digest, e.resolution_digest, "\n".join(sorted(e.deps)),
                 e.blob if e.blob is not None else pickle.dumps(e.value, protocol=pickle.HIGHEST_PROTOCOL))
                for e in entries]
        with self._db:
            if replace_all:
                self._db.execute("DELETE FROM link_units_v1")
            self._db.executemany("INSERT OR REPLACE INTO link_units_v1 VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("INSERT OR REPLACE INTO link_state_v1 VALUES (0, ?, ?)",
                             (key, pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)))


def shape_key(root: str, sources: tuple[SourceFile, ...], read_failures: tuple[ParseFailure, ...],
              discovery_failures: tuple[ParseFailure, ...], sql: str = "") -> str:
    """What every stored unit was linked within: the analyzer's code, the root, every file's place and
    module name, the files that could not be discovered or read, and the .sql files' digest (`sql`)."""
    h = hashlib.sha256(analysis_version().encode())
    for part in (root, *map(repr, sources), *map(repr, discovery_failures), *map(repr, read_failures), sql):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()
