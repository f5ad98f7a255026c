"""Every SQL statement the app runs lives in the .sql files next to this module.

aiosql turns each `-- name:` block of every file into an async method:
`await queries.get_customer_by_id(conn, customer_id=1)`.
"""

from pathlib import Path

import aiosql

queries = aiosql.from_path(Path(__file__).parent / "sql", "aiosqlite")
