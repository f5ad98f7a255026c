def test_checkout_and_return(client, book, member):
    response = client.post("/api/loans", json={"book_id": book, "member_id": member})
    assert response.status_code == 201
    loan = response.get_json()
    assert loan["title"] == "Pride and Prejudice"
    assert loan["overdue"] is False

    assert client.get(f"/api/books/{book}").get_json()["available"] == 0
    loans = client.get(f"/api/members/{member}/loans").get_json()["loans"]
    assert [item["id"] for item in loans] == [loan["id"]]

    response = client.post(f"/api/loans/{loan['id']}/return")
    assert response.status_code == 200
    assert response.get_json()["returned"] is True
    assert client.post(f"/api/loans/{loan['id']}/return").status_code == 409
    assert client.get(f"/api/members/{member}/loans?all=1").get_json()["loans"][0]["returned"] is True


def test_checkout_needs_a_free_copy(client, book, member):
    client.post("/api/members", json={"name": "Bob", "email": "bob@example.org"})
    assert client.post("/api/loans", json={"book_id": book, "member_id": member}).status_code == 201
    response = client.post("/api/loans", json={"book_id": book, "member_id": member + 1})
    assert response.status_code == 409
    assert response.get_json()["message"] == "no copy available"


def test_checkout_validation(client):
    assert client.post("/api/loans", json={"book_id": "x"}).status_code == 400
    assert client.post("/api/loans", json={"book_id": 1, "member_id": 1}).status_code == 404


def test_overdue_is_empty_for_new_loans(client, book, member):
    client.post("/api/loans", json={"book_id": book, "member_id": member})
    assert client.get("/api/loans/overdue").get_json() == {"loans": [], "count": 0}
