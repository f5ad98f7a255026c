"""A scenario's starting data: the rows its test's fixtures and factories left in the database before
its first request, captured while recording and loaded into the fresh database before replay.

A suite that builds its users with factory_boy (or inserts them through the ORM) and then logs in over
HTTP cannot be replayed from the requests alone: a fresh system answers the login 401 or 404. So at a
test's first request the recorder reads, through the ORM's own metadata, every table the app knows,
and replay puts those rows back (creating the tables first, as the test's fixture did) before the
first request. SQLAlchemy through Flask-SQLAlchemy (2.x and 3.x), and plain SQLAlchemy (a module's
engine and session factory, SQLModel, Alchemical): SQLite and PostgreSQL alike, since only the ORM's
metadata and an engine are used. Django's ORM in django_data.py (same format). Databases of which no
MetaData describes a table (raw SQL over an engine, lnbits) through their own catalog in catalog_data.py,
their tables named `database:table` in the same mapping.

Plain SQLAlchemy has no app to ask: `watch()` notes every Engine and MetaData the process builds (and
those it had already), and the database is the engine built last (the test's app or fixture made it)
with the tables of every MetaData that this database has (capture) or that holds the data (load).

    data = capture(app)          # {"users": [{"id": 1, "email": "...", ...}], ...}, or None (no ORM here)
    load(app, data)              # create the tables, insert every row not there yet, update those there (by primary key)
    load(app, data, replace=True)    # a scenario's start: the tables hold exactly these rows afterwards
    added(after_last_request, before_this_one)   # rows a test added or changed between two requests (kept on the exchange)
    fresh(app)                   # before a replayed scenario: an empty database when the app does not make one

A test that logs in first (an auth fixture) and builds its project with a factory afterwards changes
the world between requests: the recorder also reads the tables after every request and before the
next, and keeps what appeared or changed in between on that exchange (`"data"`); replay loads it before
sending it, updating a row already there under its key (a test that hides a user, without HTTP, then asks
again). A row a test deleted between requests is not seen.

A database that outlives a scenario (a PostgreSQL server the suite's settings name, not a file in the
scenario's scratch folder) still holds the rows earlier scenarios left, and rows changed since (a
module-scoped fixture resetting a user's password). The starting data is every row of every table the
app's metadata knows at the test's first request, so a scenario's start loads it with replace=True:
rows it does not have are deleted, rows it has under the same key with other values are updated, the
missing ones inserted. Rows added or changed between two requests are inserted or updated (replace=False).

Values that JSON does not hold are tagged: {"$datetime": iso}, {"$date": iso}, {"$time": iso},
{"$decimal": "1.50"}, {"$uuid": "..."}, {"$base64": "..."}, {"$json": value} (a JSON column's value),
{"$enum": name}. Rows are sorted by primary key and tables by name: the same rows give the same bytes.
Standard library at import: this module runs in the monolith's interpreter beside the recorder and host.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import enum
import sys
import uuid
from typing import Any


def _database(app: Any) -> Any:
    """The Flask-SQLAlchemy object of a Flask app (3.x registers itself, 2.x a state with .db), or None."""
    extensions = getattr(app, "extensions", None)
    if not isinstance(extensions, dict) or "sqlalchemy" not in extensions:
        return None
    found = extensions["sqlalchemy"]
    return getattr(found, "db", found)


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"$enum": value.name}
    for kind in (datetime.datetime, datetime.date, datetime.time):
        if isinstance(value, kind):
            return {f"${kind.__name__}": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (dict, list)):
        return {"$json": value}
    raise TypeError(f"a {type(value).__name__} value")


DECODERS = {"$datetime": datetime.datetime.fromisoformat, "$date": datetime.date.fromisoformat,
            "$time": datetime.time.fromisoformat, "$decimal": decimal.Decimal, "$uuid": uuid.UUID,
            "$base64": base64.b64decode, "$json": lambda v: v}


def decode(value: Any, column: Any = None) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return value
    (tag, raw), = value.items()
    if tag == "$enum":
        kind = getattr(getattr(column, "type", None), "enum_class", None)
        return kind[raw] if kind is not None else raw
    return DECODERS[tag](raw) if tag in DECODERS else value


def _key(row: dict[str, Any], columns: list[str]) -> tuple:
    return tuple((row.get(c) is None, str(row.get(c))) for c in columns)


def capture(app: Any) -> dict[str, list[dict[str, Any]]] | None:
    """Every row of every table the app's metadata knows, read in the test's own session (the rows its
    factories flushed are visible there), or None when the app has no SQLAlchemy database or a table
    cannot be read or encoded (the scenario then replays without starting data, as before)."""
    db = _database(app)
    if db is None and _django_data().serves(app):
        return _django_data().capture()
    try:
        found = _capture_plain() if db is None else _capture_flask(app, db)
    except Exception:  # noqa: BLE001  (the suite's own database: a capture never breaks its test)
        found = None
    return _with_catalog(found)


def _capture_flask(app: Any, db: Any) -> dict[str, list[dict[str, Any]]]:
    with _context(app):
        session = db.session
        was_open = session.in_transaction() if hasattr(session, "in_transaction") else True
        found = _read(session, db.metadata.sorted_tables)
        if not was_open:
            session.rollback()  # end only the read this capture began (nothing was written)
    return found


def _with_catalog(found: dict[str, list[dict[str, Any]]] | None) -> dict[str, list[dict[str, Any]]] | None:
    """The rows of the databases no MetaData describes a table of (raw SQL: catalog_data), as
    `database:table`, beside the ORM's; tables by name."""
    if not _WATCHING:
        return found
    raw = _catalog().capture(_alive("engines"), set(_tables()))
    return dict(sorted({**(found or {}), **raw}.items())) if raw else found


