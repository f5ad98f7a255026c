def test_v2_cursor_pagination(client):
    ids = [client.post("/notes", json={"title": f"n{i}", "body": "x" * 60}).json()["id"] for i in range(3)]
    r = client.get("/v2/notes", params={"limit": 2})
    assert r.status_code == 200
    page = r.json()
    assert [n["id"] for n in page["items"]] == ids[:2]
    assert page["items"][0]["excerpt"].endswith("…")
    r = client.get("/v2/notes", params={"limit": 2, "cursor": page["next_cursor"]})
    assert [n["id"] for n in r.json()["items"]] == ids[2:]
    assert r.json()["next_cursor"] is None


def test_v2_get_note(client, note):
    r = client.get(f"/v2/notes/{note['id']}")
    assert r.status_code == 200
    assert r.json() == {"id": note["id"], "title": "Groceries", "excerpt": "eggs, flour, milk", "tags": []}
    assert client.get("/v2/notes/999").status_code == 404


def test_v2_bad_cursor(client):
    assert client.get("/v2/notes", params={"cursor": "nope"}).status_code == 400


def test_openapi_documents_v1_only(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/notes/{note_id}/tags" in paths
    assert not any(p.startswith("/v2") for p in paths)


def test_v2_has_its_own_openapi_and_docs(client):
    r = client.get("/v2/openapi.json")
    assert r.status_code == 200
    assert set(r.json()["paths"]) == {"/notes", "/notes/{note_id}"}
    r = client.get("/docs")
    assert r.status_code == 200
    assert "swagger-ui" in r.text
