"""Per-file facts cached by content hash, in one SQLite file, so a warm run only reads the cache.

The key covers everything the facts depend on: the analyzer's fact version, the file's bytes
(sha256), its module name and path (relative imports resolve against them). Values are pickles of
our own frozen dataclasses; an unreadable or stale cache is discarded, never trusted.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from decompose.analysis.linkstore import LinkStore
from decompose.analysis.sources import SourceFile
from decompose.analysis.versions import facts_version

if TYPE_CHECKING:  # the facts' classes load when a value is unpickled: a warm run reads none
    from decompose.analysis.facts import FileFacts
    from decompose.analysis.sources import ParseFailure

    Result = FileFacts | ParseFailure

FACTS_VERSION = facts_version()


def _create(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, sha TEXT)")
    return db


def cache_key(source: SourceFile, sha256: str) -> str:
    return f"{FACTS_VERSION}:{sha256}:{source.module}:{int(source.is_package)}:{source.rel}"


class FactCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection | None:
        try:
            return _create(sqlite3.connect(path))
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a corrupt cache is rebuilt, not trusted
            return _create(sqlite3.connect(path))

    def get_many(self, keys: Iterable[str]) -> dict[str, Result]:
        if self._db is None:
            return {}
        wanted = list(keys)
        found: dict[str, Result] = {}
        for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, value FROM facts WHERE key IN ({marks})", chunk)
            found.update(self._load(rows))
        return found

    def has_many(self, keys: Iterable[str]) -> set[str]:
        """The keys the cache holds (their values are read later, and only if needed)."""
        if self._db is None:
            return set()
        wanted = list(keys)
        found: set[str] = set()
        for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(k for (k,) in self._db.execute(f"SELECT key FROM facts WHERE key IN ({marks})", chunk))
        return found

    @staticmethod
    def _load(rows: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, Result]]:
        for key, blob in rows:
            try:
                yield key, pickle.loads(blob)
            except Exception:  # noqa: BLE001 - a stale pickle is a cache miss
                continue

    def put_blobs(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Store values already pickled (by the parser workers)."""
        if self._db is None:
            return
        rows = list(items)
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)", rows)

    def prune(self, keep: set[str]) -> None:
        """Drop entries for files that no longer exist in this form, so the cache does not grow forever."""
        if self._db is None:
            return
        stale = [k for (k,) in self._db.execute("SELECT key FROM facts") if k not in keep]
        with self._db:
            self._db.executemany("DELETE FROM facts WHERE key = ?", [(k,) for k in stale])

    def stats(self) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, sha256) recorded when each file was last hashed."""
        if self._db is None:
            return {}
        return {path: (size, mtime, sha) for path, size, mtime, sha in self._db.execute("SELECT * FROM files")}

    def put_stats(self, stats: dict[str, tuple[int, int, str]]) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.execute("DELETE FROM files")
            self._db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", [(p, *v) for p, v in stats.items()])

    def link_store(self) -> LinkStore | None:
        """Where the previous run's link products are kept: the same database."""
        return None if self._db is None else LinkStore(self._db)

    def close(self) -> None:
        if self._db is not None:
            with closing(self._db):
                pass
            self._db = None
