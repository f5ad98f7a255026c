"""Account workflows: sign-up, login tokens, profiles, follows and bans."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from sample_monolith.extensions import db
from sample_monolith.models.commerce import Product
from sample_monolith.models.user import AuthToken, Follow, User
from sample_monolith.services import notifications
from sample_monolith.utils import (
    bad_request,
    conflict,
    forbidden,
    new_token,
    not_found,
    now,
    sha256_hex,
    unauthorized,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = ("buyer", "seller")
THEMES = ("light", "dark")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise bad_request("'email' is not a valid email address", field="email")
    return email


def _hash_password(password: str) -> str:
    minimum = current_app.config["MIN_PASSWORD_LENGTH"]
    if len(password) < minimum:
        raise bad_request(f"'password' must be at least {minimum} characters", field="password")
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def signup(email: str, password: str, display_name: str, role: str = "buyer") -> User:
    email = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise conflict("an account with this email already exists", field="email")
    user = User(
        email=email,
        password_hash=_hash_password(password),
        display_name=display_name,
        bio="",
        theme="light",
        is_seller=role == "seller",
        is_admin=email in current_app.config["ADMIN_EMAILS"],
        is_banned=False,
        created_at=now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> tuple[User, str, AuthToken]:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not check_password_hash(user.password_hash, password):
        raise unauthorized("invalid email or password")
    if user.is_banned:
        raise forbidden("this account has been banned")
    token, record = issue_token(user)
    return user, token, record


def issue_token(user: User) -> tuple[str, AuthToken]:
    token = new_token()
    issued_at = now()
    record = AuthToken(
        user=user,
        token_hash=sha256_hex(token),
        created_at=issued_at,
        expires_at=issued_at + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]),
    )
    db.session.add(record)
    return token, record


def _token_record(token: str) -> AuthToken | None:
    return db.session.scalar(select(AuthToken).where(AuthToken.token_hash == sha256_hex(token)))


def user_for_token(token: str) -> User:
    record = _token_record(token)
    if record is None:
        raise unauthorized("invalid token")
    if record.revoked_at is not None:
        raise unauthorized("token has been revoked")
    if record.expires_at <= now():
        raise unauthorized("token has expired")
    if record.user.is_banned:
        raise forbidden("this account has been banned")
    return record.user


def revoke_token(token: str) -> None:
    record = _token_record(token)
    if record is not None and record.revoked_at is None:
        record.revoked_at = now()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise not_found("user")
    return user


def update_profile(user: User, changes: dict[str, Any]) -> User:
    if "password" in changes:
        _change_password(user, changes["password"], changes.get("current_password"))
    elif "current_password" in changes:
        raise bad_request("'current_password' is only accepted together with 'password'")
    if "role" in changes:
        _change_role(user, changes["role"])
    for name in ("display_name", "bio", "theme"):
        if name in changes:
            setattr(user, name, changes[name])
    return user


def _change_password(user: User, new_password: str, current_password: str | None) -> None:
    if current_password is None:
        raise bad_request("'current_password' is required to change the password", field="current_password")
    if not check_password_hash(user.password_hash, current_password):
        raise forbidden("current password is incorrect")
    user.password_hash = _hash_password(new_password)


def _change_role(user: User, role: str) -> None:
    if role == "buyer" and user.is_seller and _active_product_count(user.id):
        raise conflict("sellers with active products cannot switch back to buyer")
    user.is_seller = role == "seller"


def _active_product_count(user_id: int) -> int:
    stmt = select(func.count(Product.id)).where(Product.seller_id == user_id, Product.status == "active")
    return db.session.scalar(stmt) or 0


def _find_follow(follower_id: int, seller_id: int) -> Follow | None:
    stmt = select(Follow).where(Follow.follower_id == follower_id, Follow.seller_id == seller_id)
    return db.session.scalar(stmt)


def follow(follower: User, seller_id: int) -> Follow:
    seller = get_user(seller_id)
    if seller.id == follower.id:
        raise bad_request("you cannot follow yourself")
    if not seller.is_seller:
        raise bad_request("only sellers can be followed")
    if _find_follow(follower.id, seller.id) is not None:
        raise conflict("you already follow this seller")
    record = Follow(follower=follower, seller=seller, created_at=now())
    db.session.add(record)
    db.session.flush()
    notifications.enqueue(
        seller.id,
        "new_follower",
        f"{follower.display_name} started following you",
        {"follower_id": follower.id},
    )
    return record


def unfollow(follower: User, seller_id: int) -> None:
    get_user(seller_id)
    record = _find_follow(follower.id, seller_id)
    if record is None:
        raise not_found("follow")
    db.session.delete(record)


def followers_stmt(seller_id: int) -> Select:
    return (
        select(User)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.seller_id == seller_id)
        .order_by(Follow.id)
    )


def following_stmt(follower_id: int) -> Select:
    return (
        select(User)
        .join(Follow, Follow.seller_id == User.id)
        .where(Follow.follower_id == follower_id)
        .order_by(Follow.id)
    )


def follow_counts(user_id: int) -> dict[str, int]:
    followers = db.session.scalar(select(func.count(Follow.id)).where(Follow.seller_id == user_id))
    following = db.session.scalar(select(func.count(Follow.id)).where(Follow.follower_id == user_id))
    return {"followers": followers or 0, "following": following or 0}


def is_banned(user_id: int) -> bool:
    return db.session.scalar(select(User.is_banned).where(User.id == user_id)) is True


def users_stmt(banned: bool | None = None, search: str | None = None) -> Select:
    stmt = select(User)
    if banned is not None:
        stmt = stmt.where(User.is_banned.is_(banned))
    if search:
        pattern = f"%{search.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), func.lower(User.display_name).like(pattern)))
    return stmt.order_by(User.id)


def ban_user(admin: User, user_id: int, reason: str) -> User:
    user = get_user(user_id)
    if user.id == admin.id or user.is_admin:
        raise bad_request("administrators cannot be banned")
    if user.is_banned:
        raise conflict("user is already banned")
    user.is_banned = True
    user.ban_reason = reason
    return user


def unban_user(user_id: int) -> User:
    user = get_user(user_id)
    if not user.is_banned:
        raise conflict("user is not banned")
    user.is_banned = False
    user.ban_reason = None
    return user
