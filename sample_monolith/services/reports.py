"""Sales reports and admin statistics, computed by walking every order in Python."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select

from sample_monolith.extensions import db
from sample_monolith.models.commerce import ORDER_STATUSES, Order, OrderItem, Product
from sample_monolith.models.notification import OutboxMessage
from sample_monolith.models.user import User
from sample_monolith.services import notifications
from sample_monolith.utils import forbidden, isoformat

TOP_PRODUCTS = 10


def sales_report(viewer: User, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Revenue per day and per product; sellers see their own lines, admins see everything."""
    if not (viewer.is_admin or viewer.is_seller):
        raise forbidden("sales reports are only available to sellers and administrators")
    seller_id = None if viewer.is_admin else viewer.id
    totals = {"orders": 0, "units": 0, "revenue_cents": 0}
    by_day: dict[str, dict[str, int]] = {}
    by_product: dict[int, dict[str, Any]] = {}
    for order in db.session.scalars(select(Order).order_by(Order.id)):
        lines = _matching_lines(order, seller_id, since, until)
        if lines:
            _accumulate(order, lines, totals, by_day, by_product)
    return {
        "scope": "all" if seller_id is None else "seller",
        "seller_id": seller_id,
        "since": isoformat(since),
        "until": isoformat(until),
        **totals,
        "by_day": [{"date": day, **values} for day, values in sorted(by_day.items())],
        "top_products": _top_products(by_product),
    }


def _matching_lines(order: Order, seller_id: int | None, since: date | None,
                    until: date | None) -> list[OrderItem]:
    if order.status != "paid":
        return []
    day = order.created_at.date()
    if (since and day < since) or (until and day > until):
        return []
    return [item for item in order.items if seller_id is None or item.seller_id == seller_id]


def _accumulate(order: Order, lines: list[OrderItem], totals: dict[str, int],
                by_day: dict[str, dict[str, int]], by_product: dict[int, dict[str, Any]]) -> None:
    revenue = sum(item.line_total_cents for item in lines)
    units = sum(item.quantity for item in lines)
    totals["orders"] += 1
    totals["units"] += units
    totals["revenue_cents"] += revenue
    day = by_day.setdefault(order.created_at.date().isoformat(), {"orders": 0, "revenue_cents": 0})
    day["orders"] += 1
    day["revenue_cents"] += revenue
    for item in lines:
        entry = by_product.setdefault(
            item.product_id, {"product_id": item.product_id, "title": item.title, "units": 0, "revenue_cents": 0}
        )
        entry["units"] += item.quantity
        entry["revenue_cents"] += item.line_total_cents


def _top_products(by_product: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    ranked = sorted(by_product.values(), key=lambda entry: (-entry["revenue_cents"], entry["product_id"]))
    return ranked[:TOP_PRODUCTS]


def admin_stats() -> dict[str, Any]:
    return {
        "users": _user_stats(),
        "products": _count_by(Product.status),
        "orders": {status: 0 for status in ORDER_STATUSES} | _count_by(Order.status),
        "revenue_cents": _paid_revenue(),
        "notifications": {
            "outbox": _count_by(OutboxMessage.status),
            "queue_depth": notifications.queue_depth(),
        },
    }


def _user_stats() -> dict[str, int]:
    def count(*conditions: Any) -> int:
        return db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0

    return {
        "total": count(),
        "sellers": count(User.is_seller.is_(True)),
        "admins": count(User.is_admin.is_(True)),
        "banned": count(User.is_banned.is_(True)),
    }


def _count_by(column: Any) -> dict[str, int]:
    rows = db.session.execute(select(column, func.count()).group_by(column)).all()
    return dict(sorted((value, count) for value, count in rows))


def _paid_revenue() -> int:
    counter: Counter[str] = Counter()
    for order in db.session.scalars(select(Order)):
        counter[order.status] += order.total_cents
    return counter["paid"]
