from library.models import Book


def test_the_feed_tells_what_happened_in_the_library_s_words(client, db):
    book = Book.objects.create(title="Kindred")
    book.reader = "Bo"
    book.save()
    assert client.get("/activity/").json() == {"feed": ["New on the shelf: Kindred", "Kindred went out with Bo"]}


def test_a_book_added_over_http_is_in_the_feed(client, db):
    client.post("/books/", {"title": "Parable of the Sower"}, content_type="application/json")
    assert client.get("/activity/").json() == {"feed": ["New on the shelf: Parable of the Sower"]}
