from flask import Blueprint, abort, current_app, g, jsonify, request

from ..auth import token_required
from ..db import db
from ..models import Note
from ..projects.routes import get_project

bp = Blueprint("notes", __name__, url_prefix="/api")


def _validate(data, partial=False):
    title = data.get("title")
    if not partial and not (title or "").strip():
        abort(400, description="title is required")
    if len(data.get("body") or "") > current_app.config["MAX_NOTE_LENGTH"]:
        abort(400, description="body is too long")


def _note_for_user(note_id):
    note = db.session.get(Note, note_id)
    if note is None or not note.project.visible_to(g.user):
        abort(404)
    return note


@bp.get("/projects/<int:project_id>/notes")
@token_required
def list_notes(project_id):
    project = get_project(project_id)
    notes = project.notes
    if request.args.get("done") in ("0", "1"):
        notes = [n for n in notes if n.done == (request.args["done"] == "1")]
    return jsonify(notes=[n.to_dict() for n in notes])


@bp.post("/projects/<int:project_id>/notes")
@token_required
def create_note(project_id):
    project = get_project(project_id)
    data = request.get_json(silent=True) or {}
    _validate(data)
    note = Note(project=project, author=g.user, title=data["title"].strip(), body=data.get("body", ""))
    db.session.add(note)
    db.session.commit()
    return jsonify(note.to_dict()), 201


@bp.patch("/notes/<int:note_id>")
@token_required
def update_note(note_id):
    note = _note_for_user(note_id)
    data = request.get_json(silent=True) or {}
    _validate(data, partial=True)
    for field in ("title", "body", "done"):
        if field in data:
            setattr(note, field, data[field])
    db.session.commit()
    return jsonify(note.to_dict())


@bp.delete("/notes/<int:note_id>")
@token_required
def delete_note(note_id):
    note = _note_for_user(note_id)
    if note.author_id != g.user.id and note.project.owner_id != g.user.id:
        abort(403)
    db.session.delete(note)
    db.session.commit()
    return "", 204
