def test_a_member_joins_and_is_listed(client):
    made = client.post("/api/members", json={"name": "Ada"})
    assert made.status_code == 201
    assert client.get("/api/members").get_json() == [made.get_json()]


def test_a_member_needs_a_name(client):
    assert client.post("/api/members", json={"name": ""}).status_code == 400
