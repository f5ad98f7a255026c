"""Order routes: checkout, history, detail and cancellation."""
from __future__ import annotations

from flask import Blueprint

from sample_monolith.extensions import db
from sample_monolith.models.commerce import ORDER_STATUSES, Order
from sample_monolith.services import orders
from sample_monolith.utils import current_user, get_field, json_body, login_required, paginate, query_choice

bp = Blueprint("orders", __name__, url_prefix="/api/orders")


@bp.post("/checkout")
@login_required
def checkout():
    data = json_body()
    order = orders.checkout(current_user(), get_field(data, "card_number", str, max_length=32))
    db.session.commit()
    return {"order": order.to_dict()}, 201


@bp.get("")
@login_required
def list_orders():
    status = query_choice("status", ORDER_STATUSES, None)
    return paginate(orders.orders_stmt(current_user(), status), Order.to_dict)


@bp.get("/<int:order_id>")
@login_required
def get_order(order_id: int):
    return {"order": orders.get_order(order_id, current_user()).to_dict()}


@bp.post("/<int:order_id>/cancel")
@login_required
def cancel_order(order_id: int):
    order = orders.get_order(order_id, current_user())
    orders.cancel(order, current_user())
    db.session.commit()
    return {"order": order.to_dict()}
