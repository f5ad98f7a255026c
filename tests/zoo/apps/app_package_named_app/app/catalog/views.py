from flask import current_app, jsonify, request

from .. import db
from ..errors import bad_request, conflict, not_found
from ..models import Book
from . import catalog


@catalog.route("", methods=["GET"])
def list_books():
    page = request.args.get("page", 1, type=int)
    per_page = current_app.config["BOOKS_PER_PAGE"]
    pagination = Book.query.order_by(Book.title).paginate(page=page, per_page=per_page, error_out=False)
    return jsonify({
        "books": [book.to_json() for book in pagination.items],
        "page": page,
        "total": pagination.total,
    })


@catalog.route("", methods=["POST"])
def create_book():
    book = Book.from_json(request.get_json() or {})
    if Book.query.filter_by(isbn=book.isbn).first() is not None:
        return conflict(f"isbn {book.isbn} is already in the catalog")
    db.session.add(book)
    db.session.commit()
    return jsonify(book.to_json()), 201, {"Location": f"/api/books/{book.id}"}


@catalog.route("/search")
def search_books():
    q = request.args.get("q", "").strip()
    if len(q) < 2:
        return bad_request("q needs at least 2 characters")
    pattern = f"%{q}%"
    books = Book.query.filter(db.or_(Book.title.ilike(pattern), Book.author.ilike(pattern))).order_by(Book.title).all()
    return jsonify({"query": q, "books": [book.to_json() for book in books]})


@catalog.route("/<int:book_id>")
def get_book(book_id):
    book = db.session.get(Book, book_id)
    if book is None:
        return not_found(f"no book {book_id}")
    return jsonify(book.to_json())


@catalog.route("/<int:book_id>", methods=["DELETE"])
def delete_book(book_id):
    book = db.session.get(Book, book_id)
    if book is None:
        return not_found(f"no book {book_id}")
    if book.loans.filter_by(returned_at=None).count():
        return conflict("book is on loan")
    db.session.delete(book)
    db.session.commit()
    return "", 204
