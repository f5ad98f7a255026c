def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_notes_need_a_token(client):
    assert client.get("/api/notes").status_code == 401
    assert client.get("/api/notes", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_create_list_and_get_a_note(client, token):
    created = client.post("/api/notes", json={"text": "buy milk"}, headers=_auth(token))
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/notes/{created.get_json()['id']}"
    listed = client.get("/api/notes", headers=_auth(token)).get_json()
    assert listed == {"notes": [{"id": created.get_json()["id"], "text": "buy milk"}], "me": "/whoami"}
    assert client.get(created.headers["Location"], headers=_auth(token)).get_json()["text"] == "buy milk"


def test_a_missing_note_is_a_json_404(client, token):
    response = client.get("/api/notes/999", headers=_auth(token))
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}
    assert client.post("/api/notes", json={}, headers=_auth(token)).status_code == 400
