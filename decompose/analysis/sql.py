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


# ---- .sql files and aiosql ------------------------------------------------------------------------
#
# Apps without an ORM often keep their SQL in files: a schema.sql applied at startup, migrations, and
# aiosql's named queries (`-- name: get_user^` blocks, loaded with `aiosql.from_path(folder, driver)`
# and called as `queries.get_user(conn, ...)`). Each file is read once per analysis (they are few and
# small); its queries feed the tables and the table edges like SQL written in Python strings do.

AIOSQL_NAME = re.compile(r"^--[^\S\n]*name:[^\S\n]*([A-Za-z_][\w-]*)[^\S\n]*(?:\([^)\n]*\))?[^\S\n]*[<*#$^!]*[^\S\n]*$", re.M)
STATEMENT_END = re.compile(r";[^\S\n]*(?:--[^\n]*)?(?:\n|$)")
AIOSQL_LOADERS = frozenset({"aiosql.from_path", "aiosql.from_str"})
MAX_SQL_FILE = 1_000_000  # bytes: beyond, a .sql file is a data dump, not the app's queries
MAX_SQL_FILES = 5_000


@dataclass(frozen=True)
class SqlQuery:
    """One statement block of a .sql file: an aiosql query (its Python name), or "" for unnamed SQL."""

    name: str
    line: int
    tables: SqlTables


@dataclass(frozen=True)
class SqlFile:
    rel: str                 # path from the analysis root, with /
    module: str | None       # the package it lies in (its folder's, else the nearest above), if any
    queries: tuple[SqlQuery, ...]

    @property
    def folder(self) -> str:
        return self.rel.rpartition("/")[0]


def statements_tables(text: str) -> SqlTables | None:
    """The tables of SQL known to be SQL (a .sql file's block), statement by statement: any case,
    comments, and statements sqlglot cannot read (a PRAGMA, a dialect's extension) skipped alone."""
    if len(text) > MAX_SQL_FILE or not text.strip():
        return None
    reads: set[str] = set()
    writes: set[str] = set()
    creates: set[str] = set()
    for chunk in STATEMENT_END.split(text):
        if not _code(chunk):
            continue
        for statement in _parse(chunk) or _parse(PYFORMAT.sub("?", chunk)) or ():
            _collect(statement, reads, writes, creates)
    if not (reads or writes or creates):
        return None
    return SqlTables(tuple(sorted(reads - writes - creates)), tuple(sorted(writes)), tuple(sorted(creates)))


def _code(chunk: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in chunk.splitlines())


def read_queries(text: str) -> tuple[SqlQuery, ...]:
    """The blocks of a .sql file: each aiosql `-- name:` block under its Python name (dashes become
    underscores, as aiosql makes them), the text before the first one (a plain schema or migration) as ""."""
    marks = list(AIOSQL_NAME.finditer(text))
    blocks = [("", 0, text[: marks[0].start()] if marks else text)]
    for mark, following in zip(marks, [*marks[1:], None]):
        end = following.start() if following is not None else len(text)
        blocks.append((mark.group(1).replace("-", "_"), mark.start(), text[mark.end(): end]))
    found = []
    for name, offset, body in blocks:
        tables_of = statements_tables(body)
        if tables_of is not None:
            found.append(SqlQuery(name, text.count("\n", 0, offset) + 1, tables_of))
    return tuple(found)


def read_sql_files(paths: tuple[tuple[str, str], ...], packages: dict[str, str]) -> tuple[SqlFile, ...]:
    """`paths`: (absolute path, path from the root) of the .sql files discovery found; `packages`:
    package folder (from the root, with /) -> module. Unreadable and oversized files are skipped."""
    found = []
    for path, rel in sorted(paths, key=lambda p: p[1])[:MAX_SQL_FILES]:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_SQL_FILE + 1)
        except OSError:
            continue
        if len(data) > MAX_SQL_FILE:
            continue
        queries = read_queries(data.decode("utf-8", errors="replace"))
        if queries:
            found.append(SqlFile(rel, _package_of(rel, packages), queries))
    return tuple(found)


def _package_of(rel: str, packages: dict[str, str]) -> str | None:
    folder = rel.rpartition("/")[0]
    while True:
        if folder in packages:
            return packages[folder]
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


@dataclass(frozen=True)
class SqlCatalog:
    """Every .sql file of the project, looked up by aiosql query name or by file name."""

    files: tuple[SqlFile, ...] = ()

    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(repr(self.files).encode()).hexdigest()

    def query(self, name: str, near: str) -> list[SqlTables]:
        """The tables of aiosql query `name`: from the files under folder `near` (the loader's module's
        folder) when any has it, else from every file that has it."""
        named = [(f, q) for f in self.files for q in f.queries if q.name == name and name]
        close = [q for f, q in named if _under(f.rel, near)]
        return [q.tables for q in close] or [q.tables for _, q in named]

    def named(self, value: str, near: str) -> list[SqlFile]:
        """The .sql files a string like "schema.sql" or "sql/init.sql" names, from a module in folder `near`."""
        suffix = value.lstrip("./")
        return [f for f in self.files if _under(f.rel, near) and (f.rel == suffix or f.rel.endswith("/" + suffix))]


def _under(rel: str, folder: str) -> bool:
    return not folder or rel.startswith(folder + "/")


def catalog(paths: tuple[tuple[str, str], ...], sources: tuple) -> SqlCatalog:  # sources: SourceFile
    """The project's .sql files (discovery's `sql`), each under the package it lies in."""
    packages = {s.rel.rpartition("/")[0]: s.module for s in sources if s.is_package}
    return SqlCatalog(read_sql_files(paths, packages))
