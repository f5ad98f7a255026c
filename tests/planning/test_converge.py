"""`plan --converge`'s decisions (planning.converge) and the `follow` constraint they write, on a small
hand-made Flask shop: the callee follows its one caller, code several services need goes to the kernel,
a route handler never moves, and following changes nothing else in the plan."""

import pytest
import tomlkit

from decompose.planning.constraints import SHARED, Constraints
from decompose.planning.converge import Crossing, resolve_crossings
from decompose.planning.elements import element_graph
from decompose.planning.plan import Plan, Service
from decompose.planning.planfile import parse, render
from decompose.planning.planner import PlanOptions, family_keys, propose
from decompose.planning.shared import SharedSettings
from tests.helpers import analyse

SMALL = SharedSettings(min_fan_in=3, fan_in_factor=1.0)


def domain(name: str, calls: str = "") -> str:
    """A blueprint with its own table, a writer and two routes; `calls`: code the writer runs after writing."""
    title = name.title()
    return f'''
        from flask import Blueprint
        from shop.extensions import db
        {calls and "from shop import " + calls.split(".")[0]}

        bp = Blueprint("{name}", __name__, url_prefix="/{name}")


        class {title}(db.Model):
            __tablename__ = "{name}"
            id = db.Column(db.Integer, primary_key=True)


        def write_{name}(n):
            row = {title}(id=n)
            db.session.add(row)
            {calls and calls + "(n)"}
            return row


        def count_{name}():
            return {title}.query.count()


        @bp.post("/")
        def create_{name}():
            return {{"id": write_{name}(1).id}}


        @bp.get("/")
        def list_{name}():
            return {{"count": count_{name}()}}
        '''


