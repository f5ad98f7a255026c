from app.core.config import settings

API = settings.API_V1_STR


def _create(client, headers, title, description=None):
    r = client.post(
        f"{API}/items/",
        headers=headers,
        json={"title": title, "description": description},
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_create_and_read_item(client, normal_user_token_headers):
    item = _create(client, normal_user_token_headers, "Lamp", "Desk lamp")
    assert item["title"] == "Lamp"
    r = client.get(f"{API}/items/{item['id']}", headers=normal_user_token_headers)
    assert r.status_code == 200
    assert r.json()["description"] == "Desk lamp"


def test_read_items_only_own(client, normal_user_token_headers, superuser_token_headers):
    _create(client, superuser_token_headers, "Admin stapler")
    _create(client, normal_user_token_headers, "Alice mug")
    r = client.get(f"{API}/items/", headers=normal_user_token_headers)
    assert r.status_code == 200
    titles = [i["title"] for i in r.json()["data"]]
    assert "Alice mug" in titles
    assert "Admin stapler" not in titles


def test_update_item(client, normal_user_token_headers):
    item = _create(client, normal_user_token_headers, "Chair")
    r = client.put(
        f"{API}/items/{item['id']}",
        headers=normal_user_token_headers,
        json={"title": "Office chair"},
    )
    assert r.status_code == 200
    assert r.json()["title"] == "Office chair"


def test_item_not_found(client, normal_user_token_headers):
    r = client.get(f"{API}/items/does-not-exist", headers=normal_user_token_headers)
    assert r.status_code == 404
    assert r.json() == {"detail": "Item not found"}


def test_other_users_item_is_forbidden(client, normal_user_token_headers, superuser_token_headers):
    item = _create(client, superuser_token_headers, "Server rack")
    r = client.put(
        f"{API}/items/{item['id']}",
        headers=normal_user_token_headers,
        json={"title": "Mine now"},
    )
    assert r.status_code == 400


def test_delete_item(client, normal_user_token_headers):
    item = _create(client, normal_user_token_headers, "Old phone")
    r = client.delete(f"{API}/items/{item['id']}", headers=normal_user_token_headers)
    assert r.status_code == 200
    r = client.get(f"{API}/items/{item['id']}", headers=normal_user_token_headers)
    assert r.status_code == 404
