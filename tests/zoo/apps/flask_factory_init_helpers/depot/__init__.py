from flask import Flask

from depot.setup import init_cli, init_globals


def create_app(settings=None):
    app = Flask(__name__)
    app.config.update(settings or {})

    from depot.stock.views import stock
    app.register_blueprint(stock, url_prefix="/stock")

    from depot.orders.views import orders
    app.register_blueprint(orders, url_prefix="/orders")

    init_cli(app)
    init_globals(app)
    return app
