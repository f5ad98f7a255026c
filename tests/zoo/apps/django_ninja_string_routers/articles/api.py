from typing import List, Optional

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from accounts.auth import token_auth
from articles.comments import router as comments_router
from articles.models import Article
from articles.schemas import ArticleIn, ArticleOut, ArticlePatch, Error, FavoriteOut
from tags.models import Tag

router = Router()
router.add_router("/{slug}/comments", comments_router, tags=["comments"])


def _set_tags(article, names):
    article.tags.set([Tag.objects.get_or_create(name=name.lower())[0] for name in names])


@router.get("/", response=List[ArticleOut])
def list_articles(request, tag: Optional[str] = None, author: Optional[str] = None, offset: int = 0):
    articles = Article.objects.filter(published=True).select_related("author").prefetch_related("tags")
    if tag:
        articles = articles.filter(tags__name=tag)
    if author:
        articles = articles.filter(author__username=author)
    return articles[offset : offset + settings.NEWSROOM_PAGE_SIZE]


@router.post("/", response={201: ArticleOut}, auth=token_auth)
def create_article(request, payload: ArticleIn):
    article = Article.objects.create(
        author=request.auth, title=payload.title, body=payload.body, published=payload.published
    )
    _set_tags(article, payload.tags)
    return Status(201, article)


@router.get("/{slug}", response=ArticleOut)
def get_article(request, slug: str):
    return get_object_or_404(Article.objects.select_related("author"), slug=slug, published=True)


@router.put("/{slug}", response={200: ArticleOut, 403: Error}, auth=token_auth)
def update_article(request, slug: str, payload: ArticlePatch):
    article = get_object_or_404(Article, slug=slug)
    if article.author_id != request.auth.pk:
        return Status(403, {"detail": "not your article"})
    for field in ("title", "body", "published"):
        value = getattr(payload, field)
        if value is not None:
            setattr(article, field, value)
    article.save()
    if payload.tags is not None:
        _set_tags(article, payload.tags)
    return article


@router.delete("/{slug}", response={204: None, 403: Error}, auth=token_auth)
def delete_article(request, slug: str):
    article = get_object_or_404(Article, slug=slug)
    if article.author_id != request.auth.pk:
        return Status(403, {"detail": "not your article"})
    article.delete()
    return Status(204, None)


@router.api_operation(["GET", "POST"], "/{slug}/favorite", response=FavoriteOut, auth=token_auth)
def favorite(request, slug: str):
    """GET: is it a favourite of mine; POST: toggle it."""
    article = get_object_or_404(Article, slug=slug, published=True)
    mine = article.favorited_by.filter(pk=request.auth.pk).exists()
    if request.method == "POST":
        if mine:
            article.favorited_by.remove(request.auth)
        else:
            article.favorited_by.add(request.auth)
        mine = not mine
    return {"favorited": mine, "count": article.favorited_by.count()}
