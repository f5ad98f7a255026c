from datetime import datetime
from typing import List, Optional

from ninja import Schema


class ArticleIn(Schema):
    title: str
    body: str
    tags: List[str] = []
    published: bool = True


class ArticlePatch(Schema):
    title: Optional[str] = None
    body: Optional[str] = None
    tags: Optional[List[str]] = None
    published: Optional[bool] = None


class ArticleOut(Schema):
    slug: str
    title: str
    body: str
    author: str
    tags: List[str]
    published: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author.username

    @staticmethod
    def resolve_tags(obj):
        return [t.name for t in obj.tags.all()]


class FavoriteOut(Schema):
    favorited: bool
    count: int


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: int
    author: str
    body: str

    @staticmethod
    def resolve_author(obj):
        return obj.author.username


class Error(Schema):
    detail: str
