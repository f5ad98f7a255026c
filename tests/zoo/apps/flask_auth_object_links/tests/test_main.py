def test_index_links_to_register(client):
    assert client.get("/").get_json() == {"app": "notes", "register": "/accounts/register"}


def test_whoami_needs_a_token(client, token):
    assert client.get("/whoami").status_code == 401
    response = client.get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json() == {"name": "ada", "notes": "/api/notes"}


def test_unknown_path_is_json(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}
