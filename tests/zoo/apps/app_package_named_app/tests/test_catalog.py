def test_create_and_get_book(client):
    response = client.post("/api/books", json={"isbn": "978-0-14-118776-1", "title": "Emma", "author": "Jane Austen", "copies": 2})
    assert response.status_code == 201
    body = response.get_json()
    assert body["isbn"] == "9780141187761"
    assert body["available"] == 2
    assert response.headers["Location"] == f"/api/books/{body['id']}"

    response = client.get(f"/api/books/{body['id']}")
    assert response.status_code == 200
    assert response.get_json()["title"] == "Emma"


def test_create_book_rejects_bad_isbn(client):
    response = client.post("/api/books", json={"isbn": "12ab", "title": "X", "author": "Y"})
    assert response.status_code == 400
    assert "isbn" in response.get_json()["message"]


def test_duplicate_isbn_conflicts(client, book):
    response = client.post("/api/books", json={"isbn": "9780141439518", "title": "Again", "author": "Someone"})
    assert response.status_code == 409


def test_list_and_search(client, book):
    client.post("/api/books", json={"isbn": "9780553213119", "title": "Moby Dick", "author": "Herman Melville"})
    listing = client.get("/api/books").get_json()
    assert listing["total"] == 2
    assert [b["title"] for b in listing["books"]] == ["Moby Dick", "Pride and Prejudice"]

    found = client.get("/api/books/search?q=austen").get_json()
    assert [b["title"] for b in found["books"]] == ["Pride and Prejudice"]
    assert client.get("/api/books/search?q=a").status_code == 400


def test_delete_book(client, book):
    assert client.delete(f"/api/books/{book}").status_code == 204
    assert client.get(f"/api/books/{book}").status_code == 404
