"""Storefront page, static assets, app factory and generic errors."""
from __future__ import annotations

from sample_monolith.app import create_app
from sample_monolith.config import env_settings


def test_index_serves_the_storefront(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert b"<title>Snapmarket</title>" in response.data
    assert b"/static/app.js" in response.data


def test_index_rejects_other_methods(client):
    response = client.post("/")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_static_assets(client):
    css = client.get("/static/app.css")
    assert css.status_code == 200
    assert css.content_type.startswith("text/css")
    js = client.get("/static/app.js")
    assert js.status_code == 200
    assert b"/api/catalog/products" in js.data
    css.close()
    js.close()
    assert client.get("/static/missing.css").status_code == 404


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_env_settings():
    settings = env_settings(
        {
            "SAMPLE_DATABASE_URL": "sqlite:////tmp/x.db",
            "SAMPLE_UPLOAD_DIR": "/tmp/up",
            "SAMPLE_ADMIN_EMAILS": "Root@Example.com, ops@example.com",
            "SAMPLE_NOTIFICATIONS_SYNC": "true",
        }
    )
    assert settings == {
        "SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.db",
        "UPLOAD_DIR": "/tmp/up",
        "ADMIN_EMAILS": ("root@example.com", "ops@example.com"),
        "NOTIFICATIONS_SYNC": True,
    }
    assert env_settings({}) == {}


def test_create_app_reads_database_url_from_env(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("SAMPLE_DATABASE_URL", url)
    app = create_app({"UPLOAD_DIR": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert (tmp_path / "env.db").exists()
    with app.app_context():
        from sample_monolith.extensions import db

        db.engine.dispose()
