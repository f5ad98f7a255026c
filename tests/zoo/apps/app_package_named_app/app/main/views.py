from flask import jsonify

from .. import db
from ..models import Book, Member
from . import main


@main.route("/")
def index():
    return "Library API. See /api/books.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@main.route("/health")
def health():
    db.session.execute(db.text("SELECT 1"))
    return jsonify({"status": "ok", "books": Book.query.count(), "members": Member.query.count()})
