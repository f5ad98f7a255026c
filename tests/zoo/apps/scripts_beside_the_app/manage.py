"""Admin commands: `python manage.py seed` or `python manage.py count`."""
import argparse

from library.app import create_app
from library.initial_data import seed
from library.models import Book


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["seed", "count"])
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        if args.command == "seed":
            print(seed(app.config["FIRST_BOOKS"]))
        else:
            print(Book.query.count())


if __name__ == "__main__":
    main()