def _catalog() -> Any:
    """Tables no MetaData describes, through the database's own catalog (decompose_runtime.catalog_data)."""
    from . import catalog_data

    return catalog_data


def _read(session: Any, tables: list[Any]) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for table in sorted(tables, key=lambda t: t.name):
        keys = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
        rows = [{k: encode(v) for k, v in dict(getattr(r, "_mapping", r)).items()}
                for r in session.execute(table.select())]
        if rows:
            found[table.name] = sorted(rows, key=lambda row: _key(row, keys))
    return found


def _capture_plain() -> dict[str, list[dict[str, Any]]] | None:
    """Plain SQLAlchemy: the last engine's tables that some MetaData describes, read in a session of our
    own (the rows a fixture committed; SQLite in memory shares the test's connection, so flushed rows too)."""
    engine = _engine()
    if engine is None:
        return None
    if not _tables():
        return {}  # no MetaData: nothing to read through it (raw SQL: catalog_data), the engine is not asked
    import sqlalchemy

    present = set(sqlalchemy.inspect(engine).get_table_names())
    session = _session(engine)
    try:
        return _read(session, [t for name, t in _tables().items() if name in present])
    finally:
        session.close()


# --- plain SQLAlchemy: the engines and metadata this process built ----------------------------------

_BUILT: dict[str, list[Any]] = {"engines": [], "metadata": []}  # weak references, in the order built
_WATCHING: list[bool] = []


def watch() -> None:
    """Note every Engine and MetaData built from now on, and those alive already (once per process).
    The recorder calls it as it loads, before the suite imports the app; replay, before it builds one.
    Through SQLAlchemy's own hooks (every create_engine ends in Dialect.engine_created; every Table
    attaches to its MetaData), not by wrapping constructors, whose signatures create_engine reads."""
    if _WATCHING:
        return
    _WATCHING.append(True)
    try:
        from sqlalchemy import Table, event
        from sqlalchemy.engine.base import Engine
        from sqlalchemy.engine.interfaces import Dialect
        from sqlalchemy.sql.schema import MetaData
    except ImportError:  # no SQLAlchemy in this interpreter: nothing to watch
        return
    import gc

    for found in gc.get_objects():  # type(), not isinstance(): a lazy proxy (Django's settings) answers
        kind = type(found)          # isinstance through __class__, which evaluates it (ImproperlyConfigured)
        if issubclass(kind, Engine) and _counted(found):
            _note("engines", found)
        elif issubclass(kind, MetaData):
            _note("metadata", found)
    created = Dialect.__dict__["engine_created"].__func__

    def engine_created(cls: Any, engine: Any) -> None:
        _note("engines", engine)
        created(cls, engine)

    Dialect.engine_created = classmethod(engine_created)
    event.listen(Table, "after_parent_attach", lambda table, parent: isinstance(parent, MetaData) and _note("metadata", parent))


