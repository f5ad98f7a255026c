def test_register_links_to_other_blueprints(client):
    response = client.post("/accounts/register", json={"name": "grace"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["home"] == "/" and body["notes"] == "/api/notes" and len(body["token"]) == 32


def test_register_refuses_a_taken_name(client, token):
    assert client.post("/accounts/register", json={"name": "ada"}).status_code == 409
    assert client.post("/accounts/register", json={}).status_code == 400


def test_logout_redirects_home(client):
    response = client.get("/accounts/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
