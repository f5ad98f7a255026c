"""Stock levels: initial stock, reservations for orders, releases and restocking."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Select, select

from sample_monolith.extensions import db
from sample_monolith.models.commerce import Order, Product, StockLevel, StockMovement
from sample_monolith.utils import conflict, forbidden, not_found, now

if TYPE_CHECKING:
    from sample_monolith.models.user import User


def get_stock(product_id: int) -> StockLevel:
    level = db.session.get(StockLevel, product_id)
    if level is None or level.product.status != "active":
        raise not_found("stock for product")
    return level


def available(product_id: int) -> int:
    level = db.session.get(StockLevel, product_id)
    return level.quantity if level else 0


def ensure_stock(product: Product, quantity: int) -> StockLevel:
    level = StockLevel(product_id=product.id, quantity=quantity, updated_at=now())
    db.session.add(level)
    _record(product.id, quantity, "initial")
    return level


def _owned_product(user: User, product_id: int) -> Product:
    from sample_monolith.services import shop  # shop imports inventory at module level

    product = shop.get_product(product_id)
    if product.seller_id != user.id and not user.is_admin:
        raise forbidden("only the seller or an administrator can manage this stock")
    return product


def restock(user: User, product_id: int, quantity: int, note: str = "") -> StockLevel:
    _owned_product(user, product_id)
    level = get_stock(product_id)
    level.quantity += quantity
    level.updated_at = now()
    _record(product_id, quantity, "restock", note=note)
    return level


def movements_stmt(user: User, product_id: int) -> Select:
    _owned_product(user, product_id)
    return (
        select(StockMovement)
        .where(StockMovement.product_id == product_id)
        .order_by(StockMovement.id)
    )


def low_stock_stmt(seller: User, threshold: int) -> Select:
    if not seller.is_seller:
        raise forbidden("only sellers have stock to monitor")
    return (
        select(StockLevel)
        .join(Product, Product.id == StockLevel.product_id)
        .where(
            Product.seller_id == seller.id,
            Product.status == "active",
            StockLevel.quantity <= threshold,
        )
        .order_by(StockLevel.quantity, StockLevel.product_id)
    )


def reserve(order: Order) -> None:
    """Take stock for every order line, or raise 409 listing the shortages."""
    shortages = []
    for item in order.items:
        have = available(item.product_id)
        if have < item.quantity:
            shortages.append({"product_id": item.product_id, "requested": item.quantity, "available": have})
    if shortages:
        raise conflict("insufficient stock", shortages=shortages)
    for item in order.items:
        _adjust(item.product_id, -item.quantity, "reserved", order.id)


def release(order: Order, reason: str) -> None:
    for item in order.items:
        _adjust(item.product_id, item.quantity, reason, order.id)


def _adjust(product_id: int, delta: int, reason: str, order_id: int | None = None) -> None:
    level = db.session.get(StockLevel, product_id)
    level.quantity += delta
    level.updated_at = now()
    _record(product_id, delta, reason, order_id=order_id)


def _record(product_id: int, delta: int, reason: str, *, order_id: int | None = None, note: str = "") -> None:
    movement = StockMovement(
        product_id=product_id,
        order_id=order_id,
        delta=delta,
        reason=reason,
        note=note,
        created_at=now(),
    )
    db.session.add(movement)
