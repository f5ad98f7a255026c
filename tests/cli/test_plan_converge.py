"""`decompose plan --converge` on a shop whose checkout writes an order, then reserves stock, clears the
cart and leaves a note, each written by another blueprint's code in the same transaction (as the sample's
checkout does): converging must remove every crossing without gluing services. Gluing each crossing pair
together (before #23) ended with one service holding all five tables and the others none.

Real analysis, planning and generation (--dry-run); nothing is faked."""

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_in

SHOP = {
    "shop/__init__.py": "",
    "shop/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "shop/models.py": '''
        from shop.extensions import db


        class Order(db.Model):
            __tablename__ = "orders"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer)
            total = db.Column(db.Integer)


        class StockLevel(db.Model):
            __tablename__ = "stock_levels"
            product_id = db.Column(db.Integer, primary_key=True)
            quantity = db.Column(db.Integer)


        class Payment(db.Model):
            __tablename__ = "payments"
            id = db.Column(db.Integer, primary_key=True)
            order_id = db.Column(db.Integer)
            amount = db.Column(db.Integer)


        class CartItem(db.Model):
            __tablename__ = "cart_items"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer)
            product_id = db.Column(db.Integer)


        class Note(db.Model):
            __tablename__ = "notes"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer)
            text = db.Column(db.String)
        ''',
    "shop/app.py": '''
        from flask import Flask

        from shop.extensions import db
        from shop.views import cart, notes, orders, payments, stock


        def create_app():
            app = Flask(__name__)
            db.init_app(app)
            for module in (cart, notes, orders, payments, stock):
                app.register_blueprint(module.bp)
            return app
        ''',
    "shop/services/__init__.py": "",
    "shop/services/notes.py": '''
        from shop.extensions import db
        from shop.models import Note


        def enqueue(user_id, text):
            note = Note(user_id=user_id, text=text)
            db.session.add(note)
            db.session.flush()
            return note.id


        def notes_of(user_id):
            return [n.text for n in Note.query.filter_by(user_id=user_id)]
        ''',
    "shop/services/stock.py": '''
        from shop.extensions import db
        from shop.models import StockLevel
        from shop.services.notes import enqueue


        def _adjust(product_id, delta):
            level = StockLevel.query.get(product_id) or StockLevel(product_id=product_id, quantity=0)
            level.quantity += delta
            db.session.add(level)
            return level.quantity


        def reserve(product_id, quantity):
            return _adjust(product_id, -quantity)


        def restock(user_id, product_id, quantity):
            left = _adjust(product_id, quantity)
            enqueue(user_id, f"restocked {product_id}")
            db.session.commit()
            return left


        def level(product_id):
            row = StockLevel.query.get(product_id)
            return row.quantity if row else 0
        ''',
    "shop/services/payments.py": '''
        from shop.extensions import db
        from shop.models import Payment


        def charge(order_id, amount):
            payment = Payment(order_id=order_id, amount=amount)
            db.session.add(payment)
            db.session.flush()
            return payment.id


        def payments_of(order_id):
            return [p.amount for p in Payment.query.filter_by(order_id=order_id)]
        ''',
    "shop/services/cart.py": '''
        from shop.extensions import db
        from shop.models import CartItem


        def add_item(user_id, product_id):
            db.session.add(CartItem(user_id=user_id, product_id=product_id))
            db.session.commit()


        def items(user_id):
            return [i.product_id for i in CartItem.query.filter_by(user_id=user_id)]


        def clear_cart(user_id):
            CartItem.query.filter_by(user_id=user_id).delete()
        ''',
    "shop/services/orders.py": '''
        from shop.extensions import db
        from shop.models import Order
        from shop.services.cart import clear_cart, items
        from shop.services.notes import enqueue
        from shop.services.payments import charge
        from shop.services.stock import reserve


        def checkout(user_id):
            products = items(user_id)
            order = Order(user_id=user_id, total=len(products))
            db.session.add(order)
            db.session.flush()
            for product_id in products:
                reserve(product_id, 1)
            charge(order.id, order.total)
            clear_cart(user_id)
            enqueue(user_id, f"order {order.id} placed")
            db.session.commit()
            return order.id


        def order_total(order_id):
            return Order.query.get(order_id).total
        ''',
    "shop/views/__init__.py": "",
    "shop/views/orders.py": '''
        from flask import Blueprint

        from shop.services.orders import checkout, order_total

        bp = Blueprint("orders", __name__, url_prefix="/orders")


        @bp.post("/checkout/<int:user_id>")
        def place(user_id):
            return {"id": checkout(user_id)}


        @bp.get("/<int:order_id>")
        def show(order_id):
            return {"total": order_total(order_id)}
        ''',
    "shop/views/stock.py": '''
        from flask import Blueprint

        from shop.services.stock import level, restock

        bp = Blueprint("stock", __name__, url_prefix="/stock")


        @bp.post("/<int:product_id>/<int:user_id>")
        def add(product_id, user_id):
            return {"left": restock(user_id, product_id, 10)}


        @bp.get("/<int:product_id>")
        def show(product_id):
            return {"left": level(product_id)}
        ''',
    "shop/views/payments.py": '''
        from flask import Blueprint

        from shop.services.payments import payments_of

        bp = Blueprint("payments", __name__, url_prefix="/payments")


        @bp.get("/<int:order_id>")
        def listing(order_id):
            return {"amounts": payments_of(order_id)}
        ''',
    "shop/views/cart.py": '''
        from flask import Blueprint

        from shop.services.cart import add_item, clear_cart, items

        bp = Blueprint("cart", __name__, url_prefix="/cart")


        @bp.post("/<int:user_id>/<int:product_id>")
        def add(user_id, product_id):
            add_item(user_id, product_id)
            return {"items": items(user_id)}


        @bp.delete("/<int:user_id>")
        def empty(user_id):
            clear_cart(user_id)
            return {"items": []}
        ''',
    "shop/views/notes.py": '''
        from flask import Blueprint

        from shop.services.notes import notes_of

        bp = Blueprint("notes", __name__, url_prefix="/notes")


        @bp.get("/<int:user_id>")
        def listing(user_id):
            return {"notes": notes_of(user_id)}
        ''',
}



@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(folder, plain plan, crossings of the plain plan, converge's answer, converged plan, its generation report)."""
    where = tmp_path_factory.mktemp("shop")
    for rel, source in SHOP.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    plain = json.loads(run_in(where, ["analyze", "shop", "-q"], ["plan", "--json", "-q"]))
    before = json.loads(run_in(where, ["generate", "--dry-run", "--json", "-q"]))
    converged = json.loads(run_in(where, ["plan", "--converge", "--json", "-q"]))
    report = json.loads(run_in(where, ["generate", "--dry-run", "--json", "-q"]))
    return where, plain, before, converged, report


def crossings(report: dict) -> list[dict]:
    return [c for s in report["services"] for c in s["crossings"]]


def stubs(report: dict) -> list[dict]:
    return [c for s in report["services"] for c in s["clients"] if c["kind"] == "stub"]


def test_the_plain_plan_splits_the_checkout_transaction(shop):
    _, _, before, _, _ = shop
    assert {(c["caller"], c["target"]) for c in crossings(before)} >= {
        ("shop.services.orders:checkout", "shop.services.stock:reserve"),
        ("shop.services.orders:checkout", "shop.services.notes:enqueue")}


def test_converging_leaves_no_crossing_and_no_stub(shop):
    _, _, _, converged, report = shop
    assert crossings(report) == [] and stubs(report) == [] and report["together"] == []
    assert converged["together_added"] == 0 and converged["rounds"] >= 1


def test_converging_never_collapses_services(shop):
    """Same services, each with the tables and routes it had: only the crossed code moved."""
    _, plain, _, converged, _ = shop
    def owned(plan: dict) -> dict:
        return {s["name"]: (sorted(s["tables"]), sorted(s["routes"])) for s in plan["services"]}

    assert owned(converged) == owned(plain)
    assert len(converged["services"]) >= converged["route_families"] == 5


def test_the_callee_one_service_calls_follows_it_and_code_two_need_goes_to_the_kernel(shop):
    where, _, _, converged, _ = shop
    decided = {d["element"]: (d["kind"], d["to"]) for d in converged["decisions"]}
    assert decided["shop.services.stock:reserve"] == ("follow", "shop.services.orders:checkout")
    assert decided["shop.services.notes:enqueue"] == ("kernel", "shared")  # orders and stock write notes
    plan = (where / "decompose.toml").read_text()
    assert '"shop.services.notes:enqueue" = "shared"' in plan and '"shop.services.notes", #' in plan


def test_planning_again_keeps_the_plan_converged(shop):
    where, _, _, converged, _ = shop
    again = json.loads(run_in(where, ["plan", "--json", "-q"]))
    report = json.loads(run_in(where, ["generate", "--dry-run", "--json", "-q"]))
    assert crossings(report) == [] and stubs(report) == []
    assert [s["name"] for s in again["services"]] == [s["name"] for s in converged["services"]]
