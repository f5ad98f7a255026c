"""routes.toml: written from the routes and their owners, kept up to date without losing modes or a
user's edits, and every bad field a clear error."""

from __future__ import annotations

import pytest

from decompose.errors import UserError
from decompose.gateway.table import Mode, missing_urls, read, select, sync

ROUTES = {"GET /api/cart": "cart", "POST /api/cart/items": "cart", "GET /api/orders/{order_id}": "orders", "GET /": "monolith"}


def test_a_new_table_has_every_route_in_monolith_mode_sorted_by_path(tmp_path):
    synced = sync(tmp_path / "routes.toml", ROUTES)
    assert synced.created and synced.added == ["GET /", "GET /api/cart", "POST /api/cart/items", "GET /api/orders/{order_id}"]
    table = read(tmp_path / "routes.toml")
    assert {r: (e.owner, str(e.mode)) for r, e in table.entries.items()} == {r: (o, "monolith") for r, o in ROUTES.items()}
    assert table.settings["shadow_methods"] == ["GET", "HEAD"] and table.settings["timeout_s"] == 10.0


def test_syncing_again_keeps_modes_and_comments_and_reports_what_changed(tmp_path):
    path = tmp_path / "routes.toml"
    sync(path, ROUTES)
    table = read(path)
    table.set_mode(["GET /api/cart", "GET /api/orders/{order_id}"], Mode.parse("canary:25"))
    table.save()
    path.write_text(path.read_text().replace("[routes]", "# cart goes first: agreed with the team\n[routes]"))
    moved = {**ROUTES, "GET /api/orders/{order_id}": "billing", "GET /api/new": "cart"}
    del moved["POST /api/cart/items"]
    synced = sync(path, moved)
    assert (synced.added, synced.removed, synced.reowned) == (["GET /api/new"], ["POST /api/cart/items"], ["GET /api/orders/{order_id}"])
    again = read(path)
    assert str(again.entries["GET /api/cart"].mode) == "canary:25"  # kept
    assert str(again.entries["GET /api/orders/{order_id}"].mode) == "monolith" and again.entries["GET /api/orders/{order_id}"].owner == "billing"
    assert "# cart goes first: agreed with the team" in path.read_text()
    assert sync(path, moved).added == [] and path.read_text() == path.read_text()


def test_selecting_routes_by_name_service_or_all(tmp_path):
    sync(tmp_path / "routes.toml", ROUTES)
    table = read(tmp_path / "routes.toml")
    assert select(table, [], ["cart"], False) == ["GET /api/cart", "POST /api/cart/items"]
    assert select(table, [], [], True) == ["GET /api/cart", "GET /api/orders/{order_id}", "POST /api/cart/items"]
    with pytest.raises(UserError, match="no route 'GET /nope'"):
        select(table, ["GET /nope"], [], False)
    with pytest.raises(UserError, match="no route is owned by 'billing'"):
        select(table, [], ["billing"], False)
    with pytest.raises(UserError, match="has no owner service"):
        table.set_mode(["GET /"], Mode.parse("service"))


def test_a_service_in_traffic_needs_a_url(tmp_path):
    sync(tmp_path / "routes.toml", ROUTES)
    table = read(tmp_path / "routes.toml")
    table.set_mode(["GET /api/cart"], Mode.parse("shadow"))
    missing_urls(table, {"cart": "http://127.0.0.1:1"})  # orders has no route in traffic: it needs none
    with pytest.raises(UserError, match="GET /api/cart is in mode shadow but service cart has no URL"):
        missing_urls(table, {"orders": "http://127.0.0.1:1"})


@pytest.mark.parametrize("text", ["canary:0", "canary:100", "canary", "mirror", "Service"])
def test_modes_that_are_not_modes(text):
    with pytest.raises(ValueError, match="is not a mode"):
        Mode.parse(text)


@pytest.mark.parametrize(("text", "message"), [
    ("[gateway\n", "not valid TOML"),
    ('[gateway]\nmonolith = "localhost:8000"\n', "gateway.monolith: 'localhost:8000' is not a base URL"),
    ("[gateway]\ntimeout_s = 0\n", "gateway.timeout_s: 0 is not seconds"),
    ('[gateway]\nsticky = "session"\n', "gateway.sticky: 'session' is not"),
    ("[gateway]\nretries = 3\n", "gateway.retries: unknown field"),
    ('[services]\ncart = "cart:8001"\n', "services.cart: 'cart:8001' is not a base URL"),
    ('[routes]\n"/api/cart" = {owner = "cart"}\n', 'routes."/api/cart": not a route'),
    ('[routes]\n"GET /api/cart" = {mode = "service"}\n', "needs an owner"),
    ('[routes]\n"GET /api/cart" = {owner = "cart", mode = "canary:150"}\n', "'canary:150' is not a mode"),
    ('[routes]\n"GET /" = {owner = "monolith", mode = "service"}\n', "needs an owner service"),
    ('[gateway]\nservices_database = "own"\n', "gateway.services_database: 'own' is not"),
    ('[gateway]\nshadow_methods = ["GET", "post"]\n', "gateway.shadow_methods: POST changes data"),
    ('[gateway]\n[routes]\n', "no routes"),
])
def test_a_bad_table_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "routes.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace("[", r"\[")) as error:
        read(path)
    assert error.value.next_step


def test_a_missing_table_says_how_to_write_one(tmp_path):
    with pytest.raises(UserError, match="no route table here") as error:
        read(tmp_path / "routes.toml")
    assert "decompose gateway init" in error.value.next_step
