"""Wait until the database answers before the web process starts (the container's entrypoint runs it)."""
import time

from sqlalchemy import text

from library.app import create_app
from library.extensions import db

TRIES = 30


def ready(tries=TRIES, pause=1.0):
    app = create_app()
    with app.app_context():
        for attempt in range(tries):
            try:
                db.session.execute(text("select 1"))
                return attempt + 1
            except Exception:  # noqa: BLE001  (any failure: try again)
                time.sleep(pause)
    raise SystemExit("the database never answered")


if __name__ == "__main__":
    ready()
