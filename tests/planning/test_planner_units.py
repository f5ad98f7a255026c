"""The planner's parts on small hand-made Flask trees: shared kernel, constraints, the plan file,
placement problems, route families, service names, determinism and the baseline strategy."""

import re
from pathlib import Path

import pytest
import tomlkit

from decompose.errors import UserError
from decompose.planning.constraints import SHARED, Constraints, Unhonoured
from decompose.planning.elements import Dep, element_graph, route_family
from decompose.planning.naming import candidates, name_communities
from decompose.planning.plan import Plan, Settings, placement_of, roll_up
from decompose.planning.planfile import parse, render
from decompose.planning.planner import PlanOptions, propose
from decompose.planning.shared import SharedSettings, shared_kernel
from tests.helpers import analyse

DOMAINS = ("users", "orders", "items", "tags", "notes")
# The default thresholds are sized for real code bases; these small trees use the same rules lower.
SMALL = SharedSettings(min_fan_in=3, fan_in_factor=1.0)


def domain(name: str) -> str:
    """A blueprint module: its own model and table, a writer, and a route that reads the users table."""
    title = name.title()
    return f'''
        from flask import Blueprint
        from shop.extensions import db
        from shop.models import User
        from shop.text import slugify

        bp = Blueprint("{name}", __name__, url_prefix="/{name}")


        class {title}(db.Model):
            __tablename__ = "{name}_rows"
            id = db.Column(db.Integer, primary_key=True)
            owner_id = db.Column(db.Integer, db.ForeignKey("users.id"))


        def make_{name}(label):
            row = {title}(id=len(slugify(label)))
            db.session.add(row)
            return row


        @bp.post("/")
        def create_{name}():
            owner = User.query.get(1)
            row = make_{name}(slugify(owner.name))
            return {{"id": row.id, "total": {title}.query.count()}}


        @bp.get("/")
        def list_{name}():
            return [row.id for row in {title}.query.all()]
        '''


APP = f'''
    from flask import Flask
    from shop.extensions import db
    from shop import {", ".join(DOMAINS)}


    def create_app():
        app = Flask(__name__)
        db.init_app(app)
{"".join(f"        app.register_blueprint({d}.bp)" + chr(10) for d in DOMAINS)}        return app
    '''

