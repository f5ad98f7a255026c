from flask import Flask

from arcade.plugins import init_plugins


def create_app(settings=None):
    app = Flask(__name__)
    app.config.update(settings or {})

    from arcade.games.views import games
    app.register_blueprint(games, url_prefix="/games")

    from arcade.scores.views import scores
    app.register_blueprint(scores, url_prefix="/scores")

    init_plugins(app)
    return app
