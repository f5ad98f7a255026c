def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_create_and_get_note(client, note):
    assert note["title"] == "Groceries"
    assert note["tags"] == []
    r = client.get(f"/notes/{note['id']}")
    assert r.status_code == 200
    assert r.json()["body"] == "eggs, flour, milk"


def test_missing_note(client):
    r = client.get("/notes/404")
    assert r.status_code == 404
    assert r.json() == {"detail": "note not found"}


def test_update_note(client, note):
    r = client.put(f"/notes/{note['id']}", json={"title": "Shopping", "body": "eggs"})
    assert r.status_code == 200
    assert r.json()["title"] == "Shopping"


def test_delete_note(client, note):
    assert client.delete(f"/notes/{note['id']}").status_code == 204
    assert client.get(f"/notes/{note['id']}").status_code == 404


def test_tags_and_filter(client, note):
    other = client.post("/notes", json={"title": "Ideas"}).json()
    r = client.post(f"/notes/{note['id']}/tags", json={"tags": ["home", "errands"]})
    assert r.status_code == 200
    assert r.json()["tags"] == ["errands", "home"]
    client.post(f"/notes/{other['id']}/tags", json={"tags": ["home"]})

    r = client.get("/notes", params={"tag": "errands"})
    assert [n["id"] for n in r.json()] == [note["id"]]
    r = client.get("/tags")
    assert r.json() == [{"name": "errands", "notes": 1}, {"name": "home", "notes": 2}]


def test_reserved_tags_are_refused(client, note):
    r = client.post(f"/notes/{note['id']}/tags", json={"tags": ["home", "system"]})
    assert r.status_code == 422
    assert r.json() == {"detail": "reserved tag: system"}


def test_audit_trail_written_by_background_task(client, note):
    client.put(f"/notes/{note['id']}", json={"title": "Groceries!"})
    client.delete(f"/notes/{note['id']}")
    r = client.get("/audit/events")
    assert r.status_code == 200
    assert [e["action"] for e in r.json()] == ["note.deleted", "note.updated", "note.created"]
    assert {e["subject"] for e in r.json()} == {f"note:{note['id']}"}
