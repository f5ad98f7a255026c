"""Back-office endpoints: admins only."""
from flask import Blueprint, abort, jsonify, request

from shop.extensions import auth, db
from shop.models import Order, Product

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")

EDITABLE = ("name", "price_cents", "stock", "active")


@blueprint.route("/products", methods=["POST"])
@auth.login_required(role="admin")
def create_product():
    data = request.get_json(silent=True) or {}
    try:
        product = Product(
            sku=data["sku"].upper(), name=data["name"], price_cents=int(data["price_cents"]), stock=int(data.get("stock", 0))
        )
    except (KeyError, TypeError, ValueError):
        abort(400, description="sku, name and price_cents are required")
    if Product.query.filter_by(sku=product.sku).first():
        abort(400, description="sku exists")
    db.session.add(product)
    db.session.commit()
    return jsonify(product.to_dict()), 201


@blueprint.route("/products/<int:product_id>", methods=["PATCH"])
@auth.login_required(role="admin")
def update_product(product_id):
    product = db.session.get(Product, product_id) or abort(404, description="no such product")
    data = request.get_json(silent=True) or {}
    for key in EDITABLE:
        if key in data:
            setattr(product, key, data[key])
    db.session.commit()
    return jsonify(product.to_dict())


@blueprint.route("/orders")
@auth.login_required(role="admin")
def all_orders():
    status = request.args.get("status")
    query = Order.query.order_by(Order.id)
    if status:
        query = query.filter_by(status=status)
    return jsonify({"orders": [order.to_dict() for order in query]})


@blueprint.route("/orders/<int:order_id>/ship", methods=["POST"])
@auth.login_required(role="admin")
def ship_order(order_id):
    order = db.session.get(Order, order_id) or abort(404, description="no such order")
    if order.status != "placed":
        abort(400, description=f"order is {order.status}")
    order.status = "shipped"
    db.session.commit()
    return jsonify(order.to_dict())
