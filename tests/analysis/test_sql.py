"""Tables in SQL strings (decompose.analysis.sql) and the edges from the code that runs them."""

import pytest

from decompose.analysis.sql import SqlTables, tables
from tests.helpers import analyse


@pytest.mark.parametrize(("text", "found"), [
    ("INSERT INTO orders (id) SELECT id FROM carts", SqlTables(("carts",), ("orders",), ())),
    ("SELECT t.name FROM tags t JOIN note_tags nt ON nt.tag_id = t.id WHERE nt.note_id = ?",
     SqlTables(("note_tags", "tags"), (), ())),
    ("UPDATE wallets SET balance = %s WHERE id = %(id)s", SqlTables((), ("wallets",), ())),
    ("DELETE FROM notes WHERE id = $1", SqlTables((), ("notes",), ())),
    ("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY);\nCREATE TABLE tags (id int);", SqlTables((), (), ("notes", "tags"))),
    ("WITH recent AS (SELECT * FROM a) SELECT * FROM recent JOIN b ON 1 = 1", SqlTables(("a", "b"), (), ())),
    ("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", SqlTables((), ("kv",), ())),
    ("  -- the newest first\n  SELECT * FROM Posts ORDER BY id DESC", SqlTables(("posts",), (), ())),
])
def test_reads_writes_and_creates(text, found):
    assert tables(text) == found


@pytest.mark.parametrize("text", ["Select the user from the cache.", "select * from users", "SELECT", "UPDATE the docs, then",
                                  "x" * 10])
def test_prose_lower_case_and_what_sqlglot_cannot_read_is_not_sql(text):
    assert tables(text) is None or tables(text) == SqlTables((), (), ())


def test_raw_sql_code_reads_and_writes_tables_an_orm_never_mapped(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/db.py": '''
            SCHEMA = """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT);
            """
            async def add(conn, title):
                await conn.execute("INSERT INTO notes (title) VALUES (?)", (title,))

            async def recent(conn, limit):
                return await conn.fetch(
                    "SELECT id, title FROM notes "
                    f"ORDER BY id DESC LIMIT {limit}"
                )

            async def stats(conn):
                return await conn.fetch("SELECT count(*) FROM audit_log")
        ''',
        "tests/test_db.py": 'def test_x(conn):\n    conn.execute("INSERT INTO fixtures_only (x) VALUES (1)")\n',
    })
    assert {(t.name, t.framework, t.module) for t in a.tables} == {("notes", "sql", "shop.db"), ("audit_log", "sql", "shop.db")}
    got = {(e.src, e.dst, e.kind) for e in a.edges if e.kind.startswith("table")}
    assert {("shop.db:add", "table:notes", "table-write"), ("shop.db:recent", "table:notes", "table-read"),
            ("shop.db:stats", "table:audit_log", "table-read"), ("shop.db", "table:notes", "table-write")} <= got
