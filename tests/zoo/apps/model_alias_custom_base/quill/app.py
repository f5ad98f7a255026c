"""The app factory."""
from flask import Flask

from . import articles, comments, users
from .errors import APIError
from .extensions import db


def create_app(config_object="quill.settings", test_config=None):
    app = Flask(__name__.split(".")[0])
    app.config.from_object(config_object)
    if test_config:
        app.config.update(test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_shellcontext(app)
    return app


def register_extensions(app):
    db.init_app(app)


def register_blueprints(app):
    app.register_blueprint(users.views.blueprint)
    app.register_blueprint(articles.views.blueprint)
    app.register_blueprint(comments.views.blueprint)


def register_errorhandlers(app):
    app.register_error_handler(APIError, lambda error: error.to_response())


def register_shellcontext(app):
    def shell_context():
        return {
            "db": db,
            "User": users.models.User,
            "Article": articles.models.Article,
            "Comment": comments.models.Comment,
        }

    app.shell_context_processor(shell_context)
