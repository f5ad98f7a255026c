"""Tables in SQL written as Python strings: what raw-SQL code (asyncpg, aiosqlite, sqlite3, psycopg,
SQLAlchemy `text()`, a database wrapper's `fetchall(...)`) reads, writes and creates, read with
sqlglot, so data ownership sees apps that have no ORM.

A string is taken for SQL when it starts (after blanks and comments) with an upper-case statement
keyword (`SELECT`, `INSERT INTO`, `UPDATE`, `DELETE FROM`, `WITH`, `CREATE TABLE`, `REPLACE INTO`)
and sqlglot parses it: prose in docstrings ("Select the user...") is not upper case, and a string
sqlglot cannot parse counts for nothing. Placeholders of every driver (`?`, `%s`, `%(name)s`, `$1`,
`:name`) are read as parameters, and an f-string's fields as values.

    tables("INSERT INTO orders (id) SELECT id FROM carts")
    -> SqlTables(reads=("carts",), writes=("orders",), creates=())
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATEMENT = re.compile(r"^(?:\s|--[^\n]*\n|/\*.*?\*/)*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|CREATE\s+(?:TEMP\w*\s+)?TABLE|REPLACE\s+INTO|INSERT\s+OR\s+\w+\s+INTO)\b", re.S)
PYFORMAT = re.compile(r"%\((\w+)\)s|%s|\$\d+")
MAX_SQL = 100_000  # characters: beyond, a string is data, not a query


@dataclass(frozen=True)
class SqlTables:
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    creates: tuple[str, ...]


def looks_like_sql(text: str) -> bool:
    return len(text) <= MAX_SQL and STATEMENT.match(text) is not None


def tables(text: str) -> SqlTables | None:
    """The tables a SQL string reads, writes and creates; None when it is not SQL sqlglot can read."""
    if not looks_like_sql(text):
        return None
    statements = _parse(text) or _parse(PYFORMAT.sub("?", text))
    if not statements:
        return None
    reads: set[str] = set()
    writes: set[str] = set()
    creates: set[str] = set()
    for statement in statements:
        _collect(statement, reads, writes, creates)
    return SqlTables(tuple(sorted(reads - writes - creates)), tuple(sorted(writes)), tuple(sorted(creates)))


def _parse(text: str) -> list | None:
    import sqlglot  # in the parser workers only, and only for strings that look like SQL
    from sqlglot.errors import SqlglotError

    try:
        return [s for s in sqlglot.parse(text) if s is not None]
    except (SqlglotError, ValueError, RecursionError):
        return None


def _collect(statement, reads: set[str], writes: set[str], creates: set[str]) -> None:  # noqa: ANN001
    from sqlglot import exp

    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    target = _target(statement, exp)
    for table in statement.find_all(exp.Table):
        name = table.name.lower()
        if not name or name in ctes:
            continue
        if table is target or (target is not None and table.name == target.name and table.parent is target.parent):
            (creates if isinstance(statement, exp.Create) else writes).add(name)
        else:
            reads.add(name)


def _target(statement, exp):  # noqa: ANN001, ANN202
    """The table a statement writes or creates (None for a SELECT)."""
    if isinstance(statement, (exp.Insert, exp.Create)):
        found = statement.this
        return found.this if isinstance(found, exp.Schema) else found
    if isinstance(statement, (exp.Update, exp.Delete)):
        return statement.this
    return None
