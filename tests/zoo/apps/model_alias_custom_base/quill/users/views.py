from flask import Blueprint, jsonify, request

from ..errors import APIError, not_found
from .models import User

blueprint = Blueprint("users", __name__, url_prefix="/api/users")


@blueprint.route("", methods=["POST"])
def register():
    data = request.get_json(silent=True) or {}
    username = (data.get("username") or "").strip()
    email = (data.get("email") or "").strip().lower()
    if not username or "@" not in email:
        raise APIError("username and a valid email are required", 422)
    if User.query.filter((User.username == username) | (User.email == email)).first():
        raise APIError("username or email already taken", 422)
    user = User.create(username=username, email=email, bio=data.get("bio", ""))
    return jsonify({"user": user.to_dict()}), 201


@blueprint.route("/<username>")
def profile(username):
    user = User.query.filter_by(username=username).first()
    if user is None:
        raise not_found("user")
    data = user.to_dict()
    # backrefs from the articles and comments model modules
    data["articles"] = user.articles.count()
    data["comments"] = user.comments.count()
    return jsonify({"profile": data})


@blueprint.route("/<username>/articles")
def user_articles(username):
    user = User.query.filter_by(username=username).first()
    if user is None:
        raise not_found("user")
    return jsonify({"articles": [a.to_dict(with_body=False) for a in user.articles]})