SHOP = {
    "shop/__init__.py": "",
    "shop/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    "shop/app.py": '''
        from flask import Flask
        from shop.extensions import db
        from shop import orders, stock, notes


        def create_app():
            app = Flask(__name__)
            db.init_app(app)
            for module in (orders, stock, notes):
                app.register_blueprint(module.bp)
            return app
        ''',
    "shop/orders.py": domain("orders", "stock.write_stock"),
    "shop/stock.py": domain("stock"),
    "shop/notes.py": domain("notes"),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return element_graph(analyse(tmp_path_factory.mktemp("shop"), SHOP))


def homes_of(placement) -> dict[str, str]:
    return {**placement.partition(), **{e: SHARED for e in placement.shared}}


def plan_homes(graph, **constraints) -> dict[str, str]:
    return homes_of(propose(graph, PlanOptions(shared=SMALL, constraints=Constraints(**constraints))))


def decide(graph, crossings, constraints=Constraints(), homes=None):
    return resolve_crossings(graph, set(), homes or plan_homes(graph), constraints, crossings)


# ---------------------------------------------------------------- the follow constraint

def test_follow_moves_only_the_follower_and_leaves_the_clustering_as_it_was(graph):
    plain = plan_homes(graph)
    followed = plan_homes(graph, follow={"shop.stock:count_stock": "shop.notes:list_notes"})
    assert followed["shop.stock:count_stock"] == plain["shop.notes:list_notes"] != plain["shop.stock:count_stock"]
    moved = {e for e in plain if plain[e] != followed.get(e)} - {"shop.stock:count_stock"}
    assert not {e for e in moved if ":" in e and not e.endswith(":__module__")}, moved


def test_follow_of_a_name_the_analysis_lacks_is_unhonoured(graph):
    placement = propose(graph, PlanOptions(shared=SMALL, constraints=Constraints(follow={"shop.nope:x": "shop.notes:list_notes"})))
    assert [u.constraint for u in placement.unhonoured] == ["follow['shop.nope:x']"]


def test_follow_is_written_and_read_back_and_a_bad_one_is_a_field_problem(graph):
    constraints = Constraints(follow={"shop.stock:write_stock": "shop.orders:write_orders"})
    text = render(Plan([], Service(SHARED), constraints=constraints), "shop", lambda e: "", [])
    plan, problems = parse(tomlkit.parse(text), "decompose.toml")
    assert plan.constraints.follow == constraints.follow and problems == []
    doc = tomlkit.parse(text)
    doc["constraints"]["follow"] = ["shop.stock:write_stock"]
    _, problems = parse(doc, "decompose.toml")
    assert [p.where for p in problems] == ["constraints.follow"]


# ---------------------------------------------------------------- the decisions

def test_a_callee_only_one_other_service_calls_follows_that_caller(graph):
    homes = plan_homes(graph)
    crossing = Crossing("shop.orders:write_orders", "shop.stock:write_stock", homes["shop.orders:write_orders"],
                        homes["shop.stock:write_stock"])
    constraints, made = decide(graph, [crossing], homes=homes)
    assert [(d.kind, d.element, d.to) for d in made] == [("follow", "shop.stock:write_stock", "shop.orders:write_orders")]
    assert constraints.follow == {"shop.stock:write_stock": "shop.orders:write_orders"} and constraints.together == ()


def test_a_callee_crossed_again_after_following_goes_to_the_kernel(graph):
    homes = plan_homes(graph)
    first = Crossing("shop.orders:write_orders", "shop.stock:write_stock", "orders", "stock")
    constraints, _ = decide(graph, [first], homes=homes)
    again = Crossing("shop.stock:create_stock", "shop.stock:write_stock", "stock", "orders")
    constraints, made = decide(graph, [again], constraints, homes)
    assert [d.kind for d in made] == ["kernel"] and constraints.follow == {"shop.stock:write_stock": SHARED}


def test_a_callee_two_services_call_goes_to_the_kernel_at_once(graph):
    homes = plan_homes(graph)
    found = [Crossing("shop.orders:write_orders", "shop.stock:write_stock", "orders", homes["shop.stock:write_stock"]),
             Crossing("shop.notes:write_notes", "shop.stock:write_stock", "notes", homes["shop.stock:write_stock"])]
    constraints, made = decide(graph, found, homes=homes)
    assert [d.kind for d in made] == ["kernel"] and made[0].why.startswith("needed in the process of services notes, orders")
    assert constraints.follow == {"shop.stock:write_stock": SHARED} and constraints.pins == {}


def test_a_route_handler_never_moves_its_caller_follows_it_instead(graph):
    found = [Crossing("shop.orders:write_orders", "shop.stock:create_stock", "orders", "stock")]
    constraints, made = decide(graph, found)
    assert [(d.kind, d.element) for d in made] == [("caller-follows", "shop.orders:write_orders")]
    assert constraints.follow == {"shop.orders:write_orders": "shop.stock:create_stock"}


def test_two_route_handlers_are_left_never_glued(graph):
    found = [Crossing("shop.orders:create_orders", "shop.stock:create_stock", "orders", "stock")]
    constraints, made = decide(graph, found)
    assert [d.kind for d in made] == ["left"] and constraints == Constraints()


def test_code_the_user_pinned_is_not_moved(graph):
    found = [Crossing("shop.orders:write_orders", "shop.stock:write_stock", "orders", "stock")]
    pinned = Constraints(pins={"shop.stock:write_stock": "stock", "shop.orders:write_orders": "orders"})
    constraints, made = decide(graph, found, pinned)
    assert [d.kind for d in made] == ["left"] and constraints == pinned


def test_every_blueprint_is_a_route_family(graph):
    assert family_keys(graph) == ["shop.notes:bp", "shop.orders:bp", "shop.stock:bp"]


def test_a_stub_the_layer_needs_of_code_several_services_hold_goes_to_the_kernel(graph):
    found = [Crossing("shop.app", "shop.stock:count_stock", "orders", "stock"),
             Crossing("shop.app", "shop.stock:count_stock", "notes", "stock")]
    constraints, made = decide(graph, found)
    assert [d.kind for d in made] == ["kernel"] and constraints.follow == {"shop.stock:count_stock": SHARED}


def test_a_stub_the_layer_needs_of_a_route_handler_is_left_and_reported(graph):
    found = [Crossing("shop.app", "shop.stock:create_stock", "orders", "stock")]
    constraints, made = decide(graph, found)
    assert [d.kind for d in made] == ["left"] and "cannot move" in made[0].why
    assert constraints == Constraints()
