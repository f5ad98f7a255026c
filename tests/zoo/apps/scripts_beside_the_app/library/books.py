from flask import Blueprint, abort, jsonify, request

from library.extensions import db
from library.models import Book

blueprint = Blueprint("books", __name__)


@blueprint.get("")
def list_books():
    return jsonify([b.to_dict() for b in Book.query.order_by(Book.id)])


@blueprint.post("")
def add_book():
    title = (request.get_json(silent=True) or {}).get("title")
    if not title:
        abort(400, "title is required")
    book = Book(title=title)
    db.session.add(book)
    db.session.commit()
    return jsonify(book.to_dict()), 201


@blueprint.get("/<int:book_id>")
def get_book(book_id):
    book = db.session.get(Book, book_id)
    if book is None:
        abort(404, "no such book")
    return jsonify(book.to_dict())
