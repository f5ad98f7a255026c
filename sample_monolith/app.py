"""Application factory, used by `flask --app sample_monolith.app run`."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from sample_monolith import models  # noqa: F401  (registers every table)
from sample_monolith.config import Config, env_settings
from sample_monolith.extensions import db
from sample_monolith.utils import register_error_handlers
from sample_monolith.views import register_blueprints


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then `SAMPLE_*` environment variables, then `config`."""
    app = Flask(__name__, static_folder="static")
    app.config.from_object(Config)
    app.config.from_mapping(env_settings())
    if config:
        app.config.from_mapping(config)
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")
    app.json.sort_keys = True
    db.init_app(app)
    register_error_handlers(app)
    register_blueprints(app)
    if app.config["AUTO_CREATE_TABLES"]:
        with app.app_context():
            db.create_all()
    return app
