"""Starting data for tables no MetaData describes: apps whose data access is raw SQL (`text(...)` over
`create_async_engine`, lnbits), read and loaded through the database's own catalog.

The engines are the ones startdata.watch() noted (an AsyncEngine's sync engine is noted when it is
built). A database whose tables some MetaData describes belongs to the ORM path (startdata) alone:
its other tables (alembic_version) are the migrations' bookkeeping. The others are read whole:

- SQLite (a file): through the stdlib `sqlite3` on the engine's file (the URL is read, the app's
  driver, async or not, is never used); the database is named by the file's stem (`database` for
  `data/database.sqlite3`), so the fresh app's file in another folder takes the same rows;
- PostgreSQL: through SQLAlchemy's reflection on a sync engine of the same URL when a sync driver is
  importable (psycopg2, psycopg, pg8000), else it is skipped, said once on stderr; named by the
  database's name.

A table of such a database is stored as `"<database>:<table>"` (`"database:accounts"`), beside the
ORM's unqualified table names in the same `data` mapping, so the format stays one table -> rows;
values are encoded as startdata.encode does, rows sorted by primary key.

    found = capture(engines, described)     # {"database:accounts": [...]}; described: the ORM's table names
    plain, raw = split(data)                # the ORM's tables, the catalog's
    load(engines, raw, strict=True, replace=False)

Load goes into the fresh app's own database (its migrations made the tables at start-up): a table it
does not have is a LoadError (strict) or another service's (strict=False). replace=True (a scenario's
start) leaves every catalog table of each database named in the data holding exactly its rows.
Standard library at import: this module runs in the monolith's interpreter (CPython 3.9-3.13).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SEPARATOR = ":"
_SAID: set[str] = set()


def split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the ORM's tables, the catalog's `database:table` ones)."""
    plain = {name: rows for name, rows in data.items() if SEPARATOR not in name}
    return plain, {name: rows for name, rows in data.items() if SEPARATOR in name}


def databases(engines: list[Any]) -> dict[str, tuple[str, Any]]:
    """{name: ("sqlite", path) or ("postgresql", url)}: the engine built last wins a name."""
    found: dict[str, tuple[str, Any]] = {}
    for engine in engines:
        url = getattr(engine, "url", None)
        backend = url.get_backend_name() if url is not None else ""
        if backend == "sqlite" and _file(url.database):
            path = Path(url.database).resolve()
            found[path.name.split(".")[0]] = ("sqlite", path)
        elif backend == "postgresql" and url.database:
            found[url.database] = ("postgresql", url)
    return found


def _file(database: str | None) -> bool:
    return bool(database) and database != ":memory:" and not database.startswith("file:")


def capture(engines: list[Any], described: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every database no MetaData describes a table of; a database that cannot be read
    is left out (the scenario replays without its rows, as before)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (kind, where) in sorted(databases(engines).items()):
        try:
            tables = _sqlite_read(where) if kind == "sqlite" else _postgres_read(where)
        except Exception:  # noqa: BLE001  (the suite's own database: a capture never breaks its test)
            continue
        if tables is None or described & set(tables):
            continue
        found.update({f"{name}{SEPARATOR}{table}": rows for table, rows in tables.items() if rows})
    return found


def load(engines: list[Any], data: dict[str, list[dict[str, Any]]], strict: bool = True,
         replace: bool = False) -> int:
    """Insert the rows into the fresh app's databases, by name; returns the rows inserted."""
    from .startdata import LoadError

    present = databases(engines)
    by_database: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, rows in data.items():
        name, _, table = key.partition(SEPARATOR)
        if name not in present:
            if strict:
                raise LoadError(f"starting data for table {key!r}: the app has no database {name!r} "
                                f"(it has {', '.join(sorted(present)) or 'none'})")
            continue
        by_database.setdefault(name, {})[table] = rows
    inserted = 0
    for name, tables in sorted(by_database.items()):
        kind, where = present[name]
        write = _sqlite_write if kind == "sqlite" else _postgres_write
        inserted += write(where, tables, strict, replace)
    return inserted


# --- SQLite, through the standard library --------------------------------------------------------

def _sqlite_read(path: Path) -> dict[str, list[dict[str, Any]]] | None:
    import sqlite3

    from .startdata import _key, encode

    if not path.is_file():
        return None
    connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=10)
    try:
        found = {}
        for table in _sqlite_tables(connection):
            cursor = connection.execute(f"SELECT * FROM {_quoted(table)}")
            names = [column[0] for column in cursor.description]
            rows = [{n: encode(v) for n, v in zip(names, row)} for row in cursor]
            keys = _sqlite_keys(connection, table) or names
            found[table] = sorted(rows, key=lambda row: _key(row, keys))
        return found
    finally:
        connection.close()


def _sqlite_tables(connection: Any) -> list[str]:
    return [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]


def _sqlite_keys(connection: Any, table: str) -> list[str]:
    columns = list(connection.execute(f"PRAGMA table_info({_quoted(table)})"))
    return [column[1] for column in sorted(columns, key=lambda c: c[5]) if column[5]]


