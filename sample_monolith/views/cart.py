"""Cart routes: view, add, change quantity, remove, clear."""
from __future__ import annotations

from flask import Blueprint

from sample_monolith.extensions import db
from sample_monolith.services import shop
from sample_monolith.utils import current_user, get_field, json_body, login_required, reject_unknown

bp = Blueprint("cart", __name__, url_prefix="/api/cart")


@bp.get("")
@login_required
def view_cart():
    return shop.cart_summary(current_user())


@bp.post("/items")
@login_required
def add_item():
    data = json_body()
    reject_unknown(data, ("product_id", "quantity"))
    item, created = shop.add_to_cart(
        current_user(),
        get_field(data, "product_id", int, min_value=1),
        get_field(data, "quantity", int, required=False, default=1, min_value=1),
    )
    db.session.commit()
    return {"item": item.to_dict(), "cart": shop.cart_summary(current_user())}, 201 if created else 200


@bp.patch("/items/<int:product_id>")
@login_required
def update_item(product_id: int):
    data = json_body()
    reject_unknown(data, ("quantity",))
    item = shop.update_cart_item(current_user(), product_id, get_field(data, "quantity", int, min_value=1))
    db.session.commit()
    return {"item": item.to_dict(), "cart": shop.cart_summary(current_user())}


@bp.delete("/items/<int:product_id>")
@login_required
def remove_item(product_id: int):
    shop.remove_from_cart(current_user(), product_id)
    db.session.commit()
    return "", 204


@bp.delete("")
@login_required
def clear_cart():
    removed = shop.clear_cart(current_user())
    db.session.commit()
    return {"removed": removed}
