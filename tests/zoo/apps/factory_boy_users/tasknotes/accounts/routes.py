from flask import Blueprint, current_app, g, jsonify, request

from ..auth import token_required
from ..db import db
from ..models import ApiToken, User

bp = Blueprint("accounts", __name__, url_prefix="/api")


@bp.post("/register")
def register():
    data = request.get_json(silent=True) or {}
    email = (data.get("email") or "").strip().lower()
    name = (data.get("name") or "").strip()
    password = data.get("password") or ""
    if "@" not in email or not name:
        return jsonify(error="email and name are required"), 400
    if len(password) < 8:
        return jsonify(error="password must have at least 8 characters"), 400
    if db.session.execute(db.select(User).filter_by(email=email)).first():
        return jsonify(error="email already registered"), 409
    user = User(email=email, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return jsonify(user.to_dict()), 201


@bp.post("/login")
def login():
    data = request.get_json(silent=True) or {}
    user = db.session.execute(
        db.select(User).filter_by(email=(data.get("email") or "").lower())
    ).scalar_one_or_none()
    if user is None or not user.check_password(data.get("password") or ""):
        return jsonify(error="invalid email or password"), 401
    token = ApiToken.issue(user, current_app.config["TOKEN_TTL_HOURS"])
    db.session.add(token)
    db.session.commit()
    return jsonify(token=token.token, expires_at=token.expires_at.isoformat(timespec="seconds"), user=user.to_dict())


@bp.post("/logout")
@token_required
def logout():
    db.session.delete(g.token)
    db.session.commit()
    return "", 204


@bp.get("/me")
@token_required
def me():
    data = g.user.to_dict()
    data["projects"] = len(g.user.owned_projects)
    return jsonify(data)
