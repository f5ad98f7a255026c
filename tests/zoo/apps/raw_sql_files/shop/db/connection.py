from pathlib import Path

import aiosqlite

SCHEMA = Path(__file__).parent / "schema.sql"


async def connect(database_path: str) -> aiosqlite.Connection:
    """Open the one connection the app shares, and bring the schema up to date."""
    conn = await aiosqlite.connect(database_path)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.executescript(SCHEMA.read_text())
    await conn.commit()
    return conn
