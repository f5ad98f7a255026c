"""Starting data of apps whose data access is raw SQL (`text(...)` over SQLAlchemy async engines, one
SQLite file per database, as lnbits does): no MetaData describes the tables, so they are read and
loaded through the database's own catalog (decompose.contracts.catalog_data), named `database:table`."""

from __future__ import annotations

import asyncio
import gc
import json
import sqlite3

import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from decompose.contracts import catalog_data, startdata

pytestmark = pytest.mark.usefixtures("one_app_process")  # the engines of this process are the test's

MIGRATIONS = {  # what each database's migrations make at the app's start-up, raw DDL
    "cat_core": ["CREATE TABLE cat_accounts (id TEXT PRIMARY KEY, username TEXT UNIQUE, password_hash TEXT)",
                 "CREATE TABLE cat_settings (key TEXT PRIMARY KEY, value TEXT)",
                 "INSERT INTO cat_settings VALUES ('theme', 'dark')"],
    "cat_ledger": ["CREATE TABLE cat_wallets (id INTEGER PRIMARY KEY, account TEXT, adminkey TEXT, blob BLOB)"],
}


def start_app(folder):
    """The app's databases: one async engine per SQLite file, migrated at start-up (engines built after
    startdata.watch(), as the recorder and replay watch before the app is imported)."""
    startdata.watch()
    folder.mkdir(parents=True, exist_ok=True)
    engines = {name: create_async_engine(f"sqlite+aiosqlite:///{folder / (name + '.sqlite3')}") for name in MIGRATIONS}
    asyncio.run(_run({name: (engines[name], MIGRATIONS[name]) for name in MIGRATIONS}))
    return engines


async def _run(work):
    for engine, statements in work.values():
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
        await engine.dispose()


def ours(data):
    return {key: rows for key, rows in (data or {}).items() if key.split(":")[0] in MIGRATIONS}


def rows(folder, name, table):
    with sqlite3.connect(folder / f"{name}.sqlite3") as connection:
        return sorted(connection.execute(f"SELECT * FROM {table}"))


FIXTURE = {  # raw SQL a suite's fixtures run before the first request: a user and their wallet
    "cat_core": ["INSERT INTO cat_accounts VALUES ('u1', 'alan', 'pbkdf2:abc')"],
    "cat_ledger": ["INSERT INTO cat_wallets VALUES (7, 'u1', 'key-7', X'00ff')"],
}


def test_raw_sql_tables_of_two_sqlite_files_are_captured_by_database_and_loaded_into_a_fresh_app(tmp_path):
    recorded = start_app(tmp_path / "recorded")
    asyncio.run(_run({name: (recorded[name], FIXTURE[name]) for name in FIXTURE}))
    data = ours(startdata.capture(object()))  # any app: no ORM metadata describes these tables
    assert data == {"cat_core:cat_accounts": [{"id": "u1", "password_hash": "pbkdf2:abc", "username": "alan"}],
                    "cat_core:cat_settings": [{"key": "theme", "value": "dark"}],
                    "cat_ledger:cat_wallets": [{"account": "u1", "adminkey": "key-7", "blob": {"$base64": "AP8="},
                                                "id": 7}]}
    assert json.dumps(startdata.capture(object()), sort_keys=True) == json.dumps(startdata.capture(object()), sort_keys=True)

    replayed = start_app(tmp_path / "replayed")  # the fresh app, held as an app holds its engines: engines are
    gc.collect()  # noted weakly, and a collection here (as in a long run) left only the recorded ones to load into
    assert sorted(replayed) == sorted(recorded)
    assert startdata.load(object(), json.loads(json.dumps(data))) == 2  # the settings row was there already
    assert rows(tmp_path / "replayed", "cat_core", "cat_accounts") == [("u1", "alan", "pbkdf2:abc")]
    assert rows(tmp_path / "replayed", "cat_ledger", "cat_wallets") == [(7, "u1", "key-7", b"\x00\xff")]


