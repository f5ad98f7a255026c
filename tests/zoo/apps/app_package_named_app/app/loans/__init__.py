from flask import Blueprint

loans = Blueprint("loans", __name__)

from . import views  # noqa: E402,F401