def _counted(found: Any) -> bool:
    return type(found).__name__ != "OptionEngine"  # execution options over another engine: the same database


def _note(kind: str, found: Any) -> None:
    import weakref

    if any(ref() is found for ref in _BUILT[kind]):
        return
    try:
        _BUILT[kind].append(weakref.ref(found))
    except TypeError:
        _BUILT[kind].append(lambda: found)


def _alive(kind: str) -> list[Any]:
    _BUILT[kind] = [ref for ref in _BUILT[kind] if ref() is not None]
    return [ref() for ref in _BUILT[kind]]


def _engine() -> Any:
    """The engine built last: the one the test's app (or its fixture) connects to."""
    watch()
    engines = _alive("engines")
    return engines[-1] if engines else None


def _build_lazy_engines() -> None:
    """A database object that builds its engine at first use (Alchemical: `db.get_engine()`) has none yet
    in a fresh app; ask it now, so that the engine built last is the fresh app's and not the last
    scenario's. Such objects are module globals (`db = Alchemical()`): the modules are searched, not the
    garbage collector's objects (the host freezes what survives the first reset out of them: gc.freeze)."""
    asked: set[int] = set()
    for module in list(sys.modules.values()):
        for found in list(getattr(module, "__dict__", {}).values()):
            if id(found) not in asked and _lazy_database(type(found)) and not issubclass(type(found), type):
                asked.add(id(found))
                try:
                    found.get_engine()
                except Exception:  # noqa: BLE001  (not configured: its app is not the one replayed)
                    pass


def _lazy_database(kind: type) -> bool:
    """The class is asked, never the object (a __getattr__ may make what it is asked for); Flask-SQLAlchemy
    has its own way in (_database)."""
    return (not str(getattr(kind, "__module__", "")).startswith(("flask_sqlalchemy", "sqlalchemy"))
            and all(callable(getattr(kind, name, None)) for name in ("get_engine", "create_all"))
            and any(hasattr(kind, name) for name in ("metadatas", "metadata")))


def thread_bound() -> bool:
    """The database lives in one connection per thread (an in-memory SQLite database, SQLAlchemy's
    SingletonThreadPool): rows loaded on one thread are not seen on another, so a host serves the app
    on one thread (decompose_runtime.host)."""
    engines = _alive("engines") if _WATCHING else []
    return bool(engines) and type(getattr(engines[-1], "pool", None)).__name__ == "SingletonThreadPool"


def _tables() -> dict[str, Any]:
    """Every table some MetaData describes, by name (the first MetaData built that has it)."""
    found: dict[str, Any] = {}
    for metadata in _app_metadata():
        for table in metadata.sorted_tables:
            found.setdefault(table.name, table)
    return found


def _app_metadata() -> list[Any]:
    """The MetaData of the app's models: not SQLAlchemy's own (its dialects describe the system catalogs,
    INFORMATION_SCHEMA and pg_catalog, in module-level MetaData of their own)."""
    own = {id(value) for name, module in list(sys.modules.items()) if name.startswith("sqlalchemy.") and module
           for value in list(vars(module).values()) if type(value).__name__ == "MetaData"}
    return [metadata for metadata in _alive("metadata") if id(metadata) not in own]


def _session(engine: Any) -> Any:
    from sqlalchemy.orm import Session

    return Session(bind=engine)


def added(before: dict[str, list[dict[str, Any]]] | None, now: dict[str, list[dict[str, Any]]] | None
          ) -> dict[str, list[dict[str, Any]]]:
    """The rows in `now` that `before` did not have, new or changed: what a test's fixtures or factories added
    or changed between two of its requests (the rows the requests themselves made were in `before`, taken
    after the last one)."""
    if not now:
        return {}
    import json

    found = {}
    for table, rows in now.items():
        old = {json.dumps(row, sort_keys=True) for row in (before or {}).get(table, [])}
        new = [row for row in rows if json.dumps(row, sort_keys=True) not in old]
        if new:
            found[table] = new
    return found


def fresh(app: Any) -> None:
    """Before a replayed scenario, once the app is built: a framework whose database the app does not
    make itself gets an empty one here (Django: django_data.fresh); others need nothing."""
    if _database(app) is None and _django_data().serves(app):
        _django_data().fresh()


