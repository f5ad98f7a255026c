def test_a_book_added_is_listed_and_read(client):
    made = client.post("/api/books", json={"title": "Middlemarch"})
    assert made.status_code == 201
    book = made.get_json()
    assert client.get("/api/books").get_json() == [book]
    assert client.get(f"/api/books/{book['id']}").get_json() == book


def test_a_book_needs_a_title(client):
    answer = client.post("/api/books", json={})
    assert answer.status_code == 400 and answer.get_json() == {"error": "title is required"}


def test_an_unknown_book_is_404(client):
    assert client.get("/api/books/999").status_code == 404
