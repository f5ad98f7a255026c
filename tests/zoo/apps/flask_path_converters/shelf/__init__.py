"""A documentation shelf in the shape of CTFd's public views: files served under `/files/<path:path>`, a
theme's assets under `/themes/<theme>/static/<path:path>`, and pages at any depth through the catch-all
`/<path:route>`, beside literal routes the catch-all must not take."""
from flask import Flask


def create_app():
    app = Flask(__name__)

    from shelf import files, notes, pages
    app.register_blueprint(notes.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(pages.bp)
    return app
