"""The link store returns what was saved for the same tree shape, and nothing otherwise."""

import sqlite3

from decompose.analysis.link import Context
from decompose.analysis.linkstore import Entry, LinkStore
from decompose.analysis.sources import ParseFailure

CTX = Context(tables=[], routes=[], model_tables={}, table_names=frozenset(), by_name={}, labels={}, tops=frozenset({"shop"}))
FAILURE = ParseFailure("shop/bad.py", "shop.bad", "syntax-error", "invalid syntax", 3)


def entry(module: str, key: str) -> Entry:
    return Entry(module, key, None, None, frozenset({"shop.a", "shop.b"}), FAILURE)


def test_saved_products_come_back_for_the_same_shape_only():
    store = LinkStore(sqlite3.connect(":memory:"))
    assert store.load("shape") is None
    store.save("shape", CTX, [entry("shop.bad", "k1")], replace_all=True)
    stored = store.load("shape")
    assert stored is not None and stored.ctx == CTX
    assert stored.entries == {"shop.bad": ("k1", None, None)} and stored.values == {"shop.bad": FAILURE}
    assert store.deps() == {"shop.bad": frozenset({"shop.a", "shop.b"})}
    assert store.load("another shape") is None


def test_saving_some_entries_keeps_the_others_and_replace_all_drops_them():
    store = LinkStore(sqlite3.connect(":memory:"))
    store.save("shape", CTX, [entry("shop.a", "k1"), entry("shop.b", "k2")], replace_all=True)
    store.save("shape", CTX, [entry("shop.b", "k3")], replace_all=False)
    assert {m: e[0] for m, e in store.load("shape").entries.items()} == {"shop.a": "k1", "shop.b": "k3"}
    store.save("shape", CTX, [entry("shop.c", "k4")], replace_all=True)
    assert set(store.load("shape").entries) == {"shop.c"}


def test_an_unreadable_row_is_no_stored_link():
    db = sqlite3.connect(":memory:")
    store = LinkStore(db)
    store.save("shape", CTX, [entry("shop.a", "k1")], replace_all=True)
    with db:
        db.execute("UPDATE link_units_v1 SET value = ?", (b"not a pickle",))
    assert store.load("shape") is None
