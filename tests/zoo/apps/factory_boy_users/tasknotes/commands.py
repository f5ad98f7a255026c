import click

from .db import db


@click.command("init-db")
def init_db_command():
    """Drop and create every table."""
    db.drop_all()
    db.create_all()
    click.echo("Initialized the database.")


def init_app(app):
    app.cli.add_command(init_db_command)
