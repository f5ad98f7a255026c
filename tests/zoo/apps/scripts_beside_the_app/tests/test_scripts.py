from library.initial_data import seed
from library.models import Book


def test_seeding_twice_adds_each_book_once(app):
    assert seed(["Dune", "Emma"]) == 2
    assert seed(["Dune", "Emma", "Ulysses"]) == 1
    assert [b.title for b in Book.query.order_by(Book.id)] == ["Dune", "Emma", "Ulysses"]
