"""Entry point for ``flask run`` and gunicorn: ``gunicorn wsgi:app``."""
import os

from app import create_app, db
from app.models import Book, Loan, Member

app = create_app(os.getenv("FLASK_CONFIG") or "default")


@app.shell_context_processor
def make_shell_context():
    return dict(db=db, Book=Book, Member=Member, Loan=Loan)


@app.cli.command("init-db")
def init_db():
    """Create the tables."""
    db.create_all()
    print("Initialised the database.")
