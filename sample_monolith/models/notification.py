"""Notification models: the transactional outbox and the per-user inbox."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sample_monolith.extensions import db
from sample_monolith.utils import isoformat

OUTBOX_STATUSES = ("pending", "delivered")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(String(500))
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json or "{}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recipient_id": self.recipient_id,
            "kind": self.kind,
            "body": self.body,
            "payload": self.payload,
            "status": self.status,
            "created_at": isoformat(self.created_at),
            "delivered_at": isoformat(self.delivered_at),
        }


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"))
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    outbox_message: Mapped[OutboxMessage] = relationship("OutboxMessage")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "body": self.body,
            "payload": self.outbox_message.payload,
            "read": self.read_at is not None,
            "read_at": isoformat(self.read_at),
            "created_at": isoformat(self.created_at),
        }
