"""The application factory: `flask --app library.app:create_app run`."""
from flask import Flask, jsonify

from library import models  # noqa: F401  (registers the tables)
from library.books import blueprint as books
from library.config import Config
from library.extensions import db
from library.members import blueprint as members


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_object(Config)
    if config:
        app.config.from_mapping(config)
    db.init_app(app)
    app.register_blueprint(books, url_prefix="/api/books")
    app.register_blueprint(members, url_prefix="/api/members")

    @app.errorhandler(404)
    @app.errorhandler(400)
    def failed(error):
        return jsonify({"error": error.description}), error.code

    with app.app_context():
        db.create_all()
    return app
