"""A SQLite connection closed while a cursor still holds an unfinished statement gives its locks back
(decompose_runtime.sqlitelocks): on CPython 3.11+ the stdlib leaves a zombie that keeps them."""

import sqlite3
import sys

import pytest

from decompose.generation.runtime import sqlitelocks

NEW_CLOSE = pytest.mark.skipif(sys.version_info < (3, 11), reason="3.10 and earlier finalize statements on close")


@pytest.fixture
def installed():
    was = sqlitelocks.installed()
    sqlitelocks.install()
    yield
    if not was:
        sqlitelocks.uninstall()


@pytest.fixture
def stdlib():
    """The stdlib's own connect, even where an earlier test built an ASGI bridge (which installs it)."""
    was = sqlitelocks.installed()
    sqlitelocks.uninstall()
    yield
    if was:
        sqlitelocks.install()


def database(tmp_path):
    path = tmp_path / "app.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("create table t (a)")
        setup.executemany("insert into t values (?)", [(1,), (2,), (3,)])
    setup.close()
    return path


def leave_a_reading_cursor(path):
    """What a task cancelled between execute and fetchall leaves: a cursor halfway through its rows,
    kept alive (here by the caller, in lnbits by the cancellation's traceback), its connection closed."""
    connection = sqlite3.connect(path)
    reading = connection.execute("select a from t")
    reading.fetchone()
    connection.close()
    return reading


def leave_a_writer_in_commit(path):
    """A connection inside a write transaction, a reading cursor open, closed without a rollback."""
    connection = sqlite3.connect(path)
    connection.execute("insert into t values (4)")
    reading = connection.execute("select a from t")
    reading.fetchone()
    connection.close()
    return reading


def write(path):
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute("insert into t values (9)")
        other.commit()
        return other.execute("select count(*) from t").fetchone()[0]
    finally:
        other.close()


@NEW_CLOSE
@pytest.mark.parametrize("leave", [leave_a_reading_cursor, leave_a_writer_in_commit])
def test_without_it_the_closed_connection_keeps_the_database_locked(tmp_path, stdlib, leave):
    path = database(tmp_path)
    kept = leave(path)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        write(path)
    del kept  # the statement is finalized with its cursor: the zombie closes and the lock goes
    assert write(path) == 4


@pytest.mark.parametrize("leave", [leave_a_reading_cursor, leave_a_writer_in_commit])
def test_with_it_closing_the_connection_releases_its_locks(tmp_path, installed, leave):
    path = database(tmp_path)
    kept = leave(path)
    assert write(path) == 4  # the uncommitted insert of the writer was rolled back, as a close does
    with pytest.raises(sqlite3.ProgrammingError):
        kept.fetchone()


def test_a_callers_own_factory_is_kept_and_connections_work_as_before(tmp_path, installed):
    class Own(sqlite3.Connection):
        pass

    path = database(tmp_path)
    assert type(sqlite3.connect(path, factory=Own)) is Own
    connection = sqlite3.dbapi2.connect(str(path), timeout=1.0)  # SQLAlchemy's and Django's way in
    assert isinstance(connection, sqlite3.Connection)
    assert connection.execute("select sum(a) from t").fetchone() == (6,)
    cursor = connection.cursor()
    cursor.execute("insert into t values (10)")
    connection.commit()
    connection.close()
    assert write(path) == 5


def test_installing_twice_keeps_one_wrapper(installed):
    first = sqlite3.connect
    sqlitelocks.install()
    assert sqlite3.connect is first and sqlitelocks.installed()
