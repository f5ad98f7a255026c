from flask import Blueprint

books = Blueprint("books", __name__)

from . import views, hooks  # noqa: E402,F401
from ..rules import SITE, Shelf  # noqa: E402


@books.app_context_processor
def inject_rules():
    return {"Shelf": Shelf, "SITE": SITE}
