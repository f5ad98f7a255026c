from flask import Blueprint, abort, g, jsonify, request

from ..auth import token_required
from ..db import db
from ..models import Project, User, project_members

bp = Blueprint("projects", __name__, url_prefix="/api/projects")


def get_project(project_id, owner_only=False):
    project = db.session.get(Project, project_id)
    if project is None or not project.visible_to(g.user):
        abort(404)
    if owner_only and project.owner_id != g.user.id:
        abort(403)
    return project


@bp.get("")
@token_required
def list_projects():
    query = (
        db.select(Project)
        .outerjoin(project_members)
        .where((Project.owner_id == g.user.id) | (project_members.c.user_id == g.user.id))
        .distinct()
        .order_by(Project.id)
    )
    return jsonify(projects=[p.to_dict() for p in db.session.scalars(query)])


@bp.post("")
@token_required
def create_project():
    data = request.get_json(silent=True) or {}
    name = (data.get("name") or "").strip()
    if not name:
        return jsonify(error="name is required"), 400
    project = Project(name=name, description=data.get("description", ""), owner=g.user)
    db.session.add(project)
    db.session.commit()
    return jsonify(project.to_dict()), 201


@bp.get("/<int:project_id>")
@token_required
def show_project(project_id):
    return jsonify(get_project(project_id).to_dict())


@bp.delete("/<int:project_id>")
@token_required
def delete_project(project_id):
    project = get_project(project_id, owner_only=True)
    db.session.delete(project)
    db.session.commit()
    return "", 204


@bp.post("/<int:project_id>/members")
@token_required
def add_member(project_id):
    project = get_project(project_id, owner_only=True)
    email = ((request.get_json(silent=True) or {}).get("email") or "").lower()
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        return jsonify(error=f"no user {email}"), 404
    if user.id != project.owner_id and user not in project.members:
        project.members.append(user)
        db.session.commit()
    return jsonify(project.to_dict())