def _django_data() -> Any:
    """The Django ORM's half (decompose_runtime.django_data), imported when a Django app is met."""
    from . import django_data

    return django_data


def _context(app: Any) -> Any:
    """The test's own app context when it has pushed one for this app (popping one of ours would make
    Flask-SQLAlchemy remove the session the test's objects live in); else a new one."""
    import contextlib

    import flask

    if flask.has_app_context() and flask.current_app._get_current_object() is app:
        return contextlib.nullcontext()
    return app.app_context()


class LoadError(RuntimeError):
    """Starting data that this app cannot take (no database, an unknown table or column)."""


def make_tables(app: Any) -> bool:
    """Create the tables of a Flask app's Flask-SQLAlchemy database, empty (what a generated service's
    route tests need, as the monolith's suite makes them); False when the app has no such database."""
    db = _database(app)
    if db is None:
        return False
    with _context(app):
        db.create_all()
    return True


def load(app: Any, data: dict[str, list[dict[str, Any]]], strict: bool = True, replace: bool = False) -> int:
    """Create the app's tables and insert every row not already there (rows the app makes at start,
    such as default roles, were captured too); returns the rows inserted. strict=False (a generated
    service): rows of tables this app's models do not describe are another service's, and left to it.
    replace=True (a scenario's start): the tables the app knows hold exactly `data` afterwards."""
    data, raw = _catalog().split(data)
    inserted = _catalog().load(_engines(), raw, strict, replace) if raw else 0
    db = _database(app)
    if db is None and _django_data().serves(app):
        return inserted + _django_data().load(data, replace=replace, strict=strict)  # flushed by fresh() too
    if db is None:
        return inserted + (_load_plain(data, strict, replace) if data or not raw else 0)
    with app.app_context():
        tables = {t.name: t for t in db.metadata.sorted_tables}
        data = data if strict else _known(data, tables)
        unknown = sorted(set(data) - set(tables))
        if unknown:
            raise LoadError(f"starting data for table {unknown[0]!r}, which the app's metadata does not have")
        db.create_all()
        if replace:
            _replace(db.session, db.metadata.sorted_tables, data)
        for table in db.metadata.sorted_tables:  # parents before children
            inserted += _insert(db.session, table, data.get(table.name, []), update=not replace)
        db.session.commit()
    return inserted


def _engines() -> list[Any]:
    """Every engine the process built that is still alive, the last built last (a lazy database's
    built now: the fresh app's)."""
    watch()
    _build_lazy_engines()
    return _alive("engines")


