"""The application factory: `flask --app depot.app:create_app run`."""
from flask import Flask, jsonify

from depot import models  # noqa: F401  (registers the tables)
from depot.config import Config, env_settings
from depot.extensions import db
from depot.views import documents


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.from_mapping(env_settings())
    if config:
        app.config.from_mapping(config)
    db.init_app(app)
    app.register_blueprint(documents.blueprint, url_prefix="/api/documents")

    @app.errorhandler(404)
    @app.errorhandler(400)
    def failed(error):
        return jsonify({"error": error.description}), error.code

    with app.app_context():
        db.create_all()
    return app
