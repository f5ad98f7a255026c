"""Rules of a valid plan on hand-built graphs: what a service's module uses when it is imported (a decorator
above a view) is in that service or in the layer (validity.py rule 4); routes on the app object stay with it."""

from decompose.analysis.model import Location
from decompose.planning.constraints import SHARED, Constraints
from decompose.planning.elements import Dep
from decompose.planning.plan import Plan, Service, Settings, placement_of, roll_up
from decompose.planning.planner import Placement
from decompose.planning.sourcefacts import SourceFacts
from decompose.planning.validity import containers, problems, repair
from tests.helpers import write_tree
from tests.planning.test_ownership import graph_of

MODULES = {"shop.orders": ["checkout"], "shop.users": ["signup"], "shop.auth": ["token_required", "hash_password"]}


def _graph(decorator_line: int):
    graph = graph_of(MODULES, [], ["shop.orders:checkout", "shop.users:signup"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in MODULES}
    graph.elements["shop.orders:checkout"] = graph.elements["shop.orders:checkout"].__class__(
        "shop.orders:checkout", "function", "shop.orders", 5, 3)
    graph.deps = [Dep("shop.orders:checkout", "shop.auth:token_required", "call", 1,
                      (Location("shop/orders.py", decorator_line),)),
                  Dep("shop.users:signup", "shop.auth:hash_password", "call", 1, (Location("shop/users.py", 9),))]
    facts = SourceFacts(runtime={"shop.orders": [(6, 8)], "shop.users": [(6, 12)], "shop.auth": []},
                        read={"shop.orders", "shop.users", "shop.auth"})
    homes = {e: "orders" for e in graph.members["shop.orders"]} | {e: "users" for m in ("shop.users", "shop.auth")
                                                                     for e in graph.members[m]}
    return graph, facts, homes


def _plan() -> Plan:
    return Plan([Service("orders", ["shop.orders"]), Service("users", ["shop.users", "shop.auth"])], Service(SHARED))


def test_a_decorator_of_another_service_is_a_problem_and_the_repair_shares_its_module():
    graph, facts, homes = _graph(decorator_line=4)
    found = problems(graph, facts, _plan(), homes)
    assert [p.where for p in found] == ["services.orders"]
    assert "shop.auth:token_required when it is imported (shop/orders.py:4)" in found[0].what
    assert "add shop.auth to shared.modules" in found[0].fix
    repaired, why = repair(graph, facts, homes)
    assert all(repaired[e] == SHARED for e in graph.members["shop.auth"])
    assert repaired["shop.orders:checkout"] == "orders" and repaired["shop.users:signup"] == "users"
    assert "needed when imported by shop.orders" in why["shop.auth:token_required"]


def test_a_call_inside_a_function_body_is_a_client_call_not_a_problem():
    graph, facts, homes = _graph(decorator_line=7)
    assert problems(graph, facts, _plan(), homes) == []
    assert repair(graph, facts, homes)[0] == homes


def test_a_route_on_the_app_object_may_stay_with_the_app_in_the_layer():
    graph = graph_of({"journal.main": ["app", "health"], "journal.notes": ["list_notes"]}, [],
                     ["journal.main:health", "journal.notes:list_notes"])
    graph.elements["journal.main:app"] = graph.elements["journal.main:app"].__class__("journal.main:app", "assignment", "journal.main", 1, 1)
    graph.deps = [Dep("journal.main:health", "journal.main:app", "reference", 1, (Location("journal/main.py", 1),))]
    plan = Plan([Service("notes", ["journal.notes"], routes=["GET /journal.notes:list_notes"])],
                Service(SHARED, ["journal.main"], routes=["GET /journal.main:health"]))
    assert placement_of(plan, graph, frozenset({"journal.main:app"}))[1] == []
    assert [p.what for p in placement_of(plan, graph)[1]] == [
        "route 'GET /journal.main:health' left without a service: its handler is in shared"]


def test_a_route_on_the_app_object_is_listed_in_shared_routes_never_silently_lost():
    graph = graph_of({"journal.main": ["app", "health"], "journal.notes": ["list_notes"]}, [],
                     ["journal.main:health", "journal.notes:list_notes"])
    graph.elements["journal.main:app"] = graph.elements["journal.main:app"].__class__("journal.main:app", "assignment", "journal.main", 1, 1)
    graph.deps = [Dep("journal.main:health", "journal.main:app", "reference", 1, (Location("journal/main.py", 1),))]
    unlisted = Plan([Service("notes", ["journal.notes"], routes=["GET /journal.notes:list_notes"])], Service(SHARED, ["journal.main"]))
    found = placement_of(unlisted, graph, frozenset({"journal.main:app"}))[1]
    assert [(p.where, p.fix) for p in found] == [("shared.routes", "add it to shared.routes")]
    rolled = roll_up(graph, Placement({"notes": {"journal.notes", "journal.notes:list_notes"}},
                                      {"journal.main": "", "journal.main:app": "", "journal.main:health": ""}, [], "louvain"),
                     Constraints(), Settings())
    assert rolled.shared.routes == ["GET /journal.main:health"] and rolled.services[0].routes == ["GET /journal.notes:list_notes"]
    wrong = Plan([Service("notes", ["journal.notes"])], Service(SHARED, ["journal.main"], routes=["GET /journal.notes:list_notes"]))
    assert "route 'GET /journal.notes:list_notes' is handled by code placed in notes" in [
        p.what for p in placement_of(wrong, graph, frozenset({"journal.main:app"}))[1]]


def test_a_route_container_is_what_the_route_line_names_not_an_auth_object_decorating_the_view():
    # @api.route("/posts") on line 1 (the route's line), @auth.login_required on line 2, def on line 3
    graph = graph_of({"blog.api": ["api", "auth", "posts"]}, [], ["blog.api:posts"])
    for name in ("api", "auth"):
        graph.elements[f"blog.api:{name}"] = graph.elements[f"blog.api:{name}"].__class__(
            f"blog.api:{name}", "assignment", "blog.api", 1, 1)
    graph.elements["blog.api:posts"] = graph.elements["blog.api:posts"].__class__("blog.api:posts", "function", "blog.api", 3, 2)
    graph.deps = [Dep("blog.api:posts", "blog.api:api", "reference", 1, (Location("blog/api.py", 1),)),
                  Dep("blog.api:posts", "blog.api:auth", "reference", 1, (Location("blog/api.py", 2),))]
    assert containers(graph) == {"blog.api:api"}


def test_an_auth_object_passed_to_a_route_decorator_is_not_a_route_container():
    # @router.get("/me", auth=token_auth) on line 4: the decorator calls router.get; token_auth is an argument
    graph = graph_of({"shop.api": ["router", "me"], "shop.auth": ["token_auth"]}, [], ["shop.api:me"])
    for element in ("shop.api:router", "shop.auth:token_auth"):
        graph.elements[element] = graph.elements[element].__class__(element, "assignment", element.split(":")[0], 1, 1)
    graph.routes["shop.api:me"] = [graph.routes["shop.api:me"][0].__class__(
        "ninja", ("GET",), "/me", "/me", "shop.api:me", "me", "shop.api", 4)]
    graph.deps = [Dep("shop.api:me", "shop.api:router", "reference", 1, (Location("shop/api.py", 4),)),
                  Dep("shop.api:me", "shop.auth:token_auth", "reference", 1, (Location("shop/api.py", 4),))]
    facts = SourceFacts(read={"shop.api", "shop.auth"}, decorated={"shop.api": {4: {"router", "get"}}})
    assert containers(graph, facts) == {"shop.api:router"}
    assert containers(graph) == {"shop.api:router", "shop.auth:token_auth"}  # no source: the route line decides


def test_what_the_app_builder_uses_when_called_is_needed_when_every_service_starts():
    # create_app's body (lines 3-6) registers shop.errors:errors: each service calls create_app when it starts
    graph = graph_of({"shop.app": ["create_app"], "shop.errors": ["errors"], "shop.orders": ["checkout"]}, [],
                     ["shop.orders:checkout"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.deps = [Dep("shop.app:create_app", "shop.errors:errors", "reference", 1, (Location("shop/app.py", 5),))]
    facts = SourceFacts(runtime={"shop.app": [(3, 6)]}, builders={"shop.app": ["create_app"]},
                        read={"shop.app", "shop.errors", "shop.orders"})
    homes = {e: SHARED for e in graph.members["shop.app"]} | {e: "orders" for m in ("shop.errors", "shop.orders")
                                                                for e in graph.members[m]}
    plan = Plan([Service("orders", ["shop.errors", "shop.orders"])], Service(SHARED, ["shop.app"]))
    found = problems(graph, facts, plan, homes)
    assert [p.where for p in found] == ["services.orders"] and "shop.errors" in found[0].fix
    assert all(repair(graph, facts, homes)[0][e] == SHARED for e in graph.members["shop.errors"])


def test_code_of_one_module_split_between_services_counts_when_it_runs_at_import():
    # shop.auth: class TokenAuth (line 1), token_auth = TokenAuth() (line 5) in another service
    graph = graph_of({"shop.auth": ["TokenAuth", "token_auth"], "shop.api": ["me"]}, [], ["shop.api:me"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.deps = [Dep("shop.auth:token_auth", "shop.auth:TokenAuth", "call", 1, (Location("shop/auth.py", 5),))]
    facts = SourceFacts(runtime={"shop.auth": [(2, 3)]}, read={"shop.auth", "shop.api"})
    homes = {"shop.auth": "accounts", "shop.auth:TokenAuth": "accounts", "shop.auth:token_auth": "articles",
             "shop.api": "articles", "shop.api:me": "articles"}
    plan = Plan([Service("accounts", ["shop.auth"]), Service("articles", ["shop.api"], ["shop.auth:token_auth"])],
                Service(SHARED))
    assert [p.where for p in problems(graph, facts, plan, homes)] == ["services.articles"]
    assert repair(graph, facts, homes)[0]["shop.auth:TokenAuth"] == "articles"  # joins the one module-mate needing it


def test_a_symbol_module_mates_in_two_services_need_at_import_takes_its_module_to_the_layer():
    # shop.admin: class Inline (line 1); AdminA (line 3) and AdminB (line 5) list it in their class bodies
    graph = graph_of({"shop.admin": ["Inline", "AdminA", "AdminB"], "shop.api": ["view"]}, [], ["shop.api:view"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.deps = [Dep("shop.admin:AdminA", "shop.admin:Inline", "reference", 1, (Location("shop/admin.py", 3),)),
                  Dep("shop.admin:AdminB", "shop.admin:Inline", "reference", 1, (Location("shop/admin.py", 5),))]
    facts = SourceFacts(runtime={"shop.admin": []}, read={"shop.admin", "shop.api"})
    homes = {"shop.admin": "a", "shop.admin:Inline": "c", "shop.admin:AdminA": "a", "shop.admin:AdminB": "b",
             "shop.api": "c", "shop.api:view": "c"}
    repaired, why = repair(graph, facts, homes)
    assert all(repaired[e] == SHARED for e in graph.members["shop.admin"]), repaired
    assert "needed when imported by shop.admin" in why["shop.admin:Inline"]


def _routers():
    """blog.api: router (line 1) with list_posts on line 5; blog.comments: router (line 1) with add on line 5 and
    list_comments on line 8; `router.add_router("/{slug}/comments", comments_router)` in blog.api's module code."""
    graph = graph_of({"blog.api": ["router", "list_posts"], "blog.comments": ["router", "add", "list_comments"],
                      "blog.auth": ["token_auth"]}, [], ["blog.api:list_posts", "blog.comments:add", "blog.comments:list_comments"])
    for element in ("blog.api:router", "blog.comments:router", "blog.auth:token_auth"):
        graph.elements[element] = graph.elements[element].__class__(element, "assignment", element.split(":")[0], 1, 1)
    for handler, line in (("blog.api:list_posts", 5), ("blog.comments:add", 5), ("blog.comments:list_comments", 8)):
        route = graph.routes[handler][0]
        graph.routes[handler] = [route.__class__("ninja", ("GET",), route.path, route.template, handler,
                                                 handler.split(":")[1], handler.split(":")[0], line)]
    location = lambda module, line: (Location(module.replace(".", "/") + ".py", line),)  # noqa: E731
    graph.deps = [Dep("blog.api:list_posts", "blog.api:router", "reference", 1, location("blog.api", 5)),
                  Dep("blog.comments:add", "blog.auth:token_auth", "reference", 1, location("blog.comments", 5)),
                  Dep("blog.comments:add", "blog.comments:router", "reference", 1, location("blog.comments", 5)),
                  Dep("blog.comments:list_comments", "blog.comments:router", "reference", 1, location("blog.comments", 8)),
                  Dep("blog.api", "blog.comments:router", "reference", 1, location("blog.api", 3))]
    facts = SourceFacts(read={"blog.api", "blog.comments", "blog.auth"},
                        decorated={"blog.api": {5: {"router", "get"}}, "blog.comments": {5: {"router", "post"}, 8: {"router", "get"}}})
    return graph, facts


def test_a_router_with_auth_on_its_route_lines_and_the_router_mounted_in_it_are_one_family():
    from decompose.planning.constraints import Resolved
    from decompose.planning.planner import route_containers, route_families

    graph, facts = _routers()
    assert route_containers(graph, facts)["blog.comments:add"] == "blog.comments:router"
    assert route_containers(graph)["blog.comments:add"] == "blog.auth:token_auth"  # no source: the first name on the line
    assert route_families(graph, Resolved(), facts) == [["blog.api:list_posts", "blog.comments:add", "blog.comments:list_comments"]]


def test_a_module_mounting_a_router_in_its_code_is_not_split():
    graph, facts = _routers()
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    homes = {"blog.api": "posts", "blog.api:router": "posts", "blog.api:list_posts": "tags",
             **{e: "posts" for e in graph.members["blog.comments"]}, **{e: SHARED for e in graph.members["blog.auth"]}}
    plan = Plan([Service("posts", ["blog.comments"], ["blog.api:router"]), Service("tags", [], ["blog.api:list_posts"])],
                Service(SHARED, ["blog.auth"]))
    found = problems(graph, facts, plan, homes)
    assert [p.where for p in found] == ["services.posts"] and "place the whole module blog.api" in found[0].fix
    assert {repair(graph, facts, homes)[0][e] for e in graph.members["blog.api"]} == {"posts"}


def test_a_module_mounting_restx_namespaces_is_a_composition_root_in_the_layer():
    # shop.api builds Api(...) and add_namespace()s the namespaces of two services' modules (CTFd's CTFd.api)
    import ast

    from decompose.planning.sourcefacts import mounts_namespaces

    assert mounts_namespaces(ast.parse("api = Api(bp)\napi.add_namespace(orders_ns, '/orders')\n"))
    assert not mounts_namespaces(ast.parse("def f(api, ns):\n    api.add_namespace(ns)\n"))  # not at import
    graph = graph_of({"shop.api": ["api", "blueprint"], "shop.orders": ["OrderList", "orders_ns"],
                      "shop.users": ["UserList", "users_ns"]}, [], ["shop.orders:OrderList", "shop.users:UserList"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    facts = SourceFacts(read=set(graph.members), mounts={"shop.api"})
    homes = ({e: "orders" for e in graph.members["shop.orders"]} | {e: "users" for e in graph.members["shop.users"]}
             | {"shop.api": "orders", "shop.api:api": "orders", "shop.api:blueprint": "users"})
    plan = Plan([Service("orders", ["shop.orders"]), Service("users", ["shop.users"])], Service(SHARED, []))
    found = problems(graph, facts, plan, homes)
    assert [p.where for p in found] == ["shared.modules"] and "shop.api" in found[0].fix
    repaired, why = repair(graph, facts, homes)
    assert all(repaired[e] == SHARED for e in graph.members["shop.api"])
    assert why["shop.api:api"].startswith("composition root: mounts the API's namespaces")
    assert repaired["shop.orders:OrderList"] == "orders"  # the namespaces' own modules stay in their services


def _auth_graph():
    """flasky's api/authentication.py, by line: `auth = HTTPBasicAuth()` (7); `@auth.verify_password` (10) on
    verify_password (11-20); `@api.before_request` (31) and `@auth.login_required` (32) on before_request
    (33-36); `@api.route('/tokens/')` (39) on get_token (40-43). The `api` blueprint lives in api/__init__.py."""
    graph = graph_of({"blog.api": ["api"], "blog.api.authentication": ["auth", "verify_password", "before_request",
                                                                       "get_token"]}, [],
                     ["blog.api.authentication:get_token"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    kinds = {"blog.api:api": ("assignment", 3), "blog.api.authentication:auth": ("assignment", 7),
             "blog.api.authentication:verify_password": ("function", 11),
             "blog.api.authentication:before_request": ("function", 33)}
    for element, (kind, line) in kinds.items():
        graph.elements[element] = graph.elements[element].__class__(element, kind, element.split(":")[0], line, 4)
    graph.routes["blog.api.authentication:get_token"][0] = graph.routes["blog.api.authentication:get_token"][0].__class__(
        "flask", ("POST",), "/tokens/", "/tokens/", "blog.api.authentication:get_token", "get_token",
        "blog.api.authentication", 39)
    where = "blog/api/authentication.py"
    graph.deps = [Dep("blog.api.authentication:verify_password", "blog.api.authentication:auth", "reference", 1, (Location(where, 10),)),
                  Dep("blog.api.authentication:before_request", "blog.api:api", "reference", 1, (Location(where, 31),)),
                  Dep("blog.api.authentication:before_request", "blog.api.authentication:auth", "reference", 1, (Location(where, 32),)),
                  Dep("blog.api.authentication:get_token", "blog.api:api", "reference", 1, (Location(where, 39),))]
    facts = SourceFacts(runtime={"blog.api.authentication": [(11, 20), (33, 36), (40, 43)], "blog.api": []},
                        read={"blog.api", "blog.api.authentication"},
                        decorated={"blog.api.authentication": {10: {"auth", "verify_password"}, 31: {"api", "before_request"},
                                                               32: {"auth", "login_required"}, 39: {"api", "route"}}})
    return graph, facts


def test_a_callback_registered_on_an_object_of_another_service_is_a_problem_and_joins_the_objects_group():
    graph, facts = _auth_graph()
    homes = {e: "posts" for m in graph.members for e in graph.members[m]}
    for element in ("blog.api.authentication:verify_password", "blog.api.authentication:auth",
                    "blog.api.authentication:before_request"):
        homes[element] = "users"  # where flasky's plan put verify_password: every api request answered 401
    plan = Plan([Service("posts", ["blog.api"], ["blog.api.authentication:get_token"]),
                 Service("users", [], ["blog.api.authentication:verify_password", "blog.api.authentication:auth",
                                       "blog.api.authentication:before_request"])], Service(SHARED))
    found = [p for p in problems(graph, facts, plan, homes) if "registers itself" in p.what]
    assert [(p.where, p.fix) for p in found] == [
        ("services.users", "place blog.api.authentication:before_request in services.posts")]
    repaired = repair(graph, facts, homes)[0]
    assert {repaired[e] for m in graph.members for e in graph.members[m]} == {"posts"}  # the blueprint's group, whole


def test_a_callback_beside_its_object_is_no_problem():
    graph, facts = _auth_graph()
    homes = {e: "posts" for m in graph.members for e in graph.members[m]}
    plan = Plan([Service("posts", ["blog.api", "blog.api.authentication"])], Service(SHARED))
    assert problems(graph, facts, plan, homes) == [] and repair(graph, facts, homes)[0] == homes


STARTUP_SOURCE = {
    "shop/app.py": ("from flask import Flask\n"                      # 1
                    "from shop.setup import init_cli, init_hooks\n"  # 2
                    "def create_app():\n"                            # 3
                    "    app = Flask(__name__)\n"                    # 4
                    "    init_cli(app)\n"                            # 5
                    "    init_hooks(app)\n"                          # 6
                    "    return app\n"),                             # 7
    "shop/setup.py": ("def init_cli(app):\n"                         # 1
                      "    from shop.tools import commands\n"        # 2
                      "    app.register_blueprint(commands)\n"       # 3
                      "def init_hooks(app):\n"                       # 4
                      "    @app.before_request\n"                    # 5
                      "    def track():\n"                           # 6
                      "        audit()\n"                            # 7
                      "def audit():\n"                               # 8
                      "    return None\n"),                          # 9
    "shop/tools.py": "commands = object()\n",
    "shop/orders.py": "def checkout():\n    return None\n",
}


def _startup_graph(tmp_path):
    from decompose.planning.sourcefacts import read_facts

    write_tree(tmp_path, STARTUP_SOURCE)
    graph = graph_of({"shop.app": ["create_app"], "shop.setup": ["init_cli", "init_hooks", "audit"],
                      "shop.tools": ["commands"], "shop.orders": ["checkout"]}, [], ["shop.orders:checkout"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    spans = {"shop.app:create_app": (3, 5), "shop.setup:init_cli": (1, 3), "shop.setup:init_hooks": (4, 4),
             "shop.setup:audit": (8, 2), "shop.tools:commands": (1, 1), "shop.orders:checkout": (1, 2)}
    for element, (line, lines) in spans.items():
        kind = "assignment" if element == "shop.tools:commands" else "function"
        graph.elements[element] = graph.elements[element].__class__(element, kind, graph.module_of(element), line, lines)
    at = {"app": "shop/app.py", "setup": "shop/setup.py"}
    graph.deps = [Dep("shop.app:create_app", "shop.setup:init_cli", "call", 1, (Location(at["app"], 5),)),
                  Dep("shop.app:create_app", "shop.setup:init_hooks", "call", 1, (Location(at["app"], 6),)),
                  Dep("shop.setup:init_cli", "shop.tools:commands", "reference", 1, (Location(at["setup"], 3),)),
                  Dep("shop.setup:init_hooks", "shop.setup:audit", "call", 1, (Location(at["setup"], 7),))]
    return graph, read_facts(graph, tmp_path)


def test_the_functions_the_app_builder_calls_run_when_every_service_starts(tmp_path):
    # create_app calls init_cli, which registers shop.tools:commands; the hook init_hooks defines runs per request
    graph, facts = _startup_graph(tmp_path)
    assert facts.startup == {"shop.setup:init_cli", "shop.setup:init_hooks"}  # not audit: only the nested hook calls it
    homes = {e: SHARED for m in ("shop.app", "shop.setup") for e in graph.members[m]}
    homes |= {e: "orders" for m in ("shop.tools", "shop.orders") for e in graph.members[m]}
    plan = Plan([Service("orders", ["shop.tools", "shop.orders"])], Service(SHARED, ["shop.app", "shop.setup"]))
    found = problems(graph, facts, plan, homes)
    assert [p.where for p in found] == ["services.orders"]
    assert "the shared layer's shop.setup needs shop.tools:commands when it is imported (shop/setup.py:3)" in found[0].what
    repaired = repair(graph, facts, homes)[0]
    assert all(repaired[e] == SHARED for e in graph.members["shop.tools"]) and repaired["shop.orders:checkout"] == "orders"


DJANGO_SOURCE = {
    "site/settings.py": ('ROOT_URLCONF = "site.urls"\n'                             # 1
                         'LOCAL_APPS = ["feed", "shelf.apps.ShelfConfig"]\n'        # 2
                         'INSTALLED_APPS = ["django.contrib.auth"] + LOCAL_APPS\n'),  # 3
    "feed/apps.py": ("from django.apps import AppConfig\n"                       # 1
                     "class FeedConfig(AppConfig):\n"                            # 2
                     "    name = 'feed'\n"                                       # 3
                     "    def ready(self):\n"                                    # 4
                     "        from . import receivers\n"                         # 5
                     "        receivers.connect_all()\n"),                       # 6
    "feed/receivers.py": "def connect_all():\n    return None\n",
    "feed/views.py": "def feed(request):\n    return None\n",
    "shelf/apps.py": "from django import apps\nclass ShelfConfig(apps.AppConfig):\n    name = 'shelf'\n",
    "shelf/views.py": "def books(request):\n    return None\n",
    "spare/apps.py": "from django.apps import AppConfig\nclass SpareConfig(AppConfig):\n    name = 'spare'\n",
}


def _django_graph(tmp_path):
    from decompose.planning.sourcefacts import read_facts

    write_tree(tmp_path, DJANGO_SOURCE)
    graph = graph_of({"site.settings": ["ROOT_URLCONF"], "feed.apps": ["FeedConfig"], "feed.receivers": ["connect_all"],
                      "feed.views": ["feed"], "shelf.apps": ["ShelfConfig"], "shelf.views": ["books"],
                      "spare.apps": ["SpareConfig"]}, [], ["feed.views:feed", "shelf.views:books"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.deps = [Dep("feed.apps", "feed.receivers", "import-lazy", 1, (Location("feed/apps.py", 5),)),
                  Dep("feed.apps:FeedConfig", "feed.receivers:connect_all", "call", 1, (Location("feed/apps.py", 6),))]
    return graph, read_facts(graph, tmp_path)


def test_an_installed_django_apps_config_and_what_its_ready_imports_go_to_the_layer(tmp_path):
    """django.setup() imports every installed app's config in every service and runs its ready(): a service
    without the apps module gets a default config (no receivers connected). An app no settings name is not."""
    graph, facts = _django_graph(tmp_path)
    assert facts.configs == {"feed.apps": [(5, 6)], "shelf.apps": []}  # spare: not installed
    assert "feed.receivers:connect_all" in facts.startup
    homes = {e: "feed" for m in ("feed.apps", "feed.receivers", "feed.views") for e in graph.members[m]}
    homes |= {e: "shelf" for m in ("shelf.apps", "shelf.views", "spare.apps") for e in graph.members[m]}
    homes |= {e: SHARED for e in graph.members["site.settings"]}
    plan = Plan([Service("feed", ["feed.apps", "feed.receivers", "feed.views"]),
                 Service("shelf", ["shelf.apps", "shelf.views", "spare.apps"])], Service(SHARED, ["site.settings"]))
    found = problems(graph, facts, plan, homes)
    assert [(p.where, p.fix) for p in found] == [("shared.modules", "add feed.apps to shared.modules"),
                                                  ("shared.modules", "add shelf.apps to shared.modules")]
    repaired, why = repair(graph, facts, homes)
    assert {m for m in graph.members if repaired[m] == SHARED} == {"site.settings", "feed.apps", "shelf.apps", "feed.receivers"}
    assert why["feed.apps:FeedConfig"].startswith("Django start-up") and "(feed.apps)" in why["feed.receivers"]
    assert repaired["feed.views:feed"] == "feed" and repaired["spare.apps"] == "shelf"
    shared = [m for m in graph.members if repaired[m] == SHARED]
    assert problems(graph, facts, Plan(plan.services, Service(SHARED, shared)), repaired) == []


def test_installed_django_apps_template_tag_libraries_go_to_the_layer(tmp_path):
    """Django's template engine imports every `templatetags` module of every installed app when it starts:
    pretalx's `safelink` library, planned into one service, was `not a registered tag library` in every
    other service that rendered a page loading it. An app no settings name keeps its libraries."""
    from decompose.planning.sourcefacts import read_facts

    write_tree(tmp_path, {**DJANGO_SOURCE, "feed/templatetags/__init__.py": "",
                          "feed/templatetags/feed_tags.py": "def short(value):\n    return value[:10]\n",
                          "shelf/templatetags/shelf_tags.py": "def stars(value):\n    return value\n",
                          "spare/templatetags/spare_tags.py": "def odd(value):\n    return value\n"})
    graph = graph_of({"site.settings": ["ROOT_URLCONF"], "feed.views": ["feed"], "shelf.views": ["books"],
                      "feed.templatetags": [], "feed.templatetags.feed_tags": ["short"],
                      "shelf.templatetags.shelf_tags": ["stars"], "spare.templatetags.spare_tags": ["odd"]},
                     [], ["feed.views:feed", "shelf.views:books"])
    graph.paths = {m: m.replace(".", "/") + ("/__init__.py" if m == "feed.templatetags" else ".py") for m in graph.members}
    facts = read_facts(graph, tmp_path)
    assert facts.tag_libraries == {"feed.templatetags", "feed.templatetags.feed_tags", "shelf.templatetags.shelf_tags"}
    homes = {e: "feed" for m in ("feed.views", "feed.templatetags", "feed.templatetags.feed_tags") for e in graph.members[m]}
    homes |= {e: "shelf" for m in ("shelf.views", "shelf.templatetags.shelf_tags", "spare.templatetags.spare_tags")
              for e in graph.members[m]}
    homes |= {e: SHARED for e in graph.members["site.settings"]}
    plan = Plan([Service("feed", ["feed.views", "feed.templatetags", "feed.templatetags.feed_tags"]),
                 Service("shelf", ["shelf.views", "shelf.templatetags.shelf_tags", "spare.templatetags.spare_tags"])],
                Service(SHARED, ["site.settings"]))
    assert [p.fix for p in problems(graph, facts, plan, homes)] == [
        f"add {m} to shared.modules" for m in ("feed.templatetags", "feed.templatetags.feed_tags", "shelf.templatetags.shelf_tags")]
    repaired, why = repair(graph, facts, homes)
    assert repaired["shelf.templatetags.shelf_tags:stars"] == SHARED and "template tag library" in why["shelf.templatetags.shelf_tags:stars"]
    assert repaired["spare.templatetags.spare_tags:odd"] == "shelf" and repaired["feed.views:feed"] == "feed"
    shared = [m for m in graph.members if repaired[m] == SHARED]
    assert shared == ["site.settings", "feed.templatetags", "feed.templatetags.feed_tags", "shelf.templatetags.shelf_tags"]
    assert problems(graph, facts, Plan(plan.services, Service(SHARED, shared)), repaired) == []


PLUGIN_SOURCE = {
    "shop/__init__.py": ("from shop.plugins import init_plugins\n"      # 1
                         "def create_app():\n"                           # 2
                         "    app = Flask(__name__)\n"                   # 3
                         "    init_plugins(app)\n"                       # 4
                         "    return app\n"),                            # 5
    "shop/plugins/__init__.py": ("import importlib\n"                                             # 1
                                 "def serve_assets(app, base_path):\n"                            # 2
                                 "    app.add_url_rule('/' + base_path + '/<path:p>', view_func=None)\n"  # 3
                                 "def init_plugins(app):\n"                                       # 4
                                 "    for name in ['deals']:\n"                                   # 5
                                 "        plugin = importlib.import_module('.' + name, package='shop.plugins')\n"  # 6
                                 "        plugin.load(app)\n"),                                   # 7
    "shop/plugins/deals/__init__.py": ("from shop.plugins import serve_assets\n"   # 1
                                       "def load(app):\n"                          # 2
                                       "    serve_assets(app, 'deals/assets')\n"), # 3
    "shop/orders.py": "def checkout():\n    return None\n",
}


def test_plugins_a_start_up_function_imports_by_name_are_start_up_code_and_their_routes_the_layer_apps(tmp_path):
    """CTFd's init_plugins imports every folder of CTFd/plugins by name and calls its load(app), which registers
    asset routes on the app through a helper: the plugins go to the layer, the helper is no route module's."""
    from decompose.planning.sourcefacts import read_facts

    write_tree(tmp_path, PLUGIN_SOURCE)
    graph = graph_of({"shop": ["create_app"], "shop.plugins": ["serve_assets", "init_plugins"],
                      "shop.plugins.deals": ["load"], "shop.orders": ["checkout"]}, [],
                     ["shop.plugins:serve_assets", "shop.orders:checkout"])
    graph.paths = {"shop": "shop/__init__.py", "shop.plugins": "shop/plugins/__init__.py",
                   "shop.plugins.deals": "shop/plugins/deals/__init__.py", "shop.orders": "shop/orders.py"}
    for element, line in {"shop:create_app": 2, "shop.plugins:serve_assets": 2, "shop.plugins:init_plugins": 4,
                          "shop.plugins.deals:load": 2}.items():
        graph.elements[element] = graph.elements[element].__class__(element, "function", graph.module_of(element), line, 4)
    graph.deps = [Dep("shop:create_app", "shop.plugins:init_plugins", "call", 1, (Location("shop/__init__.py", 4),)),
                  Dep("shop.plugins.deals:load", "shop.plugins:serve_assets", "call", 1,
                      (Location("shop/plugins/deals/__init__.py", 3),))]
    facts = read_facts(graph, tmp_path)
    assert facts.plugins == {"shop.plugins.deals"}
    assert {"shop.plugins:init_plugins", "shop.plugins.deals:load", "shop.plugins:serve_assets"} <= facts.startup
    assert facts.app_routes == {"shop.plugins:serve_assets"}
    homes = {e: SHARED for e in graph.members["shop"]} | {e: "orders" for e in graph.members["shop.orders"]}
    homes |= {e: "plugins" for m in ("shop.plugins", "shop.plugins.deals") for e in graph.members[m]}
    plan = Plan([Service("orders", ["shop.orders"]), Service("plugins", ["shop.plugins", "shop.plugins.deals"])],
                Service(SHARED, ["shop"]))
    found = problems(graph, facts, plan, homes)
    assert ("shared.modules", "add shop.plugins.deals to shared.modules") in [(p.where, p.fix) for p in found]
    assert any("the shared layer's shop needs shop.plugins:init_plugins when it is imported" in p.what for p in found)
    repaired, why = repair(graph, facts, homes)
    assert {m for m in graph.members if repaired[m] == SHARED} == {"shop", "shop.plugins", "shop.plugins.deals"}
    assert why["shop.plugins.deals:load"].startswith("start-up: a plugin") and repaired["shop.orders:checkout"] == "orders"


def test_a_class_another_service_uses_inside_a_function_goes_to_its_one_user_or_to_the_layer():
    """No client stands for a class (but an error class, re-raised as its stand-in): generation would stub it,
    so the use counts as rule 4's. Used by one service, the class moves there; by several, its module goes to
    the layer. A value or an error class does not count."""
    graph = graph_of({"shop.orders": ["checkout"], "shop.cart": ["add"],
                      "shop.schemas": ["OrderSchema", "CartSchema", "RATES", "Refused"]}, [],
                     ["shop.orders:checkout", "shop.cart:add"])
    graph.paths = {m: m.replace(".", "/") + ".py" for m in graph.members}
    graph.deps = [Dep("shop.orders:checkout", f"shop.schemas:{n}", "reference", 1, (Location("shop/orders.py", 3),))
                  for n in ("OrderSchema", "CartSchema", "RATES", "Refused")]
    graph.deps.append(Dep("shop.cart:add", "shop.schemas:CartSchema", "call", 1, (Location("shop/cart.py", 3),)))
    facts = SourceFacts(runtime={"shop.orders": [(2, 4)], "shop.cart": [(2, 4)], "shop.schemas": []},
                        read={"shop.orders", "shop.cart", "shop.schemas"},
                        unshippable={"shop.schemas:OrderSchema", "shop.schemas:CartSchema"})
    homes = {e: "orders" for e in graph.members["shop.orders"]} | {e: "cart" for e in graph.members["shop.cart"]}
    homes |= {e: "catalog" for e in graph.members["shop.schemas"]}
    plan = Plan([Service("orders", ["shop.orders"]), Service("cart", ["shop.cart"]), Service("catalog", ["shop.schemas"])],
                Service(SHARED))
    found = problems(graph, facts, plan, homes)
    assert sorted(p.what.split(" (shop")[0] for p in found) == [
        "shop.cart uses shop.schemas:CartSchema (a class or a value no client stands for)",
        "shop.orders uses shop.schemas:CartSchema (a class or a value no client stands for)",
        "shop.orders uses shop.schemas:OrderSchema (a class or a value no client stands for)"]
    repaired, why = repair(graph, facts, homes)
    assert all(repaired[e] == SHARED for e in graph.members["shop.schemas"])  # CartSchema: used by two services
    assert "used by 2 services" in why["shop.schemas:CartSchema"]
    alone = {**homes, "shop.cart:add": "orders", "shop.cart": "orders"}
    repaired = repair(graph, facts, alone)[0]
    assert repaired["shop.schemas:OrderSchema"] == repaired["shop.schemas:CartSchema"] == "orders"
    assert repaired["shop.schemas:RATES"] == "catalog"


def test_what_cannot_be_a_client_is_read_from_the_source():
    import ast

    from decompose.planning.sourcefacts import unshippable

    tree = ast.parse("from collections import namedtuple\n"
                     "class Schema: pass\n"
                     "class Refused(ValueError): pass\n"
                     "class Gone(errors.NotFoundError): pass\n"
                     "Menu = namedtuple('Menu', ['title'])\n"
                     "class Rule(Schema): pass\n")
    assert unshippable(tree) == ["Schema", "Rule"]
