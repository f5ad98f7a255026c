"""A help desk in the shape of CTFd's session handling: sessions live in the app's Flask-Caching cache (a
`SimpleCache` in the tests, one per process), the cookie holds only an id; tickets sit in the same cache."""
from flask import Flask

from desk.cache import cache
from desk.sessions import CacheSessions


class Config:
    SECRET_KEY = "desk-secret"
    CACHE_TYPE = "FileSystemCache"
    CACHE_DIR = "/tmp/desk-cache"


class TestingConfig(Config):
    TESTING = True
    CACHE_TYPE = "SimpleCache"
    CACHE_DIR = None


def create_app(config=Config):
    app = Flask(__name__)
    app.config.from_object(config)
    cache.init_app(app)
    app.session_interface = CacheSessions()

    from desk import auth, profile, tickets
    app.register_blueprint(auth.bp)
    app.register_blueprint(tickets.bp)
    app.register_blueprint(profile.bp)
    return app
