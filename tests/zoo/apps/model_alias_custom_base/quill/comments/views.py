from flask import Blueprint, jsonify, request

from ..articles.models import Article
from ..errors import APIError, forbidden, not_found
from ..utils import current_user
from .models import Comment

blueprint = Blueprint("comments", __name__, url_prefix="/api/articles/<slug>/comments")


def _article(slug):
    article = Article.query.filter_by(slug=slug).first()
    if article is None:
        raise not_found("article")
    return article


@blueprint.route("", methods=["GET"])
def list_comments(slug):
    article = _article(slug)
    # ``article.comments`` is the backref declared on Comment.article
    return jsonify({"comments": [c.to_dict() for c in article.comments.order_by(Comment.id)]})


@blueprint.route("", methods=["POST"])
def add_comment(slug):
    user = current_user()
    article = _article(slug)
    body = ((request.get_json(silent=True) or {}).get("body") or "").strip()
    if not body:
        raise APIError("comment body is empty", 422)
    comment = Comment.create(body=body, article=article, author=user)
    return jsonify({"comment": comment.to_dict()}), 201


@blueprint.route("/<int:comment_id>", methods=["DELETE"])
def delete_comment(slug, comment_id):
    user = current_user()
    article = _article(slug)
    comment = article.comments.filter_by(id=comment_id).first()
    if comment is None:
        raise not_found("comment")
    if user.id not in (comment.author_id, article.author_id):
        raise forbidden()
    comment.delete()
    return "", 204
