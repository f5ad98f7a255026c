from flask import Flask

from gadgets.config import Config


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)

    from gadgets.tokens import tokens
    app.register_blueprint(tokens, url_prefix="/api")

    from gadgets.catalogue import gadgets
    app.register_blueprint(gadgets, url_prefix="/api")
    return app
