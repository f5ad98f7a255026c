from typing import Any

import aiosqlite

from shop.db.queries import queries


class BaseRepository:
    """A repository wraps the app's shared connection; the SQL itself is in shop/db/sql."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._queries = queries

    @property
    def connection(self) -> aiosqlite.Connection:
        return self._conn

    @staticmethod
    def as_dict(row: aiosqlite.Row | None) -> dict[str, Any] | None:
        return dict(row) if row is not None else None
