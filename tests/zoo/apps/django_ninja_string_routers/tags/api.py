from typing import List

from django.db.models import Count, Q
from ninja import Router, Schema

from tags.models import Tag

router = Router()


class TagOut(Schema):
    name: str
    articles: int

    @staticmethod
    def resolve_articles(obj):
        return obj.article_count


@router.get("/", response=List[TagOut])
def list_tags(request, min_articles: int = 0):
    tags = Tag.objects.annotate(article_count=Count("articles", filter=Q(articles__published=True)))
    return [t for t in tags.order_by("-article_count", "name") if t.article_count >= min_articles]
