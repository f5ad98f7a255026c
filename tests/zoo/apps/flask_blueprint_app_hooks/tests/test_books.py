def test_index_shouts_the_site(client):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>SHELF!</h1>" in page
    assert "<li>Dune</li>" in page
    assert "Loans last 14 days." in page


def test_book(client):
    assert client.get("/books/2").get_json() == {"id": 2, "title": "Emma"}


def test_missing_book_is_json(client):
    response = client.get("/books/9")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found", "path": "/books/9"}


def test_closed_is_answered_by_members_handler(client):
    response = client.get("/books/closed")
    assert response.status_code == 503
    assert response.get_json() == {"error": "closed", "why": "books are being counted"}
