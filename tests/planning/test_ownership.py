"""Services must own something: dissolve_ownerless on small hand-built element graphs (no analysis)."""

from decompose.analysis.model import Route
from decompose.planning.constraints import SHARED
from decompose.planning.elements import Dep, Element, ElementGraph
from decompose.planning.ownership import dissolve_ownerless, owners


def graph_of(modules: dict[str, list[str]], uses: list[tuple[str, str]], handlers: list[str]) -> ElementGraph:
    graph = ElementGraph()
    for module, names in modules.items():
        graph.members[module] = [module, *(f"{module}:{n}" for n in names)]
        for element in graph.members[module]:
            graph.elements[element] = Element(element, "module" if element == module else "function", module, 1, 3)
    graph.deps = [Dep(a, b, "call", 1) for a, b in uses]
    graph.routes = {h: [Route("flask", ("GET",), f"/{h}", f"/{h}", h, h, h.partition(":")[0], 1)] for h in handlers}
    return graph


MODULES = {"shop.orders": ["checkout"], "shop.users": ["signup"], "shop.mail": ["send"],
           "shop.errors": ["not_found"], "shop.app": ["create_app"]}


def test_a_service_owning_nothing_goes_to_its_only_user():
    graph = graph_of(MODULES, [("shop.orders:checkout", "shop.mail:send")], ["shop.orders:checkout", "shop.users:signup"])
    homes = {e: "orders" for e in graph.members["shop.orders"]} | {e: "users" for e in graph.members["shop.users"]}
    homes |= {e: "mail" for e in graph.members["shop.mail"]} | {e: SHARED for m in ("shop.errors", "shop.app")
                                                                   for e in graph.members[m]}
    settled, why = dissolve_ownerless(graph, homes)
    assert settled["shop.mail:send"] == settled["shop.mail"] == "orders" and why == {}
    assert set(settled.values()) == {"orders", "users", SHARED} == owners(graph, settled) | {SHARED}


def test_code_of_a_dissolved_service_used_by_the_layer_or_several_services_goes_to_the_layer():
    uses = [("shop.app:create_app", "shop.errors:not_found"), ("shop.orders:checkout", "shop.mail:send"),
            ("shop.users:signup", "shop.mail:send")]
    graph = graph_of(MODULES, uses, ["shop.orders:checkout", "shop.users:signup"])
    homes = {e: "orders" for e in graph.members["shop.orders"]} | {e: "users" for e in graph.members["shop.users"]}
    homes |= {e: "misc" for m in ("shop.mail", "shop.errors") for e in graph.members[m]}
    homes |= {e: SHARED for e in graph.members["shop.app"]}
    settled, why = dissolve_ownerless(graph, homes)
    assert settled["shop.errors:not_found"] == settled["shop.mail:send"] == SHARED
    assert why["shop.mail:send"] == "its service owned no route; used by orders, users"
    assert why["shop.errors:not_found"] == "its service owned no route; used by shared"


def test_a_service_the_user_pinned_code_to_stays():
    graph = graph_of(MODULES, [("shop.orders:checkout", "shop.mail:send")], ["shop.orders:checkout"])
    homes = {e: "orders" for m in ("shop.orders", "shop.users", "shop.errors", "shop.app") for e in graph.members[m]}
    homes |= {e: "mailer" for e in graph.members["shop.mail"]}
    assert dissolve_ownerless(graph, homes, {"mailer"}) == (homes, {})


def test_a_table_only_service_is_dissolved_and_its_table_follows_the_routes_that_touch_it():
    graph = graph_of({**MODULES, "shop.models": ["Token"]}, [("shop.users:signup", "shop.models:Token")],
                     ["shop.orders:checkout", "shop.users:signup"])
    graph.elements["table:token"] = Element("table:token", "table", "shop.models", 1, 1)
    graph.table_model["table:token"] = "shop.models:Token"
    graph.deps += [Dep("shop.orders:checkout", "table:token", "table-read", 1),
                   Dep("shop.users:signup", "table:token", "table-write", 3)]
    homes = {e: "orders" for e in graph.members["shop.orders"]} | {e: "users" for e in graph.members["shop.users"]}
    homes |= {e: SHARED for m in ("shop.mail", "shop.errors", "shop.app", "shop.models") for e in graph.members[m]}
    homes["table:token"] = "tokens"
    settled, _ = dissolve_ownerless(graph, homes)
    assert settled["table:token"] == "users"
    assert set(settled.values()) == {"orders", "users", SHARED}


