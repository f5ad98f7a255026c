"""Account routes: sign-up, login, profile and follows."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, make_response

from sample_monolith.extensions import db
from sample_monolith.models.user import User
from sample_monolith.services import accounts
from sample_monolith.utils import (
    bad_request,
    bearer_token,
    current_user,
    get_field,
    isoformat,
    json_body,
    login_required,
    paginate,
    reject_unknown,
)

bp = Blueprint("accounts", __name__, url_prefix="/api/accounts")

PROFILE_FIELDS: dict[str, dict[str, Any]] = {
    "display_name": {"kind": str, "max_length": 80},
    "bio": {"kind": str, "min_length": 0, "max_length": 500},
    "theme": {"kind": str, "choices": accounts.THEMES},
    "role": {"kind": str, "choices": accounts.ROLES},
    "password": {"kind": str, "max_length": 128, "strip": False},
    "current_password": {"kind": str, "strip": False},
}


@bp.post("/signup")
def signup():
    data = json_body()
    reject_unknown(data, ("email", "password", "display_name", "role"))
    user = accounts.signup(
        email=get_field(data, "email", str, max_length=255),
        password=get_field(data, "password", str, max_length=128, strip=False),
        display_name=get_field(data, "display_name", str, max_length=80),
        role=get_field(data, "role", str, required=False, default="buyer", choices=accounts.ROLES),
    )
    db.session.commit()
    return {"user": user.to_dict()}, 201


@bp.post("/login")
def login():
    data = json_body()
    user, token, record = accounts.authenticate(
        get_field(data, "email", str),
        get_field(data, "password", str, strip=False),
    )
    db.session.commit()
    response = jsonify(
        token=token,
        token_type="Bearer",
        expires_at=isoformat(record.expires_at),
        user=user.to_dict(),
    )
    response.set_cookie("session_hint", f"user-{user.id}", httponly=True, samesite="Lax")
    response.set_cookie("theme", user.theme, samesite="Lax")
    return response


@bp.post("/logout")
@login_required
def logout():
    accounts.revoke_token(bearer_token())
    db.session.commit()
    response = make_response("", 204)
    response.delete_cookie("session_hint")
    return response


@bp.get("/me")
@login_required
def me():
    user = current_user()
    return {"user": user.to_dict(), **accounts.follow_counts(user.id)}


@bp.patch("/me")
@login_required
def update_me():
    data = json_body()
    reject_unknown(data, tuple(PROFILE_FIELDS))
    changes = {name: get_field(data, name, **spec) for name, spec in PROFILE_FIELDS.items() if name in data}
    if not changes:
        raise bad_request("no profile fields to update")
    user = accounts.update_profile(current_user(), changes)
    db.session.commit()
    return {"user": user.to_dict()}


@bp.get("/users/<int:user_id>")
def public_profile(user_id: int):
    user = accounts.get_user(user_id)
    return {"user": user.public_dict(), **accounts.follow_counts(user.id)}


@bp.post("/users/<int:user_id>/follow")
@login_required
def follow(user_id: int):
    record = accounts.follow(current_user(), user_id)
    db.session.commit()
    return {"seller": record.seller.public_dict(), "since": isoformat(record.created_at)}, 201


@bp.delete("/users/<int:user_id>/follow")
@login_required
def unfollow(user_id: int):
    accounts.unfollow(current_user(), user_id)
    db.session.commit()
    return "", 204


@bp.get("/users/<int:user_id>/followers")
def followers(user_id: int):
    accounts.get_user(user_id)
    return paginate(accounts.followers_stmt(user_id), User.public_dict)


@bp.get("/me/following")
@login_required
def following():
    return paginate(accounts.following_stmt(current_user().id), User.public_dict)
