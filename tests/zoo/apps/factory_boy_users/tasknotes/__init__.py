from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from .db import db


def create_app(test_config=None):
    """Create and configure the app (``flask --app tasknotes run``)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        SQLALCHEMY_DATABASE_URI="sqlite:///tasknotes.sqlite",  # relative: lives in the instance folder
        TOKEN_TTL_HOURS=12,
        MAX_NOTE_LENGTH=2000,
        PASSWORD_HASH_METHOD="scrypt",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TASKNOTES")
    else:
        app.config.from_mapping(test_config)

    db.init_app(app)

    from . import commands
    from .accounts.routes import bp as accounts_bp
    from .notes.routes import bp as notes_bp
    from .projects.routes import bp as projects_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(notes_bp)
    commands.init_app(app)

    @app.get("/api/health")
    def health():
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def http_error(error):
        return jsonify(error=error.description if error.code == 400 else error.name.lower()), error.code

    return app