def _sqlite_columns(connection: Any, table: str) -> set[str]:
    return {column[1] for column in connection.execute(f"PRAGMA table_info({_quoted(table)})")}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_write(path: Path, data: dict[str, list[dict[str, Any]]], strict: bool, replace: bool) -> int:
    """One transaction on the file; foreign keys are not enforced on this connection (SQLite's default),
    so tables are emptied and filled in any order."""
    import sqlite3

    from .startdata import LoadError

    connection = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        tables = _sqlite_tables(connection)
        unknown = sorted(set(data) - set(tables))
        if unknown and strict:
            raise LoadError(f"starting data for table {path.stem}{SEPARATOR}{unknown[0]}, which the app's "
                            f"database {path.name} does not have (did its migrations run?)")
        connection.execute("BEGIN IMMEDIATE")
        if replace:
            for table in tables:
                connection.execute(f"DELETE FROM {_quoted(table)}")
        inserted = sum(_sqlite_insert(connection, table, data[table], update=not replace)
                       for table in sorted(data) if table in tables)
        connection.execute("COMMIT")
        return inserted
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def _sqlite_insert(connection: Any, table: str, rows: list[dict[str, Any]], update: bool = False) -> int:
    """INSERT OR IGNORE: a row already there under a unique value (a default the fresh app made) is kept,
    as startdata's inserts skip it; update: one there under its primary key takes the given values (a row
    the test changed between two requests)."""
    from .startdata import LoadError, decode

    columns = _sqlite_columns(connection, table)
    keys = _sqlite_keys(connection, table) if update else []
    inserted = 0
    for row in rows:
        wrong = sorted(set(row) - columns)
        if wrong:
            raise LoadError(f"starting data for {table}.{wrong[0]}, a column the app's database does not have")
        names = sorted(row)
        sql = (f"INSERT OR IGNORE INTO {_quoted(table)} ({', '.join(_quoted(n) for n in names)}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        values = [_plain(decode(row[n])) for n in names]
        added = connection.execute(sql, values).rowcount
        inserted += added
        if not added and keys and set(keys) <= set(row):
            _sqlite_update(connection, table, {n: v for n, v in zip(names, values)}, keys)
    return inserted


def _sqlite_update(connection: Any, table: str, values: dict[str, Any], keys: list[str]) -> None:
    """A unique value another row holds (a default the fresh app made) leaves the row as it is."""
    import sqlite3

    changed = sorted(n for n in values if n not in keys)
    if not changed:
        return
    try:
        connection.execute(f"UPDATE {_quoted(table)} SET {', '.join(f'{_quoted(n)} = ?' for n in changed)} "
                           f"WHERE {' AND '.join(f'{_quoted(k)} = ?' for k in keys)}",
                           [values[n] for n in changed] + [values[k] for k in keys])
    except sqlite3.IntegrityError:
        pass


def _plain(value: Any) -> Any:
    """What sqlite3 stores as it was read: a raw read gives only str, int, float, bytes and None."""
    return value if value is None or isinstance(value, (bytes, int, float, str)) else str(value)


# --- PostgreSQL, through SQLAlchemy's reflection on a sync driver ----------------------------------

SYNC_DRIVERS = (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg"), ("pg8000", "postgresql+pg8000"))


def _sync_engine(url: Any) -> Any:
    import importlib.util

    import sqlalchemy

    for module, driver in SYNC_DRIVERS:
        if importlib.util.find_spec(module) is not None:
            return sqlalchemy.create_engine(url.set(drivername=driver), poolclass=sqlalchemy.pool.NullPool)
    if url.database not in _SAID:
        _SAID.add(url.database)
        print(f"decompose: the starting data of PostgreSQL database {url.database!r} (tables no SQLAlchemy "
              "MetaData describes) is not captured: no sync driver (psycopg2, psycopg, pg8000) is installed "
              "beside the app", file=sys.stderr)
    return None


def _reflected(engine: Any) -> list[Any]:
    import sqlalchemy

    metadata = sqlalchemy.MetaData()
    metadata.reflect(bind=engine)
    return list(metadata.sorted_tables)


def _postgres_read(url: Any) -> dict[str, list[dict[str, Any]]] | None:
    from .startdata import _read, _session

    engine = _sync_engine(url)
    if engine is None:
        return None
    try:
        session = _session(engine)
        try:
            return _read(session, _reflected(engine))
        finally:
            session.close()
    finally:
        engine.dispose()


def _postgres_write(url: Any, data: dict[str, list[dict[str, Any]]], strict: bool, replace: bool) -> int:
    from .startdata import LoadError, _insert, _replace, _session

    engine = _sync_engine(url)
    if engine is None:
        raise LoadError(f"no sync PostgreSQL driver (psycopg2, psycopg, pg8000) to load database {url.database!r} with")
    try:
        tables = _reflected(engine)
        unknown = sorted(set(data) - {t.name for t in tables})
        if unknown and strict:
            raise LoadError(f"starting data for table {url.database}{SEPARATOR}{unknown[0]}, which the app's "
                            "database does not have (did its migrations run?)")
        session = _session(engine)
        try:
            if replace:
                _replace(session, tables, data)
            return sum(_insert(session, table, data.get(table.name, [])) for table in tables)
        finally:
            session.close()
    finally:
        engine.dispose()
