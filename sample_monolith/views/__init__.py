"""Blueprints, one per area of the site."""
from __future__ import annotations

from flask import Flask

from sample_monolith.views import (
    accounts,
    admin,
    cart,
    catalog,
    images,
    inventory,
    notifications,
    orders,
    payments,
    reports,
    site,
)

BLUEPRINTS = (
    site.bp,
    accounts.bp,
    catalog.bp,
    images.bp,
    cart.bp,
    orders.bp,
    inventory.bp,
    payments.bp,
    notifications.bp,
    reports.bp,
    admin.bp,
)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
