"""What the shared layer needs when it imports a service's module (validity.py rule 3), on hand-built graphs:
a package `__init__` in the layer re-exporting a service's functions needs nothing there (each service resolves
them as its own code or as clients); re-exporting a class or importing the module itself does. A module the
kernel took a part of goes whole to the layer, a table's code too."""

import ast

import pytest

from decompose.analysis.model import Location
from decompose.planning.constraints import SHARED
from decompose.planning.elements import Dep, Element
from decompose.planning.plan import Plan, Service
from decompose.planning.sourcefacts import SourceFacts, from_imports, lifespans_of, startup_functions
from decompose.planning.validity import problems, repair
from tests.planning.test_ownership import graph_of

# shop/crud/__init__.py (layer): line 1 `from .orders import place_order, OrderRow` or `from . import orders`
MODULES = {"shop.crud": [], "shop.crud.orders": ["place_order", "OrderRow"], "shop.views": ["checkout"]}


def _graph(imported: tuple[str, ...], package: str = "shop.crud.orders"):
    graph = graph_of(MODULES, [], ["shop.views:checkout"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in MODULES}
    graph.elements["shop.crud.orders:OrderRow"] = Element("shop.crud.orders:OrderRow", "class", "shop.crud.orders", 5, 3)
    graph.deps = [Dep("shop.crud", "shop.crud.orders", "import", 1, (Location("shop/crud/__init__.py", 1),)),
                  Dep("shop.views:checkout", "shop.crud.orders:place_order", "call", 1, (Location("shop/views.py", 3),))]
    facts = SourceFacts(read=set(MODULES), imports={"shop.crud": {1: (package, imported)}})
    homes = {e: SHARED for e in graph.members["shop.crud"]} | {
        e: "orders" for m in ("shop.crud.orders", "shop.views") for e in graph.members[m]}
    return graph, facts, homes


def _plan() -> Plan:
    return Plan([Service("orders", ["shop.crud.orders", "shop.views"])], Service(SHARED, ["shop.crud"]))


def test_a_layer_package_re_exporting_a_services_functions_needs_nothing_in_the_layer():
    graph, facts, homes = _graph(("place_order",))
    assert problems(graph, facts, _plan(), homes) == []
    assert repair(graph, facts, homes)[0] == homes


def test_re_exporting_a_class_or_importing_the_module_itself_takes_the_module_to_the_layer():
    for imported, package in ((("place_order", "OrderRow"), "shop.crud.orders"), (("orders",), "shop.crud")):
        graph, facts, homes = _graph(imported, package)
        found = problems(graph, facts, _plan(), homes)
        assert [p.where for p in found] == ["services.orders"], imported
        assert "the shared layer's shop.crud needs shop.crud.orders when it is imported" in found[0].what
        repaired, why = repair(graph, facts, homes)
        assert all(repaired[e] == SHARED for e in graph.members["shop.crud.orders"])
        assert why["shop.crud.orders:place_order"] == "the shared layer needs it when imported (shop.crud)"


def test_an_unread_source_fails_closed():
    graph, _, homes = _graph(("place_order",))
    assert [p.where for p in problems(graph, SourceFacts(), _plan(), homes)] == ["services.orders"]


def test_from_imports_reads_each_line_of_a_statement_as_absolute_names():
    tree = ast.parse("from .orders import (\n    place_order,\n    OrderRow,\n)\nimport os\nfrom . import users\n")
    found = from_imports(tree, "shop.crud")
    assert found == {1: ("shop.crud.orders", ("place_order", "OrderRow")), 2: ("shop.crud.orders", ("place_order", "OrderRow")),
                     3: ("shop.crud.orders", ("place_order", "OrderRow")), 4: ("shop.crud.orders", ("place_order", "OrderRow")),
                     6: ("shop.crud", ("users",))}


def _split(table: bool):
    # shop.payments: pay (4 lines) and list_payments (40 lines, the kernel took it: used by many modules)
    graph = graph_of({"shop.payments": ["pay", "list_payments"], "shop.views": ["checkout"]}, [], ["shop.views:checkout"])
    graph.elements["shop.payments:list_payments"] = Element("shop.payments:list_payments", "function", "shop.payments", 9, 4)
    graph.elements["shop.payments:pay"] = Element("shop.payments:pay", "function", "shop.payments", 1, 40)
    graph.deps = [Dep("shop.views:checkout", "shop.payments:pay", "call", 1)]
    if table:
        graph.deps.append(Dep("shop.payments:pay", "table:payments", "table-write", 1))
    homes = {"shop.payments": "payments", "shop.payments:pay": "payments", "shop.payments:list_payments": SHARED,
             "shop.views": "payments", "shop.views:checkout": "payments"}
    return graph, homes


@pytest.mark.parametrize("table", [False, True])
def test_code_split_with_the_kernel_goes_whole_to_the_layer(table):
    # a table's code too: handing the kernel's part back to its service made lnbits' layer call
    # create_payment(data: CreatePayment) across services (16 -> 50 stubs), for MoJoFM 49.2 -> 51.5
    graph, homes = _split(table=table)
    repaired, why = repair(graph, SourceFacts(read={"shop.payments", "shop.views"}), homes)
    assert all(repaired[e] == SHARED for e in graph.members["shop.payments"])
    assert why["shop.payments:pay"] == "the shared layer holds whole modules"


def test_the_functions_handed_to_the_app_call_run_when_each_service_starts():
    source = ("from fastapi import FastAPI\nfrom shop.db import open_db as connect_db\nfrom shop.db import close_db\n"
              "async def lifespan(app):\n    yield\n"
              "app = FastAPI(title='x', lifespan=lifespan, on_shutdown=[close_db])\n"
              "other = dict(lifespan=ignored)\n")
    tree = ast.parse(source)
    assert lifespans_of(tree, "shop.main", "shop") == ["shop.db:close_db", "shop.main:lifespan"]
    aliased = ast.parse("from .db import open_db as connect_db\napp = FastAPI(on_startup=[connect_db])\n")
    assert lifespans_of(aliased, "shop.main", "shop") == ["shop.db:open_db"]


def test_a_service_function_the_layers_lifespan_calls_is_needed_when_each_service_starts():
    # shop/main.py (layer): line 1 `from shop.db import connect`, lines 3-5 `async def lifespan(app): await connect()`,
    # line 7 `app = FastAPI(lifespan=lifespan)`; shop.db is placed in service orders
    graph = graph_of({"shop.main": ["lifespan", "app"], "shop.db": ["connect"], "shop.views": ["checkout"]}, [],
                     ["shop.views:checkout"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.elements["shop.main:app"] = Element("shop.main:app", "assignment", "shop.main", 7, 1)
    graph.deps = [Dep("shop.main", "shop.db", "import", 1, (Location("shop/main.py", 1),)),
                  Dep("shop.main:lifespan", "shop.db:connect", "call", 1, (Location("shop/main.py", 4),))]
    facts = SourceFacts(runtime={"shop.main": [(4, 5)]}, read=set(graph.members), builders={"shop.main": ["app"]},
                        imports={"shop.main": {1: ("shop.db", ("connect",))}})
    homes = {e: SHARED for e in graph.members["shop.main"]} | {
        e: "orders" for m in ("shop.db", "shop.views") for e in graph.members[m]}
    plan = Plan([Service("orders", ["shop.db", "shop.views"])], Service(SHARED, ["shop.main"]))
    assert problems(graph, facts, plan, homes) == []  # the import alone: a client, called later
    facts.lifespans = {"shop.main:lifespan"}
    facts.startup = startup_functions(graph, facts)
    assert facts.startup == {"shop.main:lifespan", "shop.db:connect"}
    assert [p.where for p in problems(graph, facts, plan, homes)] == ["services.orders"]
    assert all(h == SHARED for e, h in repair(graph, facts, homes)[0].items() if e.startswith("shop.db"))
