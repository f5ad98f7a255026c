import hashlib

from flask import Blueprint, abort, current_app, jsonify, request

from depot.extensions import db
from depot.models import Document
from depot.tasks import fingerprint_later
from depot.uploads import get_uploader

blueprint = Blueprint("documents", __name__)


def _document(document_id):
    return db.session.get(Document, document_id) or abort(404, description="no such document")


@blueprint.route("", methods=["POST"])
def upload():
    folder = request.form.get("folder", "").strip() or abort(400, description="folder is required")
    sent = request.files.get("file") or abort(400, description="file is required")
    data = sent.read()
    sent.stream.seek(0)
    try:
        location = get_uploader().upload(sent.stream, sent.filename, hashlib.sha1(data).hexdigest()[:16])
    except ValueError as error:
        abort(400, description=str(error))
    document = Document(folder=folder, name=sent.filename, location=location, size=len(data))
    db.session.add(document)
    db.session.commit()
    fingerprint_later(current_app._get_current_object(), document.id)
    return jsonify(document.to_dict()), 201


@blueprint.route("")
def list_documents():
    folder = request.args.get("folder")
    query = Document.query.filter_by(folder=folder) if folder else Document.query
    return jsonify([d.to_dict() for d in query.order_by(Document.id)])


@blueprint.route("/<int:document_id>")
def get_document(document_id):
    return jsonify(_document(document_id).to_dict())


@blueprint.route("/<int:document_id>/download")
def download(document_id):
    return get_uploader().download(_document(document_id).location)


@blueprint.route("/<int:document_id>", methods=["DELETE"])
def delete(document_id):
    document = _document(document_id)
    removed = get_uploader().delete(document.location)
    db.session.delete(document)
    db.session.commit()
    return jsonify({"deleted": document_id, "file_removed": removed})
