from flask import abort, render_template

from ..rules import Closed
from . import books
from .catalog import BOOKS, find_book


@books.route("/")
def index():
    return render_template("books.html", books=sorted(BOOKS.values()))


@books.route("/books/<int:book_id>")
def book(book_id):
    title = find_book(book_id)
    if title is None:
        abort(404)
    return {"id": book_id, "title": title}


@books.route("/books/closed")
def closed():
    raise Closed("books are being counted")