def _known(data: dict[str, list[dict[str, Any]]], tables: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {name: rows for name, rows in data.items() if name in tables}


def _load_plain(data: dict[str, list[dict[str, Any]]], strict: bool = True, replace: bool = False) -> int:
    """Plain SQLAlchemy: into the engine built last (the fresh app's), its tables created first."""
    watch()
    _build_lazy_engines()
    engine = _engine()
    if engine is None:
        raise LoadError("the app has no SQLAlchemy database (Flask-SQLAlchemy or an engine) to load the "
                        "scenario's starting data into")
    tables = _tables()
    data = data if strict else _known(data, tables)
    unknown = sorted(set(data) - set(tables))
    if unknown:
        raise LoadError(f"starting data for table {unknown[0]!r}, which no SQLAlchemy metadata of the app has")
    if not tables:
        return 0  # raw SQL (catalog_data loaded its tables): the engine, perhaps an async one's, is not asked
    for metadata in _app_metadata():
        if any(table.name in data for table in metadata.sorted_tables) or not data:
            metadata.create_all(bind=engine)
    session = _session(engine)
    try:
        if replace:
            import sqlalchemy

            present = set(sqlalchemy.inspect(engine).get_table_names())
            _replace(session, [table for table in _sorted(tables) if table.name in present], data)
        return sum(_insert(session, table, data.get(table.name, []), update=not replace) for table in _sorted(tables))
    finally:
        session.close()


def _sorted(tables: dict[str, Any]) -> list[Any]:
    """Parents before children, across metadata."""
    from sqlalchemy.sql.ddl import sort_tables

    return list(sort_tables(sorted(tables.values(), key=lambda t: t.name)))


def _replace(session: Any, tables: list[Any], data: dict[str, list[dict[str, Any]]]) -> None:
    """Children before parents: every row of `tables` that `data` does not have is deleted, and a row it
    has under the same primary key with other values is updated to them (the inserts follow)."""
    for table in reversed(tables):
        _match(session, table, data.get(table.name, []))
        session.commit()


def _match(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    import json

    keys = [c.name for c in table.primary_key.columns]
    if not keys:  # no key to match rows by: the table is emptied, then filled by the inserts
        session.execute(table.delete())
        return
    from sqlalchemy import and_

    wanted = {json.dumps([row.get(k) for k in keys]): _checked(table, row) for row in rows}
    for found in list(session.execute(table.select())):
        values = dict(getattr(found, "_mapping", found))
        row = wanted.get(json.dumps([encode(values[k]) for k in keys]))
        where = and_(*[table.columns[k] == values[k] for k in keys])
        if row is None:
            session.execute(table.delete().where(where))
        elif any(encode(values.get(name)) != value for name, value in row.items()):
            session.execute(table.update().where(where).values(
                {name: decode(value, table.columns[name]) for name, value in row.items()}))


def _checked(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    wrong = sorted(set(row) - set(table.columns.keys()))
    if wrong:
        raise LoadError(f"starting data for {table.name}.{wrong[0]}, a column the app's metadata does not have")
    return row


def _insert(session: Any, table: Any, rows: list[dict[str, Any]], update: bool = False) -> int:
    """Insert the rows not there yet (by primary key); update: a row there under its key takes the given
    values (rows a test changed between two requests: CTFd's tests hide a user or set a config value
    without HTTP, then ask again). Returns the rows inserted."""
    if not rows:
        return 0
    keys = list(table.primary_key.columns)
    present = {tuple(r) for r in session.execute(_only(table, keys))} if keys else set()
    fresh = []
    for row in rows:
        values = {name: decode(value, table.columns[name]) for name, value in _checked(table, row).items()}
        key = tuple(values.get(c.name) for c in keys)
        if not keys or key not in present:
            fresh.append(values)
        elif update:
            _update(session, table, keys, key, values)
    inserted = 0
    for values in fresh:  # one by one: a row the fresh app already made under another key (a unique name) is skipped
        try:  # committed row by row, not in savepoints: old SQLAlchemy with pysqlite cannot nest them
            session.execute(table.insert(), values)
            session.commit()
            inserted += 1
        except Exception as error:  # noqa: BLE001  (the driver's IntegrityError: which one depends on the database)
            session.rollback()
            if "integrity" not in type(error).__name__.lower():
                raise
    if inserted:
        _advance_sequence(session, table, keys)
    return inserted


def _update(session: Any, table: Any, keys: list[Any], key: tuple, values: dict[str, Any]) -> None:
    """One row to the given values; one that would break a unique value another row holds (a default the
    fresh app made under another key) is left as it is, as an insert of it is skipped."""
    from sqlalchemy import and_

    try:
        session.execute(table.update().where(and_(*[c == k for c, k in zip(keys, key)])).values(values))
        session.commit()
    except Exception as error:  # noqa: BLE001  (the driver's IntegrityError, as in _insert)
        session.rollback()
        if "integrity" not in type(error).__name__.lower():
            raise


def _only(table: Any, columns: list[Any]) -> Any:
    import sqlalchemy

    if tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2] if part.isdigit()) >= (1, 4):
        return table.select().with_only_columns(*columns)
    return table.select().with_only_columns(columns)  # 1.3 and older take a list (flasky's 1.1)


def _dialect(session: Any) -> str:
    """The session's database dialect. A scoped session is asked through its own session: SQLAlchemy 1.4's
    scoped proxy passes `get_bind(bind=...)`, which Flask-SQLAlchemy 2.x's SignallingSession does not take."""
    real = session.registry() if callable(getattr(session, "registry", None)) else session
    return real.get_bind().dialect.name


def _advance_sequence(session: Any, table: Any, keys: list[Any]) -> None:
    """PostgreSQL: rows inserted with their ids leave the id sequence behind; the app's next insert
    would collide with them. (SQLite takes the next id from the table itself.)"""
    if _dialect(session) != "postgresql" or len(keys) != 1 or keys[0].type.python_type is not int:
        return
    from sqlalchemy import text

    session.execute(text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                         f'(SELECT MAX("{keys[0].name}") FROM "{table.name}"))'),
                    {"table": table.name, "column": keys[0].name})
