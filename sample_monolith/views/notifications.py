"""Notification routes: my inbox, mark read, and the admin view of the outbox."""
from __future__ import annotations

from flask import Blueprint

from sample_monolith.extensions import db
from sample_monolith.models.notification import OUTBOX_STATUSES, Notification, OutboxMessage
from sample_monolith.services import notifications
from sample_monolith.utils import admin_required, current_user, login_required, paginate, query_bool, query_choice

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications")


@bp.get("")
@login_required
def inbox():
    stmt = notifications.inbox_stmt(current_user().id, unread_only=query_bool("unread"))
    return paginate(stmt, Notification.to_dict)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    notification = notifications.mark_read(current_user().id, notification_id)
    db.session.commit()
    return {"notification": notification.to_dict()}


@bp.post("/read-all")
@login_required
def mark_all_read():
    updated = notifications.mark_all_read(current_user().id)
    db.session.commit()
    return {"updated": updated}


@bp.get("/outbox")
@admin_required
def outbox():
    status = query_choice("status", OUTBOX_STATUSES, None)
    return paginate(notifications.outbox_stmt(status), OutboxMessage.to_dict)
