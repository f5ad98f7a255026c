"""Images: uploads to local disk, deterministic labels, raw bytes."""
from __future__ import annotations

import hashlib
import io
import os

from sample_monolith.services import images
from sample_monolith.tests.conftest import GIF_BYTES, PNG_BYTES


def test_multipart_upload_is_stored_and_labelled(api, app, seller):
    response = api.post(
        "/api/images", seller, data={"file": (io.BytesIO(PNG_BYTES), "dir/harbour.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    photo = response.get_json()["photo"]
    digest = hashlib.sha256(PNG_BYTES).hexdigest()
    assert photo == {
        "id": 1,
        "owner_id": 1,
        "product_id": None,
        "original_name": "harbour.png",
        "content_type": "image/png",
        "size_bytes": len(PNG_BYTES),
        "sha256": digest,
        "labels": photo["labels"],
        "raw_url": "/api/images/1/raw",
        "created_at": "2024-05-01T12:00:00Z",
    }
    with app.app_context():
        expected = [{"name": name, "confidence": score} for name, score in images.recognize(PNG_BYTES)]
    assert photo["labels"] == expected
    assert len(expected) == 3
    stored = os.path.join(app.config["UPLOAD_DIR"], "1", f"1-{digest[:12]}.png")
    with open(stored, "rb") as handle:
        assert handle.read() == PNG_BYTES


def test_raw_body_upload(api, seller):
    response = api.post("/api/images?filename=pixel.gif", seller, data=GIF_BYTES, content_type="image/gif")
    assert response.status_code == 201
    photo = response.get_json()["photo"]
    assert (photo["content_type"], photo["original_name"]) == ("image/gif", "pixel.gif")


def test_recognizer_is_deterministic(app):
    with app.app_context():
        assert images.recognize(PNG_BYTES) == images.recognize(PNG_BYTES)
        assert images.recognize(PNG_BYTES, rounds=0) != images.recognize(GIF_BYTES, rounds=0)


def test_upload_errors(api, app, seller):
    assert api.post("/api/images", data=PNG_BYTES).status_code == 401
    empty = api.post("/api/images", seller, data=b"", content_type="image/png")
    assert empty.status_code == 400
    assert empty.get_json()["message"] == "image body is empty"
    not_image = api.post("/api/images", seller, data=b"%PDF-1.4 hello", content_type="application/pdf")
    assert not_image.status_code == 415
    assert not_image.get_json()["error"] == "unsupported_media_type"
    no_part = api.post("/api/images", seller, data={"other": "x"}, content_type="multipart/form-data")
    assert no_part.status_code == 400
    assert no_part.get_json()["message"] == "multipart upload must include a 'file' part"
    app.config["MAX_UPLOAD_BYTES"] = 10
    too_big = api.post("/api/images", seller, data=PNG_BYTES, content_type="image/png")
    assert too_big.status_code == 413
    assert too_big.get_json()["message"] == "image is larger than the 10 byte limit"


def test_list_my_photos(api, seller, buyer):
    first = api.photo(seller)
    second = api.photo(seller, GIF_BYTES, "b.gif")
    api.photo(buyer)
    product = api.product(seller)
    api.post(f"/api/catalog/products/{product['id']}/photos", seller, json={"photo_id": first["id"]})
    mine = api.get("/api/images", seller).get_json()
    assert [photo["id"] for photo in mine["items"]] == [first["id"], second["id"]]
    unattached = api.get("/api/images?unattached=true", seller).get_json()
    assert [photo["id"] for photo in unattached["items"]] == [second["id"]]
    assert api.get("/api/images").status_code == 401
    assert api.get("/api/images?unattached=perhaps", seller).status_code == 400


def test_get_photo_metadata(api, seller):
    photo = api.photo(seller)
    response = api.get(f"/api/images/{photo['id']}")
    assert response.status_code == 200
    assert response.get_json()["photo"] == photo
    missing = api.get("/api/images/77")
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "photo not found"


def test_raw_photo_bytes(api, seller):
    photo = api.photo(seller)
    response = api.get(f"/api/images/{photo['id']}/raw")
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.data == PNG_BYTES
    assert response.headers["ETag"] == f'"{photo["sha256"]}"'
    assert response.headers["Cache-Control"] == "public, max-age=86400"


def test_raw_photo_errors(api, app, seller):
    assert api.get("/api/images/5/raw").status_code == 404
    photo = api.photo(seller)
    os.remove(os.path.join(app.config["UPLOAD_DIR"], "1", f"1-{photo['sha256'][:12]}.png"))
    lost = api.get(f"/api/images/{photo['id']}/raw")
    assert lost.status_code == 404
    assert lost.get_json()["message"] == "photo file not found"


def test_delete_photo(api, app, seller, buyer, admin):
    photo = api.photo(seller)
    path = f"/api/images/{photo['id']}"
    assert api.delete(path).status_code == 401
    forbidden = api.delete(path, buyer)
    assert forbidden.status_code == 403
    assert forbidden.get_json()["message"] == "only the owner can delete this photo"
    assert api.delete(path, seller).status_code == 204
    assert api.get(path).status_code == 404
    assert api.delete(path, seller).status_code == 404
    assert os.listdir(os.path.join(app.config["UPLOAD_DIR"], "1")) == []
    other = api.photo(seller)
    assert api.delete(f"/api/images/{other['id']}", admin).status_code == 204
