"""Admin routes: user management and platform statistics."""
from __future__ import annotations

from flask import Blueprint, request

from sample_monolith.extensions import db
from sample_monolith.models.user import User
from sample_monolith.services import accounts, reports
from sample_monolith.utils import admin_required, current_user, get_field, json_body, paginate, query_bool

bp = Blueprint("admin", __name__, url_prefix="/api/admin")


@bp.get("/users")
@admin_required
def list_users():
    stmt = accounts.users_stmt(banned=query_bool("banned", None), search=request.args.get("q", "").strip())
    return paginate(stmt, User.admin_dict)


@bp.post("/users/<int:user_id>/ban")
@admin_required
def ban_user(user_id: int):
    reason = get_field(json_body(), "reason", str, max_length=200)
    user = accounts.ban_user(current_user(), user_id, reason)
    db.session.commit()
    return {"user": user.admin_dict()}


@bp.post("/users/<int:user_id>/unban")
@admin_required
def unban_user(user_id: int):
    user = accounts.unban_user(user_id)
    db.session.commit()
    return {"user": user.admin_dict()}


@bp.get("/stats")
@admin_required
def stats():
    return reports.admin_stats()
