from conftest import as_user


def test_create_article_with_tags(client, alice):
    response = client.post(
        "/api/articles",
        json={"title": "Flask Tips & Tricks", "body": "Use blueprints.", "tagList": ["Flask", "python"]},
        headers=as_user(alice),
    )
    assert response.status_code == 201
    article = response.get_json()["article"]
    assert article["slug"] == "flask-tips-tricks"
    assert article["tags"] == ["flask", "python"]
    assert article["comments"] == 0
    assert client.get("/api/tags").get_json() == {"tags": ["flask", "python"]}


def test_create_article_needs_a_user(client):
    response = client.post("/api/articles", json={"title": "x", "body": "y"})
    assert response.status_code == 401
    assert client.post("/api/articles", json={"title": "x", "body": "y"}, headers={"X-User": "ghost"}).status_code == 401


def test_list_filters_and_pages(client, alice, bob):
    for n, (author, tag) in enumerate([(alice, "a"), (bob, "b"), (alice, "a")]):
        client.post("/api/articles", json={"title": f"Post {n}", "body": "text", "tagList": [tag]}, headers=as_user(author))
    page = client.get("/api/articles").get_json()
    assert page["articlesCount"] == 3
    assert [a["slug"] for a in page["articles"]] == ["post-2", "post-1"]
    assert [a["slug"] for a in client.get("/api/articles?offset=2").get_json()["articles"]] == ["post-0"]
    assert client.get("/api/articles?tag=b").get_json()["articlesCount"] == 1
    assert client.get("/api/articles?author=alice").get_json()["articlesCount"] == 2


def test_update_article_only_by_author(client, alice, bob, article):
    assert client.put("/api/articles/hello-world", json={"body": "hack"}, headers=as_user(bob)).status_code == 403
    response = client.put("/api/articles/hello-world", json={"body": "Edited.", "tagList": ["news"]}, headers=as_user(alice))
    assert response.status_code == 200
    assert client.get("/api/articles/hello-world").get_json()["article"]["body"] == "Edited."
    assert response.get_json()["article"]["tags"] == ["news"]


def test_delete_article_removes_comments(client, alice, bob, article):
    client.post("/api/articles/hello-world/comments", json={"body": "first!"}, headers=as_user(bob))
    assert client.delete("/api/articles/hello-world", headers=as_user(alice)).status_code == 204
    assert client.get("/api/articles/hello-world").status_code == 404
    assert client.get("/api/users/bob").get_json()["profile"]["comments"] == 0