def test_a_table_only_service_no_route_touches_stays_as_a_worker():
    graph = graph_of({**MODULES, "shop.audit": ["Event"]}, [], ["shop.orders:checkout"])
    graph.elements["table:event"] = Element("table:event", "table", "shop.audit", 1, 1)
    graph.table_model["table:event"] = "shop.audit:Event"
    homes = {e: "orders" for m in ("shop.orders", "shop.users", "shop.mail", "shop.errors", "shop.app")
             for e in graph.members[m]}
    homes |= {e: "audit" for e in graph.members["shop.audit"]} | {"table:event": "audit"}
    assert dissolve_ownerless(graph, homes) == (homes, {})


def test_a_worker_that_only_calls_a_services_helper_stays_a_worker():
    """Calling another service's helper is no reason to join it: only code that uses the worker's
    tables, models or code pulls it in (styleguide's `emails` worker joined the Google login service
    through its call to `model_update`)."""
    graph = graph_of({**MODULES, "shop.outbox": ["Mail", "send_all"]}, [("shop.outbox:send_all", "shop.orders:checkout")],
                     ["shop.orders:checkout"])
    graph.elements["table:mail"] = Element("table:mail", "table", "shop.outbox", 1, 1)
    graph.table_model["table:mail"] = "shop.outbox:Mail"
    graph.deps.append(Dep("shop.outbox:send_all", "table:mail", "table-write", 1))
    homes = {e: "orders" for m in ("shop.orders", "shop.users", "shop.mail", "shop.errors", "shop.app")
             for e in graph.members[m]}
    homes |= {e: "outbox" for e in graph.members["shop.outbox"]} | {"table:mail": "outbox"}
    assert dissolve_ownerless(graph, homes) == (homes, {})
    graph.deps.append(Dep("shop.orders:checkout", "shop.outbox:send_all", "call", 1))  # now a route uses it
    settled, _ = dissolve_ownerless(graph, homes)
    assert {settled[e] for e in [*graph.members["shop.outbox"], "table:mail"]} == {"orders"}


def test_a_worker_holding_a_generic_helper_a_service_calls_stays_a_worker():
    """Only the worker's data counts (its tables, models, and the modules of the code reading or
    writing them): styleguide's `emails` worker held `common.services:model_update`, which the users
    code calls, and joined the users' service through it."""
    graph = graph_of({**MODULES, "shop.outbox": ["Mail", "send_all"], "shop.common": ["model_update"]},
                     [("shop.orders:checkout", "shop.common:model_update"), ("shop.outbox:send_all", "shop.common:model_update")],
                     ["shop.orders:checkout"])
    graph.elements["table:mail"] = Element("table:mail", "table", "shop.outbox", 1, 1)
    graph.table_model["table:mail"] = "shop.outbox:Mail"
    graph.deps.append(Dep("shop.outbox:send_all", "table:mail", "table-write", 1))
    homes = {e: "orders" for m in ("shop.orders", "shop.users", "shop.mail", "shop.errors", "shop.app")
             for e in graph.members[m]}
    homes |= {e: "outbox" for m in ("shop.outbox", "shop.common") for e in graph.members[m]} | {"table:mail": "outbox"}
    settled, _ = dissolve_ownerless(graph, homes)
    assert settled["table:mail"] == settled["shop.outbox:send_all"] == "outbox"


def test_workers_whose_models_share_a_module_are_one_worker():
    """One route-less service per table of one models module is not a service a person would deploy."""
    graph = graph_of({**MODULES, "shop.stamps": ["Auto", "Default"], "shop.audit": ["Event"]}, [], ["shop.orders:checkout"])
    for table, model in (("auto", "shop.stamps:Auto"), ("default", "shop.stamps:Default"), ("event", "shop.audit:Event")):
        graph.elements[f"table:{table}"] = Element(f"table:{table}", "table", model.partition(":")[0], 1, 1)
        graph.table_model[f"table:{table}"] = model
    homes = {e: "orders" for m in ("shop.orders", "shop.users", "shop.mail", "shop.errors", "shop.app")
             for e in graph.members[m]}
    homes |= {"shop.stamps": "auto", "shop.stamps:Auto": "auto", "table:auto": "auto",
              "shop.stamps:Default": "default", "table:default": "default"}
    homes |= {e: "audit" for e in graph.members["shop.audit"]} | {"table:event": "audit"}
    settled, _ = dissolve_ownerless(graph, homes)
    assert {settled[e] for e in ("shop.stamps", "shop.stamps:Auto", "shop.stamps:Default", "table:default")} == {"auto"}
    assert settled["table:event"] == "audit" and settled["shop.orders:checkout"] == "orders"
    assert dissolve_ownerless(graph, homes, {"default"})[0]["table:default"] == "default"  # a pinned service stays
