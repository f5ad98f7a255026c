import pytest
from ninja.testing import TestClient

from articles.api import router as articles_router

from .conftest import bearer

pytestmark = pytest.mark.django_db


def test_comment_lifecycle(client, article, alice_token, bob_token):
    base = f"/api/articles/{article.slug}/comments/"
    created = client.post(base, {"body": "Nice!"}, content_type="application/json", **bearer(bob_token))
    assert created.status_code == 201
    comment_id = created.json()["id"]
    assert client.get(base).json() == [{"id": comment_id, "author": "bob", "body": "Nice!"}]
    # the article's author may delete any comment on it
    assert client.delete(f"{base}{comment_id}", **bearer(alice_token)).status_code == 204
    assert client.get(base).json() == []


def test_stranger_cannot_delete_comment(client, article, alice_token, bob_token, db):
    from django.contrib.auth import get_user_model

    from accounts.models import ApiToken

    carol = get_user_model().objects.create_user("carol", "carol@example.com", "pw")
    carol_token = ApiToken.objects.create(user=carol).key
    base = f"/api/articles/{article.slug}/comments/"
    comment_id = client.post(base, {"body": "hm"}, content_type="application/json", **bearer(bob_token)).json()["id"]
    assert client.delete(f"{base}{comment_id}", **bearer(carol_token)).status_code == 403


def test_comments_on_unknown_article(client):
    assert client.get("/api/articles/nope/comments/").status_code == 404


def test_nested_router_through_parent_with_ninja_client(article, bob_token):
    ninja_client = TestClient(articles_router)
    response = ninja_client.post(
        f"/{article.slug}/comments/", json={"body": "via TestClient"}, headers={"Authorization": f"Bearer {bob_token}"}
    )
    assert response.status_code == 201
    assert ninja_client.get(f"/{article.slug}/comments/").json()[0]["body"] == "via TestClient"
