def test_register(client):
    response = client.post("/api/users", json={"username": "carol", "email": "Carol@Example.com"})
    assert response.status_code == 201
    assert response.get_json() == {"user": {"username": "carol", "bio": ""}}


def test_register_rejects_duplicates_and_bad_email(client, alice):
    assert client.post("/api/users", json={"username": "alice", "email": "new@example.com"}).status_code == 422
    assert client.post("/api/users", json={"username": "dave", "email": "nope"}).status_code == 422


def test_profile_counts_backrefs(client, alice, article, bob):
    client.post(f"/api/articles/{article.slug}/comments", json={"body": "Nice"}, headers={"X-User": "bob"})
    profile = client.get("/api/users/alice").get_json()["profile"]
    assert profile == {"username": "alice", "bio": "writes things", "articles": 1, "comments": 0}
    assert client.get("/api/users/bob").get_json()["profile"]["comments"] == 1
    assert client.get("/api/users/nobody").status_code == 404


def test_user_articles(client, alice, article):
    articles = client.get("/api/users/alice/articles").get_json()["articles"]
    assert [a["slug"] for a in articles] == ["hello-world"]
    assert "body" not in articles[0]
