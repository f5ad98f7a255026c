"""Photo uploads stored on local disk and labelled by an in-process recognizer."""
from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Select, select

from sample_monolith.extensions import db
from sample_monolith.models.media import Photo, PhotoLabel
from sample_monolith.utils import ApiError, bad_request, forbidden, not_found, now, sha256_hex

if TYPE_CHECKING:
    from sample_monolith.models.user import User

IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
LABEL_VOCABULARY = (
    "animal",
    "architecture",
    "beach",
    "city",
    "food",
    "forest",
    "macro",
    "mountain",
    "night",
    "portrait",
    "sunset",
    "vintage",
)


def sniff_content_type(data: bytes) -> tuple[str, str]:
    for signature, content_type, extension in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    raise ApiError(415, "unsupported image format; upload a PNG, JPEG or GIF")


def _check_size(data: bytes) -> None:
    if not data:
        raise bad_request("image body is empty")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise ApiError(413, f"image is larger than the {limit} byte limit")


def store_photo(owner: User, data: bytes, original_name: str = "") -> Photo:
    """Validate, save to disk, then label synchronously inside the request."""
    _check_size(data)
    content_type, extension = sniff_content_type(data)
    digest = sha256_hex(data)
    photo = Photo(
        owner_id=owner.id,
        original_name=os.path.basename(original_name)[:255],
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        created_at=now(),
    )
    db.session.add(photo)
    db.session.flush()
    photo.storage_path = _write_file(owner.id, f"{photo.id}-{digest[:12]}.{extension}", data)
    photo.labels = [PhotoLabel(name=name, confidence=score) for name, score in recognize(data)]
    return photo


def _write_file(owner_id: int, filename: str, data: bytes) -> str:
    relative_path = os.path.join(str(owner_id), filename)
    absolute_path = os.path.join(current_app.config["UPLOAD_DIR"], relative_path)
    os.makedirs(os.path.dirname(absolute_path), exist_ok=True)
    with open(absolute_path, "wb") as handle:
        handle.write(data)
    return relative_path


def recognize(data: bytes, rounds: int | None = None) -> list[tuple[str, int]]:
    """Deterministic stand-in for an external labelling API; deliberately CPU-bound."""
    if rounds is None:
        rounds = current_app.config["RECOGNIZER_ROUNDS"]
    digest = hashlib.sha256(data).digest()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return _labels_from_digest(digest, current_app.config["RECOGNIZER_LABELS"])


def _labels_from_digest(digest: bytes, count: int) -> list[tuple[str, int]]:
    labels: dict[str, int] = {}
    for offset in range(0, len(digest) - 1, 2):
        name = LABEL_VOCABULARY[digest[offset] % len(LABEL_VOCABULARY)]
        labels.setdefault(name, 50 + digest[offset + 1] % 50)
        if len(labels) == count:
            break
    return sorted(labels.items(), key=lambda item: (-item[1], item[0]))


def get_photo(photo_id: int) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise not_found("photo")
    return photo


def _absolute_path(photo: Photo) -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], photo.storage_path)


def photo_bytes(photo: Photo) -> bytes:
    try:
        with open(_absolute_path(photo), "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise not_found("photo file") from None


def delete_photo(photo: Photo, user: User) -> None:
    if photo.owner_id != user.id and not user.is_admin:
        raise forbidden("only the owner can delete this photo")
    try:
        os.remove(_absolute_path(photo))
    except FileNotFoundError:
        pass
    db.session.delete(photo)


def photos_stmt(owner_id: int, unattached_only: bool = False) -> Select:
    stmt = select(Photo).where(Photo.owner_id == owner_id)
    if unattached_only:
        stmt = stmt.where(Photo.product_id.is_(None))
    return stmt.order_by(Photo.id)
