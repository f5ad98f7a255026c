def test_register_member(client):
    response = client.post("/api/members", json={"name": "Grace", "email": "Grace@Example.org"})
    assert response.status_code == 201
    assert response.get_json()["email"] == "grace@example.org"
    assert client.get("/api/members").get_json()["members"][0]["name"] == "Grace"


def test_register_member_validation(client, member):
    assert client.post("/api/members", json={"name": "", "email": "x@example.org"}).status_code == 400
    assert client.post("/api/members", json={"name": "Z", "email": "nope"}).status_code == 400
    assert client.post("/api/members", json={"name": "Ada 2", "email": "ada@example.org"}).status_code == 409


def test_get_member(client, member):
    body = client.get(f"/api/members/{member}").get_json()
    assert body["name"] == "Ada"
    assert body["active_loans"] == 0
    assert client.get("/api/members/999").status_code == 404
