from tests.conftest import HOME


def test_recipe_and_comments(client):
    r = client.post("/api/recipes/", json={"slug": "pancakes", "title": "Pancakes"}, headers=HOME)
    assert r.status_code == 201, r.text
    assert client.get("/api/recipes/pancakes", headers=HOME).json()["title"] == "Pancakes"
    r = client.post("/api/recipes/pancakes/comments", json={"text": "fluffy"}, headers=HOME)
    assert r.status_code == 201, r.text
    comments = client.get("/api/recipes/pancakes/comments", headers=HOME).json()
    assert [c["text"] for c in comments] == ["fluffy"]
    assert "pancakes" in [x["slug"] for x in client.get("/api/recipes/", headers=HOME).json()]


def test_missing_recipe(client):
    assert client.get("/api/recipes/nothing", headers=HOME).status_code == 404
    assert client.get("/api/recipes/nothing/comments", headers=HOME).status_code == 404


def test_duplicate_slug(client):
    client.post("/api/recipes/", json={"slug": "toast", "title": "Toast"}, headers=HOME)
    r = client.post("/api/recipes/", json={"slug": "toast", "title": "Toast again"}, headers=HOME)
    assert r.status_code == 409
