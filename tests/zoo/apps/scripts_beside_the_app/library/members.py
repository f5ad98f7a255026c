from flask import Blueprint, abort, jsonify, request

from library.extensions import db
from library.models import Member

blueprint = Blueprint("members", __name__)


@blueprint.get("")
def list_members():
    return jsonify([m.to_dict() for m in Member.query.order_by(Member.id)])


@blueprint.post("")
def join():
    name = (request.get_json(silent=True) or {}).get("name")
    if not name:
        abort(400, "name is required")
    member = Member(name=name)
    db.session.add(member)
    db.session.commit()
    return jsonify(member.to_dict()), 201
