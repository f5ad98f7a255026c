"""Image routes: upload (multipart or raw body), metadata, raw bytes, delete."""
from __future__ import annotations

from flask import Blueprint, Response, request

from sample_monolith.extensions import db
from sample_monolith.models.media import Photo
from sample_monolith.services import images
from sample_monolith.utils import bad_request, current_user, login_required, paginate, query_bool

bp = Blueprint("images", __name__, url_prefix="/api/images")


def _read_upload() -> tuple[bytes, str]:
    """The `file` part of a multipart form, or else the raw request body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise bad_request("multipart upload must include a 'file' part")
        return upload.read(), upload.filename or ""
    return request.get_data(), request.args.get("filename", "")


@bp.post("")
@login_required
def upload_photo():
    data, filename = _read_upload()
    photo = images.store_photo(current_user(), data, filename)
    db.session.commit()
    return {"photo": photo.to_dict()}, 201


@bp.get("")
@login_required
def list_my_photos():
    stmt = images.photos_stmt(current_user().id, unattached_only=query_bool("unattached"))
    return paginate(stmt, Photo.to_dict)


@bp.get("/<int:photo_id>")
def get_photo(photo_id: int):
    return {"photo": images.get_photo(photo_id).to_dict()}


@bp.get("/<int:photo_id>/raw")
def raw_photo(photo_id: int):
    photo = images.get_photo(photo_id)
    response = Response(images.photo_bytes(photo), mimetype=photo.content_type)
    response.set_etag(photo.sha256)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.delete("/<int:photo_id>")
@login_required
def delete_photo(photo_id: int):
    images.delete_photo(images.get_photo(photo_id), current_user())
    db.session.commit()
    return "", 204
