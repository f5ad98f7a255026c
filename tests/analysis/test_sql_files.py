"""Tables in .sql files (a schema.sql, migrations, aiosql's named queries) and the edges from the code
that runs them: the file named in a string (`Path(__file__).parent / "schema.sql"`), and aiosql
queries called by name through whatever holds the loader (`queries.get_user(conn)`,
`self._queries.get_user(conn)`)."""

import json

import pytest

from decompose.analysis.pipeline import AnalyzeOptions, analyze
from decompose.analysis.sql import SqlTables, read_queries
from tests.helpers import analyse, write_tree

SCHEMA = """-- Applied at every start-up.
PRAGMA foreign_keys = ON;

create table if not exists customers (id integer primary key, email text not null unique);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    total INTEGER NOT NULL CHECK (total >= 0)  -- cents; statement ends on the next line
);
"""
QUERIES = """-- name: get-customer(customer_id)^
-- One customer, or None.
SELECT id, email FROM customers WHERE id = :customer_id;

-- name: insert_order<!
insert into orders (customer_id, total) values (:customer_id, :total) returning id;

-- name: customer_totals
SELECT c.email, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.email;
"""
APP = {
    "shop/__init__.py": "",
    "shop/db/__init__.py": "",
    "shop/db/schema.sql": SCHEMA,
    "shop/db/sql/shop.sql": QUERIES,
    "shop/db/connection.py": '''
        from pathlib import Path

        SCHEMA = Path(__file__).parent / "schema.sql"


        async def connect(conn):
            await conn.executescript(SCHEMA.read_text())
        ''',
    "shop/db/queries.py": '''
        from pathlib import Path

        import aiosql

        queries = aiosql.from_path(Path(__file__).parent / "sql", "aiosqlite")
        ''',
    "shop/repositories.py": '''
        from shop.db.queries import queries


        class Customers:
            def __init__(self, conn):
                self._conn, self._queries = conn, queries

            async def get(self, customer_id):
                return await self._queries.get_customer(self._conn, customer_id=customer_id)


        async def place(conn, customer_id, total):
            return await queries.insert_order(conn, customer_id=customer_id, total=total)


        async def report(conn):
            return [row async for row in queries.customer_totals(conn)]
        ''',
    "tests/fixtures.sql": "CREATE TABLE test_only (x int);\n",
}


def test_aiosql_blocks_are_read_under_their_python_names():
    found = {q.name: q.tables for q in read_queries(QUERIES)}
    assert found == {
        "get_customer": SqlTables(("customers",), (), ()),
        "insert_order": SqlTables((), ("orders",), ()),
        "customer_totals": SqlTables(("customers", "orders"), (), ()),
    }


def test_a_schema_file_is_one_unnamed_block_and_a_statement_sqlglot_cannot_read_is_skipped_alone():
    (query,) = read_queries(SCHEMA)
    assert (query.name, query.line, query.tables) == ("", 1, SqlTables((), (), ("customers", "orders")))


@pytest.mark.parametrize("text", ["", "-- only a comment\n", "this is not sql at all;\n"])
def test_a_file_without_readable_sql_gives_no_query(text):
    assert read_queries(text) == ()


def test_tables_of_sql_files_and_the_code_that_runs_them(tmp_path):
    a = analyse(tmp_path, APP)
    assert {(t.name, t.framework, t.module) for t in a.tables} == {("customers", "sql", "shop.db"), ("orders", "sql", "shop.db")}
    got = {(e.src, e.dst, e.kind) for e in a.edges if e.kind.startswith("table")}
    assert got == {
        ("shop.db.connection", "table:customers", "table-write"),
        ("shop.db.connection", "table:orders", "table-write"),
        ("shop.repositories:Customers", "table:customers", "table-read"),
        ("shop.repositories:place", "table:orders", "table-write"),
        ("shop.repositories:report", "table:customers", "table-read"),
        ("shop.repositories:report", "table:orders", "table-read"),
    }


def test_without_an_aiosql_loader_a_method_named_like_a_query_touches_no_table(tmp_path):
    files = {**APP, "shop/db/queries.py": "QUERIES = 'shop/db/sql'\n"}
    a = analyse(tmp_path, files)
    assert not [e for e in a.edges if e.src.startswith("shop.repositories") and e.kind.startswith("table")]


def test_a_changed_sql_file_is_seen_by_a_cached_analysis(tmp_path):
    write_tree(tmp_path / "app", APP)
    options = AnalyzeOptions(cache_path=tmp_path / "cache", render=True)

    def tables() -> list[str]:
        rendered = analyze(tmp_path / "app", options).rendered
        return sorted(t["name"] for t in json.loads(rendered.text)["tables"])

    assert tables() == ["customers", "orders"]
    (tmp_path / "app/shop/db/schema.sql").write_text(SCHEMA + "CREATE TABLE refunds (id int);\n")
    assert tables() == ["customers", "orders", "refunds"]
