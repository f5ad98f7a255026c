import pytest

from library.models import Book


@pytest.fixture
def dune(db):
    return Book.objects.create(title="Dune Messiah")  # the receivers give it its slug and an entry


def test_a_new_book_gets_its_slug_from_its_title(client, db):
    answer = client.post("/books/", {"title": "The Left Hand of Darkness"}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["slug"] == "the-left-hand-of-darkness"
    assert answer.json()["said"] == "New on the shelf: The Left Hand of Darkness"


def test_a_book_needs_a_title(client, db):
    assert client.post("/books/", {"title": " "}, content_type="application/json").status_code == 400


def test_books_are_listed_and_lent_by_slug(client, dune):
    assert client.get("/books/").json()["books"] == [{"id": dune.id, "title": "Dune Messiah", "slug": "dune-messiah",
                                                      "reader": ""}]
    answer = client.post("/books/dune-messiah/lend/", {"reader": "Ann"}, content_type="application/json")
    assert answer.json()["reader"] == "Ann"
    assert client.post("/books/no-such-book/lend/", {}, content_type="application/json").status_code == 404
