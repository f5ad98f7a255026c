"""One SQLite file per database under the data folder, raw SQL through SQLAlchemy's async engine."""

import os
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


def data_folder() -> Path:
    return Path(os.environ.get("PURSE_DATA_FOLDER", "data"))


class Database:
    def __init__(self, name: str):
        self.name = name
        folder = data_folder()
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{name}.sqlite3"
        self.engine = create_async_engine(f"sqlite+aiosqlite:///{self.path}")

    @asynccontextmanager
    async def connect(self):
        async with self.engine.begin() as connection:
            yield connection

    async def fetchone(self, sql: str, **values):
        async with self.connect() as connection:
            row = (await connection.execute(text(sql), values)).mappings().first()
            return dict(row) if row else None

    async def fetchall(self, sql: str, **values):
        async with self.connect() as connection:
            return [dict(r) for r in (await connection.execute(text(sql), values)).mappings().all()]

    async def execute(self, sql: str, **values):
        async with self.connect() as connection:
            await connection.execute(text(sql), values)


core = Database("core")
ledger = Database("ledger")
