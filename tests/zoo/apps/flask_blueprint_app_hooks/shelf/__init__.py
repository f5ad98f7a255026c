from flask import Flask


def create_app(settings=None):
    app = Flask(__name__)
    app.config.update(settings or {})

    from .books import books
    app.register_blueprint(books)

    from .members import members
    app.register_blueprint(members, url_prefix="/members")
    return app
