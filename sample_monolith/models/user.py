"""Account models: users, API tokens and follows."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sample_monolith.extensions import db
from sample_monolith.utils import isoformat

if TYPE_CHECKING:
    from sample_monolith.models.commerce import CartItem, Order, Product


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    bio: Mapped[str] = mapped_column(String(500), default="")
    theme: Mapped[str] = mapped_column(String(16), default="light")
    is_seller: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_banned: Mapped[bool] = mapped_column(default=False)
    ban_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    tokens: Mapped[list[AuthToken]] = relationship(back_populates="user", cascade="all, delete-orphan")
    products: Mapped[list[Product]] = relationship("Product", back_populates="seller")
    orders: Mapped[list[Order]] = relationship("Order", back_populates="buyer")
    cart_items: Mapped[list[CartItem]] = relationship(
        "CartItem", back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def role(self) -> str:
        return "seller" if self.is_seller else "buyer"

    def public_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "bio": self.bio,
            "role": self.role,
            "created_at": isoformat(self.created_at),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.public_dict(),
            "email": self.email,
            "theme": self.theme,
            "is_admin": self.is_admin,
            "is_banned": self.is_banned,
        }

    def admin_dict(self) -> dict[str, Any]:
        return {**self.to_dict(), "ban_reason": self.ban_reason}


class AuthToken(db.Model):
    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("follower_id", "seller_id", name="uq_follows_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    follower: Mapped[User] = relationship("User", foreign_keys=[follower_id])
    seller: Mapped[User] = relationship("User", foreign_keys=[seller_id])
