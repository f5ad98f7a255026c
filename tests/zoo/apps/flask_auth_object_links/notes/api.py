from flask import Blueprint, abort, g, jsonify, request, url_for

from . import db
from .auth import token_auth
from .models import Note

api = Blueprint("api", __name__)


@api.route("/notes")
@token_auth.login_required
def list_notes():
    notes = Note.query.filter_by(owner_id=g.current_user.id).order_by(Note.id).all()
    return jsonify(notes=[n.as_dict() for n in notes], me=url_for("main.whoami"))


@api.route("/notes", methods=["POST"])
@token_auth.login_required
def create_note():
    text = (request.get_json(silent=True) or {}).get("text", "").strip()
    if not text:
        return jsonify(error="text is required"), 400
    note = Note(owner_id=g.current_user.id, text=text)
    db.session.add(note)
    db.session.commit()
    return jsonify(note.as_dict()), 201, {"Location": url_for("api.get_note", note_id=note.id)}


@api.route("/notes/<int:note_id>")
@token_auth.login_required
def get_note(note_id):
    note = Note.query.filter_by(id=note_id, owner_id=g.current_user.id).first()
    if note is None:
        abort(404)
    return jsonify(note.as_dict())
