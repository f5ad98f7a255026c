import pytest
from ninja.testing import TestClient

from articles.models import Article
from tags.api import router

pytestmark = pytest.mark.django_db


def test_tags_counted_by_published_articles(client, article, bob):
    draft = Article.objects.create(author=bob, title="Draft", body="...", published=False)
    draft.tags.set(article.tags.all())
    response = client.get("/api/tags/")
    assert response.status_code == 200
    assert response.json() == [{"name": "django", "articles": 1}, {"name": "python", "articles": 1}]


def test_tags_min_articles_with_ninja_client(article):
    ninja_client = TestClient(router)
    assert ninja_client.get("/", query_params={"min_articles": 2}).json() == []
    assert len(ninja_client.get("/").json()) == 2
