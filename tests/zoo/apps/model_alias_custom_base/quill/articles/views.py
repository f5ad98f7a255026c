from flask import Blueprint, current_app, jsonify, request

from ..errors import APIError, forbidden, not_found
from ..users.models import User
from ..utils import current_user, slugify
from .models import Article, Tag

blueprint = Blueprint("articles", __name__, url_prefix="/api")


def _get_article(slug):
    article = Article.query.filter_by(slug=slug).first()
    if article is None:
        raise not_found("article")
    return article


def _tags(names):
    if not isinstance(names, list):
        raise APIError("tagList must be a list", 422)
    if len(names) > current_app.config["MAX_TAGS_PER_ARTICLE"]:
        raise APIError("too many tags", 422)
    return [Tag.get_or_create(name) for name in names if name.strip()]


@blueprint.route("/articles", methods=["GET"])
def list_articles():
    query = Article.query
    if tag := request.args.get("tag"):
        query = query.filter(Article.tags.any(Tag.name == tag.lower()))
    if author := request.args.get("author"):
        query = query.join(Article.author).filter(User.username == author)
    limit = current_app.config["ARTICLES_PER_PAGE"]
    offset = request.args.get("offset", 0, type=int)
    total = query.count()
    articles = query.order_by(Article.id.desc()).offset(offset).limit(limit).all()
    return jsonify({"articles": [a.to_dict(with_body=False) for a in articles], "articlesCount": total})


@blueprint.route("/articles", methods=["POST"])
def create_article():
    user = current_user()
    data = request.get_json(silent=True) or {}
    title, body = (data.get("title") or "").strip(), data.get("body") or ""
    if not title or not body:
        raise APIError("title and body are required", 422)
    slug = slugify(title)
    if Article.query.filter_by(slug=slug).first():
        raise APIError("an article with this title exists", 422)
    article = Article.create(slug=slug, title=title, body=body, author=user, tags=_tags(data.get("tagList", [])))
    return jsonify({"article": article.to_dict()}), 201


@blueprint.route("/articles/<slug>", methods=["GET"])
def get_article(slug):
    return jsonify({"article": _get_article(slug).to_dict()})


@blueprint.route("/articles/<slug>", methods=["PUT"])
def update_article(slug):
    user = current_user()
    article = _get_article(slug)
    if article.author_id != user.id:
        raise forbidden()
    data = request.get_json(silent=True) or {}
    changes = {key: data[key] for key in ("title", "body") if data.get(key)}
    if "tagList" in data:
        changes["tags"] = _tags(data["tagList"])
    article.update(**changes)
    return jsonify({"article": article.to_dict()})


@blueprint.route("/articles/<slug>", methods=["DELETE"])
def delete_article(slug):
    user = current_user()
    article = _get_article(slug)
    if article.author_id != user.id:
        raise forbidden()
    article.delete()
    return "", 204


@blueprint.route("/tags")
def list_tags():
    tags = Tag.query.filter(Tag.articles.any()).order_by(Tag.name).all()
    return jsonify({"tags": [tag.name for tag in tags]})
