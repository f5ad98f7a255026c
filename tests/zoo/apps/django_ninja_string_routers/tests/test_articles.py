import pytest

from articles.models import Article

from .conftest import bearer

pytestmark = pytest.mark.django_db


def test_list_and_filter(client, article, bob):
    Article.objects.create(author=bob, title="Draft", body="wip", published=False)
    Article.objects.create(author=bob, title="Bob writes", body="...")
    listing = client.get("/api/articles/").json()
    assert [a["title"] for a in listing] == ["Bob writes", "Hello Ninja"]
    by_tag = client.get("/api/articles/", {"tag": "python"}).json()
    assert [a["slug"] for a in by_tag] == ["hello-ninja"]
    by_author = client.get("/api/articles/", {"author": "bob"}).json()
    assert [a["author"] for a in by_author] == ["bob"]


def test_create_article(client, alice_token):
    response = client.post(
        "/api/articles/",
        {"title": "Routers by string", "body": "add_router accepts a dotted path", "tags": ["Ninja"]},
        content_type="application/json",
        **bearer(alice_token),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "routers-by-string"
    assert body["tags"] == ["ninja"]
    assert client.get("/api/articles/routers-by-string").json()["author"] == "alice"


def test_create_requires_auth(client):
    response = client.post("/api/articles/", {"title": "x", "body": "y"}, content_type="application/json")
    assert response.status_code == 401


def test_update_only_by_author(client, article, alice_token, bob_token):
    url = f"/api/articles/{article.slug}"
    denied = client.put(url, {"title": "Hacked"}, content_type="application/json", **bearer(bob_token))
    assert denied.status_code == 403
    ok = client.put(url, {"body": "Edited.", "tags": ["python"]}, content_type="application/json", **bearer(alice_token))
    assert ok.status_code == 200
    assert ok.json()["body"] == "Edited."
    assert ok.json()["tags"] == ["python"]


def test_delete_article(client, article, alice_token):
    url = f"/api/articles/{article.slug}"
    assert client.delete(url, **bearer(alice_token)).status_code == 204
    assert client.get(url).status_code == 404


def test_favorite_toggle(client, article, bob_token):
    url = f"/api/articles/{article.slug}/favorite"
    assert client.get(url, **bearer(bob_token)).json() == {"favorited": False, "count": 0}
    assert client.post(url, **bearer(bob_token)).json() == {"favorited": True, "count": 1}
    assert client.get(url, **bearer(bob_token)).json() == {"favorited": True, "count": 1}
    assert client.post(url, **bearer(bob_token)).json() == {"favorited": False, "count": 0}


def test_healthz(client):
    assert client.get("/healthz/").json() == {"ok": True}


def test_the_list_is_paged_as_the_suite_s_settings_say(client, article, bob):
    for title in ("Second", "Third"):
        Article.objects.create(author=bob, title=title, body="...")
    first = client.get("/api/articles/").json()
    rest = client.get("/api/articles/", {"offset": 2}).json()
    assert len(first) == 2 and len(rest) == 1
    assert {a["title"] for a in first + rest} == {"Hello Ninja", "Second", "Third"}
