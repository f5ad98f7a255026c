from datetime import datetime, timedelta, timezone

from flask import current_app

from . import db
from .errors import ValidationError


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Book(db.Model):
    __tablename__ = "books"
    id = db.Column(db.Integer, primary_key=True)
    isbn = db.Column(db.String(13), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False, index=True)
    author = db.Column(db.String(120), nullable=False)
    copies = db.Column(db.Integer, nullable=False, default=1)
    loans = db.relationship("Loan", back_populates="book", lazy="dynamic")

    @property
    def available(self):
        return self.copies - self.loans.filter_by(returned_at=None).count()

    def to_json(self):
        return {
            "id": self.id,
            "isbn": self.isbn,
            "title": self.title,
            "author": self.author,
            "copies": self.copies,
            "available": self.available,
        }

    @staticmethod
    def from_json(data):
        for field in ("isbn", "title", "author"):
            if not data.get(field):
                raise ValidationError(f"book has no {field}")
        isbn = str(data["isbn"]).replace("-", "")
        if len(isbn) not in (10, 13) or not isbn[:-1].isdigit():
            raise ValidationError("isbn must have 10 or 13 digits")
        return Book(
            isbn=isbn,
            title=data["title"].strip(),
            author=data["author"].strip(),
            copies=int(data.get("copies", 1)),
        )


class Member(db.Model):
    __tablename__ = "members"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    email = db.Column(db.String(120), unique=True, nullable=False)
    joined_at = db.Column(db.DateTime, default=utcnow)
    loans = db.relationship("Loan", back_populates="member", lazy="dynamic")

    def active_loans(self):
        return self.loans.filter_by(returned_at=None)

    def can_borrow(self):
        return self.active_loans().count() < current_app.config["MAX_ACTIVE_LOANS"]

    def to_json(self):
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "active_loans": self.active_loans().count(),
        }


class Loan(db.Model):
    __tablename__ = "loans"
    id = db.Column(db.Integer, primary_key=True)
    book_id = db.Column(db.Integer, db.ForeignKey("books.id"), nullable=False)
    member_id = db.Column(db.Integer, db.ForeignKey("members.id"), nullable=False)
    borrowed_at = db.Column(db.DateTime, default=utcnow, nullable=False)
    due_at = db.Column(db.DateTime, nullable=False)
    returned_at = db.Column(db.DateTime)
    book = db.relationship("Book", back_populates="loans")
    member = db.relationship("Member", back_populates="loans")

    @classmethod
    def open(cls, book, member, now=None):
        now = now or utcnow()
        days = current_app.config["LOAN_PERIOD_DAYS"]
        return cls(book=book, member=member, borrowed_at=now, due_at=now + timedelta(days=days))

    @property
    def overdue(self):
        return self.returned_at is None and self.due_at < utcnow()

    def to_json(self):
        return {
            "id": self.id,
            "book_id": self.book_id,
            "member_id": self.member_id,
            "title": self.book.title,
            "due_at": self.due_at.isoformat(),
            "returned": self.returned_at is not None,
            "overdue": self.overdue,
        }
