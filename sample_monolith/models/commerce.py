"""Commerce models: catalog, cart and orders, stock and payments all live here."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sample_monolith.extensions import db
from sample_monolith.utils import isoformat

if TYPE_CHECKING:
    from sample_monolith.models.media import Photo
    from sample_monolith.models.user import User

ORDER_STATUSES = ("pending", "paid", "payment_failed", "cancelled")
PAYMENT_STATUSES = ("pending", "captured", "declined", "failed", "partially_refunded", "refunded")


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))

    parent: Mapped[Category | None] = relationship(
        "Category", remote_side="Category.id", back_populates="children"
    )
    children: Mapped[list[Category]] = relationship("Category", back_populates="parent")
    products: Mapped[list[Product]] = relationship("Product", back_populates="category")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "slug": self.slug, "parent_id": self.parent_id}


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    seller: Mapped[User] = relationship("User", back_populates="products")
    category: Mapped[Category | None] = relationship("Category", back_populates="products")
    tags: Mapped[list[ProductTag]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductTag.name"
    )
    photos: Mapped[list[Photo]] = relationship("Photo", back_populates="product", order_by="Photo.id")
    stock: Mapped[StockLevel | None] = relationship("StockLevel", back_populates="product")

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seller_id": self.seller_id,
            "title": self.title,
            "description": self.description,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "category": self.category.slug if self.category else None,
            "tags": self.tag_names,
            "photo_ids": [photo.id for photo in self.photos],
            "in_stock": bool(self.stock and self.stock.quantity > 0),
            "status": self.status,
            "created_at": isoformat(self.created_at),
            "updated_at": isoformat(self.updated_at),
        }


class ProductTag(db.Model):
    __tablename__ = "product_tags"
    __table_args__ = (UniqueConstraint("product_id", "name", name="uq_product_tags_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(40), index=True)

    product: Mapped[Product] = relationship(back_populates="tags")


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id", name="uq_cart_items_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    added_at: Mapped[datetime]

    user: Mapped[User] = relationship("User", back_populates="cart_items")
    product: Mapped[Product] = relationship("Product")

    @property
    def line_total_cents(self) -> int:
        return self.product.price_cents * self.quantity

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "title": self.product.title,
            "unit_price_cents": self.product.price_cents,
            "quantity": self.quantity,
            "line_total_cents": self.line_total_cents,
            "added_at": isoformat(self.added_at),
        }


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    total_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]

    buyer: Mapped[User] = relationship("User", back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        "OrderItem", back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    payments: Mapped[list[Payment]] = relationship("Payment", back_populates="order", order_by="Payment.id")

    @property
    def latest_payment(self) -> Payment | None:
        return self.payments[-1] if self.payments else None

    def to_dict(self) -> dict[str, Any]:
        payment = self.latest_payment
        return {
            "id": self.id,
            "buyer_id": self.buyer_id,
            "status": self.status,
            "total_cents": self.total_cents,
            "currency": self.currency,
            "items": [item.to_dict() for item in self.items],
            "payment": payment.summary() if payment else None,
            "created_at": isoformat(self.created_at),
            "cancelled_at": isoformat(self.cancelled_at),
        }


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]

    order: Mapped[Order] = relationship("Order", back_populates="items")
    product: Mapped[Product] = relationship("Product")

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "seller_id": self.seller_id,
            "title": self.title,
            "unit_price_cents": self.unit_price_cents,
            "quantity": self.quantity,
            "line_total_cents": self.line_total_cents,
        }


class StockLevel(db.Model):
    __tablename__ = "stock_levels"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]

    product: Mapped[Product] = relationship("Product", back_populates="stock")

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "updated_at": isoformat(self.updated_at),
        }


class StockMovement(db.Model):
    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "product_id": self.product_id,
            "order_id": self.order_id,
            "delta": self.delta,
            "reason": self.reason,
            "note": self.note,
            "created_at": isoformat(self.created_at),
        }


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    card_last4: Mapped[str] = mapped_column(String(4))
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    order: Mapped[Order] = relationship("Order", back_populates="payments")
    refunds: Mapped[list[Refund]] = relationship("Refund", back_populates="payment", order_by="Refund.id")

    @property
    def refunded_cents(self) -> int:
        return sum(refund.amount_cents for refund in self.refunds)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "amount_cents": self.amount_cents}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order_id": self.order_id,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "status": self.status,
            "card_last4": self.card_last4,
            "provider_ref": self.provider_ref,
            "failure_reason": self.failure_reason,
            "attempts": self.attempts,
            "refunded_cents": self.refunded_cents,
            "refunds": [refund.to_dict() for refund in self.refunds],
            "created_at": isoformat(self.created_at),
        }


class Refund(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200), default="")
    provider_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    payment: Mapped[Payment] = relationship("Payment", back_populates="refunds")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payment_id": self.payment_id,
            "amount_cents": self.amount_cents,
            "reason": self.reason,
            "provider_ref": self.provider_ref,
            "created_at": isoformat(self.created_at),
        }
