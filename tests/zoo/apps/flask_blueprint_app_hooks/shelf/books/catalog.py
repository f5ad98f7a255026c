BOOKS = {1: "Dune", 2: "Emma", 3: "Ulysses"}


def find_book(book_id):
    return BOOKS.get(book_id)
