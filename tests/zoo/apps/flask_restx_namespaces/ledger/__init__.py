"""ledger: accounts and their entries, served by a flask-restx API under /api/v1."""
import os

from flask import Flask

from ledger import cache
from ledger.models import db


def create_app(config=None):
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=os.environ.get("LEDGER_DATABASE", "sqlite://"),
                      SQLALCHEMY_TRACK_MODIFICATIONS=False, API_DOCS=False)
    if config:
        app.config.update(config)
    db.init_app(app)
    cache.init_app(app)
    with app.app_context():
        from ledger.api import blueprint  # the Api reads the app's config when it is built
        from ledger.reports import blueprint as reports

        app.register_blueprint(blueprint)
        app.register_blueprint(reports)
        db.create_all()
    return app
