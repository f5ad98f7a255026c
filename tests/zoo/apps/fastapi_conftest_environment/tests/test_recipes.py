def test_list(client):
    assert client.get("/recipes").json() == ["pancakes", "soup"]


def test_one(client):
    assert client.get("/recipes/soup").json() == {"slug": "soup", "minutes": 45}


def test_missing(client):
    answer = client.get("/recipes/stew")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no such recipe"}
