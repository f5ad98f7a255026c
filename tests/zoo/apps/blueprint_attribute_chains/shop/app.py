"""The app module, containing the app factory function."""
from flask import Flask, jsonify

from shop import admin, commands, security, views  # noqa: F401  (security registers auth callbacks)
from shop.extensions import db
from shop.settings import ProdConfig


def create_app(config_object=ProdConfig):
    """An application factory: ``config_object`` is a configuration class."""
    app = Flask(__name__.split(".")[0])
    app.config.from_object(config_object)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app):
    db.init_app(app)


def register_blueprints(app):
    app.register_blueprint(views.public.blueprint)
    app.register_blueprint(views.account.blueprint)
    app.register_blueprint(admin.views.blueprint)


def register_errorhandlers(app):
    def render_error(error):
        code = getattr(error, "code", 500)
        return jsonify({"error": getattr(error, "description", "server error")}), code

    for errcode in (400, 404, 405, 500):
        app.errorhandler(errcode)(render_error)


def register_commands(app):
    app.cli.add_command(commands.init_db)
    app.cli.add_command(commands.create_admin)
