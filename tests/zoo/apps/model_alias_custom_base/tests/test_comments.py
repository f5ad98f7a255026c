from conftest import as_user


def test_comment_roundtrip(client, alice, bob, article):
    response = client.post("/api/articles/hello-world/comments", json={"body": "Great read"}, headers=as_user(bob))
    assert response.status_code == 201
    comment = response.get_json()["comment"]
    assert comment["author"] == "bob"

    comments = client.get("/api/articles/hello-world/comments").get_json()["comments"]
    assert [c["body"] for c in comments] == ["Great read"]
    assert client.get("/api/articles/hello-world").get_json()["article"]["comments"] == 1


def test_empty_comment_and_missing_article(client, bob, article):
    assert client.post("/api/articles/hello-world/comments", json={"body": "  "}, headers=as_user(bob)).status_code == 422
    assert client.get("/api/articles/missing/comments").status_code == 404


def test_delete_comment_permissions(client, alice, bob, article):
    carol = client.post("/api/users", json={"username": "carol", "email": "carol@example.com"})
    assert carol.status_code == 201
    comment_id = client.post(
        "/api/articles/hello-world/comments", json={"body": "mine"}, headers=as_user(bob)
    ).get_json()["comment"]["id"]
    url = f"/api/articles/hello-world/comments/{comment_id}"
    assert client.delete(url, headers={"X-User": "carol"}).status_code == 403
    # the article's author may moderate
    assert client.delete(url, headers=as_user(alice)).status_code == 204
    assert client.delete(url, headers=as_user(alice)).status_code == 404
