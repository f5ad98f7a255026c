from tests.conftest import HOME


def test_cookbooks_round_trip(client):
    r = client.post("/api/households/cookbooks", json={"name": "Weeknights"}, headers=HOME)
    assert r.status_code == 201, r.text
    book = r.json()
    r = client.get(f"/api/households/cookbooks/{book['id']}", headers=HOME)
    assert r.status_code == 200
    assert r.json()["name"] == "Weeknights"
    names = [b["name"] for b in client.get("/api/households/cookbooks", headers=HOME).json()]
    assert "Weeknights" in names


def test_cookbook_of_another_household_is_hidden(client):
    book = client.post("/api/households/cookbooks", json={"name": "Secret"}, headers=HOME).json()
    r = client.get(f"/api/households/cookbooks/{book['id']}", headers={"X-Household": "joneses"})
    assert r.status_code == 404
    assert r.json() == {"detail": "no such cookbook"}


def test_delete_cookbook(client):
    book = client.post("/api/households/cookbooks", json={"name": "Old"}, headers=HOME).json()
    assert client.delete(f"/api/households/cookbooks/{book['id']}", headers=HOME).status_code == 204
    assert client.get(f"/api/households/cookbooks/{book['id']}", headers=HOME).status_code == 404


def test_household_header_is_required(client):
    r = client.get("/api/households/cookbooks")
    assert r.status_code == 401


def test_shopping_list_items(client):
    found = client.post("/api/households/shopping/lists", json={"name": "Saturday"}, headers=HOME).json()
    item = client.post(f"/api/households/shopping/items/{found['id']}", json={"note": "eggs"}, headers=HOME)
    assert item.status_code == 201, item.text
    checked = client.put(f"/api/households/shopping/items/{item.json()['id']}/check", headers=HOME)
    assert checked.json()["checked"] is True
    items = client.get(f"/api/households/shopping/lists/{found['id']}/items", headers=HOME).json()
    assert [i["note"] for i in items] == ["eggs"]
    lists = client.get("/api/households/shopping/lists", headers=HOME).json()
    assert "Saturday" in [entry["name"] for entry in lists]