def test_a_scenario_start_replaces_the_catalog_tables_and_rows_between_requests_are_added_or_updated(tmp_path):
    _engines = start_app(tmp_path / "lasting")  # held: the engines are noted weakly
    startdata.load(object(), {"cat_core:cat_accounts": [{"id": "old", "username": "gone", "password_hash": "x"}]})
    start = {"cat_core:cat_accounts": [{"id": "u1", "username": "alan", "password_hash": "h"}]}
    assert startdata.load(object(), start, replace=True) == 1
    assert rows(tmp_path / "lasting", "cat_core", "cat_accounts") == [("u1", "alan", "h")]
    assert rows(tmp_path / "lasting", "cat_core", "cat_settings") == []  # not in the scenario's rows: emptied
    between = {"cat_core:cat_accounts": [{"id": "u1", "username": "alan", "password_hash": "other"},
                                         {"id": "u2", "username": "ada", "password_hash": "h2"}]}
    assert startdata.load(object(), between) == 1  # u2 added; u1, which the test changed, updated
    assert rows(tmp_path / "lasting", "cat_core", "cat_accounts") == [("u1", "alan", "other"), ("u2", "ada", "h2")]


def test_starting_data_the_fresh_app_cannot_take_is_refused_by_name_or_left_to_another_service(tmp_path):
    _engines = start_app(tmp_path / "fresh")  # held: the engines are noted weakly
    with pytest.raises(startdata.LoadError, match="cat_core:cat_nothing, which the app's database cat_core.sqlite3 "
                                                  "does not have"):
        startdata.load(object(), {"cat_core:cat_nothing": [{"id": 1}]})
    with pytest.raises(startdata.LoadError, match="'cat_elsewhere:cat_accounts': the app has no database 'cat_elsewhere'"):
        startdata.load(object(), {"cat_elsewhere:cat_accounts": [{"id": 1}]})
    with pytest.raises(startdata.LoadError, match="cat_accounts.nickname, a column the app's database does not have"):
        startdata.load(object(), {"cat_core:cat_accounts": [{"id": "u1", "nickname": "al"}]})
    assert startdata.load(object(), {"cat_elsewhere:cat_accounts": [{"id": 1}],
                                     "cat_core:cat_nothing": [{"id": 1}]}, strict=False) == 0


def test_a_database_some_metadata_describes_and_an_in_memory_one_are_not_read_through_the_catalog(tmp_path):
    startdata.watch()
    metadata = sqlalchemy.MetaData()
    sqlalchemy.Table("cat_described", metadata, sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True))
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'cat_orm.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE cat_bookkeeping (version TEXT)"))
        connection.execute(text("INSERT INTO cat_bookkeeping VALUES ('1')"))
        connection.execute(text("INSERT INTO cat_described VALUES (1)"))
    memory = sqlalchemy.create_engine("sqlite://")
    with memory.begin() as connection:
        connection.execute(text("CREATE TABLE cat_in_memory (id INTEGER)"))
    assert catalog_data.databases([engine, memory]) == {"cat_orm": ("sqlite", (tmp_path / "cat_orm.db").resolve())}
    assert catalog_data.capture([engine, memory], {"cat_described"}) == {}
    assert catalog_data.capture([engine], set()) == {"cat_orm:cat_bookkeeping": [{"version": "1"}],
                                                     "cat_orm:cat_described": [{"id": 1}]}


def test_a_postgresql_database_without_a_sync_driver_is_said_once_and_left_out(monkeypatch, capsys):
    url = sqlalchemy.engine.make_url("postgresql+asyncpg://user@127.0.0.1:1/cat_pg")
    monkeypatch.setattr(catalog_data, "SYNC_DRIVERS", (("no_such_driver_module_here", "postgresql+psycopg2"),))
    engine = type("Engine", (), {"url": url})()
    assert catalog_data.databases([engine]) == {"cat_pg": ("postgresql", url)}
    assert catalog_data.capture([engine], set()) == {}
    assert catalog_data.capture([engine], set()) == {}
    said = capsys.readouterr().err
    assert said.count("PostgreSQL database 'cat_pg'") == 1 and "no sync driver" in said
    with pytest.raises(startdata.LoadError, match="no sync PostgreSQL driver"):
        catalog_data.load([engine], {"cat_pg:accounts": [{"id": 1}]})
