"""Seed the first books: the deploy runs `python -m library.initial_data` once, after the tables exist."""
import logging

from library.app import create_app
from library.extensions import db
from library.models import Book

logger = logging.getLogger(__name__)


def seed(titles):
    added = 0
    for title in titles:
        if Book.query.filter_by(title=title).first() is None:
            db.session.add(Book(title=title))
            added += 1
    db.session.commit()
    return added


def main():
    app = create_app()
    with app.app_context():
        logger.info("seeded %d books", seed(app.config["FIRST_BOOKS"]))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
