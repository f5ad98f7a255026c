"""Each database's schema, applied at start-up (idempotent), and the row the app makes for itself."""

from sqlalchemy import text

from purse.db import core, ledger

CORE = [
    """CREATE TABLE IF NOT EXISTS accounts (
        id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS api_keys (
        api_key TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id), label TEXT)""",
    "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT OR IGNORE INTO settings (key, value) VALUES ('registration', 'open')",
]
LEDGER = [
    """CREATE TABLE IF NOT EXISTS wallets (
        id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, wallet_id TEXT NOT NULL REFERENCES wallets (id),
        amount INTEGER NOT NULL, memo TEXT)""",
]


async def migrate() -> None:
    for database, statements in ((core, CORE), (ledger, LEDGER)):
        async with database.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