SHOP = {
    "shop/__init__.py": "",
    "shop/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    "shop/text.py": "def slugify(value):\n    return value.lower().replace(' ', '-')\n",
    "shop/models.py": '''
        from shop.extensions import db


        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String)
        ''',
    "shop/app.py": APP,
    **{f"shop/{d}.py": domain(d) for d in DOMAINS},
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return element_graph(analyse(tmp_path_factory.mktemp("shop"), SHOP))


def plan_of(graph, **constraints):
    return propose(graph, PlanOptions(shared=SMALL, constraints=Constraints(**constraints)))


def home(placement, element: str) -> str:
    if element in placement.shared:
        return SHARED
    return next(name for name, elements in placement.services.items() if element in elements)


# ---------------------------------------------------------------- shared kernel

def test_helper_used_by_many_modules_goes_to_the_kernel(graph):
    kernel = shared_kernel(graph, SMALL)
    assert kernel["shop.text:slugify"].startswith("utility: used by 5 modules")
    assert "shop.extensions:db" in kernel


def test_model_with_many_users_stays_out_of_the_kernel(graph):
    kernel = shared_kernel(graph, SMALL)
    assert "shop.models:User" not in kernel and "table:users" not in kernel
    assert not any(e.endswith(":make_orders") or e.startswith("table:") for e in kernel)


def test_default_thresholds_keep_a_helper_of_few_modules(graph):
    assert "shop.text:slugify" not in shared_kernel(graph)  # 5 users < max(5, 3 x mean) here


def test_app_factory_wiring_every_blueprint_is_a_composition_root(graph):
    placement = plan_of(graph)
    assert placement.shared["shop.app:create_app"].startswith("composition root")
    assert home(placement, "shop.models:User") != SHARED


def test_each_domain_keeps_its_route_model_and_table_together(graph):
    placement = plan_of(graph)
    for name in DOMAINS:
        assert home(placement, f"shop.{name}:make_{name}") == home(placement, f"table:{name}_rows")


# ---------------------------------------------------------------- constraints

def test_pin_puts_a_symbol_in_the_named_service(graph):
    placement = plan_of(graph, pins={"shop.orders:make_orders": "billing"})
    assert home(placement, "shop.orders:make_orders") == "billing"


def test_pin_to_shared_puts_a_model_in_the_kernel(graph):
    placement = plan_of(graph, pins={"shop.models:User": SHARED})
    assert placement.shared["shop.models:User"] == "pinned to the shared kernel"


def test_together_keeps_elements_in_one_service(graph):
    pair = ("shop.orders:make_orders", "shop.tags:make_tags")
    assert home(plan_of(graph), pair[0]) != home(plan_of(graph), pair[1])
    placement = plan_of(graph, together=(pair,))
    assert home(placement, pair[0]) == home(placement, pair[1])


def test_apart_separates_elements(graph):
    pair = ("shop.orders:make_orders", "table:orders_rows")
    assert home(plan_of(graph), pair[0]) == home(plan_of(graph), pair[1])
    placement = plan_of(graph, apart=(pair,))
    assert home(placement, pair[0]) != home(placement, pair[1])


def test_max_services_caps_the_count(graph):
    assert len(plan_of(graph).services) > 2
    placement = plan_of(graph, max_services=2)
    assert len(placement.services) == 2
    assert placement.unhonoured == []


def test_unknown_name_is_reported_not_honoured(graph):
    placement = plan_of(graph, pins={"shop.nope": "orders"})
    assert placement.unhonoured == [Unhonoured("pin['shop.nope']", "names no module, symbol or table of the analysis")]


def test_together_of_members_pinned_apart_is_reported(graph):
    placement = plan_of(graph, pins={"shop.orders:make_orders": "a", "shop.tags:make_tags": "b"},
                        together=(("shop.orders:make_orders", "shop.tags:make_tags"),))
    assert placement.unhonoured == [Unhonoured("together[0]", "its members are pinned to different services: a, b")]
    assert (home(placement, "shop.orders:make_orders"), home(placement, "shop.tags:make_tags")) == ("a", "b")


def test_apart_of_elements_pinned_together_is_reported(graph):
    pins = {"shop.orders:make_orders": "a", "shop.tags:make_tags": "a"}
    placement = plan_of(graph, pins=pins, apart=(tuple(pins),))
    assert [u.why for u in placement.unhonoured] == ["both are pinned to the same service"]


def test_pin_of_one_symbol_does_not_take_its_community(graph):
    before = plan_of(graph)
    owner = home(before, "table:orders_rows")
    placement = plan_of(graph, pins={"shop.orders:make_orders": "billing"})
    assert home(placement, "table:orders_rows") != "billing"
    assert owner in placement.services


# ---------------------------------------------------------------- the plan file

def _plan(graph, **constraints):
    constraints = Constraints(**constraints)
    return roll_up(graph, propose(graph, PlanOptions(shared=SMALL, constraints=constraints)), constraints, Settings(seed=7))


def test_plan_file_round_trip(graph):
    plan = _plan(graph, pins={"shop.text": SHARED}, together=(("shop.orders", "shop.items"),), max_services=4)
    text = render(plan, "/src", lambda e: f"note on {e}", ["a summary line"])
    back, problems = parse(tomlkit.parse(text), Path("decompose.toml"))
    assert problems == []
    assert (back.services, back.shared, back.constraints, back.settings) == (
        plan.services, plan.shared, plan.constraints, plan.settings)
    assert "# note on shop.orders" in text and "# a summary line" in text


def test_rendering_over_the_previous_file_keeps_constraints_and_comments(graph):
    plan = _plan(graph)
    doc = tomlkit.parse(render(plan, "/src", lambda e: "", []))
    doc["constraints"]["pin"]["shop.orders"] = "orders"
    doc["constraints"].add(tomlkit.comment("ours, keep it"))
    text = render(plan, "/src", lambda e: "", [], previous=doc)
    assert "# ours, keep it" in text
    assert parse(tomlkit.parse(text), Path("p"))[0].constraints.pins == {"shop.orders": "orders"}


MALFORMED = [
    ("[plan]\nseed = 'x'", "plan.seed", "'x' has the wrong type"),
    ("[plan]\nresolution = true", "plan.resolution", "True has the wrong type"),
    ("[constraints]\npin = ['a']", "constraints.pin", "must map names to service names"),
    ("[constraints]\ntogether = ['a', 'b']", "constraints.together", "must be a list of lists of names"),
    ("[constraints]\napart = [[1, 2]]", "constraints.apart", "must be a list of lists of names"),
    ("[constraints]\nmax_services = -1", "constraints.max_services", "-1 is not a whole number >= 0"),
    ("[constraints]\nprefer = 1", "constraints.prefer", "unknown constraint"),
    ("[constraints]\npin = {'shop.orders' = 'Billing Service'}", "constraints.pin['shop.orders']",
     "'Billing Service' is no service name"),
    ("[services.orders]\nmodules = 'shop.orders'", "services.orders.modules", "must be a list of strings"),
    ("[services.orders]\nroutes = [1]", "services.orders.routes", "must be a list of strings"),
    ("[services.orders]\nowner = []", "services.orders.owner", "unknown field"),
    ("[shared]\ntables = []", "shared.tables", "unknown field"),
    ("services = 1", "services", "must be a table"),
    ("[services]\norders = 1", "services.orders", "must be a table"),
    ("extra = 1", "extra", "unknown top-level field"),
    ("[services.shared]", "services.shared", "a service name is lower-case letters, digits and hyphens, and not 'shared'"),
    ("[services.'or ders']", "services.or ders", "a service name is lower-case letters, digits and hyphens, and not 'shared'"),
]


@pytest.mark.parametrize(("body", "where", "what"), MALFORMED, ids=[m[1] for m in MALFORMED])
def test_a_malformed_field_is_one_problem_at_its_path(body, where, what):
    _, problems = parse(tomlkit.parse(f"schema_version = 1\n{body}\n"), Path("p"))
    assert [(p.where, p.what) for p in problems] == [(where, what)]


def test_a_plan_of_another_schema_version_is_refused():
    with pytest.raises(UserError, match="schema_version is 2"):
        parse(tomlkit.parse("schema_version = 2\n"), Path("p"))


# ---------------------------------------------------------------- placement_of

def _problems(graph, plan: Plan) -> list[tuple[str, str]]:
    return [(p.where, p.what) for p in placement_of(plan, graph)[1]]


def test_placement_of_a_rolled_up_plan_has_no_problems(graph):
    plan = _plan(graph)
    homes, problems = placement_of(plan, graph)
    assert problems == []
    assert homes.keys() >= {e for e in graph.elements if e not in graph.members}


def test_placement_problems_name_their_fields(graph):
    plan = _plan(graph)
    first, second = plan.services[0], plan.services[1]
    first.modules.append("shop.nope")
    first.symbols.append("shop.orders")  # a module is no symbol
    first.tables.append("nope")
    second.tables.append(first.tables[0])
    first.routes.append("GET /nowhere")
    found = _problems(graph, plan)
    assert (f"services.{first.name}.modules[{len(first.modules) - 1}]", "unknown module 'shop.nope'") in found
    assert (f"services.{first.name}.symbols[{len(first.symbols) - 1}]", "unknown symbol 'shop.orders'") in found
    assert (f"services.{first.name}.tables[{len(first.tables) - 1}]", "unknown table 'nope'") in found
    assert (f"services.{second.name}.tables[{len(second.tables) - 1}]",
            f"table {first.tables[0]!r} has two owners: {first.name} and {second.name}") in found
    assert (f"services.{first.name}.routes[{len(first.routes) - 1}]", "unknown route 'GET /nowhere'") in found
    assert len(found) == 5


def test_a_route_that_is_not_listed_is_a_problem(graph):
    plan = _plan(graph)
    owner = next(s for s in plan.services if s.routes)
    route = owner.routes.pop()
    assert _problems(graph, plan) == [(f"services.{owner.name}.routes", f"route {route!r} is not listed")]


def test_code_not_placed_is_a_problem_per_module(graph):
    plan = _plan(graph)
    for service in (*plan.services, plan.shared):
        if "shop.text" in service.modules:
            service.modules.remove("shop.text")
        if "shop.text:slugify" in service.symbols:
            service.symbols.remove("shop.text:slugify")
    assert _problems(graph, plan) == [("shop.text", "not placed in any service: shop.text, slugify")]


def test_an_element_placed_twice_is_a_problem_at_the_second_place(graph):
    plan = _plan(graph)
    module = next(m for s in plan.services for m in s.modules)
    plan.shared.modules.append(module)
    owner = next(s for s in plan.services if module in s.modules)
    assert _problems(graph, plan) == [
        (f"shared.modules[{len(plan.shared.modules) - 1}]",
         f"{module} is also placed by services.{owner.name}.modules[{owner.modules.index(module)}]")]


# ---------------------------------------------------------------- route families and names

@pytest.mark.parametrize(("template", "family"), [
    ("/api/v1/orders/{id}/items", "route:/orders"),
    ("/orders", "route:/orders"),
    ("/REST/V2.1/users/", "route:/users"),
    ("/{tenant}/orders", "route:/orders"),
    ("/<int:id>/photos", "route:/photos"),
    ("/api/", "route:/"),
    ("/", "route:/"),
    ("/apis/x", "route:/apis"),
])
def test_route_family(template, family):
    assert route_family(template) == family


def test_service_names_are_unique_valid_and_avoid_taken_ones(graph):
    community = {"shop.orders:create_orders", "shop.orders:make_orders", "table:orders_rows"}
    names = name_communities(graph, [community, set(community), set(community)], {"orders"})
    assert len(set(names)) == 3 and "orders" not in names
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


def test_service_is_named_after_its_route_family(graph):
    assert name_communities(graph, [{"shop.tags:create_tags", "shop.orders:make_orders"}], set()) == ["tags"]


# ---------------------------------------------------------------- configuration modules

SETTINGS = {**SHOP, "shop/settings.py": '''
    AUTH_USER_MODEL = "shop.models.User"
    DEBUG = False
    PAGE_SIZE = 20
    ORDERS_PER_USER = 5
    ''', "shop/orders.py": domain("orders") + "\nfrom shop.settings import ORDERS_PER_USER\nLIMIT = ORDERS_PER_USER\n"}


def test_a_module_of_settings_goes_to_the_kernel_whole(tmp_path):
    configured = element_graph(analyse(tmp_path, SETTINGS))
    placement = propose(configured, PlanOptions(shared=SMALL))
    for element in configured.members["shop.settings"]:
        assert placement.shared.get(element, "").startswith("configuration: 4 settings"), element
    assert home(placement, "shop.models:User") != SHARED


def test_a_module_of_few_constants_and_functions_is_not_configuration(graph):
    assert not any(why.startswith("configuration") for why in shared_kernel(graph, SMALL).values())


# ---------------------------------------------------------------- route families and names

def _two_domain_blueprint(name: str, first: str, second: str) -> str:
    """One blueprint whose two routes share no URL segment, no table and no helper."""
    return f'''
        from flask import Blueprint
        from shop.extensions import db

        {name} = Blueprint("{name}", __name__)


        class {first.title()}(db.Model):
            __tablename__ = "{first}"
            id = db.Column(db.Integer, primary_key=True)


        class {second.title()}(db.Model):
            __tablename__ = "{second}"
            id = db.Column(db.Integer, primary_key=True)


        @{name}.post("/{first}")
        def add_{first}():
            db.session.add({first.title()}(id=1))
            return {{"n": {first.title()}.query.count()}}


        @{name}.post("/{second}")
        def add_{second}():
            db.session.add({second.title()}(id=2))
            return {{"n": {second.title()}.query.count()}}
        '''


FAMILIES = {**SHOP, "shop/people.py": _two_domain_blueprint("people", "profiles", "avatars")}


def test_a_blueprint_stays_whole_unless_a_handler_is_pinned(tmp_path):
    wide = element_graph(analyse(tmp_path, FAMILIES))
    placement = propose(wide, PlanOptions(shared=SMALL))
    assert home(placement, "shop.people:add_profiles") == home(placement, "shop.people:add_avatars")
    pinned = propose(wide, PlanOptions(shared=SMALL, constraints=Constraints(pins={"shop.people:add_avatars": "avatars"})))
    assert home(pinned, "shop.people:add_avatars") == "avatars" != home(pinned, "shop.people:add_profiles")


def test_names_skip_non_words_layers_and_plural_twins(graph):
    orders = {"shop.orders:create_orders", "shop.orders:make_orders", "table:orders_rows"}
    assert name_communities(graph, [orders], {"order"}) != ["orders"]
    assert name_communities(graph, [{"shop.models:User", "table:users"}], set()) == ["users"]  # not `models`
    assert candidates(graph, {"shop.models:User"}) == ["models"]  # the last resort: nothing else says more


# ---------------------------------------------------------------- determinism and the baseline

def test_propose_is_deterministic(graph, tmp_path):
    again = element_graph(analyse(tmp_path, SHOP))
    assert plan_of(graph) == plan_of(graph) == plan_of(again)


def test_baseline_follows_modules_and_has_no_kernel(graph):
    placement = propose(graph, PlanOptions(strategy="baseline"))
    assert placement.shared == {} and placement.strategy == "baseline"
    homes = placement.partition()
    assert homes.keys() == graph.elements.keys()
    for module, members in graph.members.items():
        assert len({homes[m] for m in members}) == 1, module
    assert homes["table:orders_rows"] == homes["shop.orders"]


HOOKED = {
    "lib/__init__.py": "",
    "lib/rules.py": "SITE = 'lib'\n\n\ndef site_title():\n    return SITE.title()\n\n\nclass Shelf:\n    MAX = 3\n",
    "lib/books.py": """from flask import Blueprint

from .rules import Shelf, site_title

books = Blueprint("books", __name__)


@books.app_context_processor
def inject():
    return {"Shelf": Shelf, "TITLE": site_title()}


@books.route("/books")
def index():
    return "books"
""",
}


def test_what_an_app_wide_hook_reaches_is_in_the_kernel_and_the_hook_and_blueprint_stay(tmp_path):
    from decompose.planning.planner import hook_needs
    from decompose.planning.sourcefacts import read_facts

    graph = element_graph(analyse(tmp_path, HOOKED))
    facts = read_facts(graph, tmp_path)
    assert facts.hooks == {"lib.books:inject"}
    needs = hook_needs(graph, facts)
    assert sorted(needs) == ["lib.rules:SITE", "lib.rules:Shelf", "lib.rules:site_title"]  # site_title's own SITE too
    assert "the app-wide hook lib.books:inject uses it" in needs["lib.rules:Shelf"]


def test_a_route_family_stays_whole_with_the_code_kept_together_with_its_handlers():
    # --converge writes together pairs (a view and its form): the view still moves with its blueprint, and its form with it
    from decompose.planning.planner import _families_whole

    found = [{"main:index", "main:post", "forms:PostForm"}, {"main:edit", "forms:EditForm", "api:posts"}]
    groups = {"main:edit": "main:edit", "forms:EditForm": "main:edit"}
    whole = _families_whole(found, [["main:edit", "main:index", "main:post"]], groups)
    assert whole == [{"main:index", "main:post", "forms:PostForm", "main:edit", "forms:EditForm"}, {"api:posts"}]


def test_a_class_only_another_communitys_code_uses_moves_there():
    # flasky: RegistrationForm's validators tie it to the users table, but only auth's register view uses it
    from decompose.planning.elements import Element, ElementGraph
    from decompose.planning.planner import _classes_to_users

    graph = ElementGraph()
    for element, kind in (("forms:RegistrationForm", "class"), ("views:register", "function"), ("models:User", "class"),
                          ("forms:SharedForm", "class"), ("main:index", "function")):
        graph.elements[element] = Element(element, kind, element.split(":")[0], 1, 3)
    graph.deps = [Dep("views:register", "forms:RegistrationForm", "call", 1), Dep("views:register", "models:User", "call", 1),
                  Dep("views:register", "forms:SharedForm", "call", 1), Dep("main:index", "forms:SharedForm", "call", 1)]
    found = [{"forms:RegistrationForm", "models:User", "forms:SharedForm", "main:index"}, {"views:register"}]
    moved = _classes_to_users(graph, found, held={"models:User"})
    assert moved == [{"models:User", "forms:SharedForm", "main:index"}, {"views:register", "forms:RegistrationForm"}]


def test_families_tied_by_code_kept_together_move_as_one():
    # kuma: NotOk is kept together with a handler of the bookmarks router and one of the notifications router
    from decompose.planning.planner import _families_whole

    found = [{"bm:list", "bm:save", "nt:watch", "err:NotOk"}, {"nt:list", "nt:mark"}, {"other:x"}]
    groups = {"bm:save": "err:NotOk", "nt:watch": "err:NotOk", "err:NotOk": "err:NotOk"}
    whole = _families_whole(found, [["bm:list", "bm:save"], ["nt:list", "nt:mark", "nt:watch"]], groups)
    where = {e: i for i, c in enumerate(whole) for e in c}
    assert len({where[e] for e in ("bm:list", "bm:save", "nt:watch", "err:NotOk", "nt:list", "nt:mark")}) == 1
    assert where["other:x"] != where["bm:list"]


def test_code_only_its_module_reaches_follows_the_modules_entry_points():
    """A module that finds its own functions by introspection (`inspect.getmembers`) gives them no tie:
    they follow the symbol its route calls, not the module body's imports into another service."""
    from decompose.planning.elements import Element, ElementGraph
    from decompose.planning.planner import _internal_follow_entries

    graph = ElementGraph()
    members = {"demo.errors": ["trigger_all", "trigger_a", "trigger_b", "trigger_c"], "demo.apis": ["TriggerApi"],
               "demo.users": ["User", "create_user"]}
    for module, names in members.items():
        graph.members[module] = [module, *(f"{module}:{n}" for n in names)]
        for element in graph.members[module]:
            graph.elements[element] = Element(element, "module" if element == module else "function", module, 1, 3)
    graph.deps = [Dep("demo.apis:TriggerApi", "demo.errors:trigger_all", "call", 1),
                  Dep("demo.errors:trigger_c", "demo.users:create_user", "call", 1),
                  Dep("demo.users:create_user", "demo.users:User", "call", 1)]
    found = [{"demo.apis", "demo.apis:TriggerApi", "demo.errors:trigger_all"},
             {"demo.users", "demo.users:User", "demo.users:create_user", "demo.errors",
              "demo.errors:trigger_a", "demo.errors:trigger_b", "demo.errors:trigger_c"}]
    moved = _internal_follow_entries(graph, [set(c) for c in found], {}, set())
    assert {"demo.errors:trigger_a", "demo.errors:trigger_b"} <= moved[0]
    assert "demo.errors:trigger_c" in moved[1]  # it calls another module's code: it stays with it
    assert "demo.errors:trigger_a" in _internal_follow_entries(graph, [set(c) for c in found], {}, {"demo.errors:trigger_a"})[1]
