import re

from flask import jsonify, request

from .. import db
from ..errors import ValidationError, conflict, not_found
from ..models import Member
from . import members

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)


@members.route("", methods=["GET"])
def list_members():
    rows = Member.query.order_by(Member.name).all()
    return jsonify({"members": [m.to_json() for m in rows]})


@members.route("", methods=["POST"])
def register_member():
    data = request.get_json() or {}
    name = (data.get("name") or "").strip()
    email = (data.get("email") or "").strip().lower()
    if not name:
        raise ValidationError("member has no name")
    if not EMAIL_RE.match(email):
        raise ValidationError("invalid email")
    if Member.query.filter_by(email=email).first():
        return conflict("email already registered")
    member = Member(name=name, email=email)
    db.session.add(member)
    db.session.commit()
    return jsonify(member.to_json()), 201


@members.route("/<int:member_id>")
def get_member(member_id):
    member = db.session.get(Member, member_id)
    if member is None:
        return not_found(f"no member {member_id}")
    return jsonify(member.to_json())


@members.route("/<int:member_id>/loans")
def member_loans(member_id):
    member = db.session.get(Member, member_id)
    if member is None:
        return not_found(f"no member {member_id}")
    show_all = request.args.get("all") == "1"
    query = member.loans if show_all else member.active_loans()
    return jsonify({"member": member.id, "loans": [loan.to_json() for loan in query.all()]})
