def test_index_is_plain_text(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert b"Library API" in response.data


def test_health_counts_rows(client, book, member):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "books": 1, "members": 1}


def test_unknown_url_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not found"
