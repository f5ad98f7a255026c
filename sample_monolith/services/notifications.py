"""Notifications: an outbox table drained by an in-process background worker."""
from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, event, select, update
from sqlalchemy.orm import Session

from sample_monolith.extensions import db
from sample_monolith.models.notification import Notification, OutboxMessage
from sample_monolith.utils import forbidden, not_found, now

_PENDING_KEY = "outbox_pending_ids"

_queue: deque[tuple[Flask, int]] = deque()
_wakeup = threading.Event()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def enqueue(recipient_id: int, kind: str, body: str, payload: dict[str, Any] | None = None) -> OutboxMessage:
    """Write an outbox row; deliver it now (sync mode) or after commit via the worker."""
    message = OutboxMessage(
        recipient_id=recipient_id,
        kind=kind,
        body=body,
        payload_json=json.dumps(payload or {}, sort_keys=True),
        status="pending",
        created_at=now(),
    )
    db.session.add(message)
    db.session.flush()
    if current_app.config["NOTIFICATIONS_SYNC"]:
        deliver(message)
    else:
        db.session.info.setdefault(_PENDING_KEY, []).append(message.id)
    return message


def deliver(message: OutboxMessage) -> Notification:
    notification = Notification(
        user_id=message.recipient_id,
        outbox_id=message.id,
        kind=message.kind,
        body=message.body,
        created_at=now(),
    )
    db.session.add(notification)
    message.status = "delivered"
    message.delivered_at = now()
    return notification


@event.listens_for(db.session, "after_commit")
def _publish_committed(session: Session) -> None:
    message_ids = session.info.pop(_PENDING_KEY, [])
    if not message_ids:
        return
    app = current_app._get_current_object()
    _queue.extend((app, message_id) for message_id in message_ids)
    _ensure_worker()
    _wakeup.set()


@event.listens_for(db.session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def _ensure_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run_worker, name="notifications-worker", daemon=True)
            _worker.start()


def _run_worker() -> None:
    while True:
        _wakeup.wait()
        _wakeup.clear()
        drain()


def drain() -> int:
    """Deliver everything queued in this process; returns how many messages were delivered."""
    delivered = 0
    while True:
        try:
            app, message_id = _queue.popleft()
        except IndexError:
            return delivered
        with app.app_context():
            delivered += _deliver_by_id(message_id)


def _deliver_by_id(message_id: int) -> int:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != "pending":
        return 0
    deliver(message)
    db.session.commit()
    return 1


def queue_depth() -> int:
    return len(_queue)


def reset_queue() -> None:
    _queue.clear()


def inbox_stmt(user_id: int, unread_only: bool = False) -> Select:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


def outbox_stmt(status: str | None = None) -> Select:
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return stmt.order_by(OutboxMessage.id)


def get_notification(user_id: int, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        raise not_found("notification")
    if notification.user_id != user_id:
        raise forbidden("this notification belongs to another user")
    return notification


def mark_read(user_id: int, notification_id: int) -> Notification:
    notification = get_notification(user_id, notification_id)
    if notification.read_at is None:
        notification.read_at = now()
    return notification


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
    return result.rowcount
