"""SQLite connections that give their locks back when they are closed, on every CPython.

    sqlitelocks.install()   # once, before the app opens its databases (the monolith's host, an ASGI service)

Why. Up to CPython 3.10, `sqlite3.Connection.close()` finalized the statements of all its cursors
before closing. Since 3.11 it calls sqlite3_close_v2 alone, and SQLite then keeps a "zombie"
connection for as long as a cursor still holds an unfinished statement (a SELECT whose rows were not
all read): the zombie keeps the database's locks, its open transaction included, and no Python object
can release them any more (the cursor refuses every call once its connection is closed). An async
app whose task is cancelled mid-query (aiosqlite under SQLAlchemy: lnbits cancels its background tasks
at every shutdown) leaves such a cursor alive in the traceback of the cancellation, which the app keeps;
the connection is closed, the zombie holds SQLite's SHARED lock, or RESERVED and PENDING when a commit
was under way, and from then on every write of the process waits for the busy timeout and fails with
"database is locked" (lnbits' host, after some fifty app restarts: docs/contracts.md).

What. `install()` makes `sqlite3.connect` (and `sqlite3.dbapi2.connect`, which SQLAlchemy and Django
call) build connections that remember, weakly, the cursors they made, and close them before closing
themselves, as 3.10 did. A caller's own `factory=` is left alone; nothing changes before 3.11.

Copied into generated services and the monolith's path as `decompose_runtime.sqlitelocks`: standard
library only, CPython 3.9+.
"""

from __future__ import annotations

import sqlite3
import sqlite3.dbapi2
import sys
import weakref
from typing import Any, Callable, List

FACTORY_POSITION = 5  # connect(database, timeout, detect_types, isolation_level, check_same_thread, factory, ...)
_ORIGINAL: List[Callable[..., Any]] = []


class ClosingConnection(sqlite3.Connection):
    """A connection whose close() closes its cursors first, so no statement outlives it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decompose_cursors: "weakref.WeakSet[sqlite3.Cursor]" = weakref.WeakSet()

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        made = super().cursor(*args, **kwargs)
        try:
            self._decompose_cursors.add(made)
        except TypeError:  # a cursor factory whose objects take no weak reference: left as the stdlib leaves it
            pass
        return made

    # the stdlib's shortcuts make their cursor in C, past cursor(): the same, through it
    def execute(self, *args: Any) -> Any:
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> Any:
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> Any:
        return self.cursor().executescript(*args)

    def close(self) -> None:
        for cursor in list(getattr(self, "_decompose_cursors", ())):
            try:
                cursor.close()
            except sqlite3.Error:  # closed already, or made on another thread (check_same_thread)
                pass
        super().close()


def needed() -> bool:
    return sys.version_info >= (3, 11)


def install() -> None:
    """Every later sqlite3.connect without a factory builds a ClosingConnection (3.11+; once per process)."""
    if _ORIGINAL or not needed():
        return
    original = sqlite3.connect
    _ORIGINAL.append(original)

    def connect(*args: Any, **kwargs: Any) -> Any:
        if "factory" not in kwargs and len(args) <= FACTORY_POSITION:
            kwargs["factory"] = ClosingConnection
        return original(*args, **kwargs)

    sqlite3.connect = sqlite3.dbapi2.connect = connect  # type: ignore[assignment]


def installed() -> bool:
    return bool(_ORIGINAL)


def uninstall() -> None:
    """The stdlib's own connect again (tests)."""
    if _ORIGINAL:
        sqlite3.connect = sqlite3.dbapi2.connect = _ORIGINAL.pop()  # type: ignore[assignment]
