def test_roster_reads_the_rules(client):
    page = client.get("/members/").get_data(as_text=True)
    assert "<h1>Shelf members</h1>" in page
    assert "<li>ada</li>" in page
    assert "At most 3 loans each." in page


def test_member(client):
    assert client.get("/members/ada").get_json() == {"name": "ada", "loans": 2}


def test_unknown_member_is_json(client):
    response = client.get("/members/bob")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found", "path": "/members/bob"}


def test_whoami_reads_the_stamp(client):
    response = client.get("/members/whoami", headers={"X-Request-Id": "r-42"})
    assert response.get_json() == {"request_id": "r-42"}
