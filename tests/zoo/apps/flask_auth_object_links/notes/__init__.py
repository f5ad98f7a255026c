import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", "sqlite:///notes.sqlite"),  # relative: the instance folder
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
}


def create_app(settings=None):
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(settings or {})
    db.init_app(app)

    from .errors import errors
    app.register_blueprint(errors)

    from .main import main
    app.register_blueprint(main)

    from .accounts import accounts
    app.register_blueprint(accounts, url_prefix="/accounts")

    from .api import api
    app.register_blueprint(api, url_prefix="/api")

    with app.app_context():
        db.create_all()
    return app
