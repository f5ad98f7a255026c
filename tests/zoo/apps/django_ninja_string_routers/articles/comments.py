from typing import List

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Status

from accounts.auth import token_auth
from articles.models import Article, Comment
from articles.schemas import CommentIn, CommentOut, Error

router = Router()


@router.get("/", response=List[CommentOut])
def list_comments(request, slug: str = Path(...)):
    article = get_object_or_404(Article, slug=slug, published=True)
    return article.comments.select_related("author")


@router.post("/", response={201: CommentOut}, auth=token_auth)
def add_comment(request, payload: CommentIn, slug: str = Path(...)):
    article = get_object_or_404(Article, slug=slug, published=True)
    comment = Comment.objects.create(article=article, author=request.auth, body=payload.body)
    return Status(201, comment)


@router.delete("/{comment_id}", response={204: None, 403: Error}, auth=token_auth)
def delete_comment(request, comment_id: int, slug: str = Path(...)):
    comment = get_object_or_404(Comment, pk=comment_id, article__slug=slug)
    if request.auth.pk not in (comment.author_id, comment.article.author_id):
        return Status(403, {"detail": "only the comment's or the article's author can delete it"})
    comment.delete()
    return Status(204, None)
