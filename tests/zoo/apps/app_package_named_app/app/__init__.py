from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from config import config

db = SQLAlchemy()


def create_app(config_name):
    app = Flask(__name__)
    app.config.from_object(config[config_name])
    config[config_name].init_app(app)

    db.init_app(app)

    from .main import main as main_blueprint
    app.register_blueprint(main_blueprint)

    from .catalog import catalog as catalog_blueprint
    app.register_blueprint(catalog_blueprint, url_prefix="/api/books")

    from .members import members as members_blueprint
    app.register_blueprint(members_blueprint, url_prefix="/api/members")

    from .loans import loans as loans_blueprint
    app.register_blueprint(loans_blueprint, url_prefix="/api/loans")

    from .errors import register_error_handlers
    register_error_handlers(app)

    with app.app_context():
        db.create_all()

    return app
