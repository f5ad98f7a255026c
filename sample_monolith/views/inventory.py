"""Inventory routes: stock levels, restocking, movements and low-stock alerts."""
from __future__ import annotations

from flask import Blueprint, current_app

from sample_monolith.extensions import db
from sample_monolith.models.commerce import StockLevel, StockMovement
from sample_monolith.services import inventory
from sample_monolith.utils import current_user, get_field, json_body, login_required, paginate, query_int, reject_unknown

bp = Blueprint("inventory", __name__, url_prefix="/api/inventory")


@bp.get("/<int:product_id>")
def stock_level(product_id: int):
    return {"stock": inventory.get_stock(product_id).to_dict()}


@bp.post("/<int:product_id>/restock")
@login_required
def restock(product_id: int):
    data = json_body()
    reject_unknown(data, ("quantity", "note"))
    level = inventory.restock(
        current_user(),
        product_id,
        get_field(data, "quantity", int, min_value=1, max_value=100_000),
        get_field(data, "note", str, required=False, default="", min_length=0, max_length=200),
    )
    db.session.commit()
    return {"stock": level.to_dict()}


@bp.get("/<int:product_id>/movements")
@login_required
def stock_movements(product_id: int):
    return paginate(inventory.movements_stmt(current_user(), product_id), StockMovement.to_dict)


@bp.get("/low-stock")
@login_required
def low_stock():
    threshold = query_int("threshold", current_app.config["LOW_STOCK_THRESHOLD"], min_value=0)
    return paginate(inventory.low_stock_stmt(current_user(), threshold), StockLevel.to_dict)
