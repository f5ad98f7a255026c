"""Checkout and the order lifecycle; orchestrates inventory, payments and notifications."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Select, select

from sample_monolith.extensions import db
from sample_monolith.models.commerce import CartItem, Order, OrderItem
from sample_monolith.services import accounts, inventory, notifications, payments, shop
from sample_monolith.utils import ApiError, bad_request, conflict, forbidden, not_found, now

if TYPE_CHECKING:
    from sample_monolith.models.user import User


def checkout(buyer: User, card_number: str) -> Order:
    """Turn the cart into a paid order: reserve stock, charge the card, notify everyone."""
    items = shop.cart_items(buyer)
    if not items:
        raise bad_request("cart is empty")
    payments.validate_card(card_number)
    _check_sellers(items)
    order = _build_order(buyer, items)
    inventory.reserve(order)
    try:
        payments.charge(order, card_number)
    except ApiError:
        _abandon(order)
        raise
    order.status = "paid"
    shop.clear_cart(buyer)
    _notify_placed(order)
    return order


def _check_sellers(items: list[CartItem]) -> None:
    for item in items:
        if item.product.status != "active":
            raise conflict(f"product {item.product_id} is no longer available", product_id=item.product_id)
        if accounts.is_banned(item.product.seller_id):
            raise conflict(f"the seller of product {item.product_id} is banned", product_id=item.product_id)


def _build_order(buyer: User, items: list[CartItem]) -> Order:
    order = Order(
        buyer=buyer,
        status="pending",
        total_cents=sum(item.line_total_cents for item in items),
        currency=current_app.config["CURRENCY"],
        created_at=now(),
    )
    order.items = [
        OrderItem(
            product_id=item.product_id,
            seller_id=item.product.seller_id,
            title=item.product.title,
            unit_price_cents=item.product.price_cents,
            quantity=item.quantity,
        )
        for item in items
    ]
    db.session.add(order)
    db.session.flush()
    return order


def _abandon(order: Order) -> None:
    """Keep the failed order and payment for the record, give the stock back."""
    inventory.release(order, "payment_failed")
    order.status = "payment_failed"
    db.session.commit()


def _notify_placed(order: Order) -> None:
    notifications.enqueue(
        order.buyer_id,
        "order_placed",
        f"Order #{order.id} is confirmed",
        {"order_id": order.id, "total_cents": order.total_cents},
    )
    for seller_id in sorted({item.seller_id for item in order.items}):
        notifications.enqueue(seller_id, "item_sold", f"You sold items in order #{order.id}", {"order_id": order.id})


def orders_stmt(user: User, status: str | None = None) -> Select:
    stmt = select(Order).where(Order.buyer_id == user.id)
    if status:
        stmt = stmt.where(Order.status == status)
    return stmt.order_by(Order.id.desc())


def get_order(order_id: int, user: User) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise not_found("order")
    if order.buyer_id != user.id and not user.is_admin:
        raise forbidden("this order belongs to another user")
    return order


def cancel(order: Order, user: User) -> Order:
    """Refund and restock a paid order."""
    if order.status == "cancelled":
        raise conflict("order is already cancelled")
    if order.status != "paid":
        raise conflict(f"a {order.status} order cannot be cancelled")
    payments.refund(order.latest_payment, reason=f"order cancelled by user {user.id}")
    inventory.release(order, "order_cancelled")
    order.status = "cancelled"
    order.cancelled_at = now()
    notifications.enqueue(order.buyer_id, "order_cancelled", f"Order #{order.id} was cancelled and refunded",
                          {"order_id": order.id})
    return order
