from flask import jsonify, request

from .. import db
from ..errors import ValidationError, conflict, not_found
from ..models import Book, Loan, Member, utcnow
from . import loans


@loans.route("", methods=["POST"])
def checkout():
    data = request.get_json() or {}
    try:
        book_id, member_id = int(data["book_id"]), int(data["member_id"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError("book_id and member_id are required")
    book = db.session.get(Book, book_id)
    member = db.session.get(Member, member_id)
    if book is None or member is None:
        return not_found("unknown book or member")
    if book.available < 1:
        return conflict("no copy available")
    if not member.can_borrow():
        return conflict("member has reached the loan limit")
    loan = Loan.open(book, member)
    db.session.add(loan)
    db.session.commit()
    return jsonify(loan.to_json()), 201


@loans.route("/<int:loan_id>/return", methods=["POST"])
def return_loan(loan_id):
    loan = db.session.get(Loan, loan_id)
    if loan is None:
        return not_found(f"no loan {loan_id}")
    if loan.returned_at is not None:
        return conflict("loan already returned")
    loan.returned_at = utcnow()
    db.session.commit()
    return jsonify(loan.to_json())


@loans.route("/overdue")
def overdue_loans():
    rows = (
        Loan.query.filter(Loan.returned_at.is_(None), Loan.due_at < utcnow())
        .order_by(Loan.due_at)
        .all()
    )
    return jsonify({"loans": [loan.to_json() for loan in rows], "count": len(rows)})
