def test_an_account_is_created_then_listed(client):
    made = client.post("/api/v1/accounts", json={"name": "rent"})
    assert made.status_code == 201
    account = made.get_json()["data"]
    assert client.get("/api/v1/accounts").get_json() == {"success": True, "data": [{**account, "balance": 0}]}
    assert client.get(f"/api/v1/accounts/{account['id']}").get_json()["data"] == account


def test_a_new_entry_refreshes_the_cached_account_list(client):
    client.post("/api/v1/accounts", json={"name": "rent"})
    assert client.get("/api/v1/accounts").get_json()["data"][0]["balance"] == 0
    client.post("/api/v1/entries", json={"account": "rent", "cents": -500})
    assert client.get("/api/v1/accounts").get_json()["data"][0]["balance"] == -500


def test_an_account_needs_a_name(client):
    answer = client.post("/api/v1/accounts", json={})
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {"name": "required"}


def test_entries_filter_by_account_and_delete(client):
    first = client.post("/api/v1/entries", json={"account": "rent", "cents": -120000, "memo": "march"}).get_json()["data"]
    client.post("/api/v1/entries", json={"account": "food", "cents": -4500})
    listed = client.get("/api/v1/entries?account=rent").get_json()["data"]
    assert listed == [first]
    assert client.delete(f"/api/v1/entries/{first['id']}").get_json() == {"success": True}
    assert client.get(f"/api/v1/entries/{first['id']}").status_code == 404


def test_an_entry_needs_integer_cents(client):
    assert client.post("/api/v1/entries", json={"account": "rent", "cents": "12"}).status_code == 400


def test_the_balance_sums_each_account(client):
    client.post("/api/v1/entries", json={"account": "rent", "cents": -1000})
    client.post("/api/v1/entries", json={"account": "rent", "cents": 250})
    client.post("/api/v1/entries", json={"account": "pay", "cents": 5000})
    assert client.get("/reports/balance").get_json() == {"currency": "EUR", "balances": {"pay": 5000, "rent": -750}}
