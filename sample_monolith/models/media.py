"""Media models: uploaded photos and the labels the recognizer gave them."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sample_monolith.extensions import db
from sample_monolith.utils import isoformat

if TYPE_CHECKING:
    from sample_monolith.models.commerce import Product
    from sample_monolith.models.user import User


class Photo(db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]

    owner: Mapped[User] = relationship("User")
    product: Mapped[Product | None] = relationship("Product", back_populates="photos")
    labels: Mapped[list[PhotoLabel]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", order_by="PhotoLabel.id"
    )

    @property
    def raw_url(self) -> str:
        return f"/api/images/{self.id}/raw"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner_id": self.owner_id,
            "product_id": self.product_id,
            "original_name": self.original_name,
            "content_type": self.content_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "labels": [label.to_dict() for label in self.labels],
            "raw_url": self.raw_url,
            "created_at": isoformat(self.created_at),
        }


class PhotoLabel(db.Model):
    __tablename__ = "photo_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    name: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[int]

    photo: Mapped[Photo] = relationship(back_populates="labels")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": self.confidence}
