"""A customer's own account and orders."""
from flask import Blueprint, abort, jsonify, request

from shop.extensions import auth, db
from shop.models import Order, OrderLine, Product

blueprint = Blueprint("account", __name__, url_prefix="/api/account")


@blueprint.route("")
@auth.login_required
def me():
    user = auth.current_user()
    return jsonify({**user.to_dict(), "orders": len(user.orders)})


@blueprint.route("/orders", methods=["GET"])
@auth.login_required
def my_orders():
    return jsonify({"orders": [order.to_dict() for order in auth.current_user().orders]})


@blueprint.route("/orders", methods=["POST"])
@auth.login_required
def place_order():
    lines = (request.get_json(silent=True) or {}).get("lines") or []
    if not lines:
        abort(400, description="an order needs at least one line")
    order = Order(customer=auth.current_user())
    db.session.add(order)
    for line in lines:
        product = Product.query.filter_by(sku=line.get("sku"), active=True).first()
        quantity = int(line.get("quantity", 1))
        if product is None:
            abort(400, description=f"unknown sku {line.get('sku')!r}")
        if quantity < 1 or quantity > product.stock:
            abort(400, description=f"not enough stock for {product.sku}")
        product.stock -= quantity
        order.lines.append(OrderLine(product=product, quantity=quantity, unit_cents=product.price_cents))
    db.session.commit()
    return jsonify(order.to_dict()), 201
